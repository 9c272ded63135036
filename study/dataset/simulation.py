"""Simulated participants: the canonical data set drawn from a study's generative model.

For each participant (condition balanced, language drawn from the study's languages):

1. Latent persuasion knowledge ``pk = a[levels] + e1`` and latent attitude
   ``att = c'[levels] + b[levels] * pk + e2`` (``e1``, ``e2`` standard normal; the shifts
   are the study's ``simulation.a`` and ``simulation.c_prime``, summed over factors, plus
   every ``simulation.interactions`` term of that path whose combination of levels the
   participant has; ``b[levels]`` is ``simulation.b`` plus its interaction terms).
   Every other scale gets an independent standard-normal latent
   (:func:`simulate_latents` returns ``pk`` and ``att`` themselves).
2. Ordinal items (likert, semantic differential) from their latent: the continuous
   answer ``center + loading * latent + sqrt(1 - loading**2) * noise`` is cut at
   equally spaced thresholds (``THRESHOLD_SPAN``) into ``1..points``; a reverse-keyed
   item is then stored as presented, ``points + 1 - answer``.
3. The attention check is answered as instructed unless the participant fails it
   (``attention_failure_rate``); then another answer is drawn. Manipulation checks
   are right with ``manipulation_correct_rate``, "don't remember" with
   ``dont_remember_rate`` (when the item offers it), otherwise another wrong option.
4. Numbers from ``simulation.numbers`` (normal, rounded, clipped to the item's range),
   single choices from ``simulation.choices`` weights (equal by default).
5. The free-text ``reason``: each motive is named with probability
   ``logistic(intercept + shifts + pk_slope * pk)``; at most two are kept (at random);
   none gives ``no_motive``. The text combines phrasings from ``study/dataset/phrasebank``
   in the participant's language; the motives behind it go to ``reason_true_motives``.

Scored scale columns come from ``questionnaires.score``.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from questionnaires import score
from study.dataset.codebook import MOTIVES, canonical_columns
from study.design.schema import Study
from study.errors import UserError

PHRASEBANK_DIR = Path(__file__).parent / "phrasebank"
#: Ordinal answers cut a unit-variance continuous answer at points-1 equally spaced
#: thresholds between -THRESHOLD_SPAN and +THRESHOLD_SPAN.
THRESHOLD_SPAN = 1.75
#: Free-text items that get motive-driven reasons (the coded question).
REASON_ITEM = "reason"
MAX_MOTIVES = 2

__all__ = ["simulate", "simulate_latents", "load_phrasebank", "compose_reason"]


@lru_cache(maxsize=None)
def load_phrasebank(lang: str) -> dict:
    """The phrase bank of one language (``study/dataset/phrasebank/<lang>.yaml``).

    >>> bank = load_phrasebank("en")
    >>> sorted(bank["motives"]) == sorted(MOTIVES.ids)
    True
    """
    path = PHRASEBANK_DIR / f"{lang}.yaml"
    if not path.exists():
        raise UserError(f"{path}: no phrase bank for language {lang!r}; add one to {PHRASEBANK_DIR}")
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _lower_first(sentence: str) -> str:
    first_word = sentence.split(" ", 1)[0]
    if first_word in ("I", "I'm", "I'd", "I've", "I'll") or first_word.isupper():
        return sentence
    return sentence[0].lower() + sentence[1:]


def compose_reason(motives: list[str], levels: list[str], lang: str,
                   rng: np.random.Generator) -> str:
    """One free-text reason naming ``motives`` (one or two ids), in ``lang``.

    Phrasings are drawn from the motive's ``any`` list plus the lists of the
    participant's factor ``levels``; openers, connectors and closers vary the text.

    >>> rng = np.random.default_rng(1)
    >>> text = compose_reason(["privacy_data"], ["private"], "en", rng)
    >>> isinstance(text, str) and len(text) >= 10
    True
    """
    bank = load_phrasebank(lang)
    parts = []
    if rng.random() < 0.35:
        parts.append(str(rng.choice(bank["openers"])))
    for position, motive in enumerate(motives):
        pools = bank["motives"][motive]
        choices = list(pools["any"]) + [p for level in levels for p in pools.get(level, [])]
        sentence = str(rng.choice(choices))
        if position > 0 and rng.random() < 0.6:
            parts.append(str(rng.choice(bank["connectors"])))
            sentence = _lower_first(sentence)
        parts.append(sentence)
    if rng.random() < 0.25:
        parts.append(str(rng.choice(bank["closers"])))
    text = " ".join(parts)
    if rng.random() < 0.1:  # typed casually
        text = text[0].lower() + text[1:] if not text.startswith("I ") else text
    if rng.random() < 0.1 and text.endswith("."):
        text = text[:-1]
    return text


def _check_arguments(study, n, seed, lang):
    if not isinstance(study, Study):
        raise UserError(f"simulate needs a Study (from study.load_study), got {type(study).__name__}")
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise UserError(f"n must be a whole number of participants >= 1, got {n!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise UserError(f"seed must be a whole number >= 0, got {seed!r}")
    if lang is not None and lang not in study.languages:
        raise UserError(f"lang {lang!r} is not a language of study {study.id!r}; "
                        f"choose one of {', '.join(study.languages)}")


def _check_interactions(study):
    """Interactions naming unknown factors or levels: load_study reports them, but a Study built in code is not checked."""
    problems = study.simulation.interaction_problems(study.factors)
    if problems:
        where = f"{study.path}: " if study.path else ""
        raise UserError("\n".join(f"{where}{'.'.join(map(str, loc[:2]))}[{loc[2]}].{'.'.join(loc[3:])}: {message}"
                                   for loc, message in problems))


def _shift(shifts: dict, condition_levels: dict) -> float:
    return sum(shifts.get(factor, {}).get(level, 0.0) for factor, level in condition_levels.items())


def _ordinal(latent: np.ndarray, points: int, center: float, loading: float,
             rng: np.random.Generator) -> np.ndarray:
    continuous = center + loading * latent + np.sqrt(1 - loading**2) * rng.standard_normal(latent.size)
    thresholds = np.linspace(-THRESHOLD_SPAN, THRESHOLD_SPAN, points - 1)
    return 1 + (continuous[:, None] > thresholds[None, :]).sum(axis=1)


def _other_answer(allowed: list, not_this, rng: np.random.Generator):
    others = [value for value in allowed if value != not_this]
    return others[rng.integers(len(others))]


def _timestamps(model, n: int, rng: np.random.Generator) -> tuple[list[str], list[str]]:
    start = dt.datetime.combine(model.fieldwork_start, dt.time(), tzinfo=dt.UTC)
    days = rng.integers(0, model.fieldwork_days, n)
    hour = np.clip(14 + 3.5 * rng.standard_normal(n), 7, 23.5)  # mostly daytime
    offsets = np.sort(days * 86400 + hour * 3600)
    minutes = np.maximum(3.0, model.minutes_median * np.exp(0.4 * rng.standard_normal(n)))
    started = [start + dt.timedelta(seconds=int(s)) for s in offsets]
    completed = [s + dt.timedelta(seconds=int(m * 60)) for s, m in zip(started, minutes)]
    iso = lambda moments: [m.isoformat(timespec="seconds") for m in moments]  # noqa: E731
    return iso(started), iso(completed)


def simulate(study: Study, n: int, seed: int, lang: str | None = None) -> pd.DataFrame:
    """Simulate ``n`` complete participants of ``study`` as the canonical data set.

    Parameters
    ----------
    study : Study
        A loaded study (:func:`study.load_study`); its ``simulation`` block is the
        generative model (see the module docstring).
    n : int
        Number of participants; conditions are balanced (sizes differ by at most 1)
        and assigned in random order.
    seed : int
        Seed of every random step: the same seed gives the same data, byte for byte.
    lang : str, optional
        Language of every participant; by default drawn from ``study.languages``.

    Returns
    -------
    pandas.DataFrame
        One row per participant, columns as in ``study.dataset.codebook.canonical_columns``:
        ``participant_id``, ``condition``, one column per factor, ``lang``, ``status``
        (``complete``), ``started_at``, ``completed_at`` (ISO 8601 UTC), the items in
        questionnaire order (raw answers as presented), the scored scales, then
        ``reason_true_motives`` (motive ids joined by ``;``).

    Raises
    ------
    UserError
        ``n``, ``seed`` or ``lang`` not usable.

    Examples
    --------
    >>> from study import load_study
    >>> data = simulate(load_study("tilburg"), n=6, seed=1, lang="en")
    >>> data["condition"].value_counts().sort_index().to_dict()
    {'private': 3, 'public': 3}
    >>> sorted(set(data["lang"])), sorted(set(data["status"]))
    (['en'], ['complete'])
    >>> data["att_1"].between(1, 7).all()
    np.True_
    """
    _check_arguments(study, n, seed, lang)
    rng = np.random.default_rng(seed)
    model = study.simulation
    questionnaire = study.questionnaire
    conditions = study.conditions
    cells, langs, pk, attitude = _draw_latents(study, n, lang, rng)
    levels = [conditions[c].levels for c in cells]
    latent_of_scale = {scale: attitude for scale in model.attitude_scales}
    latent_of_scale |= {scale: pk for scale in model.pk_scales}

    started, completed = _timestamps(model, n, rng)
    columns: dict[str, object] = {
        "participant_id": [f"sim-{i + 1:05d}" for i in range(n)],
        "condition": [conditions[c].name for c in cells],
        **{factor: [lv[factor] for lv in levels] for factor in study.factor_names},
        "lang": langs,
        "status": ["complete"] * n,
        "started_at": started,
        "completed_at": completed,
    }
    scale_of_item = {item: scale.id for scale in questionnaire.scales for item in scale.items}
    attention = study.checks.attention
    manipulation = {check.item: check for check in study.checks.manipulation}
    true_motives = [""] * n
    for item in questionnaire.items:
        if attention is not None and item.id == attention.item:
            columns[item.id] = _attention_answers(item, attention.correct, model, n, rng)
        elif item.id in manipulation:
            columns[item.id] = _manipulation_answers(item, manipulation[item.id], levels, model, rng)
        elif item.type in ("likert", "semantic_differential"):
            scale = scale_of_item.get(item.id, item.id)  # an item outside scales: its own latent
            if scale not in latent_of_scale:
                latent_of_scale[scale] = rng.standard_normal(n)
            keyed = _ordinal(latent_of_scale[scale], item.points,
                             model.item_center.get(scale, 0.0), model.loading, rng)
            columns[item.id] = item.points + 1 - keyed if item.reverse else keyed
        elif item.type == "single_choice":
            columns[item.id] = _choice_answers(item, model, n, rng)
        elif item.type == "number":
            columns[item.id] = _number_answers(item, model, n, rng)
        elif item.type == "free_text" and item.id == REASON_ITEM:
            columns[item.id], true_motives = _reasons(study, levels, langs, pk, rng)
        elif item.type == "free_text":  # other open questions are left unanswered
            columns[item.id] = [None] * n
    data = pd.DataFrame(columns)
    scored = score(data, questionnaire)
    scored["reason_true_motives"] = true_motives
    return scored[canonical_columns(study, simulated=True)]


def _draw_latents(study: Study, n: int, lang: str | None, rng: np.random.Generator):
    """Cells (condition indices), languages and the latent pk and attitude: the first draws of ``simulate``."""
    _check_interactions(study)
    model, conditions = study.simulation, study.conditions
    cells = rng.permutation(np.arange(n) % len(conditions))
    langs = [lang] * n if lang else list(rng.choice(study.languages, size=n))
    a_shift = np.array([model.shift("a", condition.levels) for condition in conditions])
    c_shift = np.array([model.shift("c_prime", condition.levels) for condition in conditions])
    slope = np.array([model.slope(condition.levels) for condition in conditions])
    pk = a_shift[cells] + rng.standard_normal(n)
    attitude = c_shift[cells] + slope[cells] * pk + rng.standard_normal(n)
    return cells, langs, pk, attitude


def simulate_latents(study: Study, n: int, seed: int, lang: str | None = None) -> pd.DataFrame:
    """The latent scores behind :func:`simulate` with the same arguments: the generative model itself.

    Useful to check a ``simulation`` block: the latent ``pk`` and ``attitude`` follow the
    block's equations exactly (standard-normal residuals), before items are cut from them.

    Returns
    -------
    pandas.DataFrame
        ``participant_id``, ``condition``, one column per factor, ``pk``, ``attitude``;
        the rows of ``simulate(study, n, seed, lang)``, in the same order.

    Examples
    --------
    >>> from study import load_study
    >>> tilburg = load_study("tilburg")
    >>> latents = simulate_latents(tilburg, n=6, seed=1, lang="en")
    >>> latents.columns.tolist()
    ['participant_id', 'condition', 'channel', 'pk', 'attitude']
    >>> latents["condition"].equals(simulate(tilburg, n=6, seed=1, lang="en")["condition"])
    True
    """
    _check_arguments(study, n, seed, lang)
    cells, _, pk, attitude = _draw_latents(study, n, lang, np.random.default_rng(seed))
    conditions = study.conditions
    return pd.DataFrame({
        "participant_id": [f"sim-{i + 1:05d}" for i in range(n)],
        "condition": [conditions[c].name for c in cells],
        **{factor: [conditions[c].levels[factor] for c in cells] for factor in study.factor_names},
        "pk": pk,
        "attitude": attitude,
    })


def _attention_answers(item, correct, model, n, rng):
    allowed = (list(range(1, item.points + 1)) if item.type in ("likert", "semantic_differential")
               else [option.value for option in item.options])
    fails = rng.random(n) < model.attention_failure_rate
    return [_other_answer(allowed, correct, rng) if fail else correct for fail in fails]


def _manipulation_answers(item, check, levels, model, rng):
    values = [option.value for option in item.options]
    answers = []
    for participant_levels in levels:
        expected = check.expected[participant_levels[check.factor]]
        draw = rng.random()
        if draw < model.manipulation_correct_rate:
            answers.append(expected)
        elif draw < model.manipulation_correct_rate + model.dont_remember_rate and "dont_remember" in values:
            answers.append("dont_remember")
        else:
            wrong = [v for v in values if v not in (expected, "dont_remember")] or [expected]
            answers.append(wrong[rng.integers(len(wrong))])
    return answers


def _choice_answers(item, model, n, rng):
    """Options drawn with the study's weights (options it leaves out: 0), else equally."""
    values = item.option_values
    given = model.choices.get(item.id)
    weights = np.array([given.get(v, 0.0) if given else 1.0 for v in values], dtype=float)
    return [values[i] for i in rng.choice(len(values), size=n, p=weights / weights.sum())]


