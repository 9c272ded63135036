"""Text preparation for the motive coder: normalise, split into clauses and tokens.

Normalising lowercases, strips accents (``privé`` -> ``prive``), drops apostrophes
(``don't`` -> ``dont``) and turns every other non-alphanumeric character into a
space; sentence and clause punctuation (``. , ; : ! ? ( )`` and line breaks) starts a
new clause, because a negation rarely reaches across one.

>>> [t.text for t in tokenize("Niet om hun imago, maar privé!")]
['niet', 'om', 'hun', 'imago', 'maar', 'prive']
>>> [t.clause for t in tokenize("Niet om hun imago, maar privé!")]
[0, 0, 0, 0, 1, 1]
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_CLAUSE_BREAK = re.compile(r"[.,;:!?()\[\]\n\r]+|\s[-–—]\s")
_APOSTROPHES = re.compile(r"['’‘`´]")
_NON_WORD = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class Token:
    """A normalised word, its position in the text and its clause number."""

    text: str
    index: int
    clause: int


def normalize(text: str) -> str:
    """Lowercase, strip accents and apostrophes; keep clause punctuation.

    >>> normalize("Café’s Reputatie-schade")
    'cafes reputatie-schade'
    """
    decomposed = unicodedata.normalize("NFKD", str(text).lower())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _APOSTROPHES.sub("", stripped)


def tokenize(text: str, typos: dict[str, str] | None = None) -> list[Token]:
    """Split a reason into normalised tokens with clause numbers.

    Parameters
    ----------
    text : str
        The raw reason.
    typos : dict, optional
        Misspelling -> correct form, applied per token after normalising.

    Returns
    -------
    list of Token
    """
    typos = typos or {}
    tokens: list[Token] = []
    for clause, part in enumerate(_CLAUSE_BREAK.split(normalize(text))):
        for word in _NON_WORD.split(part):
            if word:
                tokens.append(Token(typos.get(word, word), len(tokens), clause))
    return tokens


def damerau_levenshtein_at_most_one(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` differ by at most one edit (insert, delete,
    substitute, or swap of two neighbouring letters).

    >>> damerau_levenshtein_at_most_one("reputatoin", "reputation")
    True
    >>> damerau_levenshtein_at_most_one("private", "privacy")
    False
    """
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    i = 0
    while i < min(la, lb) and a[i] == b[i]:
        i += 1
    if la == lb:
        if a[i + 1 :] == b[i + 1 :]:
            return True  # one substitution
        return i + 1 < la and a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2 :] == b[i + 2 :]
    if la > lb:
        return a[i + 1 :] == b[i:]
    return a[i:] == b[i + 1 :]
