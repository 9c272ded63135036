"""Import a survey tool's export into the canonical data set (``replylab import``).

One module per concern:

- ``naming``: column names turned into ids, long lists elided in messages;
- ``detection``: what a file is (by its bytes, not its name), its text encoding and delimiter;
- ``readers``: one :class:`~study.dataset.importers.readers.RawTable` from a CSV/TSV,
  SPSS ``.sav``, Stata ``.dta`` or Excel ``.xlsx`` file, header rows detected and
  duplicate column names refused; values, variable labels and value labels kept;
- ``qualtrics``: Qualtrics' conventions (header rows, metadata columns, preview/spam/test
  and unfinished responses, missing codes, randomizer display-order columns) and its
  ``.qsf`` survey definition;
- ``limesurvey``: LimeSurvey's conventions (metadata columns, incomplete responses);
- ``conditions``: where the condition comes from (a named column, an embedded-data
  field, a display-order column, or which per-condition copy of a question was answered);
- ``items``: the draft questionnaire (item types, points, labels, suggested scales);
- ``plan``: the mapping that turns the file into the canonical table, with the notes
  and decisions for the report;
- ``writer``: ``data.csv``, ``mapping.yaml``, ``study.yaml``, ``questionnaire.yaml`` and
  ``import-report.md``;
- ``survey_import``: :func:`import_survey_file`, the whole import.

May import: ``questionnaires``, ``analysis``, ``study.design``, ``study.dataset`` and
``study.errors``.
"""
