"""The field types every part of a study file is built from (ids, languages, texts).

>>> from pydantic import TypeAdapter
>>> TypeAdapter(Localized).validate_python({"en": "Public", "nl": "Openbaar"})
{'en': 'Public', 'nl': 'Openbaar'}
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints

#: Languages a participant-facing text may be written in.
LANGUAGES = ("nl", "en")

Lang = Literal["nl", "en"]
Id = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
NonEmpty = Annotated[str, StringConstraints(min_length=1)]
#: A participant-facing text: one non-empty string per language.
Localized = dict[Lang, NonEmpty]


class Part(BaseModel):
    """Base of every part of a study file: unknown keys are errors (a typo must not pass silently)."""

    model_config = ConfigDict(extra="forbid")
