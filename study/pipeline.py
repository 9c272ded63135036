"""The preregistered analysis of one study, start to finish: ``replicate`` and ``analyze``.

Each step is a small function ``step(data, study, ...) -> result`` (a DataFrame
or a small result object); :func:`run_analysis` runs them in order on the
canonical data set and collects everything in a :class:`Results` object, and
:func:`study.report.write_outputs` turns that into the report, tables,
figures, data, codebook and manifest. Every number in the report comes from
this object.

>>> from study.pipeline import ANALYSIS_STEPS
>>> ANALYSIS_STEPS[0]
'prepare data'
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis.anova import anova, welch_anova
from analysis.crosstab import crosstab_test, motives_by_condition
from analysis.descriptives import describe
from analysis.groups import compare_groups
from analysis.reliability import reliability
from study.errors import UserError
from study.schema import MOTIVE_IDS, AnovaHypothesis, MediationHypothesis, Study

#: Labels of the steps, in order, as the progress bar shows them.
ANALYSIS_STEPS = (
    "prepare data", "exclusions", "reliability", "manipulation check", "descriptives",
    "hypotheses", "motives by condition", "persuasion knowledge and attitude",
)


# --- the steps ---------------------------------------------------------------


def prepare_data(data: pd.DataFrame, study: Study) -> pd.DataFrame:
    """Score the scales, code the free-text reasons and flag exclusions.

    Scales are (re)scored from their items when all items are present;
    reasons are coded with :func:`questionnaires.auto_code` unless the data
    already hold ``pk_strategic`` (e.g. after human coding); then
    :func:`study.flag_exclusions` adds ``attention_passed``,
    ``manipulation_passed`` and ``exclude``. Returns a new DataFrame.
    """
    import questionnaires
    from study.exclusions import flag_exclusions

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


def exclusion_flow(data: pd.DataFrame, study: Study) -> pd.DataFrame:
    """Participants at each stage: started, completed, excluded (and why), analysed.

    Returns a DataFrame with columns ``stage`` and ``n``. A participant who
    failed both checks counts under each reason, so the reasons may add up to
    more than ``excluded``.
    """
    completed = data["status"].astype("object") == "complete"
    exclude = data["exclude"].fillna(True).astype(bool) & completed
    rows = [("started", len(data)), ("completed", int(completed.sum())), ("excluded", int(exclude.sum()))]
    for reason in study.analysis.exclude_on:
        passed = data[f"{reason}_passed"].fillna(False).astype(bool)
        rows.append((f"excluded_{reason}", int((completed & ~passed).sum())))
    rows.append(("analysed", int((completed & ~exclude).sum())))
    return pd.DataFrame(rows, columns=["stage", "n"])


def analysed_rows(data: pd.DataFrame) -> pd.DataFrame:
    """The completed, not excluded participants (the rows every test uses)."""
    completed = data["status"].astype("object") == "complete"
    keep = completed & ~data["exclude"].fillna(True).astype(bool)
    return data.loc[keep].reset_index(drop=True)


def scale_reliability(data: pd.DataFrame, study: Study) -> pd.DataFrame:
    """Cronbach's alpha and omega of every multi-item scale (reverse keying applied).

    Returns :func:`analysis.reliability`'s columns with ``scale`` first.
    """
    from questionnaires.scoring import item_scores

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
    from analysis.assumptions import check_assumptions

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
    from analysis.mediation import mediation

    frame = mediation_frame(data, hypothesis)
    plan = study.analysis

    def fit(mediators):
        m = mediators[0] if len(mediators) == 1 else mediators
        return mediation(frame, hypothesis.x, m, hypothesis.y, n_boot=n_boot, ci=1 - plan.alpha,
                         ci_method=plan.ci_method, seed=seed, x_coding=dict(hypothesis.x_coding))

    secondary = fit(hypothesis.secondary_mediators) if hypothesis.secondary_mediators else None
    return MediationOutcome(hypothesis, fit(hypothesis.mediators), secondary)


def code_columns(data: pd.DataFrame) -> list[str]:
    """The motive code columns present, in the codebook's order."""
    return [f"code_{m}" for m in MOTIVE_IDS if f"code_{m}" in data.columns]


def motives_table(data: pd.DataFrame, study: Study) -> pd.DataFrame | None:
    """How often each motive was named per condition (None without coded reasons)."""
    codes = code_columns(data)
    return motives_by_condition(data, codes, by="condition") if codes else None


def pk_attitude_correlations(data: pd.DataFrame, study: Study) -> pd.DataFrame | None:
    """Correlations of each persuasion-knowledge measure with the outcome of each mediation."""
    from analysis.correlation import correlate

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


# --- the whole analysis ------------------------------------------------------


