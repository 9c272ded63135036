"""Time the bootstrap mediation: replylab vs pingouin vs pyprocessmacro, and the floor.

"ours" is the whole ``analysis.mediation`` call with its ``paths`` and
``indirect`` tables (checks, OLS paths, bootstrap, intervals), the output
pingouin's table holds too; the Sobel and standardised tables are secondary and
built when first read, so they are not in that time. "kernel" is
``_bootstrap.bootstrap_indirect`` alone. One simulated data set per N (x 0/1 in
two equal groups, a = 0.5, b = 0.4, c' = 0.1, unit normal errors); every
implementation gets the same data and the same number of resamples.

The floor is the cost of merely drawing the resample indices: numpy's standard
call ``rng.integers(0, N, size=(rows, N))`` (default integer type), in the same
chunks of rows our code uses, and nothing else. That is how one draws them
(pingouin's ``choice`` on the legacy generator is slower), and it does not
depend on our choices. Our own draw ("draw") is cheaper than that floor up to
4,096 cases, where it asks numpy for ``uint16`` indices (four per 64-bit random
word); above that it is the floor's own call. ``ours / draw`` shows the share
of our time that is not drawing. A ratio to our own draw alone would make the
code look worse each time its drawing got faster.

Times are the best of ``--repeats`` wall-clock runs at N = 10,000 and of more
runs at smaller N, where one run takes milliseconds and a busy spell on a shared
machine easily outlasts a few of them (5x at N = 140, 2x at N = 1,000); the
slow competitors run fewer times. The floor, our draw, ours and the kernel take
turns, so that a busy spell on a shared machine hits them all alike. Run from the repository root::

    python benchmarks/mediation.py            # N = 140, 1000, 10000; 5000 resamples
    python benchmarks/mediation.py --quick    # N = 140, 1000; fewer repeats
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis import mediation  # noqa: E402
from analysis._bootstrap import bootstrap_indirect, iter_resample_indices, rows_per_chunk  # noqa: E402
from _timing import best_time, best_times_interleaved  # noqa: E402  (benchmarks/ is on sys.path)


def simulate(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = np.repeat([0.0, 1.0], [n // 2, n - n // 2])
    m = 0.5 * x + rng.normal(size=n)
    y = 0.4 * m + 0.1 * x + rng.normal(size=n)
    return pd.DataFrame({"x": x, "m": m, "y": y})


def run_ours(data, n_boot):
    """The whole call, and the two tables pingouin's result holds (paths, indirect effect)."""
    result = mediation(data, x="x", m="m", y="y", n_boot=n_boot, seed=1)
    return result.paths, result.indirect


def run_kernel(data, n_boot):
    """The bootstrap alone (draw, count, multiply, solve), without tables and checks."""
    columns = [data[name].to_numpy() for name in ("x", "m", "y")]
    return bootstrap_indirect(*columns, n_boot=n_boot, seed=1)


def run_floor(n, n_boot):
    """numpy's standard draw of the indices, in our chunks."""
    rng, chunk = np.random.default_rng(1), rows_per_chunk(n, n_boot)
    for start in range(0, n_boot, chunk):
        rng.integers(0, n, size=(min(chunk, n_boot - start), n))


def run_our_draw(n, n_boot):
    """Our own draw of the indices (``analysis._bootstrap.index_dtype``), and nothing else."""
    for _ in iter_resample_indices(n, n_boot, np.random.default_rng(1)):
        pass


def run_pingouin(data, n_boot):
    import pingouin

    return pingouin.mediation_analysis(data=data, x="x", m="m", y="y", n_boot=n_boot, seed=1)


def run_pyprocessmacro(data, n_boot):
    from pyprocessmacro import Process

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return Process(data=data, model=4, x="x", m=["m"], y="y", boot=n_boot, seed=1, suppr_init=True)


def check_pyprocessmacro() -> str | None:
    """None if pyprocessmacro runs here, else the error it raised."""
    try:
        run_pyprocessmacro(simulate(60), 100)
    except Exception as error:  # report any failure precisely, whatever it is
        return f"{type(error).__name__}: {error}"
    return None


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="N = 140 and 1000 only, fewer repeats")
    parser.add_argument("--n-boot", type=int, default=5000)
    parser.add_argument("--repeats", type=int, default=None, help="runs of our code and the floor (best counts)")
    args = parser.parse_args(argv)
    sizes = [140, 1000] if args.quick else [140, 1000, 10_000]
    repeats = args.repeats or (3 if args.quick else 7)
    n_boot = args.n_boot

    import numpy, pandas, pingouin  # noqa: E401  (versions for the record)

    print(f"numpy {numpy.__version__}, pandas {pandas.__version__}, pingouin {pingouin.__version__}")
    broken = check_pyprocessmacro()
    print("pyprocessmacro: " + ("runs" if broken is None else f"BROKEN here ({broken}); not timed"))
    run_ours(simulate(140), 100)  # warm up imports and caches
    print(f"{n_boot} resamples; wall-clock seconds, best of {repeats} at N = 10000, "
          f"{2 * repeats} at N = 1000, {5 * repeats} at N = 140 (competitors: fewer runs)\n")
    header = (f"{'N':>6} {'floor':>8} {'draw':>8} {'kernel':>8} {'kern/floor':>10} {'ours':>8} {'ours/floor':>10} "
              f"{'ours/draw':>9} {'pingouin':>9} {'pg/ours':>8} {'pyprocessmacro':>14} {'ppm/ours':>8}")
    print(header)
    rows = []
    for n in sizes:
        data = simulate(n)
        timed = best_times_interleaved(
            {"floor": lambda: run_floor(n, n_boot), "draw": lambda: run_our_draw(n, n_boot),
             "ours": lambda: run_ours(data, n_boot), "kernel": lambda: run_kernel(data, n_boot)},
            repeats * (5 if n <= 140 else 2 if n <= 1000 else 1),
        )
        floor, draw, ours, kernel = timed["floor"], timed["draw"], timed["ours"], timed["kernel"]
        pingouin_time = best_time(lambda: run_pingouin(data, n_boot), 2 if n <= 1000 else 1)
        ppm = np.nan if broken else best_time(lambda: run_pyprocessmacro(data, n_boot), 3 if n <= 1000 else 1)
        rows.append((n, floor, ours, pingouin_time, ppm))
        print(
            f"{n:>6} {floor:>8.4f} {draw:>8.4f} {kernel:>8.4f} {kernel / floor:>10.2f} {ours:>8.4f} {ours / floor:>10.2f} "
            f"{ours / draw:>9.2f} {pingouin_time:>9.3f} "
            f"{pingouin_time / ours:>8.1f} {ppm:>14.3f} {ppm / ours:>8.1f}",
            flush=True,
        )
    print("\ntargets: pingouin/ours >= 100 at N=140 and >= 25 at N=10000; pyprocessmacro/ours >= 8; ours/floor <= 2")
    return 0


if __name__ == "__main__":
    sys.exit(main())
