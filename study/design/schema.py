"""The study file as a pydantic schema: ``Study`` and its parts.

A study file (YAML) declares factors, texts, the vignette, the questionnaire,
assignment, checks, completion, the analysis plan and the generative model used
by the simulator. This module checks the *shape* of that file (types, ids,
ranges); :func:`study.design.loader.load_study` adds the checks across fields and
against the questionnaire library, and turns every problem into
``file:line: field: message``.

>>> from study.design.schema import Factor, Level
>>> Factor(name="channel", levels=[Level(name="public", label={"en": "Public"}),
...                                Level(name="private", label={"en": "Private"})]).level_names
['public', 'private']
"""

from __future__ import annotations

import datetime
import itertools
import re
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal, Union

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    PrivateAttr,
    StringConstraints,
    Tag,
    ValidationInfo,
    field_validator,
    model_validator,
)

from questionnaires import combine, load_questionnaire

from study.design.fields import LANGUAGES, Id, Lang, Localized, NonEmpty, Part as _Part
from study.design.original import Original
from study.design.validity import EXCLUSION_RULES

# A library module's name, or a questionnaire file of the study's own (relative to the study file).
ModuleRef = Annotated[str, StringConstraints(pattern=r"^([a-z][a-z0-9_]*|\S.*\.ya?ml)$")]
#: Additive shifts per factor level, e.g. ``{channel: {public: 0.3}}`` (missing levels: 0).
LevelShifts = dict[Id, dict[Id, float]]


class Level(_Part):
    """One level of a factor: its id and its label per language."""

    name: Id
    label: Localized


class Factor(_Part):
    """A between-subjects factor and its levels, in order."""

    name: Id
    label: Localized | None = None
    levels: list[Level] = Field(min_length=2)

    @property
    def level_names(self) -> list[str]:
        return [level.name for level in self.levels]


class Condition(BaseModel):
    """One cell of the design: the crossing of one level per factor."""

    model_config = ConfigDict(frozen=True)

    name: str
    levels: dict[str, str]


#: The words on the button that gives consent, when the study file does not choose its own
#: (``texts.consent_button``). The consent text must name the button a participant presses.
DEFAULT_CONSENT_BUTTON = {"en": "I agree to take part", "nl": "Ik doe mee"}

#: A contact address: one e-mail address (shown as a link in the consent and the debrief).
EmailAddress = Annotated[str, StringConstraints(strip_whitespace=True,
                                                pattern=r"^[^@\s<>\"]+@[^@\s<>\"]+\.[A-Za-z]{2,}$")]


class Texts(_Part):
    """Participant-facing texts around the questionnaire (markdown or plain text), and who
    is responsible for the study: shown on the consent page and again in the debrief.

    ``minimum_age`` is the age the consent text asks for; the survey refuses a younger answer
    to the number item ``age_item`` (its ``min`` stays as it is, for the codebook and analysis).

    >>> texts = Texts(welcome={"en": "Hi"}, consent={"en": 'Choose "Yes, I take part".'},
    ...               decline={"en": "Bye"}, debrief={"en": "Thanks"},
    ...               institution={"en": "Example University"}, researchers="A. Example",
    ...               contact="study@example.org", ethics_approval={"en": "Board EX-1"},
    ...               privacy={"en": "Anonymous."}, consent_button={"en": "Yes, I take part"})
    >>> texts.consent_button_text("en")
    'Yes, I take part'
    """

    welcome: Localized
    consent: Localized
    decline: Localized
    debrief: Localized
    institution: Localized = Field(description="who runs the study (university, department)")
    researchers: NonEmpty = Field(description="the researchers' names, as participants see them")
    contact: EmailAddress = Field(description="where participants send questions and withdrawal requests")
    ethics_approval: Localized = Field(description="the ethics review: board and reference (or why none was needed)")
    privacy: Localized = Field(description="what is stored, how long, who sees it, the participant's rights")
    consent_button: Localized | None = Field(
        None, description="the words on the consent button (default: DEFAULT_CONSENT_BUTTON)")
    minimum_age: int | None = Field(None, ge=1, le=120,
                                    description="the minimum age stated in the consent text")
    age_item: Id = Field("age", description="the number item whose answer minimum_age checks")

    def consent_button_text(self, lang: str) -> str:
        """The words on the consent button in ``lang``: the study's own, else the default."""
        if self.consent_button is not None and lang in self.consent_button:
            return self.consent_button[lang]
        return DEFAULT_CONSENT_BUTTON[lang]


