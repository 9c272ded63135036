"""Tests of analysis.apa: APA 7 rules written out by hand, and real results."""

import numpy as np
import pandas as pd
import pytest

from analysis.apa import (
    apa,
    apa_agreement,
    apa_anova_row,
    apa_chi2,
    apa_correlation,
    apa_descriptive,
    apa_mediation,
    apa_t,
    apa_welch,
    format_number,
    format_p,
)

# --- p values ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("p", "expected"),
    [
        (0.0004, "p < .001"),
        (0.00099, "p < .001"),
        (0.001, "p = .001"),
        (0.0441, "p = .044"),
        (0.0445, "p = .045"),  # half rounds up on the decimal as written
        (0.0449, "p = .045"),
        (0.05, "p = .050"),  # trailing zero kept: three decimals
        (0.5, "p = .500"),
        (0.9994, "p = .999"),
        (0.9996, "p > .999"),  # never "p = 1.000"
        (1.0, "p > .999"),
        (0.0, "p < .001"),
    ],
)
def test_format_p_rules(p, expected):
    assert format_p(p) == expected


@pytest.mark.parametrize(
    ("style", "expected"),
    [
        ("text", "p = .044"),
        ("unicode", "p = .044"),
        ("html", "<i>p</i> = .044"),
        ("markdown", "*p* = .044"),
    ],
)
def test_format_p_styles(style, expected):
    assert format_p(0.0441, style=style) == expected


def test_format_p_html_escapes_less_than():
    assert format_p(1e-6, style="html") == "<i>p</i> &lt; .001"


@pytest.mark.parametrize("bad", [float("nan"), -0.01, 1.2, None, "0.03"])
def test_format_p_rejects_bad_values(bad):
    with pytest.raises(ValueError, match="p"):
        format_p(bad)


def test_unknown_style():
    with pytest.raises(ValueError, match="`style` must be one of text, unicode, html, markdown"):
        format_p(0.5, style="latex")


# --- numbers -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "kwargs", "expected"),
    [
        (4.125, {}, "4.13"),
        (4.115, {}, "4.12"),  # binary 4.1149999... but written 4.115: rounds up
        (-0.125, {}, "-0.13"),
        (-0.125, {"style": "unicode"}, "\u22120.13"),
        (0.034, {"leading_zero": False}, ".03"),
        (-0.004, {}, "0.00"),  # no negative zero
        (12.0, {"digits": 0}, "12"),
    ],
)
def test_format_number(value, kwargs, expected):
    assert format_number(value, **kwargs) == expected


# --- named formatters: hand-written expectations ------------------------------


def test_anova_row_in_every_style():
    args = (4.1234, 1, 138, 0.0441)
    assert apa_anova_row(*args, eta2_p=0.029) == "F(1, 138) = 4.12, p = .044, eta2_p = .03"
    assert apa_anova_row(*args, eta2_p=0.029, style="unicode") == "F(1, 138) = 4.12, p = .044, η²p = .03"
    assert apa_anova_row(*args, eta2_p=0.029, style="html") == (
        "<i>F</i>(1, 138) = 4.12, <i>p</i> = .044, η<sub>p</sub><sup>2</sup> = .03"
    )
    assert apa_anova_row(*args, eta2_p=0.029, style="markdown") == "*F*(1, 138) = 4.12, *p* = .044, η²p = .03"
    assert apa_anova_row(*args) == "F(1, 138) = 4.12, p = .044"


def test_welch_has_fractional_df():
    assert apa_welch(4.049, 1, 97.3456, 0.0469) == "Welch's F(1, 97.35) = 4.05, p = .047"


def test_t_negative_and_effect_size():
    assert apa_t(-2.031, 138, 0.0442, d=-0.343) == "t(138) = -2.03, p = .044, d = -0.34"
    assert apa_t(2.5, 138, 0.0136, d=1.234, style="html") == "<i>t</i>(138) = 2.50, <i>p</i> = .014, <i>d</i> = 1.23"


def test_correlation_drops_leading_zero():
    assert apa_correlation(-0.2109, 140, 0.0123) == "r(138) = -.21, p = .012"
    assert apa_correlation(0.2109, 140, 0.0123, ci_low=0.046, ci_high=0.364, style="unicode") == (
        "r(138) = .21, p = .012, 95% CI [.05, .36]"
    )


def test_mediation_interval():
    assert apa_mediation(0.1234, -0.0312, 0.2851) == "indirect effect = 0.12, 95% CI [-0.03, 0.29]"
    assert apa_mediation(0.1234, -0.0312, 0.2851, ci=0.9, style="unicode") == (
        "indirect effect = 0.12, 90% CI [\u22120.03, 0.29]"
    )


