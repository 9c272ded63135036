"""The preregistered analysis of one study, start to finish.

- ``steps``: each step of the plan, a small function of the data and the study
  (prepare, exclusions, reliability, manipulation check, descriptives, hypotheses,
  motives, persuasion knowledge and attitude);
- ``run``: :func:`~study.pipeline.run.replicate` and :func:`~study.pipeline.run.analyze`
  run the steps in order into a :class:`~study.pipeline.run.Results` and hand it to
  ``study.report`` for the output folder.

May import: ``analysis``, ``questionnaires``, ``study.design``, ``study.dataset``,
``study.report`` and ``study.errors``.
"""
