"""Tests of analysis.agreement against published values and independent implementations."""

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats import inter_rater

from analysis.agreement import ALPHA_COLUMNS, KAPPA_COLUMNS, cohen_kappa, krippendorff_alpha

# Krippendorff (2011), "Computing Krippendorff's alpha-reliability", section C
# (4 observers x 12 units, missing values allowed). Published: nominal .743,
# ordinal .815, interval .849, ratio .797 (three decimals, so tolerance 5e-4).
# The same data and values are in the test suite of the `krippendorff` PyPI
# package (pln-fing-udelar/fast-krippendorff, tests/test_krippendorff.py).
KRIPPENDORFF_2011 = pd.DataFrame(
    {
        "A": [1, 2, 3, 3, 2, 1, 4, 1, 2, np.nan, np.nan, np.nan],
        "B": [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, np.nan, 3],
        "C": [np.nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, np.nan],
        "D": [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, np.nan],
    }
)

# Wikipedia "Krippendorff's alpha", computational example (3 coders x 15 units),
# reproduced in fast-krippendorff's tests: nominal 0.691358, interval 0.810845.
WIKIPEDIA_EXAMPLE = np.array(
    [
        [np.nan, np.nan, np.nan, np.nan, np.nan, 3, 4, 1, 2, 1, 1, 3, 3, np.nan, 3],
        [1, np.nan, 2, 1, 3, 3, 4, 3, np.nan, np.nan, np.nan, np.nan, np.nan, np.nan, np.nan],
        [np.nan, np.nan, 2, 1, 3, 4, 4, np.nan, 2, 1, 1, 3, 3, np.nan, 4],
    ]
).T

# SAS PROC FREQ output for the 3x3 table below (rows rater 1, columns rater 2),
# as quoted in statsmodels/stats/tests/test_inter_rater.py (TestUnweightedCohens):
# Kappa 0.4842, ASE 0.1380, 95% CI 0.2137 to 0.7547 (four decimals: tol 5e-5).
SAS_TABLE = np.array([[0, 4, 1], [0, 8, 0], [0, 1, 5]])


def _raters_from_table(table):
    k = table.shape[0]
    first = np.repeat(np.repeat(np.arange(k), k), table.ravel())
    second = np.repeat(np.tile(np.arange(k), k), table.ravel())
    return first, second


# --- Cohen's kappa -----------------------------------------------------------


def test_kappa_matches_sas_printout():
    result = cohen_kappa(*_raters_from_table(SAS_TABLE))
    assert list(result.columns) == KAPPA_COLUMNS
    row = result.iloc[0]
    assert row["kappa"] == pytest.approx(0.4842, abs=5e-5)
    assert row["se"] == pytest.approx(0.1380, abs=5e-5)
    assert row["ci_low"] == pytest.approx(0.2137, abs=5e-5)
    assert row["ci_high"] == pytest.approx(0.7547, abs=5e-5)
    assert row["n"] == SAS_TABLE.sum()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_kappa_matches_statsmodels_and_sklearn(seed):
    metrics = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(seed)
    labels = np.array(["reputation", "service", "cost", "other"])
    first = rng.choice(labels, size=120)
    agree = rng.random(120) < 0.6
    second = np.where(agree, first, rng.choice(labels, size=120))
    result = cohen_kappa(first, second).iloc[0]
    assert result["kappa"] == pytest.approx(metrics.cohen_kappa_score(first, second), abs=1e-12)
    table = pd.crosstab(first, second).reindex(index=labels, columns=labels, fill_value=0)
    reference = inter_rater.cohens_kappa(table.to_numpy())
    assert result["kappa"] == pytest.approx(reference.kappa, abs=1e-12)
    assert result["se"] == pytest.approx(reference.std_kappa, abs=1e-12)
    assert result["ci_low"] == pytest.approx(reference.kappa_low, abs=1e-12)
    assert result["ci_high"] == pytest.approx(reference.kappa_upp, abs=1e-12)


