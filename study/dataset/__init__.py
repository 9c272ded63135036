"""The canonical data set: one row per participant, from wherever the data come.

- ``codebook`` (+ ``codebook_text``, its own wording in English and Dutch): every
  column of the canonical table described, as a dict, JSON or Markdown;
- ``simulation`` (+ ``phrasebank/``): participants drawn from a study's generative model;
- ``mapping``: a foreign CSV (a Qualtrics export, another lab's data) mapped onto the
  canonical columns;
- ``exclusions``: the attention and manipulation flags and ``exclude``.

May import: ``questionnaires``, ``analysis``, ``study.design`` and ``study.errors``.
"""
