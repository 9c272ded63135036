"""The preregistered analysis of one study, start to finish: ``replicate`` and ``analyze``.

The steps live in :mod:`study.pipeline.steps` (each a small function of the data
and the study); :data:`ANALYSIS_STEPS` lists them in order with the label the
progress bar shows, :func:`run_analysis` runs them into a :class:`Results`
object, and :func:`study.report.outputs.write_outputs` turns that into the
report, tables, figures, data, codebook and manifest. Every number in the
report comes from this object.

>>> [step.label for step in ANALYSIS_STEPS][:2]
['prepare data', 'exclusions']
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from study.dataset.exclusions import exclusion_flow
from study.dataset.mapping import load_data
from study.dataset.simulation import simulate
from study.design.loader import load_study
from study.design.schema import AnovaHypothesis, Study
from study.errors import UserError
from study.pipeline.replication import replication_verdicts
from study.pipeline.steps import (
    SkippedStep,
    analysed_rows,
    correlate_mediators,
    describe_variables,
    explain_failure,
    hypothesis_variables,
    manipulation_check,
    motives_table,
    prepare_data,
    run_anova_hypothesis,
    run_mediation_hypothesis,
    run_process_hypothesis,
    run_secondary_mediation,
    scale_reliability,
)
from study.report import outputs

__all__ = ["replicate", "analyze", "run_analysis", "Results", "RichProgress", "ANALYSIS_STEPS",
           "AnalysisStep", "SkippedStep"]


# --- the whole analysis ------------------------------------------------------


@dataclass
class Results:
    """Everything one run computed; :mod:`study.report.render` renders it.

    Attributes: ``study``, ``lang``, ``seed`` (simulation, or None for given
    data), ``boot_seed``, ``n_boot``, ``data`` (all participants, scored,
    coded and flagged), ``analysed`` (the rows tested), ``flow``,
    ``reliability``, ``manipulation``, ``descriptives``, ``hypotheses``
    (:class:`AnovaOutcome` / :class:`MediationOutcome` in plan order),
    ``motives``, ``correlations``, ``replication`` (one row per claim of the
    original, with its verdict) and ``replication_criteria`` (claim id -> its
    criteria), ``skipped`` (:class:`SkippedStep` for each step, hypothesis or
    variable that could not run on these data, with why; the report says so
    in its place), ``manifest`` and ``out`` (the output folder once written).
    """

    study: Study
    lang: str
    seed: int | None
    boot_seed: int
    n_boot: int
    data: pd.DataFrame
    analysed: pd.DataFrame | None = None
    flow: pd.DataFrame | None = None
    reliability: pd.DataFrame | None = None
    manipulation: pd.DataFrame | None = None
    descriptives: pd.DataFrame | None = None
    hypotheses: list = field(default_factory=list)
    motives: pd.DataFrame | None = None
    correlations: pd.DataFrame | None = None
    replication: pd.DataFrame | None = None
    replication_criteria: dict = field(default_factory=dict)
    skipped: list = field(default_factory=list)
    manifest: dict = field(default_factory=dict)
    out: Path | None = None

    def hypothesis(self, hypothesis_id: str):
        """The outcome of the hypothesis with this id (``KeyError`` if none)."""
        for outcome in self.hypotheses:
            if outcome.hypothesis.id == hypothesis_id:
                return outcome
        for skipped in self.skipped:
            if skipped.step == "hypotheses" and skipped.part == hypothesis_id:
                raise KeyError(f"hypothesis {hypothesis_id} could not be tested: {skipped.message}")
        raise KeyError(f"no hypothesis {hypothesis_id!r}; the plan has "
                       f"{[o.hypothesis.id for o in self.hypotheses]}")

    def skipped_in(self, step: str) -> list:
        """The :class:`SkippedStep` records of one step (its label in :data:`ANALYSIS_STEPS`)."""
        return [skipped for skipped in self.skipped if skipped.step == step]


@contextlib.contextmanager
def _explained(doing: str):
    """Turn the analysis functions' ValueError (bad data) into a UserError naming the step."""
    try:
        yield
    except ValueError as error:
        raise UserError(f"while {doing}: {error}") from error


