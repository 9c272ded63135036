"""``replylab simulate STUDY --n N --seed S --out FILE.csv [--lang nl|en]``.

Writes simulated participants as the canonical data set (CSV) and, beside it,
``codebook.json`` and ``codebook.md``.

>>> import argparse
>>> parser = argparse.ArgumentParser(prog="replylab simulate")
>>> add_arguments(parser)
>>> args = parser.parse_args(["tilburg", "--n", "140", "--seed", "1", "--out", "sim.csv"])
>>> args.n, args.seed, args.lang
(140, 1, None)
"""

from __future__ import annotations

import argparse
from pathlib import Path

from study.errors import UserError

NAME = "simulate"
HELP = "Simulate participants of a study from its generative model; write CSV and codebook."
DESCRIPTION = """\
Draw N participants from the study's generative model (the `simulation:` block
of its study file) and write the canonical data set to FILE.csv, with
codebook.json and codebook.md in the same folder. The same --seed gives the
same file, byte for byte.

example:
  replylab simulate tilburg --n 140 --seed 2021 --out sim/tilburg.csv --lang nl
"""


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1, got {value}")
    return value


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected 0 or more, got {value}")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("study", metavar="STUDY",
                        help="a shipped study's name (tilburg, webcare-2x2, tone-of-reply) or the path of a study.yaml")
    parser.add_argument("--n", required=True, type=_positive_int, metavar="N",
                        help="number of participants")
    parser.add_argument("--seed", required=True, type=_seed, metavar="S",
                        help="seed of every random draw (same seed, same data)")
    parser.add_argument("--out", required=True, type=Path, metavar="FILE.csv",
                        help="the CSV to write; codebook.json and codebook.md go beside it")
    parser.add_argument("--lang", default=None, choices=["nl", "en"],
                        help="language of every participant (default: drawn from the study's languages)")
    parser.add_argument("--sites", type=_positive_int, default=None, metavar="K",
                        help="simulate K sites of a multi-site replication: site_1/FILE.csv ... "
                             "site_K/FILE.csv beside --out, N participants each")
    parser.add_argument("--site-sd", type=float, default=0.1, metavar="S",
                        help="with --sites: between-site SD of every effect, in SD units (default 0.1)")


def _write(data, book, out: Path) -> None:
    folder = out.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        data.to_csv(out, index=False)
        (folder / "codebook.json").write_text(book.to_json() + "\n", encoding="utf-8")
        (folder / "codebook.md").write_text(book.to_markdown(), encoding="utf-8")
    except OSError as error:
        raise UserError(f"--out {out}: cannot write ({error.strerror or error})") from None


def run(args: argparse.Namespace) -> int:
    # Imported when the command runs, not when ``replylab --help`` lists it: loading a study
    # and simulating load pandas.
    from study.dataset.codebook import codebook
    from study.dataset.simulation import simulate, site_study
    from study.design.loader import load_study

    study = load_study(args.study)  # StudyFileError is a UserError: printed, exit code 2
    if args.out.suffix.lower() != ".csv":
        raise UserError(f"--out {args.out}: give a file name ending in .csv")
    book = codebook(study)
    if args.sites is None:
        data = simulate(study, n=args.n, seed=args.seed, lang=args.lang)
        _write(data, book, args.out)
        print(f"wrote {len(data)} simulated participants of {study.id} to {args.out} "
              f"(+ codebook.json, codebook.md), seed {args.seed}")
        return 0
    for site in range(1, args.sites + 1):
        site_data = simulate(site_study(study, site, site_sd=args.site_sd, seed=args.seed), n=args.n,
                             seed=args.seed * 1000 + site, lang=args.lang)
        _write(site_data, book, args.out.parent / f"site_{site}" / args.out.name)
    print(f"wrote {args.sites} sites of {args.n} simulated participants of {study.id} to "
          f"{args.out.parent / 'site_*' / args.out.name} (between-site SD {args.site_sd:g}), seed {args.seed}")
    return 0