class Message(_Part):
    """One message of a vignette thread."""

    author: Literal["complainant", "brand", "other"]
    text: NonEmpty
    name: str | None = Field(None, description="display name for author 'other'")


class Account(_Part):
    """A social-media account shown in the vignette."""

    name: NonEmpty
    handle: Annotated[str, StringConstraints(pattern=r"^@?[A-Za-z0-9_]{1,30}$")]
    colour: Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")] = "#4a5568"

    @field_validator("handle")
    @classmethod
    def _at_sign(cls, value):
        """Handles are kept with their leading ``@`` (added when the file leaves it out)."""
        return value if value.startswith("@") else "@" + value


class Vignette(_Part):
    """The stimulus: who talks, the instruction above it and the thread per condition.

    ``threads[condition][lang]`` is the list of messages shown in that condition.
    """

    platform: NonEmpty = "social media"
    brand: Account
    complainant: Account
    intro: Localized
    min_view_seconds: float = Field(ge=0)
    threads: dict[str, dict[Lang, list[Message]]]


class Assignment(_Part):
    """How participants are allocated to conditions (see ``study.design.assignment``)."""

    scheme: Literal["balanced_completes", "permuted_blocks", "complete"]
    timeout_minutes: float = Field(30, gt=0)
    block_size: int | None = Field(None, ge=1)
    seed: int = 0
    #: Who fills a condition for ``balanced_completes``: every complete, or only completes that
    #: pass the checks named in ``analysis.exclude_on`` (:func:`study.design.validity.passes_declared_checks`).
    count: Literal["completes", "valid_completes"] = "completes"

    @model_validator(mode="after")
    def _count_needs_balancing(self):
        if self.count != "completes" and self.scheme != "balanced_completes":
            raise ValueError(f"count: {self.count} applies to scheme balanced_completes only "
                             f"({self.scheme} does not count completes); remove count or change the scheme")
        return self


class AttentionCheck(_Part):
    """An instructed-response item and the answer it instructs."""

    item: Id
    correct: int | str


class ManipulationCheck(_Part):
    """A question about a factor: the expected answer (option value) per level."""

    factor: Id
    item: Id
    expected: dict[Id, str]


class Checks(_Part):
    attention: AttentionCheck | None = None
    manipulation: list[ManipulationCheck] = []


class Completion(_Part):
    """The completion code and where to send participants after the debrief."""

    code: NonEmpty
    redirect_url: str | None = None

    @field_validator("redirect_url")
    @classmethod
    def _has_code_placeholder(cls, value):
        if value is not None and "{code}" not in value:
            raise ValueError("must contain the placeholder {code}, e.g. "
                             "https://app.prolific.com/submissions/complete?cc={code}")
        return value


#: A hypothesis description: one text for every language, or ``{en: ..., nl: ...}`` (one per study language).
Description = Annotated[Union[Annotated[NonEmpty, Tag("text")], Annotated[Localized, Tag("by_lang")]],
                        Discriminator(lambda value: "by_lang" if isinstance(value, dict) else "text")]


class _Described:
    def description_in(self, lang: str) -> str:
        """The description in ``lang`` (a plain string serves every language; ``""`` when there is none)."""
        return (self.description.get(lang, "") if isinstance(self.description, dict) else self.description) or ""


def _as_list(value: str | list[str] | None) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


#: ``higher > lower`` (or ``lower < higher``): the expected order of two levels of a factor.
_ORDER = re.compile(r"^\s*([a-z][a-z0-9_]*)\s*([<>])\s*([a-z][a-z0-9_]*)\s*$")
TWO_SIDED = "two-sided"


