"""``replylab vignettes STUDY --out DIR [--lang nl|en]``: write the vignettes as HTML.

>>> import argparse
>>> parser = argparse.ArgumentParser(prog="replylab vignettes")
>>> add_arguments(parser)
>>> parser.parse_args(["tilburg", "--out", "site", "--lang", "en"]).lang
'en'
"""

from __future__ import annotations

import argparse
from pathlib import Path

from study.errors import UserError

NAME = "vignettes"
HELP = "Write each condition's vignette as a self-contained HTML page, plus an index."
DESCRIPTION = """\
Render the social-media thread of every condition (in every language of the
study, or only --lang) as self-contained HTML files named CONDITION.LANG.html,
and an index.html that links them all with the condition labels.

example:
  replylab vignettes tilburg --out vignettes/ --lang en
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("study", metavar="STUDY",
                        help="a shipped study's name (e.g. tilburg) or the path of a study.yaml")
    parser.add_argument("--out", required=True, type=Path, metavar="DIR",
                        help="folder to write the HTML files into (created if missing)")
    parser.add_argument("--lang", metavar="LANG", default=None,
                        help="only this language (nl or en); default all languages of the study")


def run(args: argparse.Namespace) -> int:
    # Imported when the command runs, not when ``replylab --help`` lists it: loading a study
    # loads pandas, through questionnaires.
    from study.design.crosscheck import missing_for_serving
    from study.design.loader import load_study
    from study.design.vignettes import write_vignettes

    study = load_study(args.study)  # StudyFileError is a UserError: printed, exit code 2
    missing = missing_for_serving(study)
    if missing:
        raise UserError(f"study {study.id!r} is for analysis only (purpose: analysis) and cannot be shown as vignettes: "
                        f"it has no {', '.join(missing)}. Add them (see docs/study-file.md) and remove "
                        "'purpose: analysis'.")
    if args.lang is not None and args.lang not in study.languages:
        raise UserError(
            f"--lang {args.lang!r}: study {study.id!r} has languages {list(study.languages)}; "
            "pick one of those or leave --lang out for all"
        )
    try:
        written = write_vignettes(study, args.out, langs=args.lang)
    except OSError as error:
        raise UserError(f"--out {str(args.out)!r}: cannot write there ({error.strerror or error})") from error
    except ValueError as error:
        raise UserError(f"study {study.id!r}: {error}") from error
    print(f"wrote {len(written)} files to {args.out}:")
    for path in written:
        print(f"  {path}")
    return 0