def test_descriptive_chi2_agreement():
    assert apa_descriptive(4.1234, 1.0349) == "M = 4.12, SD = 1.03"
    assert apa_descriptive(4.1234, 1.0349, n=70, style="html") == "<i>M</i> = 4.12, <i>SD</i> = 1.03, <i>n</i> = 70"
    assert apa_chi2(4.118, 1, 140, 0.0424, cramers_v=0.1715) == "chi2(1, N = 140) = 4.12, p = .042, V = .17"
    assert apa_chi2(4.118, 1, 140, 0.0424, style="html") == (
        "χ<sup>2</sup>(1, <i>N</i> = 140) = 4.12, <i>p</i> = .042"
    )
    assert apa_agreement(0.7434, kind="kappa", ci_low=0.612, ci_high=0.851) == "kappa = .74, 95% CI [.61, .85]"
    assert apa_agreement(0.7434, style="unicode") == "α = .74"


def test_nonfinite_statistic_is_an_error():
    with pytest.raises(ValueError, match="only finite numbers"):
        apa_t(float("nan"), 10, 0.5)


# --- apa() on real results -----------------------------------------------------


def test_apa_of_anova_matches_r_plantgrowth(plant_growth):
    # R: summary(aov(weight ~ group, PlantGrowth)): group Df 2, Residuals 27,
    # F value 4.846, Pr(>F) 0.0159; eta2_p = 3.766 / (3.766 + 10.492) = .264.
    from analysis.anova import anova

    table = anova(plant_growth, "weight", "group")
    assert apa(table) == "F(2, 27) = 4.85, p = .016, eta2_p = .26"
    assert apa(table, effect="group", style="unicode") == "F(2, 27) = 4.85, p = .016, η²p = .26"


def test_apa_of_welch_matches_r_plantgrowth(plant_growth):
    # R: oneway.test(weight ~ group, PlantGrowth): F = 5.181, num df = 2,
    # denom df = 17.128, p-value = 0.01739.
    from analysis.anova import welch_anova

    assert apa(welch_anova(plant_growth, "weight", "group")) == "Welch's F(2, 17.13) = 5.18, p = .017"


def test_apa_of_factorial_anova_needs_effect(tooth_growth):
    from analysis.anova import anova

    table = anova(tooth_growth, "len", ["supp", "dose"])
    with pytest.raises(ValueError, match="pass effect="):
        apa(table)
    with pytest.raises(ValueError, match="effect 'nope' is not in the table"):
        apa(table, effect="nope")
    row = table.set_index("source").loc["supp:dose"]
    text = apa(table, effect="supp:dose")
    residual_df = int(table.set_index("source").loc["Residual", "df"])
    assert text == (
        f"F({int(row['df'])}, {residual_df}) = {format_number(row['F'])}, {format_p(row['p'])}, "
        f"eta2_p = {format_number(row['eta2_p'], leading_zero=False)}"
    )


def test_apa_numbers_come_from_the_result():
    rng = np.random.default_rng(5)
    for _ in range(20):
        t, df, p, d = rng.normal(0, 3), rng.integers(10, 300), rng.uniform(0.002, 0.99), rng.normal(0, 1)
        text = apa(pd.DataFrame({"t": [t], "df": [float(df)], "p": [p], "d": [d]}))
        assert text == f"t({df}) = {t:.2f}, p = {f'{p:.3f}'[1:]}, d = {d:.2f}".replace("-0.00", "0.00")


def test_apa_of_crosstab_and_agreement_results():
    from analysis.agreement import cohen_kappa
    from analysis.crosstab import crosstab_test

    data = pd.DataFrame({"code": [1] * 30 + [0] * 10 + [1] * 18 + [0] * 22,
                         "condition": ["private"] * 40 + ["public"] * 40})
    # chi2 = 80 (30*22 - 10*18)^2 / (48 * 32 * 40 * 40) = 7.5, p = .006, V = sqrt(7.5/80)
    assert apa(crosstab_test(data, "code", "condition")) == "chi2(1, N = 80) = 7.50, p = .006, V = .31"
    small = pd.DataFrame({"code": [1, 1, 1, 0, 0, 0, 1, 0], "condition": ["a"] * 4 + ["b"] * 4})
    assert apa(crosstab_test(small, "code", "condition")).startswith("Fisher's exact test, p = ")
    kappa = cohen_kappa([1, 1, 0, 0, 1, 0], [1, 0, 0, 0, 1, 0])  # p_o 5/6, p_e 1/2: kappa 2/3
    assert apa(kappa).startswith("kappa = .67, 95% CI [")


