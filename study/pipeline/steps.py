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

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

import questionnaires
from analysis.anova import anova, welch_anova
from analysis.assumptions import check_assumptions
from analysis.correlation import correlate
from analysis.crosstab import crosstab_test, motives_by_condition
from analysis.descriptives import DESCRIBE_COLUMNS, describe
from analysis.groups import compare_groups
from analysis.mediation import mediation
from analysis.posthoc import games_howell
from analysis.process import process
from analysis.reliability import reliability
from questionnaires.scoring import item_scores
from study.dataset.codebook import code_columns
from study.dataset.exclusions import flag_exclusions
from study.design.schema import AnovaHypothesis, MediationHypothesis, ProcessHypothesis, Study
from study.errors import UserError


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


@dataclass(frozen=True)
class SkippedStep:
    """A step of the analysis, or one part of it, that could not run on these data, and why.

    ``step`` is the step's label (:data:`study.pipeline.run.ANALYSIS_STEPS`); ``part`` the
    hypothesis id or variable it concerns (``None``: the whole step); ``reason`` one of
    :data:`SKIP_REASONS`, ``details`` the ids and numbers the report's sentence for it needs,
    and ``message`` the analysis's own words (English).
    """

    step: str
    part: str | None
    reason: str
    details: dict
    message: str

    def as_row(self) -> dict:
        """One row of ``tables/skipped_steps.csv``."""
        return {"step": self.step, "part": self.part, "reason": self.reason, "message": self.message}


#: Why a step could not run: a variable without variance, a group (cell) with fewer than two
#: cases, a model whose predictors are linearly dependent, or another problem of the data.
SKIP_REASONS = ("constant", "missing", "too_few", "singular", "error")
MIN_PER_GROUP = 2


def explain_failure(error: Exception, data: pd.DataFrame, *, step: str, part: str | None = None,
                    variables=(), groups=()) -> SkippedStep:
    """Name the cause of ``error`` in terms a researcher can check in the data.

    ``variables`` are the numeric columns the step used, ``groups`` the factors it compared;
    the first constant variable, else a variable whose missing values alone leave fewer than two
    complete cases per group, else the first group (combination of levels) with fewer than two complete cases,
    else a singular design, else the error's own message is the reason.

    >>> frame = pd.DataFrame({"g": ["a", "a", "b", "b"], "m": [0, 0, 0, 0], "y": [1, 2, 3, 5]})
    >>> skipped = explain_failure(ValueError("..."), frame, step="hypotheses", part="h2", variables=["m", "y"])
    >>> skipped.reason, skipped.details
    ('constant', {'column': 'm', 'value': '0'})
    """
    message = str(error.args[0]) if isinstance(error, KeyError) and error.args else str(error)
    if isinstance(error, KeyError) and message.isidentifier():  # a bare key: a column the data lack
        message = f"{message!r} is not in the data"
    message = message.rstrip(". ")
    present = [v for v in variables if v in data.columns]
    for column in present:
        values = pd.to_numeric(data[column], errors="coerce").dropna()
        if len(values) and values.nunique() == 1:
            return SkippedStep(step, part, "constant", {"column": column, "value": f"{values.iloc[0]:g}"}, message)
    factors = [g for g in groups if g in data.columns]
    # a variable missing so often that it alone leaves too few complete cases: name it, not a group it empties
    needed = MIN_PER_GROUP * (int(np.prod([data[g].nunique() for g in factors])) if factors else 1)
    if len(data.dropna(subset=present)) < needed:
        for column in present:
            if len(data.dropna(subset=[c for c in present if c != column])) >= needed:
                details = {"column": column, "n": int(data[column].notna().sum()), "total": len(data)}
                return SkippedStep(step, part, "missing", details, message)
    if factors:
        complete = data.dropna(subset=present) if present else data
        counts = complete.groupby(factors, observed=False).size()
        for cell, n in counts.items():
            if n < MIN_PER_GROUP:
                levels = cell if isinstance(cell, tuple) else (cell,)
                return SkippedStep(step, part, "too_few", {"cell": list(zip(factors, map(str, levels))), "n": int(n),
                                                           "minimum": MIN_PER_GROUP}, message)
    if isinstance(error, np.linalg.LinAlgError) or "singular" in message.lower():
        return SkippedStep(step, part, "singular", {}, message)
    return SkippedStep(step, part, "error", {"message": message}, message)


