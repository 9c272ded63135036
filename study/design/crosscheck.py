"""Rules across the fields of a study file and against the questionnaire library.

The pydantic schema (:mod:`study.design.schema`) checks each field on its own; these
rules check that the fields agree: every translation present, ids unique,
vignette threads matching the conditions, levels and factors named anywhere
(checks, ``x_coding``, simulation) existing, the consent text naming the consent button and
the minimum age that the age item is checked against, at least one scale for the analysis to
describe, hypotheses naming known columns, checks naming items of the questionnaire. :func:`study.design.loader.load_study` runs
them and turns each ``(location, message)`` into ``file:line: field: message``.
"""

from __future__ import annotations

import re

from analysis.process.spec import model_spec
from questionnaires import QuestionnaireFileError, library_names, load_motive_codebook
from study.design.schema import Study
from study.design.validity import quality_problems

_FIXED_COLUMNS = {"participant_id", "condition", "lang", "status", "started_at", "completed_at"}
_NUMERIC_ITEM_TYPES = {"likert", "semantic_differential", "number"}


def cross_check(study: Study) -> list[tuple[tuple, str]]:
    """Problems a schema cannot see, as ``(location, message)`` pairs.

    The location is a tuple of keys and list indices into the study file (as in
    a pydantic error), so the loader can point at the line.

    >>> from study import load_study
    >>> cross_check(load_study("tilburg"))
    []
    """
    problems: list[tuple[tuple, str]] = []
    problems += _check_serving_blocks(study)
    problems += _check_ids(study)
    problems += _check_translations(study)
    if study.vignette is not None:
        problems += _check_threads(study)
    if study.texts is not None:
        problems += _check_consent_text(study)
    questionnaire, module_problems = _combined_questionnaire(study)
    problems += module_problems
    if questionnaire is not None:
        problems += _check_checks(study, questionnaire)
        problems += _check_minimum_age(study, questionnaire)
        problems += quality_problems(study, questionnaire)
        problems += _check_something_to_analyse(study, questionnaire)
        problems += _check_hypotheses(study, questionnaire)
        problems += _check_simulation(study, questionnaire)
        problems += _check_original(study, questionnaire)
    if study.assignment is not None and study.assignment.scheme == "permuted_blocks":
        size, k = study.assignment.block_size, len(study.conditions)
        if size is None or size % k:
            problems.append((("assignment", "block_size"),
                             f"permuted_blocks needs a block_size that is a multiple of the "
                             f"number of conditions ({k}), e.g. {2 * k}"))
    return problems


def _duplicates(values) -> list[tuple[int, object]]:
    seen, repeated = set(), []
    for index, value in enumerate(values):
        if value in seen:
            repeated.append((index, value))
        seen.add(value)
    return repeated


#: What a study needs before it can be served (a ``purpose: analysis`` study may leave them out).
SERVING_BLOCKS = ("texts", "vignette", "assignment", "completion")


def missing_for_serving(study: Study) -> list[str]:
    """The blocks a study still lacks before ``replylab serve`` can run it."""
    return [name for name in SERVING_BLOCKS if getattr(study, name) is None]


def _check_serving_blocks(study: Study):
    if study.purpose == "analysis":
        return []
    return [((name,), "required field is missing (a study to be served needs it; a study only for "
                      "analysing data collected elsewhere says purpose: analysis)")
            for name in missing_for_serving(study)]


def _check_ids(study: Study):
    problems = []
    for index, lang in _duplicates(study.languages):
        problems.append((("languages", index), f"language {lang!r} is listed twice; keep one"))
    for index, name in _duplicates(study.factor_names):
        problems.append((("factors", index, "name"), f"duplicate factor id {name!r}; factor ids must be unique"))
    for f_index, factor in enumerate(study.factors):
        if factor.name in _FIXED_COLUMNS:
            problems.append((("factors", f_index, "name"),
                             f"{factor.name!r} is a column of every data set; choose another factor id"))
        for l_index, level in _duplicates(factor.level_names):
            problems.append((("factors", f_index, "levels", l_index, "name"),
                             f"duplicate level id {level!r} in factor {factor.name!r}; level ids must be unique"))
    for index, name in _duplicates(study.questionnaire_modules):
        problems.append((("questionnaire_modules", index), f"module {name!r} is listed twice; keep one"))
    for index, name in _duplicates([h.id for h in study.analysis.hypotheses]):
        problems.append((("analysis", "hypotheses", index, "id"),
                         f"duplicate hypothesis id {name!r}; hypothesis ids must be unique"))
    return problems