def _expected_order(text: str) -> tuple[str, str]:
    """``"public > private"`` -> ``("public", "private")`` (the level expected higher first)."""
    found = _ORDER.match(text)
    if found is None:
        raise ValueError(f"{text!r} is not an expected order; write two levels with > between them, "
                         f"e.g. 'public > private', or {TWO_SIDED}")
    left, sign, right = found.groups()
    if left == right:
        raise ValueError(f"{text!r} compares a level with itself; name two different levels")
    return (left, right) if sign == ">" else (right, left)


class AnovaHypothesis(_Part, _Described):
    """An ANOVA of ``dv`` by one or more between-subjects factors.

    ``direction`` says which level of a two-level factor is expected higher, e.g.
    ``public > private``; the two-group t tests and the Bayes factor of that factor
    are then one-sided in that direction. The default, ``two-sided``, expects no order.
    With several factors name the factor: ``{channel: public > private}``.

    >>> AnovaHypothesis(kind="anova", id="h1", dv="attitude", between="channel",
    ...                 direction="public > private").directions
    {'channel': ('public', 'private')}
    """

    kind: Literal["anova"]
    id: Id
    description: Description | None = None
    dv: NonEmpty
    between: Id | list[Id]
    direction: NonEmpty | dict[Id, NonEmpty] = TWO_SIDED

    @property
    def between_factors(self) -> list[str]:
        """``between`` as a list, whether one factor or several was given."""
        return _as_list(self.between)

    @field_validator("direction")
    @classmethod
    def _readable_orders(cls, value, info: ValidationInfo):
        for text in (value.values() if isinstance(value, dict) else [value]):
            if text.strip() != TWO_SIDED:
                _expected_order(text)
        if "between" not in info.data:  # between itself is wrong: reported there
            return value
        factors = _as_list(info.data["between"])
        if isinstance(value, dict):
            unknown = [name for name in value if name not in factors]
            if unknown:
                raise ValueError(f"names {', '.join(unknown)}, which is not in between ({', '.join(factors)})")
        elif value.strip() != TWO_SIDED and len(factors) > 1:
            raise ValueError(f"between has several factors; say which one the order is about, "
                             f"e.g. {{{factors[0]}: {value.strip()}}}")
        return value

    @property
    def directions(self) -> dict[str, tuple[str, str]]:
        """Factor -> (level expected higher, level expected lower), for the factors given an order."""
        given = self.direction if isinstance(self.direction, dict) else {self.between_factors[0]: self.direction}
        return {factor: _expected_order(text) for factor, text in given.items() if text.strip() != TWO_SIDED}

    def direction_problems(self, study) -> list[tuple[tuple, str]]:
        """``direction`` against the study's factors, as ``(location in the hypothesis, message)``.

        Each order must name the two levels of a two-level factor.
        """
        problems = []
        where = ("direction",)
        for factor, (higher, lower) in self.directions.items():
            loc = where + ((factor,) if isinstance(self.direction, dict) else ())
            if factor not in study.factor_names:
                continue  # the unknown factor itself is reported for ``between``
            levels = study.factor(factor).level_names
            if len(levels) != 2:
                problems.append((loc, f"factor {factor!r} has {len(levels)} levels; an expected order "
                                      "applies to a two-level factor (its t test)"))
            elif {higher, lower} != set(levels):
                problems.append((loc, f"{higher} > {lower} must name the levels of {factor!r}: "
                                      f"{' and '.join(levels)}"))
        return problems


