"""``replylab power STUDY --n 60:300:20 --sims 2000 --boot 2000 --out DIR``.

Monte Carlo power of the study's mediation hypothesis (the indirect effect of
model 4) or of a process hypothesis (the index of moderated mediation of models
7, 8, 14 and 15) over a grid of sample sizes (and effect sizes): a CSV written
cell by cell, a power-curve figure (PNG and SVG) and a sentence for the
preregistration (``power.md``).

>>> import argparse
>>> parser = argparse.ArgumentParser(prog="replylab power")
>>> add_arguments(parser)
>>> args = parser.parse_args(["tilburg", "--n", "60:120:20", "--a", "0.3,0.5", "--out", "out"])
>>> args.n, args.a, args.method
([60, 80, 100, 120], [0.3, 0.5], 'boot')
>>> parser.parse_args(["webcare-2x2", "--n", "200", "--hypothesis", "h3", "--a-xw", "0.5,1", "--out", "o"]).a_xw
[0.5, 1.0]
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
HELP = "Monte Carlo power of a mediation or moderated-mediation hypothesis over a grid of sample sizes."
DESCRIPTION = """\
Simulate many studies per design cell (sample size x effect sizes), test each
one's indirect effect (x -> m -> y, Hayes model 4) and report the share of
significant results. The paths a, b and c' come from the study file's
`simulation:` block (the mean shift of the level coded 1 minus that of the
level coded 0 in the mediation hypothesis' x_coding, averaged over the other
factors), unless --a/--b/--c-prime give them (comma-separated lists make a
grid). Paths are unstandardised with x coded 0/1 in two equal groups and unit
residual variances of m and y.

--hypothesis names a process hypothesis of model 7, 8, 14 or 15 instead: then
the power is that of its index of moderated mediation, each simulated study
fitted with that model and tested with the study's bootstrap interval
(analysis.ci_method). x and w must be two-level factors coded 0/1; the study's
four cells give a (x), a_w, a_xw (the interaction on persuasion knowledge), b
and b_mw (b's change with w), c', c_w and c_xw, from the simulation block's main
effects and interactions. --a, --b, --c-prime, --a-xw and --b-mw override them.

Writes DIR/power.csv (one row per cell, appended as cells finish), power.png,
power.svg and power.md (a sentence for the preregistration). Ctrl-C stops and
keeps the finished cells.

examples:
  replylab power tilburg --n 60:300:20 --sims 2000 --boot 2000 --out power/
  replylab power tilburg --n 100,140,200 --a 0.3 --b 0.3 --c-prime 0.1 --workers 2 --out power/
  replylab power webcare-2x2 --hypothesis h3 --n 120:480:60 --a-xw 0.5,1.0 --out power-h3/
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
                        help="percentile bootstrap, joint significance or Monte Carlo interval (default boot; "
                             "a process hypothesis is tested by the bootstrap only)")
    parser.add_argument("--hypothesis", metavar="ID",
                        help="the hypothesis to plan for: a mediation one, or a process one of model 7, 8, 14 "
                             "or 15 (its index of moderated mediation); default: the first mediation hypothesis")
    parser.add_argument("--a", type=_numbers, help="path x -> m (overrides the study file)")
    parser.add_argument("--b", type=_numbers, help="path m -> y (overrides the study file)")
    parser.add_argument("--c-prime", type=_numbers, help="direct path x -> y (overrides the study file)")
    parser.add_argument("--a-xw", type=_numbers, help="process hypothesis: x*w on m, the moderated first stage "
                                                      "(overrides the study file)")
    parser.add_argument("--b-mw", type=_numbers, help="process hypothesis: m*w on y, the moderated second stage "
                                                      "(overrides the study file)")
    parser.add_argument("--alpha", type=float, default=None, help="default: the study's analysis alpha")
    parser.add_argument("--seed", type=int, default=None, help="root seed (default: the study's analysis seed)")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--workers", type=_positive_int, help="run on a local Dask cluster with K worker processes")
    where.add_argument("--scheduler", metavar="ADDRESS", help="run on an existing Dask scheduler (tcp://host:8786)")
    parser.add_argument("--out", required=True, type=Path, metavar="DIR", help="folder for power.csv, power.png/.svg, power.md")


def _hypothesis(study, hypothesis_id: str | None):
    """The hypothesis to plan for: the one named, else the first mediation hypothesis."""
    if hypothesis_id is not None:
        for hypothesis in study.analysis.hypotheses:
            if hypothesis.id == hypothesis_id:
                if hypothesis.kind not in ("mediation", "process"):
                    raise UserError(f"{study.path}: hypothesis {hypothesis_id} is an {hypothesis.kind}; "
                                    "--hypothesis names a mediation or process hypothesis.")
                return hypothesis
        ids = ", ".join(h.id for h in study.analysis.hypotheses)
        raise UserError(f"{study.path}: no hypothesis {hypothesis_id!r}; the study's hypotheses are {ids}.")
    return next((h for h in study.analysis.hypotheses if h.kind == "mediation"), None)


