"""Shared reference data sets for the analysis tests.

The classic R data sets below are typed in from R's ``datasets`` package
(R Core Team, *R: A Language and Environment for Statistical Computing*;
documentation pages ``?PlantGrowth``, ``?ToothGrowth`` and ``?sleep``), in the
row order R prints them. Each fixture returns a fresh DataFrame, so a test may
modify it freely.
"""

import numpy as np
import pandas as pd
import pytest

# R datasets::PlantGrowth (Dobson 1983, Table 7.1): dried weight of plants
# under a control and two treatment conditions, 10 plants per group.
PLANT_GROWTH = {
    "ctrl": [4.17, 5.58, 5.18, 6.11, 4.50, 4.61, 5.17, 4.53, 5.33, 5.14],
    "trt1": [4.81, 4.17, 4.41, 3.59, 5.87, 3.83, 6.03, 4.89, 4.32, 4.69],
    "trt2": [6.31, 5.12, 5.54, 5.50, 5.37, 5.29, 4.92, 6.15, 5.80, 5.26],
}

# R datasets::ToothGrowth (Crampton 1947): odontoblast length in 60 guinea
# pigs by supplement (VC ascorbic acid, OJ orange juice) and dose (mg/day),
# 10 animals per cell.
TOOTH_GROWTH = {
    ("VC", 0.5): [4.2, 11.5, 7.3, 5.8, 6.4, 10.0, 11.2, 11.2, 5.2, 7.0],
    ("VC", 1.0): [16.5, 16.5, 15.2, 17.3, 22.5, 17.3, 13.6, 14.5, 18.8, 15.5],
    ("VC", 2.0): [23.6, 18.5, 33.9, 25.5, 26.4, 32.5, 26.7, 21.5, 23.3, 29.5],
    ("OJ", 0.5): [15.2, 21.5, 17.6, 9.7, 14.5, 10.0, 8.2, 9.4, 16.5, 9.7],
    ("OJ", 1.0): [19.7, 23.3, 23.6, 26.4, 20.0, 25.2, 25.8, 21.2, 14.5, 27.3],
    ("OJ", 2.0): [25.5, 26.4, 22.4, 24.5, 24.8, 30.9, 26.4, 27.3, 29.4, 23.0],
}

# R datasets::sleep (Student 1908): extra hours of sleep under two drugs,
# 10 patients. Analysed here as two independent groups, as in the R help
# example ``t.test(extra ~ group, data = sleep)``.
SLEEP = {
    "1": [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0],
    "2": [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4],
}


@pytest.fixture
def plant_growth() -> pd.DataFrame:
    """R's PlantGrowth: columns ``weight`` (float) and ``group`` (ctrl, trt1, trt2)."""
    rows = [(w, g) for g, weights in PLANT_GROWTH.items() for w in weights]
    return pd.DataFrame(rows, columns=["weight", "group"])


@pytest.fixture
def tooth_growth() -> pd.DataFrame:
    """R's ToothGrowth: ``len`` (float), ``supp`` (VC, OJ), ``dose`` (0.5, 1, 2 as text)."""
    rows = [
        (length, supp, f"{dose:g}")
        for (supp, dose), lengths in TOOTH_GROWTH.items()
        for length in lengths
    ]
    return pd.DataFrame(rows, columns=["len", "supp", "dose"])


@pytest.fixture
def sleep() -> pd.DataFrame:
    """R's sleep: ``extra`` (float) and ``group`` ("1", "2")."""
    rows = [(x, g) for g, values in SLEEP.items() for x in values]
    return pd.DataFrame(rows, columns=["extra", "group"])


@pytest.fixture
def unbalanced_two_way() -> pd.DataFrame:
    """A seeded unbalanced 2 x 3 design with a covariate (for type III checks).

    Cell sizes differ (5 to 14), effects of both factors, their interaction
    and the covariate are present.
    """
    rng = np.random.default_rng(20261123)
    sizes = {("a1", "b1"): 5, ("a1", "b2"): 9, ("a1", "b3"): 12,
             ("a2", "b1"): 14, ("a2", "b2"): 7, ("a2", "b3"): 8}
    effects_a = {"a1": 0.0, "a2": 0.6}
    effects_b = {"b1": 0.0, "b2": 0.3, "b3": -0.4}
    frames = []
    for (a, b), size in sizes.items():
        covariate = rng.normal(50, 10, size)
        interaction = 0.5 if (a, b) == ("a2", "b3") else 0.0
        y = (effects_a[a] + effects_b[b] + interaction + 0.04 * covariate
             + rng.normal(0, 1, size))
        frames.append(pd.DataFrame({"y": y, "a": a, "b": b, "age": covariate}))
    return pd.concat(frames, ignore_index=True)
