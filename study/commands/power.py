"""``replylab power STUDY --n 60:300:20 --sims 2000 --boot 2000 --out DIR``.

Monte Carlo power of the study's mediation hypothesis over a grid of sample
sizes (and effect sizes): a CSV written cell by cell, a power-curve figure
(PNG and SVG) and a sentence for the preregistration (``power.md``).

>>> import argparse
>>> parser = argparse.ArgumentParser(prog="replylab power")
>>> add_arguments(parser)
>>> args = parser.parse_args(["tilburg", "--n", "60:120:20", "--a", "0.3,0.5", "--out", "out"])
>>> args.n, args.a, args.method
([60, 80, 100, 120], [0.3, 0.5], 'boot')
"""

from __future__ import annotations

import argparse
import csv
import os
from pathlib import Path

import pandas as pd
from rich.progress import Progress

from study.errors import UserError

NAME = "power"
HELP = "Monte Carlo power of the mediation hypothesis over a grid of sample sizes."
DESCRIPTION = """\
Simulate many studies per design cell (sample size x effect sizes), test each
one's indirect effect (x -> m -> y, Hayes model 4) and report the share of
significant results. The paths a, b and c' come from the study file's
`simulation:` block (the shift of the level coded 1 minus that of the level
coded 0 in the mediation hypothesis' x_coding), unless --a/--b/--c-prime give
them (comma-separated lists make a grid). Paths are unstandardised with x coded
0/1 in two equal groups and unit residual variances of m and y.

Writes DIR/power.csv (one row per cell, appended as cells finish), power.png,
power.svg and power.md (a sentence for the preregistration). Ctrl-C stops and
keeps the finished cells.

examples:
  replylab power tilburg --n 60:300:20 --sims 2000 --boot 2000 --out power/
  replylab power tilburg --n 100,140,200 --a 0.3 --b 0.3 --c-prime 0.1 --workers 2 --out power/
"""

CSV_NAME, FIGURE_STEM, TEXT_NAME = "power.csv", "power", "power.md"