def _coded_levels(study, hypothesis, role: str) -> dict[int, str]:
    """Code (0, 1) -> level of the factor in ``role``, which must be a factor coded 0 and 1."""
    name = getattr(hypothesis, role)
    coding = getattr(hypothesis, f"{role}_coding")
    if name not in study.factor_names or not isinstance(coding, dict):
        raise UserError(f"{study.path}: hypothesis {hypothesis.id}: {role} ({name}) must be a factor of the study "
                        f"with a {role}_coding for the paths to come from the simulation block.")
    coded = {code: level for level, code in coding.items()}
    if len(coding) != 2 or set(coded) != {0, 1}:
        raise UserError(f"{study.path}: hypothesis {hypothesis.id}: {role}_coding must code one level 0 and "
                        f"another 1; got {coding}.")
    return coded


def _cell_means(study, fixed: dict[str, str], value) -> float:
    """The mean of ``value(levels)`` over the conditions with the ``fixed`` levels (balanced over the rest)."""
    values = [value(condition.levels) for condition in study.conditions
              if all(condition.levels[factor] == level for factor, level in fixed.items())]
    return sum(values) / len(values)


def study_paths(study, hypothesis=None) -> tuple[float, float, float]:
    """a, b, c' of a mediation hypothesis (default: the study's first), from its simulation model.

    A path is the mean shift of the level coded 1 minus that of the level coded 0,
    averaged over the other factors' levels (interactions included); b is the mean
    slope over the conditions.
    """
    hypothesis = hypothesis or _hypothesis(study, None)
    if hypothesis is None:
        raise UserError(f"{study.path}: the study has no mediation hypothesis; give --a, --b and --c-prime.")
    coded = _coded_levels(study, hypothesis, "x")
    simulation = study.simulation

    def contrast(path) -> float:
        mean = [_cell_means(study, {hypothesis.x: coded[code]}, lambda levels: simulation.shift(path, levels))
                for code in (0, 1)]
        return float(mean[1] - mean[0])

    return contrast("a"), float(_cell_means(study, {}, simulation.slope)), contrast("c_prime")


def study_moderated_paths(study, hypothesis) -> dict[str, float]:
    """The eight paths of ``analysis.power.power_moderated_mediation`` for a process hypothesis.

    x and w are two-level factors coded 0/1; each path is read off the simulation
    model's shifts in the four cells (means over any other factor): ``a`` = the
    shift of x = 1 at w = 0, ``a_w`` that of w = 1 at x = 0, ``a_xw`` the
    difference of differences, the same for c', and b at x = w = 0 with ``b_mw``
    its change at w = 1.

    >>> from study.design.loader import load_study
    >>> webcare = load_study("webcare-2x2")
    >>> h3 = next(h for h in webcare.analysis.hypotheses if h.id == "h3")
    >>> {name: round(value, 3) for name, value in study_moderated_paths(webcare, h3).items() if value}
    {'a': -0.9, 'a_w': -0.6, 'a_xw': 1.2, 'b': -0.5, 'c_prime': 0.3, 'c_w': 0.4}
    """
    from analysis.power import MODERATED_MODELS

    if hypothesis.model not in MODERATED_MODELS:
        raise UserError(f"{study.path}: hypothesis {hypothesis.id} is PROCESS model {hypothesis.model}; the power of "
                        f"an index of moderated mediation is estimated for models "
                        f"{', '.join(map(str, MODERATED_MODELS))}.")
    if len(hypothesis.mediators) != 1:
        raise UserError(f"{study.path}: hypothesis {hypothesis.id} has {len(hypothesis.mediators)} mediators; "
                        "power is estimated for one.")
    x_level, w_level = _coded_levels(study, hypothesis, "x"), _coded_levels(study, hypothesis, "w")
    simulation = study.simulation

    def cell(value, x_code, w_code) -> float:
        return _cell_means(study, {hypothesis.x: x_level[x_code], hypothesis.w: w_level[w_code]}, value)

    def decomposed(value) -> tuple[float, float, float, float]:
        base, x_only, w_only, both = (cell(value, x, w) for x, w in ((0, 0), (1, 0), (0, 1), (1, 1)))
        return base, x_only - base, w_only - base, both - x_only - w_only + base

    _, a, a_w, a_xw = decomposed(lambda levels: simulation.shift("a", levels))
    _, c_prime, c_w, c_xw = decomposed(lambda levels: simulation.shift("c_prime", levels))
    b, b_x, b_mw, b_xw = decomposed(simulation.slope)
    if abs(b_x) > 1e-12 or abs(b_xw) > 1e-12:
        raise UserError(f"{study.path}: simulation: b changes with {hypothesis.x} (an interaction of path b names "
                        f"it); the power model moderates m -> y by {hypothesis.w} only. Give --b and --b-mw.")
    paths = dict(a=a, a_w=a_w, a_xw=a_xw, b=b, b_mw=b_mw, c_prime=c_prime, c_w=c_w, c_xw=c_xw)
    return {name: round(value, 12) + 0.0 for name, value in paths.items()}  # sums of shifts: no 1e-17 residue


