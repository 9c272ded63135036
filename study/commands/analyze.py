"""``replylab analyze DATA.csv --study STUDY --out DIR``: the preregistered analysis on collected data.

>>> import argparse
>>> parser = argparse.ArgumentParser(prog="replylab analyze")
>>> add_arguments(parser)
>>> args = parser.parse_args(["export.csv", "--study", "tilburg", "--out", "res", "--mapping", "map.yaml"])
>>> str(args.data), args.study, str(args.mapping)
('export.csv', 'tilburg', 'map.yaml')
"""

from __future__ import annotations

import argparse
import shlex
from pathlib import Path

NAME = "analyze"
HELP = "Run the study's preregistered analysis on collected data and write the report."
DESCRIPTION = """\
Analyse data collected with the survey (its export) or any CSV that maps onto
the canonical columns with a mapping file (renames, value recodings, constant
columns, extra header rows; see docs/data-mapping.md). For a factorial study
the factorial ANOVA of the plan is run. Writes the same outputs as
'replylab replicate'.

examples:
  replylab analyze export/data.csv --study tilburg --out results/
  replylab analyze qualtrics.csv --study tilburg --mapping qualtrics.yaml --out results/
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("data", type=Path, metavar="DATA.csv", help="the data file (CSV)")
    parser.add_argument("--study", required=True, metavar="STUDY",
                        help="a shipped study's name or the path of a study.yaml")
    parser.add_argument("--out", required=True, type=Path, metavar="DIR", help="output folder")
    parser.add_argument("--mapping", type=Path, default=None, metavar="MAP.yaml",
                        help="how the file's columns map onto the canonical ones (docs/data-mapping.md)")
    parser.add_argument("--lang", default="en", choices=("en", "nl"), help="language of the report (default: en)")
    parser.add_argument("--n-boot", type=int, default=None, metavar="B",
                        help="bootstrap resamples (default: the study's analysis.n_boot)")
    parser.add_argument("--force", action="store_true",
                        help="write into a non-empty folder that is not an earlier replylab output")
    parser.add_argument("--site", default=None, metavar="LABEL",
                        help="label of the site that collected the data (for replylab pool)")
    parser.add_argument("--no-progress", action="store_true", help="do not show the progress bar")


def command_line(args: argparse.Namespace) -> str:
    """The command with every setting spelled out, for the manifest and report."""
    words = ["replylab", NAME, str(args.data), "--study", str(args.study), "--lang", args.lang]
    if args.mapping:
        words += ["--mapping", str(args.mapping)]
    if args.n_boot is not None:
        words += ["--n-boot", str(args.n_boot)]
    if args.site:
        words += ["--site", args.site]
    return shlex.join([*words, "--out", str(args.out)])


def run(args: argparse.Namespace) -> int:
    # Imported when the command runs, not when ``replylab --help`` lists it: the pipeline
    # loads pandas, scipy and matplotlib.
    from study.pipeline.run import analyze

    results = analyze(args.data, args.study, args.out, mapping=args.mapping, lang=args.lang,
                      n_boot=args.n_boot, force=args.force, progress=not args.no_progress,
                      command=command_line(args), site=args.site)
    print(f"Report written to {results.out / 'report.html'} ({len(results.analysed)} participants analysed).")
    return 0
