"""analysis.process against published PROCESS output (PROCESS for SPSS 2.16.3, HC3), models 1-8, 14, 15, 58, 59.

Source: the reference outputs shipped with pyprocessmacro (github.com/QuentinAndre/pyprocessmacro,
``tests/Results/Results_OLS_Model{k}.txt``, the printed output of PROCESS for SPSS release 2.16.3
run with ``hc3=1`` on ``tests/Data/Data_Model{k}.csv``), copied verbatim to
``tests/data/process/process216_model{k}.txt``; the data are in ``process216_data.csv`` (see the
README there). Every number below is read from those files at run time, so the source sits beside
the expected values: the file name and the line the parser reads.

Tolerances: PROCESS prints 4 decimals, so deterministic quantities (coefficients, HC3 SEs, t, p,
t-intervals, R-squared, MSE, the HC3 Wald F, R-squared change, conditional and direct effects,
point estimates of indirect effects and indices) must agree to half a unit in the 4th decimal
(5e-5, plus 1e-9 for float noise). Bootstrap SEs and bias-corrected bounds come from other random
draws (5000 resamples there and here): a 2.5% quantile of 5000 draws has a Monte Carlo SE of about
0.038 bootstrap SDs, the difference of two runs 0.054 SD; we allow 0.3 SD (5.5 such SEs) for the
bounds and 6% for the SEs.

PROCESS 2 names moderators differently from PROCESS 4 (models 1-3: M and W, here w and z; models
14-15: V, here w) and probes them at the mean and +-1 SD, which the tests pass as ``w_values``.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.process import process

DATA = Path(__file__).resolve().parents[1] / "data" / "process"
DETERMINISTIC = 5e-5 + 1e-9

# our call per model: PROCESS 2's role -> our column (process216_data.csv holds one column per
# distinct variable; README.md lists which model each came from)
MODELS = {
    1: dict(w="m_1", y="y_1", rename={"m": "m_1"}),
    2: dict(w="m_1", z="w", y="y_2", rename={"m": "m_1"}),
    3: dict(w="m_1", z="w", y="y_3", rename={"m": "m_1"}),
    4: dict(m=["m1_4", "m2_4"], y="y_4"),
    5: dict(w="w", m=["m1_4", "m2_4"], y="y_5"),
    6: dict(m=["m1_4", "m2_6"], y="y_6"),
    7: dict(w="w", m=["m1_7", "m2_7"], y="y_7"),
    8: dict(w="w", m=["m1_7", "m2_7"], y="y_8"),
    14: dict(w="v", m=["m1_4", "m2_4"], y="y_14"),
    15: dict(w="v", m=["m1_4", "m2_4"], y="y_15"),
    58: dict(w="w", m=["m1_7", "m2_7"], y="y_58"),
    59: dict(w="w", m=["m1_7", "m2_7"], y="y_59"),
}


def parse_process2(text: str) -> dict:
    """The blocks of a PROCESS 2 output: per outcome its summary, coefficients, product key and
    R-squared change; and the effect tables by their heading."""
    lines = text.replace("\r", "").split("\n")
    parsed, outcome, i = {"outcomes": {}, "tables": {}}, None, 0
    while i < len(lines):
        line = lines[i].strip()
        if line.startswith("Outcome:"):
            outcome = line.split(":", 1)[1].strip()
            parsed["outcomes"][outcome] = {"coef": {}, "products": {}, "r2change": {}}
        elif line == "Model Summary":
            parsed["outcomes"][outcome]["summary"] = dict(zip(lines[i + 1].split(), map(float, lines[i + 2].split())))
            i += 2
        elif line == "Model":
            i += 2
            while lines[i].strip():
                parts = lines[i].split()
                parsed["outcomes"][outcome]["coef"][parts[0]] = list(map(float, parts[1:7]))
                i += 1
        elif line.startswith("Product terms key"):
            i += 2
            while lines[i].strip():
                parts = lines[i].split()
                parsed["outcomes"][outcome]["products"][parts[0]] = tuple(p for p in parts[1:] if p != "X")
                i += 1
        elif line.startswith("R-square increase due to"):
            i += 2
            while lines[i].strip():
                parts = lines[i].split()
                values = list(map(float, parts[1:]))
                # "R2-chng F df1 df2 p", or for a three-way term "R2-chng F(1,df2) df2 p"
                parsed["outcomes"][outcome]["r2change"][parts[0]] = (values[0], values[1], values[-1])
                i += 1
        elif line and (line.endswith(":") or line.startswith(("Direct effect", "Indirect effect", "Mediator"))):
            if not lines[i + 1].strip():  # a heading over blocks of their own ("Mediator" ...)
                i += 1
                continue
            header, rows, i = lines[i + 1].split(), [], i + 2
            while i < len(lines) and lines[i].strip():
                rows.append(lines[i].split())
                i += 1
            if rows and header:
                parsed["tables"].setdefault(line, []).append((header, rows))
            continue
        i += 1
    return parsed


def mean_and_sd(values: pd.Series) -> list[float]:
    return [values.mean() - values.std(), values.mean(), values.mean() + values.std()]


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return pd.read_csv(DATA / "process216_data.csv")


@pytest.fixture(scope="module")
def fitted(data):
    """Per model: (our result, the parsed PROCESS output, PROCESS's variable names -> ours)."""
    results = {}
    for model, roles in MODELS.items():
        roles = dict(roles)
        names = {"x": "x", "v": "v", "y": roles["y"], **roles.pop("rename", {})}
        if model > 3:
            names["w"] = roles.get("w", "w")
        else:
            names["w"] = roles.get("z", "w")
        if "m" in roles:
            names.update(m1=roles["m"][0], m2=roles["m"][1])
        arguments = dict(roles)
        for role in ("w", "z"):
            if role in arguments:
                arguments[f"{role}_values"] = mean_and_sd(data[arguments[role]])
        result = process(data, model, x="x", hc="HC3", n_boot=5000, ci_method="bc", seed=20240612, **arguments)
        parsed = parse_process2((DATA / f"process216_model{model}.txt").read_text(encoding="utf-8"))
        results[model] = (result, parsed, names)
    return results


def our_term(table: pd.DataFrame, parts, names) -> str:
    wanted = {names.get(part, part) for part in parts}
    found = [term for term in table.index if set(term.split(":")) == wanted]
    assert len(found) == 1, (parts, list(table.index))
    return found[0]


@pytest.mark.parametrize("model", sorted(MODELS))
def test_coefficients_hc3_and_model_summary_match_process(fitted, model):
    result, parsed, names = fitted[model]
    assert set(result.coefficients) == {names[outcome] for outcome in parsed["outcomes"]}
    for outcome, printed in parsed["outcomes"].items():
        ours = result.coefficients[names[outcome]]
        assert len(ours) == len(printed["coef"])
        for term, expected in printed["coef"].items():
            row = "constant" if term == "constant" else our_term(ours, printed["products"].get(term, (term,)), names)
            # coeff, se (HC3), t, p, LLCI, ULCI as printed
            np.testing.assert_allclose(ours.loc[row].to_numpy(), expected, rtol=0, atol=DETERMINISTIC, err_msg=f"{outcome} {term}")
        summary = result.model_summary.loc[names[outcome]]
        stats = printed["summary"]  # R, R-sq, MSE, F (the HC3 Wald F), df1, df2, p
        np.testing.assert_allclose(
            [np.sqrt(summary["r2"]), summary["r2"], result.mse[names[outcome]], summary["F"], summary["df1"], summary["df2"], summary["p"]],
            [stats["R"], stats["R-sq"], stats["MSE"], stats["F"], stats["df1"], stats["df2"], stats["p"]],
            rtol=0, atol=DETERMINISTIC,
        )
        for term, (change, statistic, p) in printed["r2change"].items():
            if term == "Both":  # the joint test of the two products (model 2)
                label = ", ".join(our_term(ours, parts, names) for parts in printed["products"].values())
            else:
                label = our_term(ours, printed["products"][term], names)
            row = result.interaction_tests.set_index(["outcome", "term"]).loc[(names[outcome], label)]
            np.testing.assert_allclose([row["r2_change"], row["F"], row["p"]], [change, statistic, p], rtol=0, atol=DETERMINISTIC)
        if printed["r2change"]:  # PROCESS 2.16 prints them for models 1-3; there, no test it does not print
            tested = int((result.interaction_tests["outcome"] == names[outcome]).sum())
            assert tested == len(printed["r2change"]), outcome  # model 3: the three-way product only


def _effect_rows(table, moderators: list[str]) -> dict:
    """Printed rows keyed by their moderator values (rounded as printed)."""
    return {tuple(round(float(v), 4) for v in row[: len(moderators)]): list(map(float, row[len(moderators):])) for row in table}


@pytest.mark.parametrize("model", [1, 2, 3, 5, 8, 15, 59])
def test_conditional_effects_of_x_match_process(fitted, model):
    result, parsed, names = fitted[model]
    heading = next(key for key in parsed["tables"] if key.startswith(("Conditional effect of X on Y", "Conditional direct effect")))
    header, rows = parsed["tables"][heading][0]
    moderators = header[: header.index("Effect")]
    # PROCESS's moderator name -> our column -> its role, w or z
    roles = {moderator: "w" if names.get(moderator, moderator) == result.w else "z" for moderator in moderators}
    printed = _effect_rows(rows, moderators)
    ours = result.conditional_effects
    assert len(ours) == len(printed)
    for _, row in ours.iterrows():
        key = tuple(round(row[roles[moderator]], 4) for moderator in moderators)
        np.testing.assert_allclose(row[["effect", "se", "t", "p", "ci_low", "ci_high"]].to_numpy(float), printed[key], rtol=0, atol=DETERMINISTIC)


@pytest.mark.parametrize("model", [4, 6, 7, 14, 58])
def test_direct_effect_matches_process(fitted, model):
    result, parsed, _ = fitted[model]
    (_, rows), = parsed["tables"]["Direct effect of X on Y"]
    np.testing.assert_allclose(result.direct_effect.loc["x"].to_numpy(), list(map(float, rows[0])), rtol=0, atol=DETERMINISTIC)


def _check_bootstrap_row(ours, effect, boot_se, low, high, what):
    assert ours[0] == pytest.approx(effect, abs=DETERMINISTIC), what
    assert ours[1] == pytest.approx(boot_se, rel=0.06), what
    assert ours[2] == pytest.approx(low, abs=0.3 * boot_se), what
    assert ours[3] == pytest.approx(high, abs=0.3 * boot_se), what


@pytest.mark.parametrize("model", [4, 5, 6])
def test_indirect_effects_match_process(fitted, model):
    result, parsed, names = fitted[model]
    heading = next(key for key in parsed["tables"] if key.startswith("Indirect effect"))
    _, rows = parsed["tables"][heading][0]
    key_lines = {}
    if model == 6:  # "Ind1 :   x -> m1 -> y" in the key below the table
        text = (DATA / "process216_model6.txt").read_text(encoding="utf-8")
        for line in text.splitlines():
            if line.strip().startswith("Ind") and "->" in line:
                label, path = line.split(":", 1)
                key_lines[label.strip()] = " -> ".join(names[part] for part in path.split() if part != "->")
    for row in rows:
        label = row[0].rstrip(":")
        values = list(map(float, [v for v in row[1:] if v != ":"]))
        if label.upper() == "TOTAL":
            ours = result.indirect.loc["total"]
        elif label in key_lines:
            ours = result.indirect.loc[key_lines[label]]
        else:  # a mediator's name
            ours = result.indirect.loc[f"x -> {names[label]} -> {names['y']}"]
        _check_bootstrap_row(ours.to_numpy(), *values, f"model {model} {label}")


@pytest.mark.parametrize("model", [7, 8, 14, 15, 58, 59])
def test_conditional_indirect_effects_and_index_match_process(fitted, model):
    result, parsed, names = fitted[model]
    tables = parsed["tables"]["Mediator"]
    conditional = [rows for header, rows in tables if header[0] in ("w", "v")]
    ours = result.conditional_indirect
    checked = 0
    for rows in conditional:
        for row in rows:
            mediator, value, *numbers = row
            match = ours[(ours["m"] == names[mediator]) & (ours["w"].round(4) == float(value))]
            assert len(match) == 1
            _check_bootstrap_row(match[["effect", "boot_se", "ci_low", "ci_high"]].to_numpy()[0], *map(float, numbers), f"{mediator} at {value}")
            checked += 1
    assert checked == len(ours) == 6
    indexes = [rows for header, rows in tables if header[0] in ("Index", "Effect")]
    if model in (58, 59):  # the indirect effect is quadratic in W: PROCESS prints no index, nor do we
        assert not indexes and result.index is None
        return
    (rows,) = indexes[-1:]
    for mediator, *numbers in rows:
        _check_bootstrap_row(result.index.loc[names[mediator]].to_numpy(), *map(float, numbers), f"index {mediator}")


def test_probed_moderator_values_are_the_printed_mean_and_sd(fitted):
    # PROCESS 2 prints them in the conditional-effect tables (model 1: m = -.9795, .0188, 1.0171)
    result, parsed, _ = fitted[1]
    (_, rows), = parsed["tables"]["Conditional effect of X on Y at values of the moderator(s):"]
    np.testing.assert_allclose(result.moderator_values["w"], [float(row[0]) for row in rows], atol=DETERMINISTIC)
