"""``replylab pool``: pool the results of several sites into one random-effects analysis.

>>> import argparse
>>> parser = argparse.ArgumentParser()
>>> add_arguments(parser)
>>> args = parser.parse_args(["site_a", "site_b", "--out", "pooled"])
>>> [str(folder) for folder in args.folders], args.lang
(['site_a', 'site_b'], 'en')
"""

from __future__ import annotations

import argparse
from pathlib import Path

NAME = "pool"
HELP = "Pool the results of several sites (random-effects meta-analysis, verdicts, forest plots)."
DESCRIPTION = """\
Read the results.json of two or more output folders of `replylab replicate` or
`replylab analyze` (one per site, e.g. run with --site LABEL), pool every effect
across the sites with a random-effects meta-analysis (REML; correlations as
Fisher's z), apply the replication verdicts to the pooled estimate of each finding
of the original, and write pooled.csv, sites.csv, claims.csv, a forest plot per
effect and report.md / report.html into --out.
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("folders", nargs="+", type=Path, metavar="RESULTS_DIR",
                        help="output folders of replylab replicate/analyze, one per site")
    parser.add_argument("--out", required=True, type=Path, metavar="DIR", help="output folder")
    parser.add_argument("--labels", default=None, metavar="A,B,...",
                        help="site labels, one per folder (default: each run's --site, else the folder name)")
    parser.add_argument("--lang", default="en", choices=("en", "nl"), help="language of the report (default: en)")


def run(args: argparse.Namespace) -> int:
    # Imported when the command runs, not when ``replylab --help`` lists it: pooling loads
    # pandas, scipy and matplotlib.
    from study.report.pooling import pool_sites, write_pooled

    labels = [label.strip() for label in args.labels.split(",")] if args.labels else None
    pooled = pool_sites(args.folders, labels)
    write_pooled(pooled, args.out, lang=args.lang)
    print(f"pooled {len(pooled.labels)} sites ({', '.join(pooled.labels)}): {len(pooled.effects)} effects, "
          f"{len(pooled.claims)} findings of the original -> {args.out / 'report.html'}")
    return 0