def test_kappa_drops_missing_pairs_and_accepts_series():
    first = pd.Series([1, 0, None, 1, 0, 1], index=[10, 11, 12, 13, 14, 15])
    second = [1, 0, 1, 0, None, 1]
    result = cohen_kappa(first, second).iloc[0]
    expected = cohen_kappa([1, 0, 1, 1], [1, 0, 0, 1]).iloc[0]
    assert result["n"] == 4
    assert result["kappa"] == pytest.approx(expected["kappa"])
    # p_o = 3/4, marginals (1: 3/4, 1/2) -> p_e = 3/4*1/2 + 1/4*1/2 = 1/2
    assert result["p_observed"] == pytest.approx(0.75)
    assert result["p_expected"] == pytest.approx(0.5)
    assert result["kappa"] == pytest.approx(0.5)


def test_kappa_wider_interval_at_higher_confidence():
    first, second = _raters_from_table(SAS_TABLE)
    narrow = cohen_kappa(first, second, ci=0.90).iloc[0]
    wide = cohen_kappa(first, second, ci=0.99).iloc[0]
    assert wide["ci_low"] < narrow["ci_low"] < narrow["kappa"] < narrow["ci_high"] < wide["ci_high"]


def test_kappa_perfect_agreement_is_one():
    result = cohen_kappa(["a", "b", "a"], ["a", "b", "a"]).iloc[0]
    assert result["kappa"] == 1.0
    assert result["se"] == 0.0


@pytest.mark.parametrize(
    ("first", "second", "message"),
    [
        ([1, 0], [1, 0, 1], "same units"),
        ([None, 1], [1, None], "no unit was labelled by both"),
        (["x", "x"], ["x", "x"], "kappa is undefined"),
        (pd.DataFrame({"a": [1]}), [1], "one column of labels"),
    ],
)
def test_kappa_bad_input(first, second, message):
    with pytest.raises(ValueError, match=message):
        cohen_kappa(first, second)


def test_kappa_bad_confidence():
    with pytest.raises(ValueError, match="`ci` must be a proportion"):
        cohen_kappa([1, 0], [1, 0], ci=95)


# --- Krippendorff's alpha ----------------------------------------------------


@pytest.mark.parametrize(
    ("level", "published"),
    [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)],
)
def test_alpha_matches_krippendorff_2011(level, published):
    result = krippendorff_alpha(KRIPPENDORFF_2011, level)
    assert list(result.columns) == ALPHA_COLUMNS
    row = result.iloc[0]
    assert row["alpha"] == pytest.approx(published, abs=5e-4)
    assert row["n_units"] == 11  # the 12th unit has one value: not pairable
    assert row["n_coders"] == 4
    assert row["level"] == level
    assert np.isnan(row["ci_low"]) and np.isnan(row["ci_high"])


@pytest.mark.parametrize(("level", "reference"), [("nominal", 0.691358), ("interval", 0.810845)])
def test_alpha_matches_wikipedia_example(level, reference):
    assert krippendorff_alpha(WIKIPEDIA_EXAMPLE, level)["alpha"].iloc[0] == pytest.approx(reference, abs=5e-7)


def test_alpha_string_labels_equal_integer_codes():
    words = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five"}
    as_words = KRIPPENDORFF_2011.apply(lambda column: column.map(words))
    assert krippendorff_alpha(as_words)["alpha"].iloc[0] == pytest.approx(
        krippendorff_alpha(KRIPPENDORFF_2011)["alpha"].iloc[0], abs=1e-12
    )


@pytest.mark.parametrize(("seed", "n_coders"), [(4, 2), (5, 3), (6, 5)])
def test_nominal_alpha_is_small_sample_corrected_fleiss_kappa(seed, n_coders):
    # Complete data, N units, m coders: Fleiss' kappa (Scott's pi for m = 2)
    # and alpha share observed agreement; alpha's expected disagreement uses
    # n(n-1) pairs instead of n^2, so alpha = 1 - (1 - kappa_F) (Nm - 1) / (Nm).
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 3, size=60)
    ratings = np.column_stack(
        [np.where(rng.random(60) < 0.7, truth, rng.integers(0, 3, size=60)) for _ in range(n_coders)]
    )
    counts, _ = inter_rater.aggregate_raters(ratings)
    fleiss = inter_rater.fleiss_kappa(counts, method="fleiss")
    pairs = ratings.size
    expected = 1 - (1 - fleiss) * (pairs - 1) / pairs
    assert krippendorff_alpha(ratings)["alpha"].iloc[0] == pytest.approx(expected, abs=1e-12)