def hypothesis_variables(hypothesis) -> tuple[list[str], list[str]]:
    """The numeric columns and the factors a hypothesis uses (for :func:`explain_failure`)."""
    if hypothesis.kind == "anova":
        return [hypothesis.dv], hypothesis.between_factors
    if hypothesis.kind == "mediation":
        numeric = [*hypothesis.mediators, hypothesis.y, *hypothesis.secondary_mediators, *hypothesis.covariates]
        return numeric, [hypothesis.x]
    roles = [hypothesis.x, hypothesis.w, hypothesis.z]
    factors = [name for name in roles if name and name in hypothesis.codings]
    numeric = [name for name in [*roles, *hypothesis.mediators, hypothesis.y, *hypothesis.covariates]
               if name and name not in factors]
    return numeric, factors


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
    return describe_variables(data, study)[0]


def describe_variables(data: pd.DataFrame, study: Study) -> tuple[pd.DataFrame, list[SkippedStep]]:
    """:func:`descriptives`, and the variables it could not describe (e.g. a constant one), with why."""
    names = [s.id for s in study.questionnaire.scales if s.id in data.columns]
    names += [c for c in ("pk_strategic",) if c in data.columns]
    tables, skipped = [], []
    for name in names:
        try:
            table = describe(data, name, "condition")
        except ValueError as error:
            skipped.append(explain_failure(error, data, step="descriptives", part=name, variables=[name]))
            continue
        table.insert(0, "variable", name)
        tables.append(table)
    empty = pd.DataFrame(columns=["variable", "condition", *DESCRIBE_COLUMNS])
    return (pd.concat(tables, ignore_index=True) if tables else empty), skipped


@dataclass
class AnovaOutcome:
    """An ANOVA hypothesis: the ANOVA table, Welch (one factor), checks, two-group tests.

    ``comparisons`` maps each two-level factor to :func:`analysis.compare_groups`
    on that factor (with TOST and Bayes factor); ``pairwise`` each factor with three or
    more levels to its :data:`PAIRWISE_TEST` comparisons of every pair of levels.
    """

    hypothesis: AnovaHypothesis
    anova: pd.DataFrame
    welch: pd.DataFrame | None
    assumptions: pd.DataFrame | None
    comparisons: dict[str, pd.DataFrame]
    cells: pd.DataFrame
    pairwise: dict[str, pd.DataFrame] = field(default_factory=dict)


#: The follow-up of a factor with three or more levels: Games-Howell, which (like the Welch
#: ANOVA reported beside the ANOVA) does not assume equal variances and adjusts its p values
#: and intervals for the number of pairs through the studentized range distribution.
PAIRWISE_TEST = "games_howell"


def two_group_alternative(study: Study, hypothesis: AnovaHypothesis, factor: str) -> str:
    """The alternative of the two-group tests of ``factor``: ``two-sided``, or the hypothesis's
    expected order as :func:`analysis.compare_groups` takes it (``greater``: the factor's first
    level higher).

    >>> from study import load_study
    >>> tilburg = load_study("tilburg")
    >>> two_group_alternative(tilburg, tilburg.analysis.hypotheses[0], "channel")
    'greater'
    """
    order = hypothesis.directions.get(factor)
    if order is None:
        return "two-sided"
    levels = study.factor(factor).level_names
    if set(order) != set(levels):
        raise UserError(f"hypothesis {hypothesis.id}: direction {order[0]} > {order[1]} must name the levels "
                        f"of {factor!r} ({' and '.join(levels)})")
    return "greater" if order[0] == levels[0] else "less"


def run_anova_hypothesis(data: pd.DataFrame, study: Study, hypothesis: AnovaHypothesis) -> AnovaOutcome:
    """Run an ANOVA hypothesis of the plan on the analysed rows."""
    factors = hypothesis.between_factors
    dv = hypothesis.dv
    one_factor = len(factors) == 1
    comparisons = {
        factor: compare_groups(data, dv, factor, equivalence_bounds=tuple(study.analysis.equivalence_bounds),
                               alternative=two_group_alternative(study, hypothesis, factor))
        for factor in factors if len(study.factor(factor).levels) == 2
    }
    return AnovaOutcome(
        hypothesis=hypothesis,
        anova=anova(data, dv, factors),
        welch=welch_anova(data, dv, factors[0]) if one_factor else None,
        assumptions=check_assumptions(data, dv, factors[0] if one_factor else "condition"),
        comparisons=comparisons,
        cells=describe(data, dv, factors),
        pairwise={factor: games_howell(data, dv, factor, ci=1 - study.analysis.alpha)
                  for factor in factors if len(study.factor(factor).levels) > 2},
    )