def _localized_fields(study: Study):
    """(location, mapping) of every participant-facing text in the study."""
    yield ("title",), study.title
    if study.texts is not None:
        for part in ("welcome", "consent", "decline", "debrief", "institution", "ethics_approval",
                     "privacy", "consent_button"):
            if getattr(study.texts, part) is not None:
                yield ("texts", part), getattr(study.texts, part)
    if study.vignette is not None:
        yield ("vignette", "intro"), study.vignette.intro
    for f_index, factor in enumerate(study.factors):
        if factor.label is not None:
            yield ("factors", f_index, "label"), factor.label
        for l_index, level in enumerate(factor.levels):
            yield ("factors", f_index, "levels", l_index, "label"), level.label
    for condition, by_lang in (study.vignette.threads.items() if study.vignette else ()):
        yield ("vignette", "threads", condition), by_lang
    for h_index, hypothesis in enumerate(study.analysis.hypotheses):
        if isinstance(hypothesis.description, dict):  # a plain string serves every language
            yield ("analysis", "hypotheses", h_index, "description"), hypothesis.description
    if study.original is not None:
        if study.original.note is not None:
            yield ("original", "note"), study.original.note
        for c_index, claim in enumerate(study.original.claims):
            yield ("original", "claims", c_index, "finding"), claim.finding


def _check_translations(study: Study):
    problems = []
    languages = ", ".join(study.languages)
    for loc, texts in _localized_fields(study):
        for lang in study.languages:
            if lang not in texts:
                problems.append((loc, f"missing the {lang!r} translation; every participant-facing "
                                      f"text needs one per study language ({languages})"))
    return problems


def _check_threads(study: Study):
    problems = []
    names = study.condition_names
    threads = study.vignette.threads
    for condition, by_lang in threads.items():
        if condition not in names:
            problems.append((("vignette", "threads", condition),
                             f"no condition {condition!r}; conditions are the crossing of the "
                             f"factor levels: {', '.join(names)}"))
        for lang, messages in by_lang.items():
            if not messages:
                problems.append((("vignette", "threads", condition, lang),
                                 "the thread is empty; give at least one message"))
    for condition in names:
        if condition not in threads:
            problems.append((("vignette", "threads"),
                             f"condition {condition!r} has no thread; add threads.{condition} "
                             f"with the messages in every language"))
    return problems


def _check_consent_text(study: Study):
    """The consent text names the button that gives consent and states the minimum age."""
    problems = []
    texts = study.texts
    for lang in study.languages:
        consent = texts.consent.get(lang)
        if consent is None:
            continue  # reported as a missing translation
        button = texts.consent_button_text(lang)
        if button.casefold() not in consent.casefold():
            problems.append((("texts", "consent", lang),
                             f"the consent text does not name the button that gives consent, "
                             f"{button!r}; write which button to choose (e.g. 'choose \"{button}\"'), "
                             f"or set texts.consent_button.{lang} to the words your text uses"))
        if texts.minimum_age is not None and not re.search(
                rf"(?<!\d){texts.minimum_age}(?!\d)", consent):
            problems.append((("texts", "consent", lang),
                             f"the consent text does not state the minimum age "
                             f"{texts.minimum_age} (texts.minimum_age); say who may take part, "
                             f"e.g. 'are you {texts.minimum_age} or older?'"))
    return problems


def _check_minimum_age(study: Study, questionnaire):
    """``texts.minimum_age`` can be enforced: its age item is a required number item that can
    hold the minimum."""
    texts = study.texts
    if texts is None or texts.minimum_age is None:
        return []
    loc = ("texts", "age_item")
    item = _item_or_none(questionnaire, texts.age_item)
    if item is None:
        return [(loc, f"texts.minimum_age needs an age question, but the questionnaire has no "
                      f"item {texts.age_item!r}; add the module 'demographics' (item 'age') or "
                      f"name your age item in texts.age_item")]
    if item.type != "number":
        return [(loc, f"item {item.id!r} is a {item.type} item; the minimum age is checked "
                      f"against a number item (the participant's age in years)")]
    problems = []
    if not item.required:
        problems.append((loc, f"item {item.id!r} is optional, so the minimum age could be skipped; "
                              f"make it required (required: true)"))
    if item.max is not None and item.max < texts.minimum_age:
        problems.append((("texts", "minimum_age"),
                         f"{texts.minimum_age} is above the largest answer item {item.id!r} "
                         f"accepts ({item.max:g}), so nobody could take part"))
    return problems


