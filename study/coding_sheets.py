"""Human coding of the free-text reasons: blind sheets out, agreement and final codes in.

:func:`export_coding_sheets` writes one blind coding sheet per coder (condition and
participant hidden, opaque ``unit_id``, seeded order), the codebook as Markdown and a
private ``key.csv`` (unit_id -> participant_id). :func:`import_coding_sheets` reads the
filled sheets back, measures agreement per category (Cohen's kappa for two coders,
Krippendorff's alpha for any number, with a seeded bootstrap interval), lists the
disagreements to resolve and, once none is left, merges the final codes into the
canonical data set with ``code_source = "human"``.

Sheets are CSV in UTF-8 with a byte-order mark (``utf-8-sig``) so that spreadsheet
programs show accents correctly; text cells a spreadsheet would run as a formula
(starting with ``= + - @``, a tab or a carriage return) get a leading apostrophe.

The work is split by concern: :mod:`study.coding_export` (sheets out),
:mod:`study.coding_import` (agreement, disagreements, merge) and
:mod:`study.coding_files` (CSV conventions, :class:`CodingSheetError`); every
name stays importable from here.
"""

from study.coding_export import SheetExport, export_coding_sheets
from study.coding_files import ENCODING, FORMULA_STARTS, CodingSheetError, neutralise_formula
from study.coding_import import CODE_EXTRAS, PUBLISHABLE, TENTATIVE, CodingImport, import_coding_sheets

__all__ = [
    "CODE_EXTRAS",
    "ENCODING",
    "FORMULA_STARTS",
    "PUBLISHABLE",
    "TENTATIVE",
    "CodingImport",
    "CodingSheetError",
    "SheetExport",
    "export_coding_sheets",
    "import_coding_sheets",
    "neutralise_formula",
]