def _number_answers(item, model, n, rng):
    spec = model.numbers.get(item.id)
    low = item.min if item.min is not None else 0.0
    high = item.max if item.max is not None else low + 100.0
    if spec is not None:
        low = max(low, spec.min) if spec.min is not None else low
        high = min(high, spec.max) if spec.max is not None else high
    mean, sd = (spec.mean, spec.sd) if spec else ((low + high) / 2, (high - low) / 6)
    values = np.clip(mean + sd * rng.standard_normal(n), low, high)
    return np.rint(values).astype(int) if item.integer else values


def _reasons(study, levels, langs, pk, rng):
    """Texts and true motives for the free-text reason, one per participant."""
    model = study.simulation
    strategic_ids = [motive for motive in MOTIVES.ids if motive in model.motives]
    logits = np.array([
        [
            model.motives[motive].intercept
            + _shift(model.motives[motive].shift, participant_levels)
            + model.motives[motive].pk_slope * pk[i]
            for motive in strategic_ids
        ]
        for i, participant_levels in enumerate(levels)
    ]).reshape(len(levels), len(strategic_ids))
    named = rng.random(logits.shape) < 1 / (1 + np.exp(-logits))
    texts, true_motives = [], []
    for i, row in enumerate(named):
        chosen = [strategic_ids[j] for j in np.flatnonzero(row)]
        if len(chosen) > MAX_MOTIVES:
            chosen = [chosen[j] for j in sorted(rng.choice(len(chosen), MAX_MOTIVES, replace=False))]
        chosen = chosen or ["no_motive"]
        order = list(rng.permutation(chosen))
        texts.append(compose_reason(order, list(levels[i].values()), langs[i], rng))
        true_motives.append(";".join(chosen))
    return texts, true_motives


