"""Did it replicate? This study's estimate of each of the original's claims, and a verdict.

For every claim of the study file's ``original`` block (:mod:`study.design.original`)
:func:`replication_verdicts` computes the quantity the claim names from the analysed
data and the hypothesis outcomes, then tests it the way the original reported it:

- a direction: :func:`analysis.claim_tests` (one-sided test); the verdict is its verdict;
- no relation: :func:`analysis.claim_tests` with the plan's equivalence bounds (the
  two-sided test, the equivalence test and, for d and r, a Bayes factor for the null);
  *replicated* when the equivalence test shows the effect is smaller than the bounds,
  *not replicated* when the two-sided test finds an effect and the equivalence test
  does not rule out a relevant one, *inconclusive* otherwise;
- an estimate: :func:`analysis.replication_tests` (six published criteria side by side);
  the verdict is that of the sceptical p-value (Held, 2020), the others are shown.

The rules live with the report, which states them (:mod:`study.report.verdicts`), and
the preregistration states them before the data exist.

>>> from study import load_study
>>> [claim.reported.claim for claim in load_study("tilburg").original.claims][:2]
['positive', 'positive']
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from analysis.replication import claim_tests, replication_tests
from study.report.verdicts import VERDICT_RULES, claim_verdict

SUMMARY_COLUMNS = ["claim", "quantity", "kind", "claimed", "estimate", "se", "ci_low", "ci_high", "n", "bound",
                   "verdict", "deciding_criterion", "reason"]
NOT_TESTED = "not tested"


def _values_by_level(data: pd.DataFrame, factor: str, levels: list[str], column: str) -> list[pd.Series]:
    """The numeric values of ``column`` at each of ``levels`` of ``factor``, missing ones dropped."""
    values = [pd.to_numeric(data.loc[data[factor].astype("object") == level, column],
                            errors="coerce").dropna() for level in levels]
    return values


def _smd(quantity, results):
    outcome = results.hypothesis(quantity.hypothesis)
    factor = quantity.factor or outcome.hypothesis.between_factors[0]
    comparison = outcome.comparisons[factor]
    d = float(comparison.effects.set_index("effect").loc["cohen_d", "estimate"])
    sizes = dict(zip(comparison.descriptives[factor].astype("object"), comparison.descriptives["n"]))
    first, second = quantity.levels
    if tuple(comparison.groups) != (first, second):  # the claim's order is the other way round
        d = -d
    return {"estimate": d, "n": (int(sizes[first]), int(sizes[second])), "kind": "smd", "se": None}


def _proportion(quantity, results):
    data = results.analysed
    (values,) = _values_by_level(data, quantity.factor, quantity.levels, quantity.column)
    n, share = len(values), float(values.mean()) if len(values) else math.nan
    null = quantity.against
    # a score test of the share against `against`: the se under the null
    return {"estimate": share - null, "se": math.sqrt(null * (1 - null) / n) if n else math.nan,
            "n": n, "kind": "generic", "shown": share, "offset": null}


def _proportion_difference(quantity, results):
    first, second = _values_by_level(results.analysed, quantity.factor, quantity.levels, quantity.column)
    p1, p2 = float(first.mean()), float(second.mean())
    se = math.sqrt(p1 * (1 - p1) / len(first) + p2 * (1 - p2) / len(second))
    return {"estimate": p1 - p2, "se": se if se > 0 else math.nan, "n": (len(first), len(second)),
            "kind": "generic"}


def _correlation(quantity, results):
    pair = results.analysed[[quantity.column, quantity.y]].apply(pd.to_numeric, errors="coerce").dropna()
    r = float(np.corrcoef(pair[quantity.column], pair[quantity.y])[0, 1])
    return {"estimate": r, "n": len(pair), "kind": "r", "se": None}


def _indirect(quantity, results):
    model = results.hypothesis(quantity.hypothesis).primary
    row = model.indirect.iloc[0]
    sd_y = float(np.std(model.y_values, ddof=1))
    return {"estimate": float(row["effect"]), "se": float(row["boot_se"]), "n": int(model.n),
            "kind": "generic", "sd_y": sd_y}


_QUANTITIES = {"smd": _smd, "proportion": _proportion, "proportion_difference": _proportion_difference,
               "correlation": _correlation, "indirect": _indirect}


def _equivalence_bound(computed: dict, bound_d: float) -> float:
    """The plan's equivalence bound (Cohen's d) on the quantity's own scale."""
    if computed["kind"] == "smd":
        return bound_d
    if computed["kind"] == "r":
        return bound_d / math.sqrt(bound_d * bound_d + 4)  # r equivalent to d, equal groups
    return bound_d * computed["sd_y"]  # an indirect effect, partially standardised like d