def _combined_questionnaire(study: Study):
    """The combined questionnaire, or None and the problems that prevent it."""
    known = library_names()
    problems = []
    for index, (name, source) in enumerate(zip(study.questionnaire_modules, study.questionnaire_sources)):
        if isinstance(source, str) and source not in known:
            problems.append((("questionnaire_modules", index),
                             f"unknown questionnaire module {name!r}; the library has: "
                             f"{', '.join(sorted(known))} (or give a .yaml file of your own)"))
        elif not isinstance(source, str) and not source.is_file():
            problems.append((("questionnaire_modules", index),
                             f"questionnaire file {name!r} not found (looked for {source})"))
    if problems:
        return None, problems
    try:
        questionnaire = study.questionnaire
    except (QuestionnaireFileError, ValueError) as error:
        return None, [(("questionnaire_modules",), f"the modules cannot be combined: {error}")]
    for lang in study.languages:
        if lang not in questionnaire.languages:
            problems.append((("questionnaire_modules",),
                             f"the questionnaire is not available in {lang!r} (it has "
                             f"{', '.join(questionnaire.languages)}); choose modules translated "
                             f"into every study language"))
    item_ids = {item.id for item in questionnaire.items}
    for f_index, factor in enumerate(study.factors):
        if factor.name in item_ids:
            problems.append((("factors", f_index, "name"),
                             f"{factor.name!r} is also an item id in the questionnaire; rename the factor"))
    return questionnaire, problems


def _item_or_none(questionnaire, item_id):
    return next((item for item in questionnaire.items if item.id == item_id), None)


def _allowed_answers(item) -> list | None:
    """The answers an item accepts (None for free text and numbers)."""
    if item.type in ("likert", "semantic_differential"):
        return list(range(1, item.points + 1))
    if item.type == "single_choice":
        return [option.value for option in item.options]
    return None


def _check_checks(study: Study, questionnaire):
    problems = []
    attention = study.checks.attention
    if attention is not None:
        item = _item_or_none(questionnaire, attention.item)
        if item is None:
            problems.append((("checks", "attention", "item"),
                             f"item {attention.item!r} is not in the questionnaire; add the module "
                             f"that defines it (e.g. 'attention') or name one of its items"))
        else:
            allowed = _allowed_answers(item)
            if allowed is not None and attention.correct not in allowed:
                problems.append((("checks", "attention", "correct"),
                                 f"{attention.correct!r} is not an answer item {item.id!r} accepts "
                                 f"({', '.join(map(str, allowed))})"))
    elif "attention" in study.analysis.exclude_on:
        problems.append((("analysis", "exclude_on"),
                         "excludes on 'attention' but checks.attention is not declared"))
    if "manipulation" in study.analysis.exclude_on and not study.checks.manipulation:
        problems.append((("analysis", "exclude_on"),
                         "excludes on 'manipulation' but checks.manipulation is empty"))
    for index, check in enumerate(study.checks.manipulation):
        loc = ("checks", "manipulation", index)
        if check.factor not in study.factor_names:
            problems.append((loc + ("factor",), f"unknown factor {check.factor!r}; the factors are "
                                                f"{', '.join(study.factor_names)}"))
            continue
        levels = study.factor(check.factor).level_names
        problems += _check_level_keys(check.expected, check.factor, levels, loc + ("expected",))
        for level in levels:
            if level not in check.expected:
                problems.append((loc + ("expected",),
                                 f"no expected answer for level {level!r} of {check.factor!r}"))
        item = _item_or_none(questionnaire, check.item)
        if item is None:
            problems.append((loc + ("item",), f"item {check.item!r} is not in the questionnaire"))
            continue
        allowed = _allowed_answers(item) or []
        for level, value in check.expected.items():
            if value not in allowed:
                problems.append((loc + ("expected", level),
                                 f"{value!r} is not an option of item {item.id!r} "
                                 f"({', '.join(map(str, allowed))})"))
    return problems


def _check_level_keys(mapping, factor, levels, loc):
    return [
        (loc + (level,), f"unknown level {level!r} of factor {factor!r}; its levels are "
                         f"{', '.join(levels)}")
        for level in mapping if level not in levels
    ]


