"""``replylab export-qsf STUDY --out study.qsf [--lang nl|en]``: the study as a Qualtrics survey file.

>>> import argparse
>>> parser = argparse.ArgumentParser(prog="replylab export-qsf")
>>> add_arguments(parser)
>>> args = parser.parse_args(["tilburg", "--out", "tilburg.qsf", "--lang", "nl"])
>>> args.study, str(args.out), args.lang
('tilburg', 'tilburg.qsf', 'nl')
"""

from __future__ import annotations

import argparse
from pathlib import Path

NAME = "export-qsf"
HELP = "Write a study as a Qualtrics survey file (.qsf), to field it in Qualtrics."
DESCRIPTION = """\
Write STUDY as a Qualtrics survey file: welcome and consent, a randomizer that
presents the conditions evenly and records each factor's level in embedded data,
one block per condition with its vignette, the questionnaire (export tags = item
ids, recode values = replylab's values), the debrief and the redirect to the
completion URL. Import it in Qualtrics (Create project > Survey > From a file).
Its export reads back with replylab import EXPORT.csv --survey FILE.qsf.

examples:
  replylab export-qsf tilburg --out tilburg.qsf --lang nl
  replylab import qualtrics_export.csv --survey tilburg.qsf --out imported/
  replylab analyze imported/data.csv --study tilburg --out results/
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("study", metavar="STUDY",
                        help="a shipped study's name (tilburg, webcare-2x2, tone-of-reply) or the path of a study.yaml")
    parser.add_argument("--out", required=True, type=Path, metavar="FILE.qsf", help="the file to write")
    parser.add_argument("--lang", default=None, choices=["nl", "en"],
                        help="the language of the survey (default: the study's first language)")


def run(args: argparse.Namespace) -> int:
    # Imported when the command runs, not when ``replylab --help`` lists it.
    from study.dataset.qsf_export import question_elements, write_qsf
    from study.design.loader import load_study

    study = load_study(args.study)
    path = write_qsf(study, args.out, lang=args.lang)
    import json

    count = len(question_elements(json.loads(path.read_text(encoding="utf-8"))))
    print(f"replylab export-qsf: wrote {path}: {len(study.conditions)} conditions, {count} questions "
          f"({args.lang or study.languages[0]}).")
    return 0