class MediationHypothesis(_Part, _Described):
    """A simple (or parallel) mediation, Hayes model 4: ``x -> m -> y``.

    ``x`` is a factor; ``x_coding`` maps its levels to 0/1 (levels left out are
    not part of the model). ``covariates`` (columns, or two-level factors such as
    the other factor of a 2 x 2 design) enter every regression of the model.
    """

    kind: Literal["mediation"]
    id: Id
    description: Description | None = None
    x: Id
    x_coding: dict[Id, Literal[0, 1]]
    m: NonEmpty | list[NonEmpty]
    y: NonEmpty
    secondary_m: NonEmpty | list[NonEmpty] | None = None
    #: Entered in every regression of the model (a two-level factor as 0/1 in level order).
    covariates: list[NonEmpty] = []

    @property
    def mediators(self) -> list[str]:
        return _as_list(self.m)

    @property
    def secondary_mediators(self) -> list[str]:
        return _as_list(self.secondary_m)


#: PROCESS model numbers a study file may name (see analysis.process).
PROCESS_MODELS = (1, 2, 3, 4, 5, 6, 7, 8, 14, 15, 58, 59)


class ProcessHypothesis(_Part, _Described):
    """A conditional process model (Hayes' PROCESS), e.g. moderated mediation (model 7, 8, 14).

    ``x``, ``w`` and ``z`` may be factors: ``x_coding`` / ``w_coding`` / ``z_coding`` map
    their levels to numbers (e.g. ``{private: 0, public: 1}``); a factor X with three or
    more levels may instead name a coding system (``indicator``, ``sequential``,
    ``helmert``, ``effect``); ``x_reference`` then names the level coded first (the
    reference of indicator coding; default: the factor's first level in the study file).
    Covariates that are two-level factors enter as 0/1 in level order.
    """

    kind: Literal["process"]
    id: Id
    description: Description | None = None
    model: int
    x: NonEmpty
    x_coding: dict[Id, float] | Literal["indicator", "sequential", "helmert", "effect"] | None = None
    x_reference: Id | None = None
    m: NonEmpty | list[NonEmpty] | None = None
    y: NonEmpty
    w: NonEmpty | None = None
    w_coding: dict[Id, float] | None = None
    z: NonEmpty | None = None
    z_coding: dict[Id, float] | None = None
    covariates: list[NonEmpty] = []
    w_values: list[float] | None = None
    z_values: list[float] | None = None
    hc: Literal["HC0", "HC1", "HC2", "HC3", "HC4"] | None = None

    @field_validator("model")
    @classmethod
    def _known_model(cls, value):
        if value not in PROCESS_MODELS:
            raise ValueError(f"model {value} is not one replylab runs; use one of "
                             f"{', '.join(map(str, PROCESS_MODELS))}")
        return value

    @property
    def mediators(self) -> list[str]:
        return _as_list(self.m)

    def reference_level(self, study) -> str | None:
        """The level of a factor X that its coding system codes first: ``x_reference``, else
        the factor's first level in ``study``; None when X is not a factor with a coding system.

        >>> from study import load_study
        >>> tone = load_study("tone-of-reply")
        >>> tone.analysis.hypotheses[1].reference_level(tone)
        'defensive'
        """
        if not isinstance(self.x_coding, str) or self.x not in study.factor_names:
            return None
        return self.x_reference or study.factor(self.x).level_names[0]

    @property
    def codings(self) -> dict[str, dict[str, float]]:
        """Variable -> level codes, for the factors given a numeric coding."""
        found = {"x": self.x_coding, "w": self.w_coding, "z": self.z_coding}
        return {getattr(self, role): coding for role, coding in found.items() if isinstance(coding, dict)}


Hypothesis = Annotated[Union[AnovaHypothesis, MediationHypothesis, ProcessHypothesis],
                       Field(discriminator="kind")]


class AnalysisPlan(_Part):
    """The preregistered analysis."""

    alpha: float = Field(0.05, gt=0, lt=1)
    seed: int = 2021
    n_boot: int = Field(5000, ge=100)
    ci_method: Literal["percentile", "bc"] = "percentile"
    exclude_on: list[Literal[EXCLUSION_RULES]] = []
    equivalence_bounds: tuple[float, float] = (-0.3, 0.3)
    hypotheses: list[Hypothesis] = Field(min_length=1)

    @field_validator("exclude_on")
    @classmethod
    def _each_rule_once(cls, value):
        repeated = sorted({rule for rule in value if value.count(rule) > 1})
        if repeated:
            raise ValueError(f"names {', '.join(repeated)} more than once; each rule is applied once, in order")
        return value

    @field_validator("equivalence_bounds")
    @classmethod
    def _ordered(cls, value):
        if not value[0] < 0 < value[1]:
            raise ValueError("must be [lower, upper] with lower < 0 < upper (Cohen's d units)")
        return value


