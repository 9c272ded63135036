"""Which paths each moderator moderates: one description, with PROCESS model numbers as presets.

A conditional process model is described by three paths of X (Hayes 2022,
appendix A), each with the moderators that act on it:

- ``first_stage``: X -> M (every mediator),
- ``second_stage``: M -> Y (every mediator),
- ``direct``: X -> Y,

plus whether several mediators are ``serial`` (M1 -> M2 -> ...) or parallel.
A moderator entry is ``"w"``, ``"z"`` or ``"w*z"`` (the three-way term, which
needs both two-way terms on the same path). The PROCESS models are presets;
``ModelSpec`` itself describes any combination of them.

>>> PRESETS[7]
ModelSpec(number=7, first_stage=('w',), second_stage=(), direct=(), serial=False)
>>> model_spec(14).moderators
('w',)
>>> model_spec({"first_stage": ["w"], "direct": ["w"]}) == PRESETS[8].renumbered(None)
True
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, replace

_PATHS = ("first_stage", "second_stage", "direct")
_MODERATOR_TERMS = ("w", "z", "w*z")


@dataclass(frozen=True)
class ModelSpec:
    """The moderators of each path of X, and the arrangement of the mediators.

    Attributes
    ----------
    number : int or None
        The PROCESS model number this is the preset of (None for a custom model).
    first_stage, second_stage, direct : tuple of str
        Moderator terms (``"w"``, ``"z"``, ``"w*z"``) of X -> M, M -> Y and X -> Y.
    serial : bool
        Mediators in series (PROCESS model 6) rather than in parallel.
    mediation : bool
        Whether the model has mediators (False for PROCESS models 1-3).
    """

    number: int | None
    first_stage: tuple[str, ...] = ()
    second_stage: tuple[str, ...] = ()
    direct: tuple[str, ...] = ()
    serial: bool = False
    mediation: bool = True

    def __post_init__(self):
        for path in _PATHS:
            terms = getattr(self, path)
            unknown = [term for term in terms if term not in _MODERATOR_TERMS]
            if unknown:
                raise ValueError(
                    f"model: path {path!r} names moderators {unknown}; use 'w', 'z' or 'w*z' (got {list(terms)})."
                )
            if "w*z" in terms and not {"w", "z"} <= set(terms):
                raise ValueError(f"model: path {path!r} has the three-way term 'w*z' without both 'w' and 'z'.")
        if self.serial and (self.first_stage or self.second_stage):
            raise ValueError("model: a serial mediation with moderated stages is not supported yet (PROCESS models 83-92).")

    @property
    def moderators(self) -> tuple[str, ...]:
        """The moderators used anywhere, ``"w"`` before ``"z"``."""
        used = {term for path in _PATHS for term in getattr(self, path) if term != "w*z"}
        return tuple(name for name in ("w", "z") if name in used)

    @property
    def has_mediators(self) -> bool:
        """Whether the model has mediators: every preset but 1, 2 and 3."""
        return self.mediation

    def renumbered(self, number: int | None) -> ModelSpec:
        """The same paths under another model number (None: custom)."""
        return replace(self, number=number)

    def __repr__(self) -> str:
        return (
            f"ModelSpec(number={self.number!r}, first_stage={self.first_stage!r}, "
            f"second_stage={self.second_stage!r}, direct={self.direct!r}, serial={self.serial!r})"
        )


def _preset(number, *, first=(), second=(), direct=(), serial=False, mediation=True):
    return ModelSpec(number, tuple(first), tuple(second), tuple(direct), serial, mediation)


#: PROCESS models as presets (Hayes 2022, appendix A; moderators named as in PROCESS 4).
PRESETS: dict[int, ModelSpec] = {
    1: _preset(1, direct=("w",), mediation=False),
    2: _preset(2, direct=("w", "z"), mediation=False),
    3: _preset(3, direct=("w", "z", "w*z"), mediation=False),
    4: _preset(4),
    5: _preset(5, direct=("w",)),
    6: _preset(6, serial=True),
    7: _preset(7, first=("w",)),
    8: _preset(8, first=("w",), direct=("w",)),
    14: _preset(14, second=("w",)),
    15: _preset(15, second=("w",), direct=("w",)),
    58: _preset(58, first=("w",), second=("w",)),
    59: _preset(59, first=("w",), second=("w",), direct=("w",)),
}


def model_spec(model) -> ModelSpec:
    """The :class:`ModelSpec` of a PROCESS model number, a ``ModelSpec``, or a dict of paths.

    A dict names the moderators of each path, e.g. ``{"first_stage": ["w"]}``
    (PROCESS model 7); the keys are ``first_stage``, ``second_stage``,
    ``direct`` and ``serial``. A dict always describes a mediation model.

    >>> model_spec(1).has_mediators, model_spec(4).has_mediators
    (False, True)
    """
    if isinstance(model, ModelSpec):
        return model
    if isinstance(model, dict):
        unknown = sorted(set(model) - {*_PATHS, "serial"})
        if unknown:
            raise ValueError(f"model: unknown keys {unknown}; use {list(_PATHS) + ['serial']}.")
        return ModelSpec(
            None,
            *(tuple(model.get(path, ())) for path in _PATHS),
            serial=bool(model.get("serial", False)),
        )
    if isinstance(model, numbers.Integral) and not isinstance(model, bool):
        model = int(model)  # numpy's integers too
    if isinstance(model, bool) or not isinstance(model, int) or model not in PRESETS:
        raise ValueError(
            f"model must be one of the PROCESS models {sorted(PRESETS)}, a dict of moderated paths "
            f"(e.g. {{'first_stage': ['w']}}) or a ModelSpec; got {model!r}."
        )
    return PRESETS[model]
