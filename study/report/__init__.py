"""What a run or a study file turns into for people to read.

- ``render``: the report of a run as Markdown and a self-contained HTML page, in
  English or Dutch (``templates/report*.j2``, prose in ``templates/report_texts.j2``);
- ``outputs``: the output folder of a run (tables, figures with their captions, data,
  codebook, report, manifest), written all or nothing;
- ``prereg``: the preregistration, from the study file alone.

Works on the results object of ``study.pipeline`` without importing it.
May import: ``analysis``, ``questionnaires``, ``study.design``, ``study.dataset`` and
``study.errors``.
"""
