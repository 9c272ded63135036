"""``replylab code auto|export|import``: code the free-text reasons into motives.

>>> import argparse
>>> parser = argparse.ArgumentParser(prog="replylab code")
>>> add_arguments(parser)
>>> args = parser.parse_args(["export", "data.csv", "--coders", "3", "--out", "sheets"])
>>> args.action, args.coders, args.seed
('export', 3, 0)
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd
from rich.console import Console
from rich.progress import track
from rich.table import Table

from study.errors import UserError

NAME = "code"
HELP = "Code free-text reasons into motives: automatic suggestions, blind coding sheets, agreement."
DESCRIPTION = """\
Three steps for the free-text question `reason` (why did the provider handle the
complaint this way?), coded with the motive codebook
(questionnaires/codebooks/motives.yaml):

  auto    add rule-based codes (code_<motive>, code_confidence, code_source=auto,
          pk_strategic, pk_any, code_evidence) to a data set; all other columns and
          rows stay as they are
  export  write blind coding sheets for human coders (one CSV per coder, codebook.md,
          and a private key.csv that maps unit_id to participant_id)
  import  read the filled sheets: agreement per category (Cohen's kappa, Krippendorff's
          alpha with a bootstrap interval, verdict), the disagreements to resolve and,
          once none is left, coded.csv with code_source=human

examples:
  replylab code auto data.csv --study tilburg --out coded.csv
  replylab code export data.csv --coders 2 --out sheets --seed 7
  replylab code import sheets/coder_1.csv sheets/coder_2.csv --data data.csv --out coding
  replylab code import sheets/coder_*.csv --data data.csv --out coding --resolution decisions.csv
