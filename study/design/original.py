"""The original study's findings, as claims a replication is judged against.

A study file that replicates another study names it in an ``original`` block:
the reference, its sample size where known, and its findings as claims. Each
claim ties what the original reported to a quantity this study's analysis
computes:

==========================  ====================================================
``smd``                     the standardised mean difference of an ANOVA
                            hypothesis between two levels of a factor
``proportion``              the share of participants with a 1 in a 0/1 column
                            (e.g. ``pk_any``) at one level, against a value
``proportion_difference``   that share at one level minus at another
``correlation``             Pearson's r of two columns
``indirect``                the indirect effect of a mediation hypothesis
==========================  ====================================================

What the original reported is a direction only (``direction: positive`` means
the quantity as defined is above its null: the first level higher, the share
above ``against``), "no relation" (``relation: none``), or an estimate with its
standard error or confidence interval (and its N). The verdicts are computed by
:mod:`study.pipeline.replication` with :func:`analysis.replication_tests` and
:func:`analysis.claim_tests`.

>>> claim = Claim.model_validate({
...     "id": "public_higher", "finding": {"en": "Attitude higher after a public reply"},
...     "quantity": {"kind": "smd", "hypothesis": "h1", "levels": ["public", "private"]},
...     "reported": {"direction": "positive"}})
>>> claim.reported.claim
'positive'
"""

from __future__ import annotations

from statistics import NormalDist
from typing import Literal

from pydantic import Field, model_validator

from study.design.fields import Id, Localized, NonEmpty, Part

#: What each kind of quantity needs, besides ``kind``.
_NEEDS = {
    "smd": ("hypothesis", "levels"),
    "proportion": ("column", "factor", "levels"),
    "proportion_difference": ("column", "factor", "levels"),
    "correlation": ("column", "y"),
    "indirect": ("hypothesis",),
}
_LEVELS = {"smd": 2, "proportion": 1, "proportion_difference": 2}


class Quantity(Part):
    """What this study computes for a claim (see the module docstring for the kinds)."""

    kind: Literal["smd", "proportion", "proportion_difference", "correlation", "indirect"]
    hypothesis: Id | None = None
    factor: Id | None = Field(None, description="smd: default the hypothesis's first factor")
    levels: list[Id] | None = Field(None, description="[first, second]: first minus second; "
                                                      "proportion: [level]")
    column: NonEmpty | None = Field(None, description="a 0/1 column (proportions) or x (correlation)")
    y: NonEmpty | None = None
    against: float = Field(0.5, gt=0, lt=1, description="proportion: the share it is compared with")

    @model_validator(mode="after")
    def _complete(self):
        missing = [name for name in _NEEDS[self.kind] if getattr(self, name) is None]
        if missing:
            raise ValueError(f"a {self.kind!r} quantity needs {', '.join(missing)}")
        wanted = _LEVELS.get(self.kind)
        if wanted is not None and len(self.levels) != wanted:
            raise ValueError(f"a {self.kind!r} quantity needs {wanted} level(s) in 'levels', "
                             f"got {len(self.levels)}")
        return self


class Reported(Part):
    """What the original reported: a direction, no relation, or an estimate."""

    direction: Literal["positive", "negative"] | None = None
    relation: Literal["none"] | None = None
    estimate: float | None = None
    se: float | None = Field(None, gt=0)
    ci: tuple[float, float] | None = None
    ci_level: float = Field(0.95, gt=0, lt=1)
    n: int | list[int] | None = Field(None, description="the original's N (per group for smd)")

    @model_validator(mode="after")
    def _one_kind(self):
        given = [name for name in ("direction", "relation", "estimate") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of direction (positive/negative), relation (none) or "
                             f"estimate; got {', '.join(given) or 'none of them'}")
        if self.estimate is not None and self.se is None and self.ci is None and self.n is None:
            raise ValueError("an estimate needs its se, its ci or the original n")
        if self.ci is not None and not self.ci[0] < self.ci[1]:
            raise ValueError("ci must be [lower, upper] with lower < upper")
        return self

    @property
    def claim(self) -> str:
        """``positive``, ``negative``, ``none`` or ``estimate``."""
        return self.direction or self.relation or "estimate"

    @property
    def standard_error(self) -> float | None:
        """The se as given, or derived from a symmetric normal interval."""
        if self.se is not None or self.ci is None:
            return self.se
        return (self.ci[1] - self.ci[0]) / (2 * NormalDist().inv_cdf(0.5 + self.ci_level / 2))


class Claim(Part):
    """One finding of the original, tied to a quantity of this study."""

    id: Id
    finding: Localized = Field(description="what the original found, in words, per language")
    quantity: Quantity
    reported: Reported

    @model_validator(mode="after")
    def _testable(self):
        kind, claim = self.quantity.kind, self.reported.claim
        if claim == "none" and kind in ("proportion", "proportion_difference"):
            raise ValueError(f"a 'no relation' claim cannot be tested on a {kind!r} quantity; "
                             "use a direction")
        if claim == "estimate" and kind in ("proportion", "proportion_difference"):
            raise ValueError(f"an estimate cannot be compared for a {kind!r} quantity yet; use a direction")
        return self


class Original(Part):
    """The study being replicated: its reference, N and findings."""

    reference: NonEmpty
    n: int | None = Field(None, ge=1)
    n_per_condition: dict[Id, int] | None = None
    note: Localized | None = Field(None, description="e.g. that the original reports no statistics")
    claims: list[Claim] = Field(min_length=1)

    @property
    def has_statistics(self) -> bool:
        """Whether any claim carries an estimate (else all are directional or 'no relation')."""
        return any(claim.reported.claim == "estimate" for claim in self.claims)