@dataclass
class MediationOutcome:
    """A mediation hypothesis: the primary model and, if planned, the secondary one."""

    hypothesis: MediationHypothesis
    primary: object
    secondary: object | None
    #: why the planned secondary model could not run (a :class:`SkippedStep`), if it could not
    secondary_skipped: SkippedStep | None = None


def mediation_frame(data: pd.DataFrame, hypothesis: MediationHypothesis, study: Study | None = None) -> pd.DataFrame:
    """The rows whose level of ``x`` is coded in ``x_coding`` (others are not in the model), with
    covariates that are factors of ``study`` as 0/1 (the second level 1)."""
    keep = data[hypothesis.x].astype("object").isin(list(hypothesis.x_coding))
    frame = data.loc[keep].copy()
    frame[hypothesis.x] = frame[hypothesis.x].astype("object")
    return _factor_covariates(frame, study, hypothesis.covariates).reset_index(drop=True)


def _factor_covariates(frame: pd.DataFrame, study: Study | None, covariates: list[str]) -> pd.DataFrame:
    """Two-level factors among ``covariates`` as 0/1 columns, in level order (the first level 0)."""
    for name in covariates:
        if study is not None and name in study.factor_names:
            second = study.factor(name).level_names[1]
            frame[name] = (frame[name].astype("object") == second).astype(float)
    return frame


def run_mediation_hypothesis(data: pd.DataFrame, study: Study, hypothesis: MediationHypothesis, *,
                             n_boot: int, seed: int, secondary: bool = True) -> MediationOutcome:
    """Bootstrap mediation (Hayes model 4) with the planned and (unless ``secondary`` is False) the
    secondary mediator(s); :func:`run_secondary_mediation` fits the secondary model on its own."""
    frame = mediation_frame(data, hypothesis, study)
    plan = study.analysis

    def fit(mediators):
        m = mediators[0] if len(mediators) == 1 else mediators
        return mediation(frame, hypothesis.x, m, hypothesis.y, covariates=hypothesis.covariates or None,
                         n_boot=n_boot, ci=1 - plan.alpha, ci_method=plan.ci_method, seed=seed,
                         x_coding=dict(hypothesis.x_coding))

    primary = fit(hypothesis.mediators)
    return MediationOutcome(hypothesis, primary, fit(hypothesis.secondary_mediators)
                            if secondary and hypothesis.secondary_mediators else None)


def run_secondary_mediation(data: pd.DataFrame, study: Study, hypothesis: MediationHypothesis, *,
                            n_boot: int, seed: int):
    """The secondary model of a mediation hypothesis alone (its mediators in place of the planned ones)."""
    swapped = hypothesis.model_copy(update={"m": hypothesis.secondary_mediators, "secondary_m": None})
    return run_mediation_hypothesis(data, study, swapped, n_boot=n_boot, seed=seed, secondary=False).primary


@dataclass
class ProcessOutcome:
    """A process hypothesis: the :class:`analysis.ProcessResult` and the data it was fitted on.

    ``reference`` is the level of a factor X that its coding system codes first (the
    reference of indicator coding), None when X is numeric or coded by numbers.
    """

    hypothesis: ProcessHypothesis
    result: object
    reference: str | None = None

    def tables(self, prefix: str) -> dict[str, pd.DataFrame]:
        """Every table of the result, named for ``tables/<name>.csv``, the index as leading columns.

        >>> from study import load_study, simulate
        >>> tone = load_study("tone-of-reply")
        >>> data = analysed_rows(prepare_data(simulate(tone, n=90, seed=1), tone))
        >>> outcome = run_process_hypothesis(data, tone, tone.analysis.hypotheses[1], n_boot=100, seed=1)
        >>> tables = outcome.tables("h2")
        >>> tables["h2_indirect"].columns[:3].tolist(), tables["h2_omnibus"]["effect"].tolist()
        (['path', 'contrast', 'effect'], ['total', 'direct'])
        """
        result = self.result
        tables = {f"{prefix}_model_summary": _index_as_columns(result.model_summary, "outcome")}
        for outcome, coefficients in result.coefficients.items():
            tables[f"{prefix}_coefficients_{outcome}"] = _index_as_columns(coefficients, "term")
        named = {"indirect": "path", "index": "mediator", "omnibus": "effect", "direct_effect": "contrast",
                 "total_effect": "contrast", "conditional_indirect": None, "conditional_effects": None,
                 "interaction_tests": None}
        for name, index_name in named.items():
            table = getattr(result, name)
            if table is not None and len(table):
                tables[f"{prefix}_{name}"] = table if index_name is None else _index_as_columns(table, index_name)
        return tables