"""


CHUNK = 250  # reasons per progress step


def _whole(minimum: int):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"expected at least {minimum}, got {value}")
        return value

    return parse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    auto = actions.add_parser("auto", help="add automatic motive codes to a data set")
    auto.add_argument("data", type=Path, metavar="DATA.csv", help="canonical data with 'reason' (and 'lang')")
    auto.add_argument("--study", default=None, metavar="STUDY",
                      help="shipped study name or study.yaml (its languages limit the language guess)")
    auto.add_argument("--out", required=True, type=Path, metavar="CODED.csv", help="where to write the coded data")

    export = actions.add_parser("export", help="write blind coding sheets for human coders")
    export.add_argument("data", type=Path, metavar="DATA.csv")
    export.add_argument("--coders", type=_whole(1), default=2, metavar="K", help="number of coders (default 2)")
    export.add_argument("--out", required=True, type=Path, metavar="DIR", help="folder for the sheets")
    export.add_argument("--seed", type=_whole(0), default=0, metavar="S",
                        help="seed of the unit ids and row order (default 0)")
    export.add_argument("--force", action="store_true", help="overwrite existing sheets in DIR")

    imp = actions.add_parser("import", help="agreement, disagreements and final codes from filled sheets")
    imp.add_argument("sheets", nargs="+", type=Path, metavar="SHEET.csv")
    imp.add_argument("--data", required=True, type=Path, metavar="DATA.csv")
    imp.add_argument("--out", required=True, type=Path, metavar="DIR")
    imp.add_argument("--resolution", type=Path, default=None, metavar="FILE.csv",
                     help="decisions on disagreements: unit_id, category, code")
    imp.add_argument("--key", type=Path, default=None, metavar="KEY.csv",
                     help="unit_id -> participant_id (default: key.csv beside the first sheet)")
    imp.add_argument("--n-boot", type=_whole(0), default=2000, metavar="N",
                     help="bootstrap draws for alpha's interval (default 2000)")
    imp.add_argument("--seed", type=_whole(0), default=0, metavar="S", help="bootstrap seed (default 0)")


def _read_csv(path: Path) -> pd.DataFrame:
    try:
        # strings throughout, so every column we do not touch is written back as it was
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except FileNotFoundError:
        raise UserError(f"{path}: file not found") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        raise UserError(f"{path}: not a readable CSV file ({error})") from None


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        frame.to_csv(path, index=False)
    except OSError as error:
        raise UserError(f"{path}: cannot write ({error.strerror or error})") from None


def _study_languages(name):
    if name is None:
        return None
    # Imported when the command runs, not when ``replylab --help`` lists it: loading a study
    # loads the questionnaire library.
    from study.design.loader import load_study

    return list(load_study(name).languages)  # StudyFileError is a UserError


def _run_auto(args) -> int:
    # Imported when the command runs, not when ``replylab --help`` lists it: the coder
    # compiles its rule files.
    from questionnaires.coding import auto_code, load_motive_codebook

    book = load_motive_codebook()
    data = _read_csv(args.data)
    if "reason" not in data.columns:
        raise UserError(f"{args.data}: no 'reason' column; the free-text answers must be in a column named 'reason'")
    languages = _study_languages(args.study)
    langs = data["lang"].where(data["lang"].isin(["nl", "en"]), None) if "lang" in data.columns else None
    langs = None if langs is None else list(langs)
    chunks = [slice(i, i + CHUNK) for i in range(0, len(data), CHUNK)] or [slice(0, 0)]
    try:
        if len(chunks) > 4:  # long work shows progress
            chunks = track(chunks, description="coding reasons")
        coded = pd.concat([
            auto_code(data["reason"].iloc[part], None if langs is None else langs[part], codebook=book,
                      languages=languages)
            for part in chunks
        ])
    except ValueError as error:
        raise UserError(f"{args.data}: {error}") from None
    kept = data.drop(columns=[c for c in coded.columns if c in data.columns])
    out = pd.concat([kept, coded], axis=1)
    _write_csv(out, args.out)
    _print_frequencies(out, book)
    print(f"wrote {len(out)} rows to {args.out} ({int(coded[book.columns[0]].notna().sum())} reasons coded)")
    return 0


def _print_frequencies(coded: pd.DataFrame, book) -> None:
    table = Table(title="Motive codes (automatic)")
    table.add_column("category")
    table.add_column("strategic")
    groups = sorted(coded["condition"].dropna().unique()) if "condition" in coded.columns else []
    table.add_column("n", justify="right")
    table.add_column("%", justify="right")
    for group in groups:
        table.add_column(f"n {group}", justify="right")
    n_coded = int(coded[book.columns[0]].notna().sum())
    for c in book.categories:
        n = int(coded[c.column].sum())
        cells = [c.id, "yes" if c.strategic else "", str(n), f"{100 * n / n_coded:.1f}" if n_coded else "-"]
        cells += [str(int(coded.loc[coded["condition"] == g, c.column].sum())) for g in groups]
        table.add_row(*cells)
    Console().print(table)


def _run_export(args) -> int:
    # Imported when the command runs, not when ``replylab --help`` lists it: the coding
    # sheets load the motive codebook.
    from study.coding.export_sheets import export_coding_sheets

    result = export_coding_sheets(_read_csv(args.data), args.out, coders=args.coders, seed=args.seed,
                                  overwrite=args.force)
    print(f"wrote {len(result.sheets)} coding sheet(s) of {result.n_units} reasons to {args.out} "
          f"(seed {args.seed}), with codebook.md; keep {result.key.name} away from the coders")
    return 0


def _run_import(args) -> int:
    # Imported when the command runs, not when ``replylab --help`` lists it: agreement
    # statistics load scipy and the analysis package.
    from study.coding.import_sheets import import_coding_sheets

    result = import_coding_sheets(args.sheets, _read_csv(args.data), key=args.key, resolution=args.resolution,
                                  out_dir=args.out, n_boot=args.n_boot, seed=args.seed)
    if len(result.agreement):
        table = Table(title=f"Agreement ({len(args.sheets)} coders, alpha: nominal, {args.n_boot} bootstrap draws)")
        for column in ("category", "units", "% agree", "kappa", "alpha", "95% CI", "verdict"):
            table.add_column(column)
        for _, r in result.agreement.iterrows():
            ci = "-" if pd.isna(r["alpha_ci_low"]) else f"[{r['alpha_ci_low']:.2f}, {r['alpha_ci_high']:.2f}]"
            table.add_row(r["category"], str(r["n_units"]), f"{100 * r['percent_agreement']:.0f}",
                          "-" if pd.isna(r["kappa"]) else f"{r['kappa']:.2f}",
                          "-" if pd.isna(r["alpha"]) else f"{r['alpha']:.2f}", ci, r["verdict"])
        Console().print(table)
    open_ = len(result.unresolved)
    if result.coded is None:
        print(f"{open_} disagreement(s) to resolve: see {args.out / 'disagreements.csv'}; then run again with "
              "--resolution FILE.csv (columns unit_id, category, code)")
    else:
        print(f"final codes merged: {args.out / 'coded.csv'} ({len(result.coded)} rows, code_source=human)")
    return 0


def run(args: argparse.Namespace) -> int:
    return {"auto": _run_auto, "export": _run_export, "import": _run_import}[args.action](args)
