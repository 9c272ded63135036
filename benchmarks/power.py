"""Time Monte Carlo power of the indirect effect: replylab vs a pingouin loop, and the floor.

One design cell: N = 140 (x 0/1 in two equal groups), a = b = 0.3, c' = 0.2,
1,000 simulated studies x 1,000 bootstrap resamples each.

- ours: ``analysis.power_mediation`` (simulation, bootstrap, intervals; all of it);
- pingouin: ``pingouin.mediation_analysis`` on 10 simulated studies in a loop,
  extrapolated to 1,000 (it draws its own resamples in the same numbers);
- floor: merely drawing the 1,000 x 1,000 x 140 resample indices with numpy's
  standard call ``rng.integers(0, N, size=shape)`` (default integer type), in
  the blocks of the same shapes that ``power_mediation`` consumes, and nothing
  else;
- our draw: the same blocks as our code draws them
  (``_bootstrap.iter_batched_resample_indices``: ``uint16``, four per 64-bit
  random word, cheaper than the floor), with ``ours / our draw`` beside it.

Times are the best of ``--repeats`` wall-clock runs. Run from the repository root::

    python benchmarks/power.py           # the full cell
    python benchmarks/power.py --quick   # 200 simulated studies
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis import power_mediation  # noqa: E402
from analysis._bootstrap import batched_blocks, iter_batched_resample_indices  # noqa: E402
from _timing import best_time  # noqa: E402  (benchmarks/ is on sys.path)

N, A, B, C_PRIME = 140, 0.3, 0.3, 0.2


def draw_floor(sims, n_boot):
    """numpy's standard draw, in the blocks our code draws."""
    rng = np.random.default_rng(1)
    for _, _, _, rows in batched_blocks(sims, N, n_boot):
        rng.integers(0, N, size=(rows, N))


def draw_ours(sims, n_boot):
    """Our own draw of the same blocks, and nothing else."""
    for _ in iter_batched_resample_indices(sims, N, n_boot, np.random.default_rng(1)):
        pass


def pingouin_loop(studies, n_boot):
    import pingouin

    rng = np.random.default_rng(1)
    x = np.repeat([0.0, 1.0], N // 2)
    for seed in range(studies):
        m = A * x + rng.standard_normal(N)
        y = C_PRIME * x + B * m + rng.standard_normal(N)
        data = pd.DataFrame({"x": x, "m": m, "y": y})
        pingouin.mediation_analysis(data=data, x="x", m="m", y="y", n_boot=n_boot, seed=seed)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="200 simulated studies instead of 1000")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    sims, n_boot, loop = (200 if args.quick else 1000), 1000, 10

    power_mediation(A, B, C_PRIME, N, sims=5, n_boot=50, seed=0)  # warm up imports
    ours = floor = drawn = np.inf
    for _ in range(args.repeats):  # in turns, so that a busy spell on a shared machine hits all alike
        ours = min(ours, best_time(lambda: power_mediation(A, B, C_PRIME, N, sims=sims, n_boot=n_boot, seed=1), 1))
        floor = min(floor, best_time(lambda: draw_floor(sims, n_boot), 1))
        drawn = min(drawn, best_time(lambda: draw_ours(sims, n_boot), 1))
    pingouin_time = best_time(lambda: pingouin_loop(loop, n_boot), 1) * sims / loop
    print(f"N = {N}, {sims} simulated studies x {n_boot} resamples; wall-clock seconds, best of {args.repeats}")
    print(f"  ours (analysis.power_mediation)      {ours:8.3f}")
    print(f"  floor (drawing the indices only)     {floor:8.3f}   ours / floor    = {ours / floor:6.2f}")
    print(f"  our draw (uint16, the same blocks)   {drawn:8.3f}   ours / our draw = {ours / drawn:6.2f}")
    print(f"  pingouin loop ({loop} studies, x{sims // loop}) {pingouin_time:8.1f}   pingouin / ours = {pingouin_time / ours:6.0f}")
    print("targets (1000 studies): ours < 2 s, pingouin / ours >= 100, ours / floor <= 2.5")
    return 0


if __name__ == "__main__":
    sys.exit(main())
