"""The steps of the analysis pipeline: each a small function of the data and the study.

Every step takes the canonical data set (or the analysed rows) and the
:class:`~study.design.schema.Study` and returns a DataFrame or a small outcome
object; :func:`study.pipeline.run.run_analysis` runs them in order.

>>> from study import load_study, simulate
>>> tilburg = load_study("tilburg")
>>> prepared = prepare_data(simulate(tilburg, n=30, seed=1), tilburg)
>>> len(analysed_rows(prepared)) <= len(prepared)
True
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

import questionnaires
from analysis.anova import anova, welch_anova
from analysis.assumptions import check_assumptions
from analysis.correlation import correlate
from analysis.crosstab import crosstab_test, motives_by_condition
from analysis.descriptives import describe
from analysis.groups import compare_groups
from analysis.mediation import mediation
from analysis.process import process
from analysis.reliability import reliability
from questionnaires.scoring import item_scores
from study.dataset.codebook import code_columns
from study.dataset.exclusions import flag_exclusions
from study.design.schema import AnovaHypothesis, MediationHypothesis, ProcessHypothesis, Study


def prepare_data(data: pd.DataFrame, study: Study) -> pd.DataFrame:
    """Score the scales, code the free-text reasons and flag exclusions.

    Scales are (re)scored from their items when all items are present;
    reasons are coded with :func:`questionnaires.auto_code` unless the data
    already hold ``pk_strategic`` (e.g. after human coding); then
    :func:`study.flag_exclusions` adds ``attention_passed``,
    ``manipulation_passed``, the quality flags (``flag_*``) and ``exclude``.
    Returns a new DataFrame.
    """
    frame = data.copy()
    if "status" not in frame.columns:
        frame["status"] = "complete"
    questionnaire = study.questionnaire
    complete_scales = [s for s in questionnaire.scales if set(s.items) <= set(frame.columns)]
    if complete_scales:
        frame = questionnaires.score(frame, questionnaire.model_copy(update={"scales": complete_scales}))
    if "pk_strategic" not in frame.columns and "reason" in frame.columns:
        langs = frame["lang"] if "lang" in frame.columns else None
        coded = questionnaires.auto_code(frame["reason"].astype("object"), langs, languages=study.languages)
        coded = coded.drop(columns=["code_evidence"], errors="ignore")
        frame = pd.concat([frame.drop(columns=coded.columns, errors="ignore"), coded], axis=1)
    return order_levels(flag_exclusions(frame, study), study)


def order_levels(data: pd.DataFrame, study: Study) -> pd.DataFrame:
    """Factor and condition columns as ordered categories (study order in every table)."""
    frame = data.copy()
    for factor in study.factors:
        frame[factor.name] = pd.Categorical(frame[factor.name].astype("object"), categories=factor.level_names)
    frame["condition"] = pd.Categorical(frame["condition"].astype("object"), categories=study.condition_names)
    return frame


def analysed_rows(data: pd.DataFrame) -> pd.DataFrame:
    """The completed, not excluded participants (the rows every test uses)."""
    completed = data["status"].astype("object") == "complete"
    keep = completed & ~data["exclude"].fillna(True).astype(bool)
    return data.loc[keep].reset_index(drop=True)


def scale_reliability(data: pd.DataFrame, study: Study) -> pd.DataFrame:
    """Cronbach's alpha and omega of every multi-item scale (reverse keying applied).

    Returns :func:`analysis.reliability`'s columns with ``scale`` first.
    """
    questionnaire = study.questionnaire
    tables = []
    for scale in questionnaire.scales:
        if len(scale.items) < 2 or not set(scale.items) <= set(data.columns):
            continue
        items = pd.DataFrame({i: item_scores(data, questionnaire.item(i)) for i in scale.items})
        table = reliability(items, scale.items)
        table.insert(0, "scale", scale.id)
        tables.append(table)
    return pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=["scale"])


def manipulation_check(data: pd.DataFrame, study: Study) -> pd.DataFrame:
    """Per manipulation check and level: how many gave the expected answer.

    Columns: ``item``, ``factor``, ``level``, ``expected``, ``n``,
    ``n_expected``, ``pct_expected``, and (repeated on each row of a check)
    the test of answer by level: ``test``, ``statistic``, ``df``, ``p``, ``cramers_v``.
    """
    rows = []
    for check in study.checks.manipulation:
        if check.item not in data.columns:
            continue
        test = crosstab_test(data, check.item, check.factor).iloc[0]
        for level, expected in check.expected.items():
            answers = data.loc[data[check.factor].astype("object") == level, check.item].astype("object")
            hits = int((answers == expected).sum())
            rows.append({
                "item": check.item, "factor": check.factor, "level": level, "expected": expected,
                "n": len(answers), "n_expected": hits,
                "pct_expected": 100 * hits / len(answers) if len(answers) else float("nan"),
                **{k: test[k] for k in ("test", "statistic", "df", "p", "cramers_v")},
            })
    return pd.DataFrame(rows)


def descriptives(data: pd.DataFrame, study: Study) -> pd.DataFrame:
    """Mean, SD and CI per condition of every scale and of ``pk_strategic``.

    :func:`analysis.describe`'s columns with ``variable`` first.
    """
    names = [s.id for s in study.questionnaire.scales if s.id in data.columns]
    names += [c for c in ("pk_strategic",) if c in data.columns]
    tables = []
    for name in names:
        table = describe(data, name, "condition")
        table.insert(0, "variable", name)
        tables.append(table)
    return pd.concat(tables, ignore_index=True)


@dataclass
class AnovaOutcome:
    """An ANOVA hypothesis: the ANOVA table, Welch (one factor), checks, two-group tests.

    ``comparisons`` maps each two-level factor to :func:`analysis.compare_groups`
    on that factor (with TOST and Bayes factor).
    """

    hypothesis: AnovaHypothesis
    anova: pd.DataFrame
    welch: pd.DataFrame | None
    assumptions: pd.DataFrame | None
    comparisons: dict[str, pd.DataFrame]
    cells: pd.DataFrame


def run_anova_hypothesis(data: pd.DataFrame, study: Study, hypothesis: AnovaHypothesis) -> AnovaOutcome:
    """Run an ANOVA hypothesis of the plan on the analysed rows."""
    factors = hypothesis.between_factors
    dv = hypothesis.dv
    one_factor = len(factors) == 1
    comparisons = {
        factor: compare_groups(data, dv, factor,
                                        equivalence_bounds=tuple(study.analysis.equivalence_bounds))
        for factor in factors if len(study.factor(factor).levels) == 2
    }
    return AnovaOutcome(
        hypothesis=hypothesis,
        anova=anova(data, dv, factors),
        welch=welch_anova(data, dv, factors[0]) if one_factor else None,
        assumptions=check_assumptions(data, dv, factors[0] if one_factor else "condition"),
        comparisons=comparisons,
        cells=describe(data, dv, factors),
    )


@dataclass
class MediationOutcome:
    """A mediation hypothesis: the primary model and, if planned, the secondary one."""

    hypothesis: MediationHypothesis
    primary: object
    secondary: object | None


def mediation_frame(data: pd.DataFrame, hypothesis: MediationHypothesis) -> pd.DataFrame:
    """The rows whose level of ``x`` is coded in ``x_coding`` (others are not in the model)."""
    keep = data[hypothesis.x].astype("object").isin(list(hypothesis.x_coding))
    frame = data.loc[keep].copy()
    frame[hypothesis.x] = frame[hypothesis.x].astype("object")
    return frame.reset_index(drop=True)


def run_mediation_hypothesis(data: pd.DataFrame, study: Study, hypothesis: MediationHypothesis, *,
                             n_boot: int, seed: int) -> MediationOutcome:
    """Bootstrap mediation (Hayes model 4) with the planned and the secondary mediator(s)."""
    frame = mediation_frame(data, hypothesis)
    plan = study.analysis

    def fit(mediators):
        m = mediators[0] if len(mediators) == 1 else mediators
        return mediation(frame, hypothesis.x, m, hypothesis.y, n_boot=n_boot, ci=1 - plan.alpha,
                         ci_method=plan.ci_method, seed=seed, x_coding=dict(hypothesis.x_coding))

    secondary = fit(hypothesis.secondary_mediators) if hypothesis.secondary_mediators else None
    return MediationOutcome(hypothesis, fit(hypothesis.mediators), secondary)


@dataclass
class ProcessOutcome:
    """A process hypothesis: the :class:`analysis.ProcessResult` and the data it was fitted on."""

    hypothesis: ProcessHypothesis
    result: object

    def tables(self, prefix: str) -> dict[str, pd.DataFrame]:
        """Every table of the result, named for ``tables/<name>.csv``."""
        result = self.result
        tables = {f"{prefix}_model_summary": result.model_summary.rename_axis("outcome").reset_index()}
        for outcome, coefficients in result.coefficients.items():
            tables[f"{prefix}_coefficients_{outcome}"] = coefficients.rename_axis("term").reset_index()
        for name in ("indirect", "conditional_indirect", "conditional_effects", "index"):
            table = getattr(result, name)
            if table is not None and len(table):
                tables[f"{prefix}_{name}"] = table.rename_axis(name if name != "index" else "mediator").reset_index() \
                    if name in ("indirect", "index") else table
        return tables


def process_frame(data: pd.DataFrame, study: Study, hypothesis: ProcessHypothesis) -> pd.DataFrame:
    """The model's variables, factors recoded as the hypothesis says (levels left out dropped)."""
    frame = data.copy()
    for name, coding in hypothesis.codings.items():
        frame = frame.loc[frame[name].astype("object").isin(list(coding))]
        frame[name] = frame[name].astype("object").map(coding).astype(float)
    if isinstance(hypothesis.x_coding, str):
        frame[hypothesis.x] = frame[hypothesis.x].astype("object")
    for name in hypothesis.covariates:
        if name in study.factor_names:
            first, second = study.factor(name).level_names
            frame[name] = (frame[name].astype("object") == second).astype(float)
    return frame.reset_index(drop=True)