def _sizes(text: str) -> list[int]:
    """``60:300:20`` (start:stop:step, stop included) or ``100,140,200``."""
    try:
        if ":" in text:
            start, stop, *step = (int(part) for part in text.split(":"))
            if len(step) > 1 or (step and step[0] < 1) or stop < start:
                raise ValueError
            return list(range(start, stop + 1, step[0] if step else 1))
        return [int(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected START:STOP:STEP (e.g. 60:300:20) or a list such as 100,140,200; got {text!r}"
        ) from None


def _numbers(text: str) -> list[float]:
    try:
        return [float(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number or a comma-separated list; got {text!r}") from None


def _positive_int(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1; got {text!r}")
    return int(text)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("study", metavar="STUDY", help="a shipped study's name or the path of a study.yaml")
    parser.add_argument("--n", required=True, type=_sizes, metavar="N", help="total sample sizes: 60:300:20 or 100,140")
    parser.add_argument("--sims", type=_positive_int, default=1000, help="simulated studies per cell (default 1000)")
    parser.add_argument("--boot", type=_positive_int, default=1000, help="bootstrap resamples or Monte Carlo draws per study (default 1000)")
    parser.add_argument("--method", choices=["boot", "joint", "mc"], default="boot",
                        help="percentile bootstrap, joint significance or Monte Carlo interval (default boot)")
    parser.add_argument("--a", type=_numbers, help="path x -> m (overrides the study file)")
    parser.add_argument("--b", type=_numbers, help="path m -> y (overrides the study file)")
    parser.add_argument("--c-prime", type=_numbers, help="direct path x -> y (overrides the study file)")
    parser.add_argument("--alpha", type=float, default=None, help="default: the study's analysis alpha")
    parser.add_argument("--seed", type=int, default=None, help="root seed (default: the study's analysis seed)")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--workers", type=_positive_int, help="run on a local Dask cluster with K worker processes")
    where.add_argument("--scheduler", metavar="ADDRESS", help="run on an existing Dask scheduler (tcp://host:8786)")
    parser.add_argument("--out", required=True, type=Path, metavar="DIR", help="folder for power.csv, power.png/.svg, power.md")


def study_paths(study) -> tuple[float, float, float]:
    """a, b, c' of the study's first mediation hypothesis, from its simulation model."""
    hypotheses = [h for h in study.analysis.hypotheses if h.kind == "mediation"]
    if not hypotheses:
        raise UserError(f"{study.path}: the study has no mediation hypothesis; give --a, --b and --c-prime.")
    hypothesis = hypotheses[0]
    coded = {code: level for level, code in hypothesis.x_coding.items()}
    if set(coded) != {0, 1}:
        raise UserError(f"{study.path}: the mediation hypothesis' x_coding must code one level 0 and one 1.")

    def contrast(shifts) -> float:
        levels = shifts.get(hypothesis.x, {})
        return float(levels.get(coded[1], 0.0)) - float(levels.get(coded[0], 0.0))

    simulation = study.simulation
    return contrast(simulation.a), float(simulation.b), contrast(simulation.c_prime)


def _results(cells, args, on_row):
    """Run the cells serially or on Dask, calling on_row(index, row) as each finishes."""
    # Imported when the command runs, not when ``replylab --help`` lists it: the analysis
    # package loads scipy and matplotlib.
    from analysis.power import run_power_cell

    if not (args.workers or args.scheduler):
        for index, cell in enumerate(cells):
            on_row(index, run_power_cell(cell))
        return
    from distributed import Client, LocalCluster, as_completed  # heavy; only with --workers/--scheduler

    cluster = LocalCluster(n_workers=args.workers, processes=True, threads_per_worker=1,
                           dashboard_address=None) if args.workers else None
    try:
        with Client(cluster if cluster else args.scheduler) as client:
            futures = client.map(run_power_cell, cells, pure=False)
            index_of = {future.key: index for index, future in enumerate(futures)}
            try:
                for future in as_completed(futures):
                    on_row(index_of[future.key], future.result())
            finally:
                client.cancel(futures)
    except OSError as error:
        raise UserError(f"--scheduler {args.scheduler}: cannot connect ({error})") from None
    finally:
        if cluster is not None:
            cluster.close()


def _write_csv(path: Path, rows: list[dict]) -> None:
    temporary = path.with_suffix(".csv.tmp")
    with temporary.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    os.replace(temporary, path)


def power_figure(grid):
    """Power by N, one line per effect-size combination, the 80% line marked."""
    from analysis.style import group_style, house_style, new_figure  # matplotlib: see run()

    fig, ax = new_figure("single")
    with house_style():
        for index, ((a, b, c_prime), cell) in enumerate(grid.groupby(["a", "b", "c_prime"], sort=False)):
            style = group_style(index)
            ax.errorbar(cell["n"], cell["power"], yerr=1.96 * cell["mcse"], color=style["color"],
                        marker=style["marker"], linestyle=style["linestyle"], markersize=3, capsize=2,
                        label=f"a = {a:g}, b = {b:g}, c' = {c_prime:g}")
        ax.axhline(0.8, color="0.4", linewidth=0.8, linestyle=":")
        ax.set_xlabel("Total sample size N")
        ax.set_ylabel("Power (indirect effect)")
        ax.set_ylim(0, 1)
        ax.legend(frameon=False)
    return fig


def preregistration_sentence(grid, *, method: str, alpha: float, seed) -> str:
    """One sentence per effect-size combination: the smallest N reaching 80% power."""
    tests = {"boot": "a percentile bootstrap confidence interval", "joint": "the joint significance of a and b",
             "mc": "a Monte Carlo confidence interval"}
    first = grid.iloc[0]
    sentences = [
        f"We estimated the power to detect the indirect effect (Hayes' model 4) by simulation: "
        f"{int(first['sims'])} simulated studies per sample size, each tested with {tests[method]} "
        f"({int(first['n_boot'])} {'draws' if method == 'mc' else 'resamples'}, alpha = {alpha:g}); "
        f"unstandardised paths with x coded 0/1 in two equal groups and unit residual variances (seed {seed})."
    ]
    for (a, b, c_prime), cell in grid.groupby(["a", "b", "c_prime"], sort=False):
        reached = cell[cell["power"] >= 0.80].sort_values("n")
        effect = f"With a = {a:g}, b = {b:g} and c' = {c_prime:g}"
        if len(reached):
            row = reached.iloc[0]
            sentences.append(f"{effect}, N = {int(row['n'])} gives a power of {row['power']:.1%} "
                             f"(Monte Carlo SE {row['mcse']:.1%}), the smallest N of the grid with at least 80%.")
        else:
            row = cell.sort_values("n").iloc[-1]
            sentences.append(f"{effect}, no N of the grid reaches 80%; the largest, N = {int(row['n'])}, "
                             f"gives {row['power']:.1%} (Monte Carlo SE {row['mcse']:.1%}).")
    return " ".join(sentences)


def run(args: argparse.Namespace) -> int:
    # Imported when the command runs, not when ``replylab --help`` lists it: the analysis
    # package loads scipy and matplotlib, a study pandas.
    from analysis.power import mediation_power_cells
    from analysis.style import save_figure
    from study.design.loader import load_study

    study = load_study(args.study)
    if args.a is None or args.b is None or args.c_prime is None:
        a, b, c_prime = study_paths(study)
        args.a, args.b, args.c_prime = args.a or [a], args.b or [b], args.c_prime or [c_prime]
    alpha = args.alpha if args.alpha is not None else study.analysis.alpha
    seed = args.seed if args.seed is not None else study.analysis.seed
    try:
        cells = mediation_power_cells(args.a, args.b, args.c_prime, args.n, sims=args.sims, n_boot=args.boot,
                                      method=args.method, alpha=alpha, seed=seed)
    except ValueError as error:
        raise UserError(str(error)) from None
    args.out.mkdir(parents=True, exist_ok=True)
    csv_path = args.out / CSV_NAME
    rows: dict[int, dict] = {}
    with csv_path.open("w", newline="") as handle, Progress(transient=True) as progress:
        task = progress.add_task(f"power: {len(cells)} cells x {args.sims} studies", total=len(cells))
        writer = None

        def on_row(index: int, row: dict) -> None:
            nonlocal writer
            rows[index] = row
            if writer is None:
                writer = csv.DictWriter(handle, fieldnames=list(row))
                writer.writeheader()
            writer.writerow(row)
            handle.flush()  # a finished cell survives an interruption
            progress.advance(task)

        try:
            _results(cells, args, on_row)
        except KeyboardInterrupt:
            handle.close()
            if rows:
                _write_csv(csv_path, [rows[i] for i in sorted(rows)])
            print(f"interrupted: {len(rows)} of {len(cells)} cells kept in {csv_path}")
            raise
    grid = pd.DataFrame([rows[i] for i in sorted(rows)])
    _write_csv(csv_path, grid.to_dict("records"))  # in cell order, whatever order they finished in
    save_figure(power_figure(grid), args.out / FIGURE_STEM, formats=("png", "svg"))
    sentence = preregistration_sentence(grid, method=args.method, alpha=alpha, seed=seed)
    (args.out / TEXT_NAME).write_text(sentence + "\n", encoding="utf-8")
    print(sentence)
    print(f"wrote {csv_path}, {FIGURE_STEM}.png, {FIGURE_STEM}.svg and {TEXT_NAME} in {args.out}")
    return 0
