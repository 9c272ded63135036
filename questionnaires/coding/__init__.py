"""Coding free-text reasons into motives: the codebook and the automatic coder.

- :func:`load_motive_codebook` — the validated coding scheme (``codebooks/motives.yaml``);
- :func:`auto_code` — rule-based suggestions with evidence (rules in ``rules/<lang>.yaml``).

>>> from questionnaires.coding import auto_code
>>> auto_code(["Gratis reclame natuurlijk"], "nl").loc[0, "code_image_showcase"]
np.int64(1)
"""

from questionnaires.coding.codebook import CodebookError, MotiveCodebook, load_motive_codebook
from questionnaires.coding.coder import auto_code, guess_language
from questionnaires.coding.ruleset import RuleFileError, load_rules, rule_languages

__all__ = [
    "CodebookError",
    "MotiveCodebook",
    "RuleFileError",
    "auto_code",
    "guess_language",
    "load_motive_codebook",
    "load_rules",
    "rule_languages",
]