@dataclass
class Results:
    """Everything one run computed; :mod:`study.report` renders it.

    Attributes: ``study``, ``lang``, ``seed`` (simulation, or None for given
    data), ``boot_seed``, ``n_boot``, ``data`` (all participants, scored,
    coded and flagged), ``analysed`` (the rows tested), ``flow``,
    ``reliability``, ``manipulation``, ``descriptives``, ``hypotheses``
    (:class:`AnovaOutcome` / :class:`MediationOutcome` in plan order),
    ``motives``, ``correlations``, ``manifest`` and ``out`` (the output
    folder once written).
    """

    study: Study
    lang: str
    seed: int | None
    boot_seed: int
    n_boot: int
    data: pd.DataFrame
    analysed: pd.DataFrame
    flow: pd.DataFrame
    reliability: pd.DataFrame
    manipulation: pd.DataFrame
    descriptives: pd.DataFrame
    hypotheses: list = field(default_factory=list)
    motives: pd.DataFrame | None = None
    correlations: pd.DataFrame | None = None
    manifest: dict = field(default_factory=dict)
    out: Path | None = None

    def hypothesis(self, hypothesis_id: str):
        """The outcome of the hypothesis with this id (``KeyError`` if none)."""
        for outcome in self.hypotheses:
            if outcome.hypothesis.id == hypothesis_id:
                return outcome
        raise KeyError(f"no hypothesis {hypothesis_id!r}; the plan has "
                       f"{[o.hypothesis.id for o in self.hypotheses]}")


class _NoProgress:
    def advance(self, label: str) -> None:
        pass


def run_analysis(data: pd.DataFrame, study: Study, *, lang: str = "en", n_boot: int | None = None,
                 boot_seed: int | None = None, seed: int | None = None, progress=None) -> Results:
    """Run every step of the plan on the canonical data and return the :class:`Results`.

    Parameters
    ----------
    data : pandas.DataFrame
        The canonical data set (one row per participant).
    study : Study
    lang : {"en", "nl"}
        Language of the report.
    n_boot, boot_seed : int, optional
        Bootstrap draws and seed; default the plan's ``n_boot`` and ``seed``.
    seed : int, optional
        The simulation seed, recorded only.
    progress : object with ``advance(label)``, optional
        Told after each step (the command line passes a rich progress bar).
    """
    progress = progress or _NoProgress()
    plan = study.analysis
    n_boot = plan.n_boot if n_boot is None else int(n_boot)
    boot_seed = plan.seed if boot_seed is None else int(boot_seed)
    prepared = prepare_data(data, study)
    progress.advance("prepare data")
    flow = exclusion_flow(prepared, study)
    used = analysed_rows(prepared)
    if len(used) < 4:
        raise UserError(f"only {len(used)} participants remain after exclusions "
                        f"({', '.join(f'{s}: {n}' for s, n in flow.itertuples(index=False))}); "
                        "nothing can be tested. Check the data and the study's exclusion rules.")
    progress.advance("exclusions")
    results = Results(study=study, lang=lang, seed=seed, boot_seed=boot_seed, n_boot=n_boot,
                      data=prepared, analysed=used, flow=flow,
                      reliability=scale_reliability(used, study), manipulation=pd.DataFrame(),
                      descriptives=pd.DataFrame())
    progress.advance("reliability")
    results.manipulation = manipulation_check(prepared.loc[prepared["status"].astype("object") == "complete"], study)
    progress.advance("manipulation check")
    results.descriptives = descriptives(used, study)
    progress.advance("descriptives")
    for hypothesis in plan.hypotheses:
        if isinstance(hypothesis, AnovaHypothesis):
            results.hypotheses.append(run_anova_hypothesis(used, study, hypothesis))
        else:
            results.hypotheses.append(run_mediation_hypothesis(used, study, hypothesis, n_boot=n_boot, seed=boot_seed))
    progress.advance("hypotheses")
    results.motives = motives_table(used, study)
    progress.advance("motives by condition")
    results.correlations = pk_attitude_correlations(used, study)
    progress.advance("persuasion knowledge and attitude")
    return results


# --- the public entry points -------------------------------------------------


class RichProgress:
    """A rich progress bar on stderr with one tick per step (``advance(label)``)."""

    def __init__(self, total: int, title: str = "replylab"):
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        self._progress = Progress(TextColumn("[bold]{task.description:<36}"), BarColumn(),
                                  TextColumn("{task.completed}/{task.total}"), TimeElapsedColumn(),
                                  console=Console(stderr=True))
        self._task = self._progress.add_task(title, total=total)

    def __enter__(self):
        self._progress.start()
        return self

    def __exit__(self, *exc_info):
        self._progress.stop()

    def advance(self, label: str) -> None:
        self._progress.update(self._task, advance=1, description=label)


