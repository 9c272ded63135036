"""``replylab replicate``: the full replication on simulated participants (or given data).

>>> import argparse
>>> parser = argparse.ArgumentParser(prog="replylab replicate")
>>> add_arguments(parser)
>>> args = parser.parse_args(["--n", "60", "--lang", "nl"])
>>> args.study, args.n, args.seed, args.lang, str(args.out)
('tilburg', 60, 2021, 'nl', 'results')
"""

from __future__ import annotations

import argparse
import shlex
from pathlib import Path

NAME = "replicate"
HELP = "Simulate participants (or read data), run the preregistered analysis, write the report."
DESCRIPTION = """\
Run the whole study from one command: participants simulated from the study's
generative model (or the data in --data), scoring, exclusions, reliability,
manipulation check, descriptives, the hypotheses (ANOVA with Welch, the
two-group test with TOST and Bayes factor; bootstrap mediation), the motives
table and the persuasion knowledge / attitude correlation. Writes report.html
(self-contained), report.md, tables/, figures/, data.csv, codebook.json/.md
and manifest.json into --out.

examples:
  replylab replicate --out results/
  replylab replicate --study webcare-2x2 --lang nl --n 200 --seed 7 --out results-2x2/
  replylab replicate --data export.csv --out results-real/
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--study", default="tilburg", metavar="STUDY",
                        help="a shipped study's name or the path of a study.yaml (default: tilburg)")
    parser.add_argument("--lang", default="en", choices=("en", "nl"),
                        help="language of the materials and of the report (default: en)")
    parser.add_argument("--n", type=int, default=140, metavar="N",
                        help="number of simulated participants (default: 140)")
    parser.add_argument("--seed", type=int, default=2021, metavar="SEED",
                        help="seed of the simulation (default: 2021)")
    parser.add_argument("--data", type=Path, default=None, metavar="DATA.csv",
                        help="analyse this CSV instead of simulating participants")
    parser.add_argument("--mapping", type=Path, default=None, metavar="MAP.yaml",
                        help="how the columns of --data map onto the canonical ones (docs/data-mapping.md)")
    parser.add_argument("--out", type=Path, default=Path("results"), metavar="DIR",
                        help="output folder (default: results)")
    parser.add_argument("--n-boot", type=int, default=None, metavar="B",
                        help="bootstrap resamples (default: the study's analysis.n_boot)")
    parser.add_argument("--force", action="store_true",
                        help="write into a non-empty folder that is not an earlier replylab output")
    parser.add_argument("--site", default=None, metavar="LABEL",
                        help="label of the site that collected the data (for replylab pool)")
    parser.add_argument("--no-progress", action="store_true", help="do not show the progress bar")


def command_line(args: argparse.Namespace) -> str:
    """The command with every setting spelled out (defaults included), for the manifest and report.

    >>> parser = argparse.ArgumentParser()
    >>> add_arguments(parser)
    >>> command_line(parser.parse_args(["--n", "60"]))
    'replylab replicate --study tilburg --lang en --n 60 --seed 2021 --out results'
    """
    words = ["replylab", NAME, "--study", str(args.study), "--lang", args.lang]
    words += ["--data", str(args.data)] if args.data else ["--n", str(args.n), "--seed", str(args.seed)]
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
    from study.pipeline.run import replicate

    results = replicate(args.study, lang=args.lang, n=args.n, seed=args.seed, data=args.data,
                        out=args.out, mapping=args.mapping, n_boot=args.n_boot, force=args.force,
                        progress=not args.no_progress, command=command_line(args), site=args.site)
    print(f"Report written to {results.out / 'report.html'} ({len(results.analysed)} participants analysed).")
    return 0