class Quality(_Part):
    """Thresholds of the data-quality flags (``study.dataset.quality``; the rules are in
    :data:`study.design.validity.QUALITY_FLAGS`). Every field has a default."""

    speeding_fraction: float = Field(0.5, gt=0, lt=1, description="flag_speeding: share of the median duration")
    straightlining_min_items: int = Field(4, ge=2, description="flag_straightlining: rating items a page or "
                                                               "scale needs to be judged")
    min_text_chars: int = Field(10, ge=1, description="flag_text_short: fewest characters of a free-text answer")
    vignette_copy_words: int = Field(4, ge=2, le=20, description="flag_text_from_vignette: words per run")
    vignette_copy_share: float = Field(0.5, gt=0, le=1, description="flag_text_from_vignette: share of the "
                                                                    "answer's runs found in the vignette")
    duplicate_min_chars: int = Field(20, ge=1, description="flag_text_duplicate: shorter answers are not compared")
    language_min_chars: int = Field(30, ge=1, description="flag_text_language: shorter answers are not judged")
    text_items: list[Id] | None = Field(None, description="the free-text items the text flags read "
                                                          "(default: every free-text item)")


class MotiveModel(_Part):
    """How likely a simulated participant mentions one motive in the free text.

    log-odds = ``intercept`` + shift of each of the participant's levels
    + ``pk_slope`` x latent persuasion knowledge (standard normal).
    """

    intercept: float
    shift: LevelShifts = {}
    pk_slope: float = 0.0


class NumberModel(_Part):
    """A normal distribution for a ``number`` item, clipped to ``min``/``max`` (default:
    the item's range) and rounded for whole-number items."""

    mean: float
    sd: float = Field(gt=0)
    min: float | None = None
    max: float | None = None


#: The paths of the generative model an interaction term may change.
INTERACTION_PATHS = ("a", "c_prime", "b")


class InteractionShift(_Part):
    """An interaction term of the generative model: a shift for one combination of levels.

    With ``path: a`` or ``path: c_prime`` the participants who are in every one of
    ``levels`` (two or more factors) get ``shift`` added to their latent persuasion
    knowledge or attitude, on top of the main effects; with ``path: b`` their slope of
    attitude on persuasion knowledge is ``b + shift`` (one factor or more: a moderated
    second stage).

    >>> InteractionShift(path="a", levels={"channel": "public", "empathy": "empathic"}, shift=0.5).shift
    0.5
    """

    path: Literal["a", "c_prime", "b"]
    levels: dict[Id, Id] = Field(min_length=1)
    shift: float

    @model_validator(mode="after")
    def _crosses_factors(self):
        if self.path != "b" and len(self.levels) < 2:
            (factor, level), = self.levels.items()
            raise ValueError(f"levels: an interaction of path {self.path} names two or more factors; a shift "
                             f"of one level is a main effect: write it as {self.path}: {{{factor}: {{{level}: "
                             f"{self.shift:g}}}}}")
        return self

    def applies_to(self, levels: dict[str, str]) -> bool:
        """Whether a participant with these factor ``levels`` is in this combination."""
        return all(levels.get(factor) == level for factor, level in self.levels.items())