def _check_shifts(study: Study, shifts, loc):
    problems = []
    for factor, by_level in shifts.items():
        if factor not in study.factor_names:
            problems.append((loc + (factor,), f"unknown factor {factor!r}; the factors are "
                                              f"{', '.join(study.factor_names)}"))
            continue
        problems += _check_level_keys(by_level, factor, study.factor(factor).level_names,
                                      loc + (factor,))
    return problems


def _analysable_columns(questionnaire) -> set[str]:
    items = {item.id for item in questionnaire.items if item.type in _NUMERIC_ITEM_TYPES}
    coding = {"pk_strategic", "pk_any", *load_motive_codebook().columns}
    return items | {scale.id for scale in questionnaire.scales} | coding


def _check_something_to_analyse(study: Study, questionnaire):
    """The report describes every scale by condition and tests them: without one it has nothing."""
    if questionnaire.scales:
        return []
    ratings = [item.id for item in questionnaire.items if item.type in ("likert", "semantic_differential")]
    example = (f"one item is enough: `scales: [{{id: {ratings[0]}_score, label: {{{study.languages[0]}: "
               f"{ratings[0]}}}, items: [{ratings[0]}]}}]`"
               if ratings else "of likert or semantic_differential items; it has none to build one from")
    return [(("questionnaire_modules",),
             "the questionnaire has no scale, so the analysis has nothing to describe and test; "
             f"declare at least one scale in a questionnaire module ({example})")]


def _check_hypotheses(study: Study, questionnaire):
    problems = []
    columns = _analysable_columns(questionnaire)
    expected = "a scale, a numeric item or a coding column (pk_strategic, pk_any, code_<motive>)"

    def check_column(name, loc):
        if name not in columns:
            problems.append((loc, f"unknown column {name!r}; expected {expected}"))

    def check_factor(name, loc):
        if name not in study.factor_names:
            problems.append((loc, f"unknown factor {name!r}; the factors are "
                                  f"{', '.join(study.factor_names)}"))
            return False
        return True

    for index, hypothesis in enumerate(study.analysis.hypotheses):
        loc = ("analysis", "hypotheses", index)
        if hypothesis.kind == "anova":
            check_column(hypothesis.dv, loc + ("dv",))
            listed = isinstance(hypothesis.between, list)
            for f_index, factor in enumerate(hypothesis.between_factors):
                check_factor(factor, loc + (("between", f_index) if listed else ("between",)))
            problems += [(loc + where, message) for where, message in hypothesis.direction_problems(study)]
            continue
        if hypothesis.kind == "process":
            problems += _check_process(study, hypothesis, loc, check_column)
            continue
        if check_factor(hypothesis.x, loc + ("x",)):
            levels = study.factor(hypothesis.x).level_names
            problems += _check_level_keys(hypothesis.x_coding, hypothesis.x, levels, loc + ("x_coding",))
            if set(hypothesis.x_coding.values()) != {0, 1}:
                problems.append((loc + ("x_coding",), "code one level 0 and another 1"))
        for field in ("m", "secondary_m"):
            value = getattr(hypothesis, field)
            names = [value] if isinstance(value, str) else (value or [])
            for m_index, name in enumerate(names):
                check_column(name, loc + ((field,) if isinstance(value, str) else (field, m_index)))
        check_column(hypothesis.y, loc + ("y",))
        problems += _check_covariates(study, hypothesis, loc, check_column)
    return problems


def _check_covariates(study: Study, hypothesis, loc, check_column):
    """Covariates are two-level factors (entered as 0/1) or analysable columns."""
    problems = []
    for c_index, name in enumerate(hypothesis.covariates or []):
        if name in study.factor_names:
            if len(study.factor(name).levels) != 2:
                problems.append((loc + ("covariates", c_index), f"factor {name!r} has more than two "
                                 "levels; only a two-level factor can be a covariate (as 0/1)"))
        else:
            check_column(name, loc + ("covariates", c_index))
    return problems


