"""Time ``analysis.process`` against pyprocessmacro: models 1, 7, 14 and a multicategorical model 4.

"ours" is the whole ``analysis.process.process`` call: checks, coding, every
regression, probing, Johnson-Neyman, the bootstrap and its intervals, and every
public table of the result. No table is built lazily: the call returns every
field (``coefficients``, ``model_summary``, ``interaction_tests``,
``conditional_effects``, ``jn``, ``indirect``, ``conditional_indirect``,
``index``, ...) as a finished DataFrame, so the time of the call is the time of
call plus tables (``summary()`` text, ``to_frame()`` and ``plot_data()`` are
not timed). "ppm" is pyprocessmacro's ``Process`` with the same model, data and
number of resamples (``suppr_init=True``: it estimates everything at
construction and prints nothing). One simulated data set per model and N
(continuous x and w, a = 0.4, the moderation 0.3, b = 0.4, c' = 0.2, unit
normal errors; the categorical x has three equal-probability groups); both
programs get the same data.

The floor is the cost of merely drawing the resample indices with numpy's
standard call ``rng.integers(0, N, size=(rows, N))``, in the chunks our code
uses; "draw" is our own draw of them (``analysis._bootstrap.iter_resample_indices``,
``uint16`` up to 4,096 cases). ``ours/floor`` is the target ratio (<= 2.5);
``ppm/ours`` the speed-up over pyprocessmacro (target >= 10). Model 1 has no
bootstrap (as in PROCESS), so it has no floor ratio.

Times are the best of ``--repeats`` wall-clock runs (more at small N, where
one run takes milliseconds); ours and the floor take turns, so that a busy
spell on a shared machine hits them alike. pyprocessmacro runs fewer times.
Run from the repository root::

    python benchmarks/process.py            # N = 140, 1000, 10000; 5000 resamples
    python benchmarks/process.py --quick    # N = 140, 1000; 1000 resamples, fewer repeats
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _timing import best_time, best_times_interleaved  # benchmarks/ is on sys.path when run as a script

from analysis._bootstrap import iter_resample_indices, rows_per_chunk
from analysis.process import process

MODELS = ("1", "7", "14", "4 (3-level x)")


def simulate(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x, w = rng.normal(size=n), rng.normal(size=n)
    group = np.resize([0, 1, 2], n)
    rng.shuffle(group)
    m = 0.4 * x + 0.3 * x * w + 0.2 * w + rng.normal(size=n)
    y = 0.4 * m + 0.2 * x + 0.3 * m * w + rng.normal(size=n)
    m_group = 0.5 * (group == 1) - 0.3 * (group == 2) + rng.normal(size=n)
    y_group = 0.4 * m_group + 0.2 * (group == 2) + rng.normal(size=n)
    return pd.DataFrame({"x": x, "w": w, "m": m, "y": y, "group": group, "m_group": m_group, "y_group": y_group})


def run_ours(model: str, data: pd.DataFrame, n_boot: int):
    if model == "1":
        return process(data, 1, x="x", w="w", y="y", n_boot=n_boot)
    if model == "7":
        return process(data, 7, x="x", w="w", m="m", y="y", n_boot=n_boot, seed=1)
    if model == "14":
        return process(data, 14, x="x", w="w", m="m", y="y", n_boot=n_boot, seed=1)
    return process(data, 4, x="group", m="m_group", y="y_group", x_coding="indicator", n_boot=n_boot, seed=1)


def run_pyprocessmacro(model: str, data: pd.DataFrame, n_boot: int):
    from pyprocessmacro import Process

    # pyprocessmacro follows PROCESS 2's names: model 1's moderator is "m", model 14's is "v"
    roles = {
        "1": dict(model=1, x="x", m="w", y="y"),
        "7": dict(model=7, x="x", w="w", m=["m"], y="y"),
        "14": dict(model=14, x="x", v="w", m=["m"], y="y"),
        "4 (3-level x)": dict(model=4, x="group", m=["m_group"], y="y_group", mcx=1),
    }[model]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return Process(data=data, boot=n_boot, seed=1, suppr_init=True, **roles)


def check_pyprocessmacro(model: str) -> str | None:
    """None if pyprocessmacro runs this model here, else the error it raised."""
    try:
        run_pyprocessmacro(model, simulate(90), 100)
    except Exception as error:  # report any failure precisely, whatever it is
        return f"{type(error).__name__}: {error}"
    return None


def run_floor(n: int, n_boot: int) -> None:
    """numpy's standard draw of the indices, in our chunks."""
    rng, chunk = np.random.default_rng(1), rows_per_chunk(n, n_boot)
    for start in range(0, n_boot, chunk):
        rng.integers(0, n, size=(min(chunk, n_boot - start), n))


def run_our_draw(n: int, n_boot: int) -> None:
    for _ in iter_resample_indices(n, n_boot, np.random.default_rng(1)):
        pass


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="N = 140 and 1000, 1000 resamples, fewer repeats")
    parser.add_argument("--n-boot", type=int, default=None, help="resamples (default 5000; 1000 with --quick)")
    parser.add_argument("--repeats", type=int, default=None, help="runs of our code and the floor at N = 10000 (best counts)")
    args = parser.parse_args(argv)
    sizes = [140, 1000] if args.quick else [140, 1000, 10_000]
    n_boot = args.n_boot or (1000 if args.quick else 5000)
    repeats = args.repeats or (2 if args.quick else 5)

    import numpy
    import pandas
    import pyprocessmacro

    print(f"numpy {numpy.__version__}, pandas {pandas.__version__}, pyprocessmacro {getattr(pyprocessmacro, '__version__', '?')}")
    broken = {model: check_pyprocessmacro(model) for model in MODELS}
    for model, error in broken.items():
        if error:
            print(f"pyprocessmacro, model {model}: BROKEN here ({error}); not timed")
    for model in MODELS:
        run_ours(model, simulate(140), 100)  # warm up imports and caches
    print(f"{n_boot} resamples; wall-clock seconds, best of {repeats} at N = 10000, {2 * repeats} at N = 1000, "
          f"{5 * repeats} at N = 140 (pyprocessmacro: fewer runs)\n")
    print(f"{'model':>14} {'N':>6} {'floor':>8} {'draw':>8} {'ours':>8} {'ours/floor':>10} {'ours/draw':>9} {'ppm':>8} {'ppm/ours':>8}")
    for n in sizes:
        data = simulate(n)
        scale = 5 if n <= 140 else 2 if n <= 1000 else 1
        timed = best_times_interleaved(
            {"floor": lambda n=n: run_floor(n, n_boot), "draw": lambda n=n: run_our_draw(n, n_boot),
             **{model: (lambda model=model, data=data: run_ours(model, data, n_boot)) for model in MODELS}},
            repeats * scale,
        )
        for model in MODELS:
            ours = timed[model]
            ppm = np.nan if broken[model] else best_time(lambda model=model, data=data: run_pyprocessmacro(model, data, n_boot), 3 if n <= 1000 else 1)
            floor_ratio = "n/a" if model == "1" else f"{ours / timed['floor']:.2f}"
            draw_ratio = "n/a" if model == "1" else f"{ours / timed['draw']:.2f}"
            print(f"{model:>14} {n:>6} {timed['floor']:>8.4f} {timed['draw']:>8.4f} {ours:>8.4f} {floor_ratio:>10} "
                  f"{draw_ratio:>9} {ppm:>8.3f} {ppm / ours:>8.1f}", flush=True)
    print("\ntargets (issue 12): ppm/ours >= 10 at every N and model; ours/floor <= 2.5")
    return 0


if __name__ == "__main__":
    sys.exit(main())
