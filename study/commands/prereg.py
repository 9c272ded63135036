"""``replylab prereg STUDY [--lang en|nl] [--out FILE.md]``: the preregistration from the study file.

>>> import argparse
>>> parser = argparse.ArgumentParser(prog="replylab prereg")
>>> add_arguments(parser)
>>> args = parser.parse_args(["tilburg", "--lang", "nl"])
>>> args.study, args.lang, args.out
('tilburg', 'nl', None)
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from study.errors import UserError

NAME = "prereg"
HELP = "Write a preregistration (Markdown) generated from the study file."
DESCRIPTION = """\
Generate the preregistration of a study from its study file: hypotheses,
dependent variables, conditions, analyses, exclusions, sample size with its
power justification (analytic power of the two-group comparison at the target
N, and the minimum detectable effect at 80% power) and other details. The plan
and the analysis run by 'replylab analyze' come from the same file.

examples:
  replylab prereg tilburg --out preregistration.md
  replylab prereg webcare-2x2 --lang nl
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("study", metavar="STUDY", help="a shipped study's name or the path of a study.yaml")
    parser.add_argument("--lang", default="en", choices=("en", "nl"), help="language (default: en)")
    parser.add_argument("--out", type=Path, default=None, metavar="FILE.md",
                        help="write to this file (default: print to the terminal)")


def run(args: argparse.Namespace) -> int:
    # Imported when the command runs, not when ``replylab --help`` lists it: loading a study
    # loads pandas, the preregistration scipy.
    from study.design.loader import load_study
    from study.report.prereg import preregistration

    study = load_study(args.study)
    if args.lang not in study.languages:
        raise UserError(f"--lang {args.lang}: study {study.id!r} has materials in {', '.join(study.languages)} only.")
    text = preregistration(study, lang=args.lang)
    if args.out is None:
        print(text, end="")
        return 0
    if args.out.is_dir():
        raise UserError(f"--out {args.out} is a folder; give a file name such as {args.out / 'preregistration.md'}.")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    # written next to the target and renamed: never a half-written file
    handle, temporary = tempfile.mkstemp(prefix=f".{args.out.name}.", dir=args.out.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        os.replace(temporary, args.out)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    print(f"Preregistration written to {args.out}.")
    return 0