def _results(cells, args, on_row, run_cell):
    """Run the cells with ``run_cell`` serially or on Dask, calling on_row(index, row) as each finishes."""
    if not (args.workers or args.scheduler):
        for index, cell in enumerate(cells):
            on_row(index, run_cell(cell))
        return
    from distributed import Client, LocalCluster, as_completed  # heavy; only with --workers/--scheduler

    cluster = LocalCluster(n_workers=args.workers, processes=True, threads_per_worker=1,
                           dashboard_address=None) if args.workers else None
    try:
        with Client(cluster if cluster else args.scheduler) as client:
            futures = client.map(run_cell, cells, pure=False)
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


def _effect_groups(grid):
    """``(label, rows)`` for each effect-size combination of the grid, in grid order."""
    if "model" not in grid.columns:  # model 4
        for (a, b, c_prime), cell in grid.groupby(["a", "b", "c_prime"], sort=False):
            yield f"a = {a:g}, b = {b:g}, c' = {c_prime:g}", cell
        return
    from analysis.power import PATHS

    for _, cell in grid.groupby(list(PATHS), sort=False):
        first = cell.iloc[0]
        named = ("a_xw", "b") if first["model"] in (7, 8) else ("a", "b_mw")  # the paths the index multiplies
        varying = [name for name in PATHS if name not in named and grid[name].nunique() > 1]
        label = ", ".join(f"{name} = {first[name]:g}" for name in (*named, *varying))
        yield f"{label} (index {first['index']:g})", cell


def power_figure(grid):
    """Power by N, one line per effect-size combination, the 80% line marked."""
    from analysis.style import group_style, house_style, new_figure  # matplotlib: see run()

    fig, ax = new_figure("single")
    with house_style():
        for index, (label, cell) in enumerate(_effect_groups(grid)):
            style = group_style(index)
            ax.errorbar(cell["n"], cell["power"], yerr=1.96 * cell["mcse"], color=style["color"],
                        marker=style["marker"], linestyle=style["linestyle"], markersize=3, capsize=2,
                        label=label)
        ax.axhline(0.8, color="0.4", linewidth=0.8, linestyle=":")
        ax.set_xlabel("Total sample size N")
        ax.set_ylabel("Power (index of moderated mediation)" if "model" in grid.columns else "Power (indirect effect)")
        ax.set_ylim(0, 1)
        ax.legend(frameon=False)
    return fig


def _method_sentence(grid, *, method: str, alpha: float, seed, hypothesis_id) -> str:
    first = grid.iloc[0]
    if "model" not in grid.columns:
        tests = {"boot": "a percentile bootstrap confidence interval", "joint": "the joint significance of a and b",
                 "mc": "a Monte Carlo confidence interval"}
        return (
            f"We estimated the power to detect the indirect effect (Hayes' model 4) by simulation: "
            f"{int(first['sims'])} simulated studies per sample size, each tested with {tests[method]} "
            f"({int(first['n_boot'])} {'draws' if method == 'mc' else 'resamples'}, alpha = {alpha:g}); "
            f"unstandardised paths with x coded 0/1 in two equal groups and unit residual variances (seed {seed})."
        )
    model = int(first["model"])
    stage = "first stage (x -> m)" if model in (7, 8) else "second stage (m -> y)"
    also = " and the direct effect" if model in (8, 15) else ""
    interval = "bias-corrected" if first["ci_method"] == "bc" else "percentile"
    of = f" of hypothesis {hypothesis_id}" if hypothesis_id else ""
    return (
        f"We estimated the power to detect the index of moderated mediation{of} (Hayes' PROCESS model {model}: "
        f"w moderates the {stage}{also}) by simulation: {int(first['sims'])} simulated studies per sample size, "
        f"each fitted with model {model} and tested with a {interval} bootstrap confidence interval of the index "
        f"({int(first['n_boot'])} resamples, alpha = {alpha:g}); unstandardised paths with x and w coded 0/1 "
        f"in a balanced 2 x 2 design and unit residual variances of m and y (seed {seed})."
    )