def run_process_hypothesis(data: pd.DataFrame, study: Study, hypothesis: ProcessHypothesis, *,
                           n_boot: int, seed: int) -> ProcessOutcome:
    """A conditional process model (:func:`analysis.process`) with the plan's settings."""
    frame = process_frame(data, study, hypothesis)
    plan = study.analysis
    m = hypothesis.mediators
    result = process(frame, hypothesis.model, x=hypothesis.x, y=hypothesis.y,
                     m=(m[0] if len(m) == 1 else m) if m else None, w=hypothesis.w, z=hypothesis.z,
                     covariates=hypothesis.covariates or None,
                     x_coding=hypothesis.x_coding if isinstance(hypothesis.x_coding, str) else None,
                     w_values=hypothesis.w_values, hc=hypothesis.hc, n_boot=n_boot, ci=1 - plan.alpha,
                     ci_method=plan.ci_method, seed=seed)
    return ProcessOutcome(hypothesis, result)


def motives_table(data: pd.DataFrame, study: Study) -> pd.DataFrame | None:
    """How often each motive was named per condition (None without coded reasons)."""
    codes = code_columns(data)
    return motives_by_condition(data, codes, by="condition") if codes else None


def pk_attitude_correlations(data: pd.DataFrame, study: Study) -> pd.DataFrame | None:
    """Correlations of each persuasion-knowledge measure with the outcome of each mediation."""
    tables = []
    for hypothesis in study.analysis.hypotheses:
        if hypothesis.kind != "mediation":
            continue
        for m in hypothesis.mediators + hypothesis.secondary_mediators:
            if m in data.columns:
                table = correlate(data, m, hypothesis.y)
                table.insert(0, "x", m)
                table.insert(1, "y", hypothesis.y)
                tables.append(table)
    return pd.concat(tables, ignore_index=True) if tables else None
