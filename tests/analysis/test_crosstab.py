"""Tests of analysis.crosstab against published values, scipy and pingouin."""

import numpy as np
import pandas as pd
import pingouin
import pytest
from scipy import stats

from analysis.crosstab import TEST_COLUMNS, crosstab_test, motives_by_condition


def _long(table, row_labels, col_labels, row="row", col="col"):
    """Expand a count table to one row per participant."""
    records = [
        (r, c)
        for i, r in enumerate(row_labels)
        for j, c in enumerate(col_labels)
        for _ in range(table[i][j])
    ]
    return pd.DataFrame(records, columns=[row, col])


def test_chi2_matches_agresti_party_identification():
    # Agresti (2007), An Introduction to Categorical Data Analysis, 2nd ed.,
    # Table 2.5 (GSS 2004, party identification by gender, n = 2757):
    # Pearson X^2 = 30.1, df = 2 (printed to one decimal: tolerance 0.05).
    data = _long([[762, 327, 468], [484, 239, 477]], ["female", "male"], ["dem", "ind", "rep"],
                 row="gender", col="party")
    result = crosstab_test(data, "gender", "party").iloc[0]
    assert result["test"] == "chi2"
    assert result["statistic"] == pytest.approx(30.1, abs=0.05)
    assert result["df"] == 2
    assert result["n"] == 2757


def test_fisher_matches_agresti_tea_tasting():
    # Agresti (2007), Table 2.8 (Fisher's tea-tasting experiment): the two-sided
    # exact P-value is 0.486 (three decimals: tolerance 5e-4).
    data = _long([[3, 1], [1, 3]], ["milk", "tea"], ["milk", "tea"], row="poured", col="guess")
    result = crosstab_test(data, "poured", "guess").iloc[0]
    assert result["test"] == "fisher_exact"
    assert result["p"] == pytest.approx(0.486, abs=5e-4)
    assert np.isnan(result["statistic"]) and np.isnan(result["df"])
    # phi for this table: (9 - 1) / sqrt(4 * 4 * 4 * 4) = 0.5
    assert result["cramers_v"] == pytest.approx(0.5, abs=1e-12)


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("correction", [False, True])
def test_matches_pingouin_and_scipy(seed, correction):
    rng = np.random.default_rng(seed)
    data = pd.DataFrame(
        {
            "motive": rng.choice(["reputation", "service", "none"], size=150, p=[0.5, 0.3, 0.2]),
            "condition": rng.choice(["public", "private"], size=150),
        }
    )
    if seed == 2:  # a 2 x 2 table with large counts, where Yates matters
        data["motive"] = np.where(data["motive"] == "reputation", 1, 0)
    ours = crosstab_test(data, "motive", "condition", correction=correction).iloc[0]
    assert list(crosstab_test(data, "motive", "condition").columns) == TEST_COLUMNS
    _, _, reference = pingouin.chi2_independence(data, x="motive", y="condition", correction=correction)
    pearson = reference.set_index("test").loc["pearson"]
    assert ours["statistic"] == pytest.approx(pearson["chi2"], rel=1e-10)
    assert ours["p"] == pytest.approx(pearson["pval"], rel=1e-10)
    assert ours["df"] == pearson["dof"]
    table = pd.crosstab(data["motive"], data["condition"]).to_numpy()
    plain = stats.chi2_contingency(table, correction=False)
    # Cramér's V always from the uncorrected statistic
    expected_v = np.sqrt(plain.statistic / (table.sum() * (min(table.shape) - 1)))
    assert ours["cramers_v"] == pytest.approx(expected_v, rel=1e-12)
    assert ours["min_expected"] == pytest.approx(plain.expected_freq.min())
    assert ours["test"] == ("chi2_yates" if correction and seed == 2 else "chi2")


def test_fisher_is_used_only_for_small_expected_2x2():
    # expected count of the (1, public) cell: 6 * 10 / 20 = 3 < 5 -> Fisher
    small = _long([[1, 5], [9, 5]], [1, 0], ["public", "private"], row="code", col="condition")
    result = crosstab_test(small, "code", "condition").iloc[0]
    assert result["test"] == "fisher_exact"
    assert result["p"] == pytest.approx(stats.fisher_exact([[1, 5], [9, 5]]).pvalue, rel=1e-12)
    # same small counts in a 2 x 3 table: the Fisher-Freeman-Halton test by Monte Carlo, checked
    # against the exact p from every table with these margins (enumerated here, independently)
    wide = _long([[1, 5, 2], [9, 5, 8]], [1, 0], ["a", "b", "c"], row="code", col="condition")
    result = crosstab_test(wide, "code", "condition").iloc[0]
    assert result["test"] == "fisher_freeman_halton"
    from math import comb

    cols, top = [10, 10, 10], 8
    def probability(a, b):
        return comb(cols[0], a) * comb(cols[1], b) * comb(cols[2], top - a - b) / comb(30, top)
    observed = probability(1, 5)
    exact = sum(probability(a, b) for a in range(11) for b in range(11)
                if 0 <= top - a - b <= 10 and probability(a, b) <= observed * (1 + 1e-7))
    assert result["p"] == pytest.approx(exact, abs=4 * (exact * (1 - exact) / 20_000) ** 0.5)