class SimulationModel(_Part):
    """The generative model behind ``study.dataset.simulation``.

    Latent persuasion knowledge ``pk = a-shifts + e`` and latent attitude
    ``att = c'-shifts + b * pk + e`` (``e`` standard normal); ``interactions`` add
    shifts for combinations of levels (and change ``b`` per level). Every item of a scale in
    ``attitude_scales`` / ``pk_scales`` loads on that latent, every other scale gets
    its own independent latent; ordinal answers come from cutting
    ``loading * latent + noise`` at thresholds (see ``study.dataset.simulation``).
    Every field has a default: a study without a ``simulation:`` block simulates
    participants with no condition effects.
    """

    a: LevelShifts = Field({}, description="persuasion-knowledge shift per level (a path), SD units")
    c_prime: LevelShifts = Field({}, description="direct attitude shift per level (c'), SD units")
    b: float = Field(0.0, description="attitude on persuasion knowledge, SD per SD")
    interactions: list[InteractionShift] = Field(
        [], description="shifts of a, c_prime or b for combinations of levels (interaction terms); they add up")
    attitude_scales: list[Id] = ["attitude"]
    pk_scales: list[Id] = ["pk_scale"]
    item_center: dict[Id, float] = Field({}, description="latent center per scale (0 = midpoint)")
    loading: float = Field(0.8, gt=0, lt=1)
    attention_failure_rate: float = Field(0.05, ge=0, le=1)
    manipulation_correct_rate: float = Field(0.9, ge=0, le=1)
    dont_remember_rate: float = Field(0.03, ge=0, le=1)
    numbers: dict[Id, NumberModel] = {}
    choices: dict[Id, dict[str, float]] = Field(
        {}, description="option weights for single-choice items (default: equal)")
    minutes_median: float = Field(8.0, gt=0)
    fieldwork_start: datetime.date = datetime.date(2021, 3, 1)
    fieldwork_days: int = Field(14, ge=1)
    motives: dict[Id, MotiveModel] = Field(
        default_factory=lambda: {
            "reputation_protection": MotiveModel(intercept=-1.0, pk_slope=0.8),
            "image_showcase": MotiveModel(intercept=-1.2, pk_slope=0.8),
            "customer_help": MotiveModel(intercept=-0.9),
            "privacy_data": MotiveModel(intercept=-2.5),
            "efficiency_policy": MotiveModel(intercept=-2.5),
        },
        description="per motive of the motive codebook (not its exclusive 'no motive' code); a motive "
                    "left out is never named (default: no condition effects)",
    )

    @model_validator(mode="after")
    def _rates_add_up(self):
        if self.manipulation_correct_rate + self.dont_remember_rate > 1:
            raise ValueError("manipulation_correct_rate + dont_remember_rate must not exceed 1")
        return self

    def shift(self, path: Literal["a", "c_prime"], levels: dict[str, str]) -> float:
        """The total shift of ``path`` for a participant with these factor ``levels``.

        The main effects (``a`` or ``c_prime``) of each level plus every interaction
        of that path whose levels the participant has.

        >>> model = SimulationModel(a={"channel": {"private": 0.3}}, interactions=[
        ...     {"path": "a", "levels": {"channel": "public", "empathy": "empathic"}, "shift": 0.5}])
        >>> model.shift("a", {"channel": "public", "empathy": "empathic"})
        0.5
        >>> model.shift("a", {"channel": "private", "empathy": "empathic"})
        0.3
        """
        main = getattr(self, path)
        total = sum(main.get(factor, {}).get(level, 0.0) for factor, level in levels.items())
        return total + sum(term.shift for term in self.interactions if term.path == path and term.applies_to(levels))

    def slope(self, levels: dict[str, str]) -> float:
        """The slope of attitude on persuasion knowledge (``b`` plus its interactions) at these ``levels``.

        >>> SimulationModel(b=-0.2, interactions=[
        ...     {"path": "b", "levels": {"empathy": "empathic"}, "shift": -0.3}]).slope({"empathy": "empathic"})
        -0.5
        """
        return self.b + sum(term.shift for term in self.interactions if term.path == "b" and term.applies_to(levels))

    def interaction_problems(self, factors) -> list[tuple[tuple, str]]:
        """Interactions naming factors or levels the study lacks, as ``(location, message)`` pairs.

        ``factors`` are the study's :class:`Factor` s; a location starts at the study
        file's top (``("simulation", "interactions", 0, "levels", "channel")``), as
        :func:`study.design.crosscheck.cross_check` reports it.

        >>> model = SimulationModel(interactions=[{"path": "b", "levels": {"chanel": "public"}, "shift": 0.1}])
        >>> model.interaction_problems([Factor(name="channel", levels=[Level(name="public", label={"en": "Public"}),
        ...                                                        Level(name="private", label={"en": "Private"})])])
        [(('simulation', 'interactions', 0, 'levels', 'chanel'), "unknown factor 'chanel'; the factors are channel")]
        """
        levels_of = {factor.name: factor.level_names for factor in factors}
        problems = []
        for index, term in enumerate(self.interactions):
            for factor, level in term.levels.items():
                loc = ("simulation", "interactions", index, "levels", factor)
                if factor not in levels_of:
                    problems.append((loc, f"unknown factor {factor!r}; the factors are {', '.join(levels_of)}"))
                elif level not in levels_of[factor]:
                    problems.append((loc, f"unknown level {level!r} of factor {factor!r}; its levels are "
                                          f"{', '.join(levels_of[factor])}"))
        return problems


