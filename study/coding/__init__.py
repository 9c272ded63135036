"""Human coding of the free-text reasons: blind sheets out, agreement and final codes in.

- ``export_sheets``: :func:`~study.coding.export_sheets.export_coding_sheets` writes one
  blind sheet per coder (condition and participant hidden, opaque ``unit_id``, seeded
  order), the codebook as Markdown and a private ``key.csv``;
- ``import_sheets``: :func:`~study.coding.import_sheets.import_coding_sheets` reads the
  filled sheets back, measures agreement per category (Cohen's kappa, Krippendorff's
  alpha with a seeded bootstrap interval), lists the disagreements and, once they are
  resolved, merges the final codes into the canonical data set (``code_source = "human"``);
- ``files``: the CSV conventions both share (UTF-8 with a byte-order mark, cells a
  spreadsheet would run as a formula neutralised, ``,`` or ``;`` read back) and
  :class:`~study.coding.files.CodingSheetError`.

May import: ``questionnaires`` (the motive codebook), ``analysis`` (agreement) and
``study.errors``.
"""
