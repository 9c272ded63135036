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


class Texts(_Part):
    """Participant-facing texts around the questionnaire (markdown or plain text)."""

    welcome: Localized
    consent: Localized
    decline: Localized
    debrief: Localized


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


class AnovaHypothesis(_Part, _Described):
    """An ANOVA of ``dv`` by one or more between-subjects factors."""

    kind: Literal["anova"]
    id: Id
    description: Description | None = None
    dv: NonEmpty
    between: Id | list[Id]

    @property
    def between_factors(self) -> list[str]:
        """``between`` as a list, whether one factor or several was given."""
        return _as_list(self.between)


class MediationHypothesis(_Part, _Described):
    """A simple (or parallel) mediation, Hayes model 4: ``x -> m -> y``.

    ``x`` is a factor; ``x_coding`` maps its levels to 0/1 (levels left out are
    not part of the model).
    """

    kind: Literal["mediation"]
    id: Id
    description: Description | None = None
    x: Id
    x_coding: dict[Id, Literal[0, 1]]
    m: NonEmpty | list[NonEmpty]
    y: NonEmpty
    secondary_m: NonEmpty | list[NonEmpty] | None = None

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
    ``helmert``, ``effect``). Covariates that are two-level factors enter as 0/1 in
    level order.
    """

    kind: Literal["process"]
    id: Id
    description: Description | None = None
    model: int
    x: NonEmpty
    x_coding: dict[Id, float] | Literal["indicator", "sequential", "helmert", "effect"] | None = None
    m: NonEmpty | list[NonEmpty] | None = None
    y: NonEmpty
    w: NonEmpty | None = None
    w_coding: dict[Id, float] | None = None
    z: NonEmpty | None = None
    z_coding: dict[Id, float] | None = None
    covariates: list[NonEmpty] = []
    w_values: list[float] | None = None
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


class SimulationModel(_Part):
    """The generative model behind ``study.dataset.simulation``.

    Latent persuasion knowledge ``pk = a-shifts + e`` and latent attitude
    ``att = c'-shifts + b * pk + e`` (``e`` standard normal). Every item of a scale in
    ``attitude_scales`` / ``pk_scales`` loads on that latent, every other scale gets
    its own independent latent; ordinal answers come from cutting
    ``loading * latent + noise`` at thresholds (see ``study.dataset.simulation``).
    Every field has a default: a study without a ``simulation:`` block simulates
    participants with no condition effects.
    """

    a: LevelShifts = Field({}, description="persuasion-knowledge shift per level (a path), SD units")
    c_prime: LevelShifts = Field({}, description="direct attitude shift per level (c'), SD units")
    b: float = Field(0.0, description="attitude on persuasion knowledge, SD per SD")
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
