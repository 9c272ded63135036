"""``replylab export --db URL --study STUDY --out DIR [--include-partial]``: export survey data.

>>> import argparse
>>> parser = argparse.ArgumentParser(prog="replylab export")
>>> add_arguments(parser)
>>> parser.parse_args(["--db", "sqlite:///replylab.db", "--study", "tilburg",
...                    "--out", "data"]).include_partial
False
"""

from __future__ import annotations

import argparse
from pathlib import Path

from study.errors import UserError

NAME = "export"
HELP = "Export the survey's data: data.csv, answers.csv, codebook, data.sav, Psych-DS metadata."
DESCRIPTION = """\
Read the survey database and write, into --out:
  data.csv                  one row per participant (canonical columns, scored
                            scales, attention/manipulation/exclusion flags,
                            Prolific ids, duplicate flag, duration)
  answers.csv, pages.csv    every stored answer (long) and page timings
  codebook.json, codebook.md
  data.sav                  SPSS, with variable and value labels
  dataset_description.json  Psych-DS metadata
Only completed participants unless --include-partial. Test sessions never.

example:
  replylab export --db sqlite:///replylab.db --study tilburg --out data/
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", metavar="URL", default="sqlite:///replylab.db",
                        help="database URL (default sqlite:///replylab.db)")
    parser.add_argument("--study", required=True, metavar="STUDY",
                        help="the study served: a shipped name (tilburg) or a study.yaml path")
    parser.add_argument("--out", required=True, type=Path, metavar="DIR",
                        help="folder for the files (created if missing)")
    parser.add_argument("--include-partial", action="store_true",
                        help="also participants who did not finish (in progress, timed out)")


def run(args: argparse.Namespace) -> int:
    # Imported when the command runs, not when ``replylab --help`` lists it: loading a study
    # and the export load pandas.
    from study.design.loader import load_study
    from study.survey.export import export_data

    if args.db.startswith("sqlite:///") and args.db != "sqlite:///:memory:":
        path = Path(args.db.removeprefix("sqlite:///"))
        if not path.exists():
            raise UserError(f"--db {args.db}: no such database file {path}; give the URL the "
                            "survey was served with (replylab serve --db ...)")
    study = load_study(args.study)  # StudyFileError is a UserError: printed, exit code 2
    try:
        data = export_data(args.db, study, args.out, include_partial=args.include_partial)
    except OSError as error:
        raise UserError(f"--out {args.out}: cannot write there ({error})") from error
    counts = data["condition"].value_counts().to_dict() if len(data) else {}
    print(f"replylab export: {len(data)} participants "
          f"({', '.join(f'{k}: {v}' for k, v in counts.items()) or 'none'}) -> {args.out}")
    return 0