def _process_roles(hypothesis, loc):
    """The roles the model number asks for (PROCESS's rules, as :func:`analysis.process` applies them)."""
    spec, number, problems = model_spec(hypothesis.model), hypothesis.model, []
    mediators = hypothesis.mediators
    if spec.has_mediators and not mediators:
        problems.append((loc + ("m",), f"model {number} is a mediation model: name its mediator(s) in m"))
    elif not spec.has_mediators and mediators:
        problems.append((loc + ("m",), f"model {number} has no mediators; leave m out"))
    elif spec.serial and len(mediators) < 2:
        problems.append((loc + ("m",), f"model {number} (serial mediation) needs two or more mediators in m, "
                                       "in their causal order"))
    for role in ("w", "z"):
        given, needed = getattr(hypothesis, role), role in spec.moderators
        if needed and given is None:
            problems.append((loc + (role,), f"model {number} has moderator {role.upper()}: name its column in {role}"))
        elif given is not None and not needed:
            problems.append((loc + (role,), f"model {number} has no moderator {role.upper()}; leave {role} out"))
    for role in ("w", "z"):
        probe = getattr(hypothesis, f"{role}_values")
        if probe is None:
            continue
        if role not in spec.moderators:
            problems.append((loc + (f"{role}_values",), f"model {number} has no moderator {role.upper()}; "
                                                        f"leave {role}_values out"))
        elif not probe:
            problems.append((loc + (f"{role}_values",), f"give one or more values of {role} to probe, or leave "
                                                        f"{role}_values out"))
    roles = [("x", hypothesis.x), *((("m",) if isinstance(hypothesis.m, str) else ("m", i), name)
                                    for i, name in enumerate(mediators)),
             ("y", hypothesis.y), ("w", hypothesis.w), ("z", hypothesis.z),
             *((("covariates", i), name) for i, name in enumerate(hypothesis.covariates or []))]
    seen: dict[str, object] = {}
    for field, name in roles:
        if name is None:
            continue
        if name in seen:
            where = field if isinstance(field, tuple) else (field,)
            first = seen[name] if isinstance(seen[name], str) else seen[name][0]
            problems.append((loc + where, f"{name!r} already has the role {first}; x, m, y, w, z and the "
                                          "covariates must be different variables"))
        else:
            seen[name] = field
    return problems


def _check_process(study: Study, hypothesis, loc, check_column):
    """A process hypothesis: the roles its model asks for, each a factor (coded) or an analysable column."""
    problems = _process_roles(hypothesis, loc)
    for role in ("x", "w", "z"):
        name = getattr(hypothesis, role)
        if name is None:
            continue
        coding = getattr(hypothesis, f"{role}_coding")
        if isinstance(coding, dict) and len(set(coding.values())) < 2:
            problems.append((loc + (f"{role}_coding",), f"{role}_coding gives every level it codes the same "
                             "number; code at least two levels with different numbers"))
        if name in study.factor_names:
            levels = study.factor(name).level_names
            if isinstance(coding, dict):
                problems += _check_level_keys(coding, name, levels, loc + (f"{role}_coding",))
            elif not (role == "x" and isinstance(coding, str)):
                problems.append((loc + (f"{role}_coding",), f"{role} is the factor {name!r}: give "
                                 f"{role}_coding, numbers for its levels ({', '.join(levels)})"
                                 + (", or a coding system for three or more levels" if role == "x" else "")))
        else:
            check_column(name, loc + (role,))
            if isinstance(coding, dict):
                problems.append((loc + (f"{role}_coding",), f"{role} {name!r} is a column, not a factor of the "
                                 f"study; {role}_coding maps a factor's levels to numbers, so leave it out"))
    if hypothesis.x_reference is not None:
        problems += _check_x_reference(study, hypothesis, loc)
    for m_index, name in enumerate(hypothesis.mediators):
        check_column(name, loc + (("m",) if isinstance(hypothesis.m, str) else ("m", m_index)))
    check_column(hypothesis.y, loc + ("y",))
    return problems + _check_covariates(study, hypothesis, loc, check_column)


def _check_x_reference(study: Study, hypothesis, loc):
    """``x_reference`` names a level of the factor X, and X is coded by a coding system."""
    where = loc + ("x_reference",)
    if hypothesis.x not in study.factor_names:
        return [(where, f"x {hypothesis.x!r} is not a factor of the study; x_reference names a level of a "
                        "factor X coded by a coding system (x_coding: indicator, ...)")]
    if not isinstance(hypothesis.x_coding, str):
        return [(where, "x_reference applies to a coding system (x_coding: indicator, sequential, helmert or "
                        "effect); with numbers in x_coding, code the reference level 0 instead")]
    levels = study.factor(hypothesis.x).level_names
    if hypothesis.x_reference not in levels:
        return [(where, f"unknown level {hypothesis.x_reference!r} of factor {hypothesis.x!r}; its levels are "
                        f"{', '.join(levels)}")]
    return []