def _criteria(claim, computed: dict, study) -> pd.DataFrame:
    plan = study.analysis
    reported = claim.reported
    generic = computed["kind"] == "generic"
    size = {"se": computed["se"]} if generic else {"n": computed["n"]}  # generic: se; d and r: N
    common = {"kind": computed["kind"], "alpha": plan.alpha}
    if reported.claim in ("positive", "negative"):
        return claim_tests(computed["estimate"], claim=reported.claim, **size, **common)
    if reported.claim == "none":
        bound = _equivalence_bound(computed, max(abs(b) for b in plan.equivalence_bounds))
        return claim_tests(computed["estimate"], claim="none", equivalence_bounds=bound, **size, **common)
    original = {"original_se": reported.standard_error} if generic or reported.n is None \
        else {"original_n": reported.n}
    replication = {"replication_se": computed["se"]} if generic else {"replication_n": computed["n"]}
    return replication_tests(reported.estimate, computed["estimate"], **original, **replication, **common)


def _sampling_se(computed: dict) -> float:
    """The estimate's standard error for pooling across sites (a share: its own, not the null's)."""
    if "shown" in computed:
        share, n = computed["shown"], computed["n"]
        return math.sqrt(share * (1 - share) / n) if n else math.nan
    if computed["kind"] == "smd":
        n1, n2 = computed["n"]
        d = computed["estimate"]
        return math.sqrt((n1 + n2) / (n1 * n2) + d * d / (2 * (n1 + n2)))
    if computed["kind"] == "r":
        return 1 / math.sqrt(computed["n"] - 3)  # of Fisher's z
    return computed["se"]


def _not_tested(claim, error: Exception) -> dict:
    """The summary row of a claim this study's data could not test, with the reason."""
    reason = str(error.args[0]) if isinstance(error, KeyError) and error.args else str(error)
    return {"claim": claim.id, "quantity": claim.quantity.kind, "kind": "", "claimed": claim.reported.claim,
            "estimate": math.nan, "se": math.nan, "ci_low": math.nan, "ci_high": math.nan, "n": 0,
            "bound": math.nan, "verdict": NOT_TESTED, "deciding_criterion": "", "reason": reason}


def replication_verdicts(results) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """This study's estimate and verdict for every claim of the original.

    Parameters
    ----------
    results : study.pipeline.run.Results
        With the hypotheses run and the analysed rows.

    Returns
    -------
    (pandas.DataFrame, dict)
        One row per claim, columns ``claim, quantity, kind, claimed, estimate, se,
        ci_low, ci_high, n, bound, verdict, deciding_criterion`` (``kind`` the scale
        it is tested and pooled on: ``smd``, ``r`` or ``generic``; ``estimate`` on the
        quantity's scale: d, r, a share or difference of shares, an indirect
        effect; ``se`` its standard error, for r that of Fisher's z; the
        interval is the deciding criterion's; ``bound`` the equivalence bound a
        claimed absence is tested against, on the quantity's scale), and per claim id the
        table of all its criteria (:func:`analysis.claim_tests` or
        :func:`analysis.replication_tests`). Empty without an ``original`` block.
    """
    original = results.study.original
    if original is None:
        return pd.DataFrame(columns=SUMMARY_COLUMNS), {}
    rows, tables = [], {}
    for claim in original.claims:
        try:
            computed = _QUANTITIES[claim.quantity.kind](claim.quantity, results)
            criteria = _criteria(claim, computed, results.study)
        except (ValueError, KeyError, ZeroDivisionError) as error:
            rows.append(_not_tested(claim, error))
            tables[claim.id] = pd.DataFrame()
            continue
        verdict = claim_verdict(claim.reported.claim, criteria)
        deciding = criteria.set_index("criterion").loc[VERDICT_RULES[claim.reported.claim]]
        offset = computed.get("offset", 0.0)  # a share is tested as its distance from `against`
        n = computed["n"]
        rows.append({
            "claim": claim.id, "quantity": claim.quantity.kind, "kind": computed["kind"],
            "claimed": claim.reported.claim,
            "estimate": computed["estimate"] + offset, "se": _sampling_se(computed),
            "ci_low": deciding["ci_low"] + offset, "ci_high": deciding["ci_high"] + offset,
            "n": int(sum(n)) if isinstance(n, tuple) else int(n),
            "bound": _equivalence_bound(computed, max(abs(b) for b in results.study.analysis.equivalence_bounds))
            if claim.reported.claim == "none" else math.nan,
            "verdict": verdict,
            "deciding_criterion": VERDICT_RULES[claim.reported.claim],
            "reason": "",
        })
        tables[claim.id] = criteria
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS), tables