def site_study(study: Study, site: int, *, site_sd: float, seed: int) -> Study:
    """``study`` with the effects of one site: every shift of ``a`` and ``c_prime`` moved by a draw.

    Sites of a multi-site replication differ in their true effects; each level shift
    of the generative model (in SD units), and each interaction shift of ``a`` and
    ``c_prime``, gets its own normal deviation with SD
    ``site_sd`` at each site, drawn from ``numpy.random.default_rng([seed, site])``.
    ``site_sd=0`` gives the study itself.

    >>> from study import load_study
    >>> tilburg = load_study("tilburg")
    >>> site_study(tilburg, 1, site_sd=0.0, seed=5).simulation == tilburg.simulation
    True
    """
    if isinstance(site_sd, bool) or not isinstance(site_sd, (int, float)) or not site_sd >= 0:
        raise UserError(f"--site-sd must be a number of SD units, 0 or more; got {site_sd!r}")
    rng = np.random.default_rng([seed, site])
    model = study.simulation

    def moved(shifts):
        return {factor: {level: value + float(rng.normal(0.0, site_sd)) for level, value in levels.items()}
                for factor, levels in shifts.items()}

    update = {"a": moved(model.a), "c_prime": moved(model.c_prime)}
    # drawn after the main effects, so a study without interactions keeps its sites' draws
    update["interactions"] = [
        term.model_copy(update={"shift": term.shift + float(rng.normal(0.0, site_sd))}) if term.path != "b" else term
        for term in model.interactions
    ]
    simulation = model.model_copy(update=update)
    return study.model_copy(update={"simulation": simulation})