def _check_simulation(study: Study, questionnaire):
    model = study.simulation
    problems = _check_shifts(study, model.a, ("simulation", "a"))
    problems += _check_shifts(study, model.c_prime, ("simulation", "c_prime"))
    problems += model.interaction_problems(study.factors)
    book = load_motive_codebook()
    motives = [category.id for category in book.categories if not category.exclusive]
    for motive, motive_model in model.motives.items():
        if motive not in motives:
            problems.append((("simulation", "motives", motive),
                             f"unknown motive {motive!r}; the motive codebook's motives are "
                             f"{', '.join(motives)}"))
            continue
        problems += _check_shifts(study, motive_model.shift, ("simulation", "motives", motive, "shift"))
    scales = {scale.id for scale in questionnaire.scales}
    for field in ("attitude_scales", "pk_scales"):
        if field not in model.model_fields_set:
            continue  # the defaults name the shipped scales; a study without them simply lacks them
        for index, scale in enumerate(getattr(model, field)):
            if scale not in scales:
                problems.append((("simulation", field, index),
                                 f"unknown scale {scale!r}; the questionnaire's scales are "
                                 f"{', '.join(sorted(scales))}"))
    for scale in model.item_center:
        if scale not in scales:
            problems.append((("simulation", "item_center", scale), f"unknown scale {scale!r}"))
    for item_id in model.numbers:
        item = _item_or_none(questionnaire, item_id)
        if item is None or item.type != "number":
            problems.append((("simulation", "numbers", item_id),
                             f"{item_id!r} is not a number item of the questionnaire"))
    for item_id, weights in model.choices.items():
        item = _item_or_none(questionnaire, item_id)
        if item is None or item.type != "single_choice":
            problems.append((("simulation", "choices", item_id),
                             f"{item_id!r} is not a single-choice item of the questionnaire"))
            continue
        values = _allowed_answers(item)
        for value, weight in weights.items():
            if value not in values:
                problems.append((("simulation", "choices", item_id, value),
                                 f"{value!r} is not an option of {item_id!r} ({', '.join(values)})"))
            elif weight < 0:
                problems.append((("simulation", "choices", item_id, value), "weights must be >= 0"))
        if sum(max(weight, 0) for value, weight in weights.items() if value in values) <= 0:
            problems.append((("simulation", "choices", item_id),
                             "give at least one option a weight above 0"))
    return problems


def _check_original(study: Study, questionnaire):
    """The original's claims name hypotheses, factors, levels and columns this study has."""
    if study.original is None:
        return []
    problems = []
    hypotheses = {h.id: h for h in study.analysis.hypotheses}
    columns = _analysable_columns(questionnaire)
    ids = [claim.id for claim in study.original.claims]
    for index, claim in enumerate(study.original.claims):
        loc = ("original", "claims", index, "quantity")
        quantity = claim.quantity
        if ids.count(claim.id) > 1:
            problems.append((("original", "claims", index, "id"), f"claim id {claim.id!r} is used twice"))
        factor = quantity.factor
        if quantity.hypothesis is not None:
            wanted = "anova" if quantity.kind == "smd" else "mediation"
            hypothesis = hypotheses.get(quantity.hypothesis)
            if hypothesis is None or hypothesis.kind != wanted:
                known = [h for h, spec in hypotheses.items() if spec.kind == wanted]
                problems.append((loc + ("hypothesis",), f"{quantity.hypothesis!r} is not an {wanted} "
                                 f"hypothesis of the plan; use one of {', '.join(known) or '(none)'}"))
                continue
            if quantity.kind == "smd":
                factor = factor or hypothesis.between_factors[0]
                if factor not in hypothesis.between_factors:
                    problems.append((loc + ("factor",), f"factor {factor!r} is not a factor of hypothesis "
                                     f"{quantity.hypothesis!r} ({', '.join(hypothesis.between_factors)})"))
                    continue
        if factor is not None:
            if factor not in study.factor_names:
                problems.append((loc + ("factor",), f"unknown factor {factor!r}; the factors are "
                                 f"{', '.join(study.factor_names)}"))
                continue
            levels = study.factor(factor).level_names
            for l_index, level in enumerate(quantity.levels or []):
                if level not in levels:
                    problems.append((loc + ("levels", l_index), f"{level!r} is not a level of {factor!r} "
                                     f"({', '.join(levels)})"))
        for name in ("column", "y"):
            value = getattr(quantity, name)
            if value is not None and value not in columns:
                problems.append((loc + (name,), f"unknown column {value!r}; expected a scale, a numeric "
                                 "item or a coding column (pk_strategic, pk_any, code_<motive>)"))
    return problems