def _as_study(study) -> Study:
    from study.loader import load_study

    return study if isinstance(study, Study) else load_study(study)


def _check_lang(lang: str, study: Study) -> str:
    if lang not in ("en", "nl"):
        raise UserError(f"unknown language {lang!r} for the report; use 'en' or 'nl' (--lang).")
    return lang


def replicate(study="tilburg", lang: str = "en", n: int = 140, seed: int = 2021, data=None,
              out="results", *, mapping=None, n_boot: int | None = None, force: bool = False,
              progress: bool = False, command: str | None = None) -> Results:
    """Simulate participants from the study's generative model, analyse them, write the report.

    Parameters
    ----------
    study : str, Path or Study, default "tilburg"
        A shipped study's name, a study file, or a loaded study.
    lang : {"en", "nl"}
        Language of the simulated participants' materials and of the report.
    n : int, default 140
        Simulated participants (ignored when ``data`` is given).
    seed : int, default 2021
        Seed of the simulation (the bootstrap uses the plan's ``analysis.seed``).
    data : DataFrame or path, optional
        Analyse these data instead of simulating (see :func:`analyze`).
    out : str or Path or None, default "results"
        Output folder; ``None`` writes nothing and only returns the results.
    mapping : path or dict, optional
        Mapping of a foreign CSV onto the canonical columns (``docs/data-mapping.md``).
    n_boot : int, optional
        Bootstrap draws (default: the plan's ``n_boot``).
    force : bool, default False
        Write into a non-empty folder that is not an earlier replylab output.
    progress : bool, default False
        Show a rich progress bar on stderr.
    command : str, optional
        The command line to record in ``manifest.json``.

    Returns
    -------
    Results

    Examples
    --------
    >>> results = replicate(n=60, seed=1, n_boot=200, out=None)   # doctest: +SKIP
    >>> results.flow.set_index("stage").loc["started", "n"]       # doctest: +SKIP
    60
    """
    if data is not None:
        return analyze(data, study, out, mapping=mapping, lang=lang, n_boot=n_boot, force=force,
                       progress=progress, command=command)
    from study.simulate import simulate

    study = _as_study(study)
    lang = _check_lang(lang, study)
    if isinstance(n, bool) or not isinstance(n, int) or n < 4:
        raise UserError(f"--n must be a whole number of participants, at least 4; got {n!r}.")
    if lang not in study.languages:
        raise UserError(f"study {study.id!r} has materials in {', '.join(study.languages)}, not {lang!r}.")
    source = {"kind": "simulated", "n": n, "seed": seed}
    return _run(lambda: simulate(study, n, seed, lang), study, source, out, lang=lang, seed=seed,
                n_boot=n_boot, force=force, progress=progress, command=command)


def analyze(data, study, out="results", *, mapping=None, lang: str = "en", n_boot: int | None = None,
            force: bool = False, progress: bool = False, command: str | None = None) -> Results:
    """Run the study's preregistered analysis on collected data and write the report.

    Parameters
    ----------
    data : DataFrame, or path of a CSV file
        The canonical data set (the survey's export), or any CSV whose columns
        ``mapping`` maps onto the canonical ones.
    study : str, Path or Study
    out : str or Path or None
        Output folder (``None``: write nothing).
    mapping : path of a YAML file or dict, optional
        Renames, recodings and the condition column; see ``docs/data-mapping.md``.
    lang, n_boot, force, progress, command
        As in :func:`replicate`.

    Returns
    -------
    Results

    Raises
    ------
    UserError
        A missing file, or a column the analysis needs that the data lack.
    """
    from study.datamap import load_data

    study = _as_study(study)
    lang = _check_lang(lang, study)
    source = {"kind": "file" if isinstance(data, (str, Path)) else "dataframe"}
    if isinstance(data, (str, Path)):
        source["path"] = str(data)
    return _run(lambda: load_data(data, study, mapping, source=source), study, source, out, lang=lang,
                seed=None, n_boot=n_boot, force=force, progress=progress, command=command)


def _run(get_data, study: Study, source: dict, out, *, lang, seed, n_boot, force, progress, command):
    from study import report

    started = report.utc_now()
    out = None if out is None else Path(out)
    if out is not None:
        report.check_output_dir(out, force=force)
    total = 1 + len(ANALYSIS_STEPS) + (len(report.WRITE_STEPS) if out is not None else 0)
    bar = RichProgress(total, f"{study.id}") if progress else None
    with bar or contextlib.nullcontext():
        data = get_data()
        if bar:
            bar.advance("data")
        results = run_analysis(data, study, lang=lang, n_boot=n_boot, seed=seed, progress=bar)
        results.manifest = report.build_manifest(results, source=source, command=command, started_at=started)
        if out is not None:
            report.write_outputs(results, out, force=force, progress=bar)
    return results


