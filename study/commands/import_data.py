"""``replylab import FILE [--survey DEFINITION] --out DIR``: a survey tool's export to the canonical data set.

>>> import argparse
>>> parser = argparse.ArgumentParser(prog="replylab import")
>>> add_arguments(parser)
>>> args = parser.parse_args(["export.csv", "--survey", "survey.qsf", "--out", "imported"])
>>> str(args.file), str(args.survey), str(args.out), args.condition
('export.csv', 'survey.qsf', 'imported', None)
"""

from __future__ import annotations

import argparse
from pathlib import Path

NAME = "import"
HELP = "Import a Qualtrics, LimeSurvey, SPSS, Stata or Excel file: canonical data and a draft study."
DESCRIPTION = """\
Detect the file's format and write, into --out:
  data.csv            the canonical table (one row per participant)
  mapping.yaml        the mapping that turns FILE into data.csv (edit, rerun)
  study.yaml          a draft analysis-only study: factors, questionnaire, plan
  questionnaire.yaml  the items (text, points, labels) and suggested scales
  import-report.md    what was read, rows dropped and why, columns mapped or
                      left out, and the decisions left to you
Qualtrics exports: header rows recognised, preview/spam/test and unfinished
responses dropped, -99 codes declared missing, the condition taken from an
embedded-data field, a randomizer's display order (FL_*_DO) or the block of
questions answered. With --survey, question texts, choices and codes come from
the Qualtrics .qsf or LimeSurvey .lss. See docs/import.md.

examples:
  replylab import qualtrics_export.csv --survey survey.qsf --out imported/
  replylab import data.sav --condition group --out imported/
  replylab analyze imported/data.csv --study imported/study.yaml --out results/
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, metavar="FILE",
                        help="the export: CSV/TSV (Qualtrics, LimeSurvey), .sav, .dta or .xlsx")
    parser.add_argument("--survey", type=Path, default=None, metavar="DEFINITION",
                        help="the survey definition (Qualtrics .qsf or LimeSurvey .lss): question texts, "
                             "choices, blocks")
    parser.add_argument("--condition", default=None, metavar="COLUMN[,COLUMN]",
                        help="the column(s) holding the condition, one per factor (default: detected)")
    parser.add_argument("--out", required=True, type=Path, metavar="DIR", help="output folder")


def run(args: argparse.Namespace) -> int:
    # Imported when the command runs, not when ``replylab --help`` lists it: the import
    # loads pandas and the file readers.
    from study.dataset.importers.survey_import import import_survey_file

    condition = [c.strip() for c in args.condition.split(",") if c.strip()] if args.condition else None
    result = import_survey_file(args.file, args.out, survey=args.survey, condition=condition)
    data = result.data
    counts = data.loc[data["status"] == "complete", "condition"].value_counts().to_dict() \
        if "condition" in data else {}
    print(f"replylab import: {len(data)} participants"
          + (f" ({', '.join(f'{k}: {v}' for k, v in counts.items())})" if counts else " (no condition found)")
          + f", {len(result.dropped)} rows dropped; {result.plan.tool} -> {args.out} "
          f"(see {args.out / 'import-report.md'})")
    return 0