@contextlib.contextmanager
def _recorded(results: Results, step: str, part: str | None = None, *, variables=(), groups=(),
              also=()):
    """Run a step that the report can do without: if the data do not allow it (the analysis
    raises ValueError), record why in ``results.skipped`` and go on."""
    try:
        yield
    except (ValueError, *also) as error:
        data = results.analysed if results.analysed is not None else results.data
        results.skipped.append(explain_failure(error, data, step=step, part=part, variables=variables,
                                               groups=groups))


def _prepare(results: Results) -> None:
    with _explained("preparing the data"):
        results.data = prepare_data(results.data, results.study)


def _exclusions(results: Results) -> None:
    results.flow = exclusion_flow(results.data, results.study)
    results.analysed = analysed_rows(results.data)
    if len(results.analysed) < 4:
        stages = ", ".join(f"{s}: {n}" for s, n in results.flow.itertuples(index=False))
        raise UserError(f"only {len(results.analysed)} participants remain after exclusions "
                        f"({stages}); nothing can be tested. Check the data and the study's "
                        "exclusion rules.")


def _reliability(results: Results) -> None:
    with _recorded(results, "reliability"):
        results.reliability = scale_reliability(results.analysed, results.study)


def _manipulation(results: Results) -> None:
    with _recorded(results, "manipulation check"):
        completed = results.data.loc[results.data["status"].astype("object") == "complete"]
        results.manipulation = manipulation_check(completed, results.study)


def _descriptives(results: Results) -> None:
    results.descriptives, skipped = describe_variables(results.analysed, results.study)
    results.skipped += skipped


def _hypotheses(results: Results) -> None:
    for hypothesis in results.study.analysis.hypotheses:
        variables, groups = hypothesis_variables(hypothesis)
        with _recorded(results, "hypotheses", hypothesis.id, variables=variables, groups=groups):
            if isinstance(hypothesis, AnovaHypothesis):
                outcome = run_anova_hypothesis(results.analysed, results.study, hypothesis)
            elif hypothesis.kind == "process":
                outcome = run_process_hypothesis(results.analysed, results.study, hypothesis,
                                                 n_boot=results.n_boot, seed=results.boot_seed)
            else:
                outcome = run_mediation_hypothesis(results.analysed, results.study, hypothesis,
                                                   n_boot=results.n_boot, seed=results.boot_seed, secondary=False)
                if hypothesis.secondary_mediators:  # its own step: if it cannot run, the primary model still stands
                    with _recorded(results, "hypotheses", f"{hypothesis.id} secondary", groups=[hypothesis.x],
                                   variables=[*hypothesis.secondary_mediators, hypothesis.y, *hypothesis.covariates]):
                        outcome.secondary = run_secondary_mediation(results.analysed, results.study, hypothesis,
                                                                    n_boot=results.n_boot, seed=results.boot_seed)
                    if outcome.secondary is None:
                        outcome.secondary_skipped = results.skipped[-1]
            results.hypotheses.append(outcome)


def _motives(results: Results) -> None:
    with _recorded(results, "motives by condition"):
        results.motives = motives_table(results.analysed, results.study)


def _correlations(results: Results) -> None:
    results.correlations, skipped = correlate_mediators(results.analysed, results.study)
    results.skipped += skipped


def _replication(results: Results) -> None:
    # a claim about a hypothesis that could not be tested cannot be judged (KeyError from results.hypothesis)
    with _recorded(results, "did it replicate?", also=(KeyError,)):
        results.replication, results.replication_criteria = replication_verdicts(results)


@dataclass(frozen=True)
class AnalysisStep:
    """One step of the analysis: the label the progress bar shows and what it fills in."""

    label: str
    run: Callable[[Results], None]


#: The steps of the analysis, in order: the one list :func:`run_analysis` runs.
ANALYSIS_STEPS = (
    AnalysisStep("prepare data", _prepare),
    AnalysisStep("exclusions", _exclusions),
    AnalysisStep("reliability", _reliability),
    AnalysisStep("manipulation check", _manipulation),
    AnalysisStep("descriptives", _descriptives),
    AnalysisStep("hypotheses", _hypotheses),
    AnalysisStep("motives by condition", _motives),
    AnalysisStep("persuasion knowledge and attitude", _correlations),
    AnalysisStep("did it replicate?", _replication),
)


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
    results = Results(study=study, lang=lang, seed=seed,
                      boot_seed=plan.seed if boot_seed is None else int(boot_seed),
                      n_boot=plan.n_boot if n_boot is None else int(n_boot), data=data)
    for step in ANALYSIS_STEPS:
        step.run(results)
        progress.advance(step.label)
    return results