def test_crosstab_bad_input():
    data = pd.DataFrame({"code": [1, 1, 1], "condition": ["a", "b", "a"]})
    with pytest.raises(ValueError, match="column 'code' has 1 group"):
        crosstab_test(data, "code", "condition")
    with pytest.raises(ValueError, match="column 'nope' is not in the data"):
        crosstab_test(data, "nope", "condition")
    gappy = pd.DataFrame({"code": [1, 0, None, None], "condition": [None, None, "a", "b"]})
    with pytest.raises(ValueError, match="at least two values each"):
        crosstab_test(gappy, "code", "condition")


def _motive_data():
    rng = np.random.default_rng(21)
    condition = np.repeat(["public", "private"], [70, 70])
    strategic = rng.random(140) < np.where(condition == "private", 0.8, 0.5)
    data = pd.DataFrame(
        {
            "condition": pd.Categorical(condition, categories=["public", "private"]),
            "code_reputation_protection": strategic.astype(int),
            "code_image_showcase": (rng.random(140) < 0.1).astype(float),
            "code_never": 0,
        }
    )
    data.loc[[3, 100], "code_image_showcase"] = np.nan  # not coded
    return data


def test_motives_by_condition_counts_and_tests():
    data = _motive_data()
    codes = ["code_reputation_protection", "code_image_showcase", "code_never"]
    table = motives_by_condition(data, codes, by="condition")
    assert list(table.columns) == [
        "motive", "n_public", "pct_public", "n_private", "pct_private", "n_total", "pct_total",
        "test", "statistic", "df", "p", "cramers_v", "p_holm",
    ]
    assert table["motive"].tolist() == ["reputation_protection", "image_showcase", "never"]
    for _, row in table.iterrows():
        column = f"code_{row['motive']}"
        coded = data.dropna(subset=[column])
        for level in ["public", "private"]:
            group = coded.loc[coded["condition"] == level, column]
            assert row[f"n_{level}"] == group.sum()
            assert row[f"pct_{level}"] == pytest.approx(100 * group.mean())
        assert row["n_total"] == coded[column].sum()
        if row["test"] != "none":
            single = crosstab_test(coded, column, "condition").iloc[0]
            for key in ["test", "p", "cramers_v"]:
                assert row[key] == single[key]
    never = table.set_index("motive").loc["never"]
    assert never["test"] == "none" and np.isnan(never["p"]) and never["pct_public"] == 0


def test_motives_by_condition_bad_codes():
    data = _motive_data()
    data["code_scale"] = 2
    with pytest.raises(ValueError, match="must hold 0 .* and 1"):
        motives_by_condition(data, ["code_scale"], by="condition")
    with pytest.raises(ValueError, match="`codes` is empty"):
        motives_by_condition(data, [], by="condition")
    with pytest.raises(ValueError, match="not in the data"):
        motives_by_condition(data, "code_reputation_protection", by="channel")


def test_sparse_r_by_c_tables_use_the_exact_test_by_monte_carlo():
    # R's fisher.test help page, Agresti (2002, p. 57) job satisfaction by income:
    #   Job <- matrix(c(1,2,1,0, 3,3,6,1, 10,10,14,9, 6,7,12,11), 4, 4); fisher.test(Job)  # 0.7827
    # The Monte Carlo p (100,000 tables) must be within 4 of its standard errors of R's exact p.
    from analysis.crosstab import fisher_freeman_halton

    job = np.array([[1, 3, 10, 6], [2, 3, 10, 7], [1, 6, 14, 12], [0, 1, 9, 11]])
    p = fisher_freeman_halton(job, draws=100_000, seed=11)
    assert abs(p - 0.7827) < 4 * np.sqrt(0.7827 * 0.2173 / 100_000)
    assert fisher_freeman_halton(job, draws=2000, seed=3) == fisher_freeman_halton(job, draws=2000, seed=3)
    assert fisher_freeman_halton(job, draws=2000, seed=3) != fisher_freeman_halton(job, draws=2000, seed=4)


def test_motive_tests_are_holm_adjusted_and_sparse_tables_say_so():
    rng = np.random.default_rng(4)
    data = pd.DataFrame({"condition": np.repeat(["a", "b", "c"], 20),
                         "code_x": rng.integers(0, 2, 60), "code_y": (rng.random(60) < 0.05).astype(int)})
    table = motives_by_condition(data, ["code_x", "code_y"], by="condition").set_index("motive")
    assert table.loc["y", "test"] == "fisher_freeman_halton"  # expected counts far below 5
    assert table.loc["x", "test"] == "chi2"
    from statsmodels.stats.multitest import multipletests

    assert table["p_holm"].to_numpy() == pytest.approx(multipletests(table["p"], method="holm")[1])
