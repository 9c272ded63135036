"""The canonical data set: one row per participant, from wherever the data come.

- ``codebook`` (+ ``codebook_text``, its own wording in English and Dutch): every
  column of the canonical table described, as a dict, JSON or Markdown;
- ``simulation`` (+ ``phrasebank/``): participants drawn from a study's generative model;
- ``mapping``: a foreign CSV (a Qualtrics export, another lab's data) mapped onto the
  canonical columns;
- ``exclusions``: the attention and manipulation flags, ``exclude`` and the exclusion flow;
- ``quality``: the data-quality flags (``flag_speeding``, ``flag_straightlining``, ...);
- ``importers/``: ``replylab import``: Qualtrics, LimeSurvey, SPSS, Stata and Excel files
  read, their conventions applied, and written as the canonical table with a mapping, a
  draft analysis-only study file and an import report; ``skeleton`` for ``replylab mapping init``;
- ``qsf_export``: a study as a Qualtrics survey file (``replylab export-qsf``).

May import: ``questionnaires``, ``analysis``, ``study.design`` and ``study.errors``.
"""
