"""The text of :meth:`ProcessResult.summary`, laid out like PROCESS's output (Hayes 2022, appendix A)."""

from __future__ import annotations

import numpy as np
import pandas as pd

RULE = "*" * 75


def _number(value) -> str:
    return f"{value:10.4f}" if isinstance(value, (float, np.floating)) else f"{value!s:>10}"


def _table(frame: pd.DataFrame, headers: list[str], index_width: int = 12) -> list[str]:
    labels = [" | ".join(map(str, label)) if isinstance(label, tuple) else str(label) for label in frame.index]
    index_width = max([index_width, *(len(label) + 2 for label in labels)])
    lines = [" " * index_width + "".join(f"{h:>10}" for h in headers)]
    for label, row in zip(labels, frame.itertuples(index=False)):
        lines.append(f"{label:<{index_width}}" + "".join(_number(v) for v in row))
    return lines


def _keyed(frame: pd.DataFrame, value_columns: list[str], headers: list[str]) -> list[str]:
    keys = [c for c in frame.columns if c not in value_columns]
    lines = ["".join(f"{k:>12}" for k in keys) + "".join(f"{h:>10}" for h in headers)]
    for row in frame.itertuples(index=False):
        values = dict(zip(frame.columns, row))
        lines.append("".join(f"{_number(values[k]):>12}" if not isinstance(values[k], str) else f"{values[k]:>12.12}" for k in keys)
                     + "".join(_number(values[c]) for c in value_columns))
    return lines


def _contrast_key(indirect: pd.DataFrame) -> list[str]:
    """PROCESS's "contrast definitions": which two specific indirect effects each ``C1``, ... subtracts.

    >>> table = pd.DataFrame({"effect": [0.3, 0.1, 0.4, 0.2]}, index=["x -> a -> y", "x -> b -> y", "total", "C1"])
    >>> _contrast_key(table)
    ['', 'Specific indirect effect contrast definition(s):', 'C1  x -> a -> y  minus  x -> b -> y']
    """
    categorical = isinstance(indirect.index, pd.MultiIndex)
    groups = indirect.index.get_level_values(-1).unique() if categorical else [None]
    key = []
    for group in groups:
        labels = [label[0] if categorical else label for label in indirect.index if not categorical or label[-1] == group]
        paths = [label for label in labels if label != "total" and not label[:1] == "C"]
        pairs = [(a, b) for i, a in enumerate(paths) for b in paths[i + 1:]]
        contrasts = [label for label in labels if label[:1] == "C" and label[1:].isdigit()]
        prefix = f"{group}: " if categorical else ""
        key += [f"{prefix}{label}  {a}  minus  {b}" for label, (a, b) in zip(contrasts, pairs)]
    return ["", "Specific indirect effect contrast definition(s):", *key] if key else []


def summary_text(result) -> str:
    spec = result.model
    roles = [("Y", result.y), ("X", result.x), *((f"M{i + 1}" if len(result.m) > 1 else "M", name) for i, name in enumerate(result.m)),
             ("W", result.w), ("Z", result.z)]
    lines = [RULE, "Conditional process analysis (replylab; PROCESS-compatible)", RULE,
             f"Model : {spec.number if spec.number is not None else 'custom'}"]
    lines += [f"{role:>5} : {name}" for role, name in roles if name is not None]
    if result.covariates:
        lines.append(f"Covariates: {', '.join(result.covariates)}")
    lines += ["", f"Sample size: {result.n} (dropped for missing values: {result.n_dropped})"]
    if result.x_codes:
        lines += ["", f"Coding of categorical X ({result.x_coding}):"]
        lines += [f"  {level}: " + ", ".join(f"{name} = {code:g}" for name, code in codes.items()) for level, codes in result.x_codes.items()]
    se_label = "se" if result.hc is None else f"se({result.hc})"
    for outcome, table in result.coefficients.items():
        stats = result.model_summary.loc[outcome]
        lines += ["", RULE, f"Outcome Variable: {outcome}", "", "Model Summary:",
                  "".join(f"{h:>10}" for h in ["R", "R-sq", "MSE", "F" if result.hc is None else f"F({result.hc})", "df1", "df2", "p"]),
                  "".join(_number(v) for v in [np.sqrt(stats["r2"]), stats["r2"], result.mse[outcome], stats["F"], float(stats["df1"]), float(stats["df2"]), stats["p"]]),
                  "", "Model:"]
        lines += _table(table, ["coeff", se_label, "t", "p", "LLCI", "ULCI"])
        if result.interaction_tests is not None:
            tests = result.interaction_tests[result.interaction_tests["outcome"] == outcome]
            if len(tests):
                lines += ["", "Test(s) of highest order unconditional interaction(s):"]
                lines += _table(tests.set_index("term").drop(columns="outcome"), ["R2-chng", "F", "df1", "df2", "p"])
    if result.conditional_effects is not None:
        lines += ["", RULE, "Conditional effects of the focal predictor at values of the moderator(s):"]
        lines += _keyed(result.conditional_effects, ["effect", "se", "t", "p", "ci_low", "ci_high"], ["Effect", "se", "t", "p", "LLCI", "ULCI"])
    if result.jn is not None:
        points = ", ".join(f"{p:.4f}" for p in result.jn.points) or "none within the observed range"
        lines += ["", f"Moderator value(s) defining Johnson-Neyman significance region(s): {points}"]
    if result.omnibus is not None:
        lines += ["", "Omnibus tests of X:"] + _table(result.omnibus, ["R2-chng", "F", "df1", "df2", "p"])
    if result.total_effect is not None:
        lines += ["", RULE, "Total effect of X on Y:"] + _table(result.total_effect, ["Effect", se_label, "t", "p", "LLCI", "ULCI"])
    if result.direct_effect is not None:
        lines += ["", "Direct effect of X on Y:"] + _table(result.direct_effect, ["Effect", se_label, "t", "p", "LLCI", "ULCI"])
    boot_headers = ["Effect", "BootSE", "BootLLCI", "BootULCI"]
    if result.indirect is not None:
        lines += ["", "Indirect effect(s) of X on Y:"] + _table(result.indirect, boot_headers)
        lines += _contrast_key(result.indirect)
    if result.conditional_indirect is not None:
        lines += ["", "Conditional indirect effects of X on Y:"]
        lines += _keyed(result.conditional_indirect, ["effect", "boot_se", "ci_low", "ci_high"], boot_headers)
    if result.index is not None:
        lines += ["", "Index of moderated mediation:"] + _table(result.index, ["Index", "BootSE", "BootLLCI", "BootULCI"])
    lines += ["", RULE, "ANALYSIS NOTES", f"Level of confidence for all confidence intervals in output: {100 * result.ci:.2f}"]
    if result.n_boot:
        method = "percentile" if result.ci_method == "percentile" else "bias-corrected"
        lines.append(f"Number of bootstrap samples for {method} bootstrap confidence intervals: {result.n_boot} (seed {result.seed})")
    if result.moderator_values and result.conditional_effects is not None or result.conditional_indirect is not None:
        lines.append("W (and Z) values: the 16th, 50th and 84th percentiles, or the two values of a dichotomous moderator, unless given.")
    if result.hc is not None:
        lines.append(f"Standard errors and F tests of the regressions use the {result.hc} estimator.")
    return "\n".join(lines)
