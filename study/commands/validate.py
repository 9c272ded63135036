"""``replylab validate STUDY``: check a study file and its questionnaire.

Exit code 0 with a one-line summary when the study is valid; exit code 2 with
one ``file:line: field: message`` line per problem otherwise.

>>> import argparse
>>> parser = argparse.ArgumentParser(prog="replylab validate")
>>> add_arguments(parser)
>>> parser.parse_args(["tilburg"]).study
'tilburg'
"""

from __future__ import annotations

import argparse
import sys

NAME = "validate"
HELP = "Check a study file (schema, translations, ids, levels, questionnaire) and report every problem."
DESCRIPTION = """\
Load STUDY (a shipped study's name or the path of a study.yaml), validate it
against the schema and the questionnaire library, and print either a one-line
summary (exit code 0) or every problem as file:line: field: message (exit code 2).

examples:
  replylab validate tilburg
  replylab validate my-study/study.yaml
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("study", metavar="STUDY",
                        help="a shipped study's name (tilburg, webcare-2x2, tone-of-reply) or the path of a study.yaml")


def summary(study) -> str:
    """One line describing a valid study.

    >>> from study import load_study
    >>> print(summary(load_study("tilburg")))  # doctest: +ELLIPSIS
    OK tilburg (.../study.yaml): 1 factor, 2 conditions (public, private), languages nl, en, 8 questionnaire modules, 21 items, 3 scales, 2 hypotheses, target N 140
    """
    # Imported here, as in run(): ``replylab --help`` must not load the study modules.
    from study.design.crosscheck import missing_for_serving

    questionnaire = study.questionnaire
    n_factors = len(study.factors)
    return (
        f"OK {study.id} ({study.path}): {n_factors} factor{'s' * (n_factors != 1)}, "
        f"{len(study.conditions)} conditions ({', '.join(study.condition_names)}), "
        f"languages {', '.join(study.languages)}, "
        f"{len(study.questionnaire_modules)} questionnaire modules, {len(questionnaire.items)} items, "
        f"{len(questionnaire.scales)} scales, {len(study.analysis.hypotheses)} hypotheses, "
        f"target N {study.target_n}"
        + (f"; for analysis only: to serve it, add {', '.join(missing_for_serving(study))}"
           if missing_for_serving(study) else "")
    )


def run(args: argparse.Namespace) -> int:
    # Imported when the command runs, not when ``replylab --help`` lists it: loading a study
    # loads pandas, through questionnaires.
    from study.design.loader import StudyFileError, load_study

    try:
        study = load_study(args.study)
    except StudyFileError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        return 2
    print(summary(study))
    return 0
