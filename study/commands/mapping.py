"""``replylab mapping init FILE --study STUDY [--out mapping.yaml]``: a commented mapping skeleton.

>>> import argparse
>>> parser = argparse.ArgumentParser(prog="replylab mapping")
>>> add_arguments(parser)
>>> args = parser.parse_args(["init", "export.csv", "--study", "tilburg", "--out", "map.yaml"])
>>> args.action, str(args.file), args.study, str(args.out), args.force
('init', 'export.csv', 'tilburg', 'map.yaml', False)
"""

from __future__ import annotations

import argparse
import shlex
from pathlib import Path

NAME = "mapping"
HELP = "Write a mapping file for a foreign data file and an existing study (mapping init)."
DESCRIPTION = """\
mapping init FILE --study STUDY writes a commented mapping skeleton: the columns
the study's analysis needs and where they were found, every column of FILE with
the best guess of what it is (the same detection as replylab import: header rows,
preview and unfinished responses, missing codes, the condition, per-condition
copies of a question), and the mapping itself, valid as it stands. Edit it, then
give it to analyze with --mapping. Without --out it is printed.

examples:
  replylab mapping init qualtrics_export.csv --study my-study/study.yaml --out mapping.yaml
  replylab mapping init export.csv --survey survey.qsf --study tilburg --out mapping.yaml
  replylab analyze qualtrics_export.csv --study my-study/study.yaml --mapping mapping.yaml --out results/
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    init = actions.add_parser("init", help="write a commented mapping skeleton for FILE and STUDY",
                              description="Write a commented mapping skeleton for FILE and STUDY.")
    init.add_argument("file", type=Path, metavar="FILE",
                      help="the data file: CSV/TSV (Qualtrics, LimeSurvey), .sav, .dta or .xlsx")
    init.add_argument("--study", required=True, metavar="STUDY",
                      help="a shipped study's name or the path of a study.yaml")
    init.add_argument("--survey", type=Path, default=None, metavar="DEFINITION",
                      help="the survey definition (Qualtrics .qsf or LimeSurvey .lss): question texts and choices")
    init.add_argument("--condition", default=None, metavar="COLUMN[,COLUMN]",
                      help="the column(s) holding the condition (default: detected)")
    init.add_argument("--out", type=Path, default=None, metavar="FILE.yaml",
                      help="where to write the skeleton (default: print it)")
    init.add_argument("--force", action="store_true", help="overwrite --out if it exists")


def run(args: argparse.Namespace) -> int:
    # Imported when the command runs: reading files loads pandas and the readers.
    from study.dataset.importers.plan import plan_import
    from study.dataset.importers.readers import read_table
    from study.dataset.importers.skeleton import mapping_skeleton, skeleton_text
    from study.dataset.importers.survey_import import load_definition
    from study.design.loader import load_study
    from study.errors import UserError

    if args.out is not None and args.out.exists() and not args.force:
        raise UserError(f"--out {args.out}: the file exists; give --force to overwrite it.")
    study = load_study(args.study)
    definition = load_definition(args.survey)
    table = read_table(args.file)
    if table.frame.empty:
        raise UserError(f"{args.file}: no participants under the header row(s).")
    condition = [c.strip() for c in args.condition.split(",") if c.strip()] if args.condition else None
    plan = plan_import(table, survey=definition, condition=condition)
    skeleton = mapping_skeleton(plan, study)
    words = [str(args.file), "--study", str(args.study)] + (["--survey", str(args.survey)] if args.survey else []) \
        + (["--condition", args.condition] if args.condition else []) + (["--out", str(args.out)] if args.out else [])
    command = "replylab mapping init " + shlex.join(words)
    text = skeleton_text(skeleton, plan, study, command=command)
    missing = [column for column, (_, found) in skeleton.needed.items() if found is None]
    if args.out is None:
        print(text, end="")
        return 0
    try:
        args.out.write_text(text, encoding="utf-8")
    except OSError as error:
        raise UserError(f"--out {args.out}: cannot write ({error.strerror}).") from None
    print(f"replylab mapping: wrote {args.out}: {len(skeleton.needed) - len(missing)} of the "
          f"{len(skeleton.needed)} columns the study needs found"
          + (f"; not found: {', '.join(missing)}" if missing else "") + ". Check the guesses in its comments.")
    return 0