# --- the public entry points -------------------------------------------------


class RichProgress:
    """A rich progress bar on stderr with one tick per step (``advance(label)``)."""

    def __init__(self, total: int, title: str = "replylab"):
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
    return study if isinstance(study, Study) else load_study(study)


def _check_lang(lang: str, study: Study) -> str:
    if lang not in ("en", "nl"):
        raise UserError(f"unknown language {lang!r} for the report; use 'en' or 'nl' (--lang).")
    return lang


def replicate(study="tilburg", lang: str = "en", n: int = 140, seed: int = 2021, data=None,
              out="results", *, mapping=None, n_boot: int | None = None, force: bool = False,
              progress: bool = False, command: str | None = None, site: str | None = None) -> Results:
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
    site : str, optional
        A label for the site (lab, university) that collected the data, recorded in
        ``manifest.json`` and ``results.json`` for ``replylab pool``.

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
                       progress=progress, command=command, site=site)
    study = _as_study(study)
    lang = _check_lang(lang, study)
    if isinstance(n, bool) or not isinstance(n, int) or n < 4:
        raise UserError(f"--n must be a whole number of participants, at least 4; got {n!r}.")
    if lang not in study.languages:
        raise UserError(f"study {study.id!r} has materials in {', '.join(study.languages)}, not {lang!r}.")
    source = {"kind": "simulated", "n": n, "seed": seed}
    return _run(lambda: simulate(study, n, seed, lang), study, source, out, lang=lang, seed=seed,
                n_boot=n_boot, force=force, progress=progress, command=command, site=site)


def analyze(data, study, out="results", *, mapping=None, lang: str = "en", n_boot: int | None = None,
            force: bool = False, progress: bool = False, command: str | None = None,
            site: str | None = None) -> Results:
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
    lang, n_boot, force, progress, command, site
        As in :func:`replicate`.

    Returns
    -------
    Results

    Raises
    ------
    UserError
        A missing file, or a column the analysis needs that the data lack.
    """
    study = _as_study(study)
    lang = _check_lang(lang, study)
    source = {"kind": "file" if isinstance(data, (str, Path)) else "dataframe"}
    if isinstance(data, (str, Path)):
        source["path"] = str(data)
    return _run(lambda: load_data(data, study, mapping, source=source), study, source, out, lang=lang,
                seed=None, n_boot=n_boot, force=force, progress=progress, command=command, site=site)


def _run(get_data, study: Study, source: dict, out, *, lang, seed, n_boot, force, progress, command,
         site):
    started = outputs.utc_now()
    out = None if out is None else Path(out)
    if out is not None:
        outputs.check_output_dir(out, force=force)
    total = 1 + len(ANALYSIS_STEPS) + (len(outputs.WRITE_STEPS) if out is not None else 0)
    bar = RichProgress(total, f"{study.id}") if progress else None
    with bar or contextlib.nullcontext():
        data = get_data()
        if bar:
            bar.advance("data")
        results = run_analysis(data, study, lang=lang, n_boot=n_boot, seed=seed, progress=bar)
        results.manifest = outputs.build_manifest(results, source=source, command=command, started_at=started,
                                                  site=site)
        if out is not None:
            outputs.write_outputs(results, out, force=force, progress=bar)
    for skipped in results.skipped:
        print(f"replylab: warning: {skipped_summary(skipped)}", file=sys.stderr)
    return results


def skipped_summary(skipped: SkippedStep) -> str:
    """One line for the terminal: what could not run, why, and where the report says so.

    >>> skipped_summary(SkippedStep("hypotheses", "h2", "constant", {"column": "m", "value": "0"},
    ...                             "column 'm' is constant"))
    "h2 (hypotheses) could not run: column 'm' is constant; the report explains it in its place."
    """
    what = f"{skipped.part} ({skipped.step})" if skipped.part else skipped.step
    return f"{what} could not run: {skipped.message}; the report explains it in its place."