def test_interval_alpha_on_binary_codes_equals_nominal():
    # With only two values, every level's distance is a constant multiple of the
    # nominal one, and alpha is scale-free: all levels agree.
    rng = np.random.default_rng(7)
    ratings = pd.DataFrame(rng.integers(0, 2, size=(40, 3)) + 1.0)
    ratings.iloc[::5, 1] = np.nan
    results = [krippendorff_alpha(ratings, level)["alpha"].iloc[0] for level in ("nominal", "ordinal", "interval", "ratio")]
    assert np.allclose(results, results[0], atol=1e-12)


def test_alpha_bootstrap_is_seeded():
    first = krippendorff_alpha(KRIPPENDORFF_2011, "interval", n_boot=300, seed=11).iloc[0]
    again = krippendorff_alpha(KRIPPENDORFF_2011, "interval", n_boot=300, seed=11).iloc[0]
    other = krippendorff_alpha(KRIPPENDORFF_2011, "interval", n_boot=300, seed=12).iloc[0]
    assert (first["ci_low"], first["ci_high"]) == (again["ci_low"], again["ci_high"])
    assert (first["ci_low"], first["ci_high"]) != (other["ci_low"], other["ci_high"])
    assert first["ci_low"] < first["alpha"] <= first["ci_high"] <= 1.0


def test_alpha_bootstrap_matches_a_plain_resampling_loop():
    # Independent check of the vectorized bootstrap: redraw the same unit
    # indices and recompute alpha from the resampled table one at a time.
    data = KRIPPENDORFF_2011.iloc[:11]
    result = krippendorff_alpha(data, "nominal", n_boot=200, seed=3).iloc[0]
    rng = np.random.default_rng(3)
    weights = rng.multinomial(11, np.full(11, 1 / 11), size=200)
    alphas = []
    for counts in weights:
        sample = data.iloc[np.repeat(np.arange(11), counts)].reset_index(drop=True)
        try:
            alphas.append(krippendorff_alpha(sample)["alpha"].iloc[0])
        except ValueError:  # a resample without variation: skipped
            continue
    assert result["ci_low"] == pytest.approx(np.percentile(alphas, 2.5), abs=1e-12)
    assert result["ci_high"] == pytest.approx(np.percentile(alphas, 97.5), abs=1e-12)


@pytest.mark.parametrize(
    ("ratings", "kwargs", "message"),
    [
        (KRIPPENDORFF_2011, {"level": "binary"}, "`level` must be one of"),
        (KRIPPENDORFF_2011, {"n_boot": 100}, "`seed` is required"),
        (KRIPPENDORFF_2011, {"n_boot": -1}, "`n_boot` must be"),
        (KRIPPENDORFF_2011[["A"]], {}, "at least two coders"),
        (pd.DataFrame({"a": [1, np.nan], "b": [np.nan, 2]}), {}, "no unit was coded by at least two"),
        (pd.DataFrame({"a": [1, 1], "b": [1, 1]}), {}, "alpha is undefined"),
        (pd.DataFrame({"a": ["x", "y"], "b": ["x", "x"]}), {"level": "interval"}, "needs numeric ratings"),
        (pd.DataFrame({"a": [-1, 2], "b": [1, 2]}), {"level": "ratio"}, "non-negative"),
        (np.array([1, 2, 3]), {}, "one row per unit"),
    ],
)
def test_alpha_bad_input(ratings, kwargs, message):
    with pytest.raises(ValueError, match=message):
        krippendorff_alpha(ratings, **kwargs)