def test_apa_of_describe_row():
    from analysis.descriptives import describe

    frame = pd.DataFrame({"condition": ["a", "a", "b", "b"], "y": [1.0, 3.0, 4.0, 6.0]})
    table = describe(frame, "y", "condition")
    assert apa(table.iloc[0]) == "M = 2.00, SD = 1.41, n = 2"
    with pytest.raises(ValueError, match="has 2 rows"):
        apa(table)


def _mediation_data(seed=8, n=140):
    rng = np.random.default_rng(seed)
    condition = np.repeat(["public", "private"], n // 2)
    public = (condition == "public").astype(float)
    pk = 0.5 * public + rng.normal(size=n)
    realism = -0.3 * public + rng.normal(size=n)
    attitude = 0.3 * public + 0.4 * pk + 0.2 * realism + rng.normal(size=n)
    return pd.DataFrame({"condition": condition, "pk_scale": pk, "realism": realism, "attitude": attitude})


def test_apa_of_a_mediation_result():
    from analysis.mediation import mediation

    data = _mediation_data()
    single = mediation(data, x="condition", m="pk_scale", y="attitude", n_boot=300, seed=3)
    row = single.indirect.loc["pk_scale"]
    assert apa(single) == (
        f"indirect effect = {format_number(row['effect'])}, "
        f"95% CI [{format_number(row['ci_low'])}, {format_number(row['ci_high'])}]"
    )
    parallel = mediation(data, x="condition", m=["pk_scale", "realism"], y="attitude", n_boot=300, seed=3,
                         ci=0.9)
    parts = apa(parallel, style="unicode").split("; ")
    assert [p.split(" = ")[0] for p in parts] == [
        "indirect effect via pk_scale", "indirect effect via realism", "total indirect effect"]
    for part, name in zip(parts, ["pk_scale", "realism", "total"]):
        row = parallel.indirect.loc[name]
        assert part.endswith(
            f"= {format_number(row['effect'], style='unicode')}, 90% CI "
            f"[{format_number(row['ci_low'], style='unicode')}, {format_number(row['ci_high'], style='unicode')}]"
        )


def test_apa_unknown_result():
    with pytest.raises(ValueError, match="cannot tell what kind"):
        apa({"x": 1.0})
    with pytest.raises(ValueError, match="cannot format a list"):
        apa([1, 2])
    with pytest.raises(ValueError, match="`kind` must be one of"):
        apa({"F": 1.0}, kind="manova")


def test_apa_of_group_comparison_matches_r_sleep(sleep):
    # R: t.test(extra ~ group, data = sleep) (Welch): t = -1.8608, df = 17.776,
    # p-value = 0.07939; with var.equal = TRUE: t = -1.8608, df = 18, p = 0.07919.
    from analysis.groups import compare_groups

    result = compare_groups(sleep, "extra", "group")
    d = result.effects.set_index("effect").loc["cohen_d", "estimate"]
    assert apa(result) == f"t(17.78) = -1.86, p = .079, d = {format_number(d)}"
    assert apa(result, effect="student", style="unicode").startswith("t(18) = \u22121.86, p = .079, d = \u2212")
    with pytest.raises(ValueError, match="test 'mann_whitney' is not in the comparison"):
        apa(result, effect="mann_whitney")


def test_apa_of_correlation_table():
    from analysis.correlation import correlate

    rng = np.random.default_rng(9)
    frame = pd.DataFrame({"pk_scale": rng.normal(size=50)})
    frame["attitude"] = 0.3 * frame["pk_scale"] + rng.normal(size=50)
    table = correlate(frame, "pk_scale", "attitude")
    with pytest.raises(ValueError, match="pass effect= one of the rows \\('pearson', 'spearman'\\)"):
        apa(table)
    pearson = table.set_index("method").loc["pearson"]
    assert apa(table, effect="pearson") == (
        f"r(48) = {format_number(pearson['r'], leading_zero=False)}, {format_p(pearson['p'])}, "
        f"95% CI [{format_number(pearson['ci_low'], leading_zero=False)}, "
        f"{format_number(pearson['ci_high'], leading_zero=False)}]"
    )
    assert apa(table, effect="spearman").startswith("r_s(48) = .")
    assert apa(table, effect="spearman", style="html").startswith("<i>r</i><sub>s</sub>(48) = .")


# --- Dutch words (lang="nl") ---------------------------------------------------
# Dutch APA usage (e.g. the Dutch translation of the APA guidelines): "BI" =
# betrouwbaarheidsinterval; the decimal point is kept, as in English-language journals.


def test_dutch_words_in_each_formatter():
    assert apa_mediation(0.1234, -0.0312, 0.2851, lang="nl") == "indirect effect = 0.12, 95%-BI [-0.03, 0.29]"
    assert apa_mediation(0.1234, -0.0312, 0.2851, ci=0.9, mediator="pk_scale", style="unicode", lang="nl") == (
        "indirect effect via pk_scale = 0.12, 90%-BI [\u22120.03, 0.29]")
    assert apa_welch(4.049, 1, 97.3456, 0.0469, lang="nl") == "Welch-F(1, 97.35) = 4.05, p = .047"
    assert apa_welch(4.049, 1, 97.3456, 0.0469, style="html", lang="nl") == (
        "Welch-<i>F</i>(1, 97.35) = 4.05, <i>p</i> = .047")
    assert apa_correlation(0.2109, 140, 0.0123, ci_low=0.046, ci_high=0.364, lang="nl") == (
        "r(138) = .21, p = .012, 95%-BI [.05, .36]")
    assert apa_chi2(float("nan"), float("nan"), 20, 0.03, test="fisher_exact", lang="nl") == (
        "exacte toets van Fisher, p = .030")
    assert apa_agreement(0.7434, ci_low=0.61, ci_high=0.85, lang="nl") == "alpha = .74, 95%-BI [.61, .85]"


@pytest.mark.parametrize("style", ["text", "unicode", "html", "markdown"])
def test_dutch_changes_only_the_words(style):
    """The numbers and symbols of a Dutch string are those of the English one."""
    pairs = [
        (apa_welch(4.049, 1, 97.3456, 0.0469, style=style), apa_welch(4.049, 1, 97.3456, 0.0469, style=style,
                                                                       lang="nl"), "Welch's ", "Welch-"),
        (apa_mediation(-0.0812, -0.2113, 0.0149, style=style),
         apa_mediation(-0.0812, -0.2113, 0.0149, style=style, lang="nl"), "95% CI", "95%-BI"),
    ]
    for english, dutch, word_en, word_nl in pairs:
        assert word_en in english and word_en not in dutch
        assert dutch == english.replace(word_en, word_nl)


def test_lang_default_is_english_and_explicit_english_is_identical():
    args = (0.1234, -0.0312, 0.2851)
    assert apa_mediation(*args) == apa_mediation(*args, lang="en")
    assert apa_welch(4.049, 1, 97.3456, 0.0469) == apa_welch(4.049, 1, 97.3456, 0.0469, lang="en")


def test_unknown_lang_is_an_error():
    for call in (lambda: apa_mediation(0.1, 0.0, 0.2, lang="de"),
                 lambda: apa_welch(4.0, 1, 90, 0.05, lang="fr"),
                 lambda: apa_correlation(0.2, 140, 0.01, lang="EN"),
                 lambda: apa_chi2(4.1, 1, 140, 0.04, lang="de"),
                 lambda: apa_agreement(0.7, lang="de"),
                 lambda: apa({"r": 0.2, "n": 50, "p": 0.1}, lang="de")):
        with pytest.raises(ValueError, match="`lang` must be one of en, nl"):
            call()


def test_apa_of_a_mediation_result_in_dutch():
    from analysis.mediation import mediation

    parallel = mediation(_mediation_data(), x="condition", m=["pk_scale", "realism"], y="attitude", n_boot=200,
                         seed=3)
    english, dutch = apa(parallel), apa(parallel, lang="nl")
    assert [p.split(" = ")[0] for p in dutch.split("; ")] == [
        "indirect effect via pk_scale", "indirect effect via realism", "totaal indirect effect"]
    assert dutch == english.replace("95% CI", "95%-BI").replace("; total ", "; totaal ")


def test_apa_of_a_welch_table_in_dutch(plant_growth):
    from analysis.anova import welch_anova

    # R: oneway.test(weight ~ group, data = PlantGrowth): F = 5.181, num df = 2,
    # denom df = 17.128, p-value = 0.01739 (as in test_apa_of_welch_matches_r_plantgrowth)
    table = welch_anova(plant_growth, "weight", "group")
    assert apa(table, lang="nl") == "Welch-F(2, 17.13) = 5.18, p = .017"
    assert apa(table, style="markdown", lang="nl") == "Welch-*F*(2, 17.13) = 5.18, *p* = .017"


@pytest.mark.parametrize(
    "value,style,expected",
    [
        (1.8e30, "text", "1.80 x 10^30"),  # Levene's F of cells whose values are all equal
        (-7e32, "unicode", "\u22127.00 \u00d7 10^32"),
        (2.5e26, "html", "2.50 \u00d7 10<sup>26</sup>"),
        (123456789012.345, "text", "123456789012.35"),  # below 1e15: every digit, rounded half up
    ],
)
def test_huge_numbers_are_written_with_a_power_of_ten_not_a_crash(value, style, expected):
    assert format_number(value, style=style) == expected