def _index_as_columns(table: pd.DataFrame, name: str) -> pd.DataFrame:
    """The index as leading columns: its own names, ``name`` for an unnamed first level (``level_<i>`` after)."""
    names = [given or (name if i == 0 else f"level_{i}") for i, given in enumerate(table.index.names)]
    return table.rename_axis(names).reset_index()


def process_frame(data: pd.DataFrame, study: Study, hypothesis: ProcessHypothesis) -> pd.DataFrame:
    """The model's variables, factors recoded as the hypothesis says (levels left out dropped).

    A factor X coded by a coding system stays categorical, its levels in the study's order with
    the reference (:meth:`~study.design.schema.ProcessHypothesis.reference_level`) first, so that
    :func:`analysis.process` codes the levels in that order.
    """
    frame = data.copy()
    for name, coding in hypothesis.codings.items():
        frame = frame.loc[frame[name].astype("object").isin(list(coding))]
        frame[name] = frame[name].astype("object").map(coding).astype(float)
    if isinstance(hypothesis.x_coding, str):
        levels = study.factor(hypothesis.x).level_names if hypothesis.x in study.factor_names else \
            sorted(frame[hypothesis.x].dropna().astype("object").unique())
        reference = hypothesis.reference_level(study)
        if reference is not None:
            levels = [reference, *(level for level in levels if level != reference)]
        frame[hypothesis.x] = pd.Categorical(frame[hypothesis.x].astype("object"), categories=levels)
    return _factor_covariates(frame, study, hypothesis.covariates).reset_index(drop=True)


def run_process_hypothesis(data: pd.DataFrame, study: Study, hypothesis: ProcessHypothesis, *,
                           n_boot: int, seed: int) -> ProcessOutcome:
    """A conditional process model (:func:`analysis.process`) with the plan's settings."""
    frame = process_frame(data, study, hypothesis)
    plan = study.analysis
    m = hypothesis.mediators
    reference = hypothesis.reference_level(study)
    result = process(frame, hypothesis.model, x=hypothesis.x, y=hypothesis.y,
                     m=(m[0] if len(m) == 1 else m) if m else None, w=hypothesis.w, z=hypothesis.z,
                     covariates=hypothesis.covariates or None,
                     x_coding=hypothesis.x_coding if isinstance(hypothesis.x_coding, str) else None,
                     x_reference=reference, w_values=hypothesis.w_values, z_values=hypothesis.z_values,
                     hc=hypothesis.hc, n_boot=n_boot,
                     ci=1 - plan.alpha, ci_method=plan.ci_method, seed=seed)
    return ProcessOutcome(hypothesis, result, reference)


def motives_table(data: pd.DataFrame, study: Study) -> pd.DataFrame | None:
    """How often each motive was named per condition (None without coded reasons)."""
    codes = code_columns(data)
    return motives_by_condition(data, codes, by="condition") if codes else None


def pk_attitude_correlations(data: pd.DataFrame, study: Study) -> pd.DataFrame | None:
    """Correlations of each persuasion-knowledge measure with the outcome of each mediation."""
    return correlate_mediators(data, study)[0]


def correlate_mediators(data: pd.DataFrame, study: Study) -> tuple[pd.DataFrame | None, list[SkippedStep]]:
    """:func:`pk_attitude_correlations`, and the pairs it could not correlate (e.g. a constant mediator), with why."""
    tables, skipped = [], []
    for hypothesis in study.analysis.hypotheses:
        if hypothesis.kind != "mediation":
            continue
        for m in hypothesis.mediators + hypothesis.secondary_mediators:
            if m in data.columns:
                try:
                    table = correlate(data, m, hypothesis.y)
                except ValueError as error:
                    skipped.append(explain_failure(error, data, step="persuasion knowledge and attitude",
                                                   part=m, variables=[m, hypothesis.y]))
                    continue
                table.insert(0, "x", m)
                table.insert(1, "y", hypothesis.y)
                tables.append(table)
    return (pd.concat(tables, ignore_index=True) if tables else None), skipped