def preregistration_sentence(grid, *, method: str, alpha: float, seed, hypothesis_id: str | None = None) -> str:
    """One sentence per effect-size combination: the smallest N reaching 80% power."""
    sentences = [_method_sentence(grid, method=method, alpha=alpha, seed=seed, hypothesis_id=hypothesis_id)]
    for label, cell in _effect_groups(grid):
        reached = cell[cell["power"] >= 0.80].sort_values("n")
        effect = "With " + (" and ".join(label.rsplit(", ", 1)) if "model" not in grid.columns else label)
        if len(reached):
            row = reached.iloc[0]
            sentences.append(f"{effect}, N = {int(row['n'])} gives a power of {row['power']:.1%} "
                             f"(Monte Carlo SE {row['mcse']:.1%}), the smallest N of the grid with at least 80%.")
        else:
            row = cell.sort_values("n").iloc[-1]
            sentences.append(f"{effect}, no N of the grid reaches 80%; the largest, N = {int(row['n'])}, "
                             f"gives {row['power']:.1%} (Monte Carlo SE {row['mcse']:.1%}).")
    return " ".join(sentences)


def _cells(study, args, alpha, seed):
    """The design cells and the function that runs one: model 4, or a process hypothesis' index."""
    from analysis.power import (
        mediation_power_cells,
        moderated_mediation_power_cells,
        run_moderated_power_cell,
        run_power_cell,
    )

    hypothesis = _hypothesis(study, args.hypothesis)
    if hypothesis is None or hypothesis.kind == "mediation":
        if args.a_xw is not None or args.b_mw is not None:
            raise UserError("--a-xw and --b-mw belong to a moderated mediation: name a process hypothesis "
                            "with --hypothesis.")
        if args.a is None or args.b is None or args.c_prime is None:
            a, b, c_prime = study_paths(study, hypothesis)
            args.a, args.b, args.c_prime = args.a or [a], args.b or [b], args.c_prime or [c_prime]
        cells = mediation_power_cells(args.a, args.b, args.c_prime, args.n, sims=args.sims, n_boot=args.boot,
                                      method=args.method, alpha=alpha, seed=seed)
        return cells, run_power_cell, None
    if args.method != "boot":
        raise UserError(f"--method {args.method}: the index of moderated mediation is tested by the bootstrap "
                        "only; leave --method out.")
    paths = {name: [value] for name, value in study_moderated_paths(study, hypothesis).items()}
    paths |= {name: getattr(args, name) for name in ("a", "b", "c_prime", "a_xw", "b_mw") if getattr(args, name)}
    cells = moderated_mediation_power_cells(args.n, model=hypothesis.model, **paths, w="binary", sims=args.sims,
                                            n_boot=args.boot, ci_method=study.analysis.ci_method, alpha=alpha,
                                            seed=seed)
    return cells, run_moderated_power_cell, hypothesis.id


def run(args: argparse.Namespace) -> int:
    # Imported when the command runs, not when ``replylab --help`` lists it: the analysis
    # package loads scipy and matplotlib, a study pandas.
    from analysis.style import save_figure
    from study.design.loader import load_study

    study = load_study(args.study)
    alpha = args.alpha if args.alpha is not None else study.analysis.alpha
    seed = args.seed if args.seed is not None else study.analysis.seed
    try:
        cells, run_cell, hypothesis_id = _cells(study, args, alpha, seed)
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
            _results(cells, args, on_row, run_cell)
        except KeyboardInterrupt:
            handle.close()
            if rows:
                _write_csv(csv_path, [rows[i] for i in sorted(rows)])
            print(f"interrupted: {len(rows)} of {len(cells)} cells kept in {csv_path}")
            raise
    grid = pd.DataFrame([rows[i] for i in sorted(rows)])
    _write_csv(csv_path, grid.to_dict("records"))  # in cell order, whatever order they finished in
    save_figure(power_figure(grid), args.out / FIGURE_STEM, formats=("png", "svg"))
    sentence = preregistration_sentence(grid, method=args.method, alpha=alpha, seed=seed, hypothesis_id=hypothesis_id)
    (args.out / TEXT_NAME).write_text(sentence + "\n", encoding="utf-8")
    print(sentence)
    print(f"wrote {csv_path}, {FIGURE_STEM}.png, {FIGURE_STEM}.svg and {TEXT_NAME} in {args.out}")
    return 0
