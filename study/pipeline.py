"""The preregistered analysis of one study, start to finish: ``replicate`` and ``analyze``.

The steps live in :mod:`study.pipeline_steps` (each a small function of the data
and the study); :func:`run_analysis` runs them in order and collects everything
in a :class:`Results` object, and :func:`study.report_outputs.write_outputs`
turns that into the report, tables, figures, data, codebook and manifest.
Every number in the report comes from this object.

>>> from study.pipeline import ANALYSIS_STEPS
>>> ANALYSIS_STEPS[0]
'prepare data'
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from study.errors import UserError
from study.pipeline_steps import (  # noqa: F401  (re-exported: the steps are part of the pipeline's API)
    AnovaOutcome,
    MediationOutcome,
    analysed_rows,
    code_columns,
    descriptives,
    exclusion_flow,
    manipulation_check,
    motives_table,
    pk_attitude_correlations,
    prepare_data,
    run_anova_hypothesis,
    run_mediation_hypothesis,
    scale_reliability,
)
from study.schema import AnovaHypothesis, Study

__all__ = ["replicate", "analyze", "run_analysis", "Results", "RichProgress", "ANALYSIS_STEPS",
           "AnovaOutcome", "MediationOutcome", "prepare_data", "exclusion_flow", "analysed_rows",
           "scale_reliability", "manipulation_check", "descriptives", "run_anova_hypothesis",
           "run_mediation_hypothesis", "code_columns", "motives_table", "pk_attitude_correlations"]

#: Labels of the steps, in order, as the progress bar shows them.
ANALYSIS_STEPS = (
    "prepare data", "exclusions", "reliability", "manipulation check", "descriptives",
    "hypotheses", "motives by condition", "persuasion knowledge and attitude",
)


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


@contextlib.contextmanager
def _explained(step: str):
    """Turn the analysis functions' ValueError (bad data) into a UserError naming the step."""
    try:
        yield
    except ValueError as error:
        raise UserError(f"while {step}: {error}") from error


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
    with _explained("preparing the data"):
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
                      data=prepared, analysed=used, flow=flow, reliability=pd.DataFrame(),
                      manipulation=pd.DataFrame(), descriptives=pd.DataFrame())
    with _explained("computing the reliability of the scales"):
        results.reliability = scale_reliability(used, study)
    progress.advance("reliability")
    with _explained("checking the manipulation"):
        completed = prepared.loc[prepared["status"].astype("object") == "complete"]
        results.manipulation = manipulation_check(completed, study)
    progress.advance("manipulation check")
    with _explained("computing the descriptive statistics"):
        results.descriptives = descriptives(used, study)
    progress.advance("descriptives")
    for hypothesis in plan.hypotheses:
        with _explained(f"testing hypothesis {hypothesis.id} ({hypothesis.kind})"):
            if isinstance(hypothesis, AnovaHypothesis):
                results.hypotheses.append(run_anova_hypothesis(used, study, hypothesis))
            else:
                results.hypotheses.append(run_mediation_hypothesis(used, study, hypothesis,
                                                                   n_boot=n_boot, seed=boot_seed))
    progress.advance("hypotheses")
    with _explained("tabulating the motives by condition"):
        results.motives = motives_table(used, study)
    progress.advance("motives by condition")
    with _explained("correlating persuasion knowledge with the outcome"):
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
    from study import report_outputs as report

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