class Study(_Part):
    """A between-subjects vignette study, as declared in its ``study.yaml``.

    Load one with :func:`study.load_study` (which also runs the cross-field checks
    and sets ``path`` and ``file_hash``).

    >>> from study import load_study
    >>> tilburg = load_study("tilburg")
    >>> tilburg.condition_names
    ['public', 'private']
    """

    id: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_-]*$")]
    title: Localized
    source: str | None = None
    languages: list[Lang] = Field(min_length=1)
    factors: list[Factor] = Field(min_length=1)
    purpose: Literal["study", "analysis"] = "study"
    texts: Texts | None = None
    vignette: Vignette | None = None
    questionnaire_modules: list[ModuleRef] = Field(min_length=1)
    assignment: Assignment | None = None
    target_n: int = Field(ge=1)
    checks: Checks = Checks()
    completion: Completion | None = None
    analysis: AnalysisPlan
    quality: Quality = Field(default_factory=Quality)  # thresholds of the data-quality flags
    simulation: SimulationModel = Field(default_factory=SimulationModel)
    original: Original | None = None  # the original study's findings, for a replication
    store_ip: bool = False  # keep participants' IP addresses only when the study asks

    _path = PrivateAttr(None)
    _file_hash = PrivateAttr(None)

    @property
    def path(self):
        """The ``pathlib.Path`` of the YAML file (``None`` when built in code)."""
        return self._path

    @property
    def file_hash(self) -> str | None:
        """sha256 (hex) of the YAML file's bytes: ties data and reports to one version."""
        return self._file_hash

    def factor(self, name: str) -> Factor:
        """The factor called ``name`` (``KeyError`` if there is none)."""
        for factor in self.factors:
            if factor.name == name:
                return factor
        raise KeyError(f"study {self.id!r} has no factor {name!r}")

    @property
    def factor_names(self) -> list[str]:
        return [factor.name for factor in self.factors]

    @property
    def conditions(self) -> list[Condition]:
        """The crossing of all factor levels, first factor varying slowest."""
        crossing = itertools.product(*(factor.level_names for factor in self.factors))
        return [
            Condition(name="-".join(levels), levels=dict(zip(self.factor_names, levels)))
            for levels in crossing
        ]

    @property
    def condition_names(self) -> list[str]:
        return [condition.name for condition in self.conditions]

    @cached_property
    def questionnaire(self):
        """The combined ``questionnaires.Questionnaire`` of ``questionnaire_modules``."""
        return combine([load_questionnaire(source) for source in self.questionnaire_sources])

    @property
    def questionnaire_sources(self) -> list:
        """Each module as ``load_questionnaire`` takes it: a library name, or the path of a
        ``.yaml`` file of the study's own, resolved against the study file's folder."""
        folder = self.path.parent if self.path else Path.cwd()
        return [folder / ref if ref.endswith((".yaml", ".yml")) else ref
                for ref in self.questionnaire_modules]
