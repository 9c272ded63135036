"""The automatic motive coder: transparent keyword rules, one suggestion per reason.

:func:`auto_code` turns free-text reasons into one 0/1 column per codebook category,
the persuasion-knowledge scores and a plain-language account of which words fired
which code. It downloads nothing and uses only the rule files in ``rules/``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from questionnaires.coding.codebook import MotiveCodebook, load_motive_codebook
from questionnaires.coding.ruleset import Hit, RuleSet, load_rules, rule_languages
from questionnaires.coding.text import tokenize


@dataclass(frozen=True)
class _Coded:
    codes: dict[str, int]
    confidence: float
    evidence: str


def _function_word_counts(text: str, rulesets: dict[str, RuleSet]) -> dict[str, int]:
    words = [t.text for t in tokenize(text)]
    shared = frozenset.intersection(*(r.function_words for r in rulesets.values())) if len(rulesets) > 1 else frozenset()
    return {lang: sum(w in r.function_words and w not in shared for w in words) for lang, r in rulesets.items()}


def guess_language(text: str, hint: str | None = None, languages: Iterable[str] | None = None) -> tuple[str, str]:
    """Guess the language of a reason from its common words.

    Parameters
    ----------
    text : str
        The reason.
    hint : str, optional
        The participant's language; kept unless the text clearly reads as another.
    languages : iterable of str, optional
        Languages to choose from (default: every language with a rule file).

    Returns
    -------
    (lang, how) : tuple of str
        ``how`` is ``given`` (hint kept), ``detected`` (hint missing or overruled by
        the words) or ``default`` (no evidence either way and no hint).

    Examples
    --------
    >>> guess_language("Ze willen niet dat iedereen het ziet")
    ('nl', 'detected')
    >>> guess_language("They want to look good", hint="nl")
    ('en', 'detected')
    >>> guess_language("marketing", hint="nl")
    ('nl', 'given')
    """
    langs = sorted(languages or rule_languages())
    rulesets = {lang: load_rules(lang) for lang in langs}
    counts = _function_word_counts(text, rulesets)
    best = max(langs, key=lambda lang: (counts[lang], lang == hint))
    if hint in rulesets:
        others = max((counts[lang] for lang in langs if lang != hint), default=0)
        if counts[best] > counts[hint] and (others - counts[hint] >= 2 or counts[hint] == 0):
            return best, "detected"
        return hint, "given"
    if counts[best] > 0:
        return best, "detected"
    return _keyword_language(text, rulesets) or ("en" if "en" in langs else langs[0]), "default"


def _keyword_language(text: str, rulesets: dict[str, RuleSet]) -> str | None:
    """For texts without function words: the language whose rules match more."""
    scores = {}
    for lang, rules in rulesets.items():
        scores[lang] = sum(h.weight for h in rules.find_hits(rules.tokenize(text)))
    best = max(scores, key=scores.get)
    ranked = sorted(scores.values(), reverse=True)
    return best if len(ranked) == 1 or ranked[0] > ranked[1] else None


def code_reason(text: str, lang: str | None, codebook: MotiveCodebook, languages=None) -> _Coded:
    """Code one reason; see :func:`auto_code` for the meaning of the result."""
    ids = codebook.ids
    if text is None or (isinstance(text, float) and np.isnan(text)) or not str(text).strip():
        return _Coded({i: pd.NA for i in ids}, np.nan, "")
    text = str(text)
    chosen, how = guess_language(text, lang if isinstance(lang, str) else None, languages)
    rules = load_rules(chosen)
    tokens = rules.tokenize(text)
    hits = rules.find_hits(tokens)
    scores = {i: 0.0 for i in ids}
    for hit in hits:
        if hit.counts_for in scores:
            scores[hit.counts_for] += hit.weight
    exclusive = codebook.exclusive_id
    codes = {i: int(scores[i] >= 1.0) for i in ids if i != exclusive}
    explicit_none = False
    if exclusive is not None:
        explicit_none = scores[exclusive] >= 1.0
        codes[exclusive] = int(not any(codes.values()))
    codes = {i: codes[i] for i in ids}
    confidence = _confidence(codes, scores, hits, tokens, exclusive, explicit_none, how)
    return _Coded(codes, confidence, _evidence(chosen, how, hits, codes, exclusive, explicit_none))


def _confidence(codes, scores, hits, tokens, exclusive, explicit_none, how) -> float:
    fired = [c for c, v in codes.items() if v and c != exclusive]
    if fired:
        value = 0.9 if min(scores[c] for c in fired) >= 1.5 else 0.8
    elif explicit_none:
        value = 0.9
    else:  # nothing matched: a motive the rules do not know may be hiding in a long text
        value = 0.6 if len(tokens) <= 12 else 0.45
    value -= 0.1 * sum(1 for h in hits if h.negated and h.code != exclusive)
    if any(h.weight < 1 for h in hits if h.counts_for in fired):
        value -= 0.05
    if how != "given":
        value -= 0.05
    return float(min(1.0, max(0.05, round(value, 4))))


def _evidence(lang, how, hits, codes, exclusive, explicit_none) -> str:
    parts = []
    for hit in hits:
        if hit.counts_for is None:
            parts.append(f"{hit.code}: '{hit.words}' ignored (negated by '{hit.negated}')")
        elif hit.counts_for != hit.code:
            parts.append(f"{hit.counts_for}: '{hit.words}' (negated {hit.code}, by '{hit.negated}')")
        elif hit.code != exclusive:
            parts.append(f"{hit.code}: '{hit.words}'")
    if exclusive is not None and codes.get(exclusive):
        parts.append(f"{exclusive}: " + ("explicit" if explicit_none else "no rule fired"))
    return f"[{lang}, {how}] " + "; ".join(parts)


def auto_code(texts, langs=None, *, codebook: MotiveCodebook | None = None, languages=None) -> pd.DataFrame:
    """Suggest motive codes for free-text reasons with transparent keyword rules.

    Parameters
    ----------
    texts : sequence of str, pandas Series, or DataFrame
        The reasons. A DataFrame must have a ``reason`` column and may have ``lang``.
    langs : str or sequence of str, optional
        The language of each reason (``nl``/``en``), or one for all. Missing languages
        are guessed; a given language is overruled when the words clearly say otherwise
        (a Dutch participant may answer in English).
    codebook : MotiveCodebook, optional
        Default: :func:`load_motive_codebook`.
    languages : sequence of str, optional
        Languages to choose from when guessing (e.g. a study's languages).

    Returns
    -------
    DataFrame
        Same index as ``texts``; columns ``code_<id>`` (nullable 0/1) per category in
        codebook order, ``code_confidence`` (0-1), ``code_source`` (``auto``),
        ``pk_strategic`` (number of strategic codes), ``pk_any`` (1 when any strategic
        code) and ``code_evidence`` (language and the words behind each code). An empty
        reason gets missing codes and scores.

    Notes
    -----
    Rules (``questionnaires/coding/rules/<lang>.yaml``) match normalised words
    (lowercase, no accents, typo list, one-edit tolerance for long words, wildcard
    stems for inflections and compounds). A hit preceded within ``negation_window``
    words of its clause by a negator ("not", "niet", "geen"...) is dropped, unless
    a pseudo-negation ("not only", "geen idee") or a clause word ("but", "maar") is
    in between; some cues already describe avoidance and keep counting, and a negated
    "everyone can see" counts as hiding. Sarcasm markers ("oh sure", "ja hoor") void
    claims of customer help, and help named after a display verb ("to show that they
    help") is what is shown, not a motive. A category is coded when its hits weigh at least 1.
    The exclusive ``no_motive`` code is set when nothing else is.

    ``code_confidence`` is a heuristic for sorting suggestions for a human check, not a
    probability: 0.9 (strong hits or an explicit "no idea"), 0.8 (hits just over the
    threshold), 0.6 (nothing matched; 0.45 for more than 12 words), minus 0.1 per
    negated hit, 0.05 for a weak cue, 0.05 when the language was guessed.

    Examples
    --------
    >>> out = auto_code(["Om hun imago te beschermen", "No idea", ""], ["nl", "en", "en"])
    >>> out[["code_reputation_protection", "code_no_motive", "pk_strategic"]]
       code_reputation_protection  code_no_motive  pk_strategic
    0                           1               0             1
    1                           0               1             0
    2                        <NA>            <NA>          <NA>
    """
    codebook = codebook or load_motive_codebook()
    if isinstance(texts, pd.DataFrame):
        if "reason" not in texts.columns:
            raise ValueError(
                "auto_code: the DataFrame has no 'reason' column; pass the free-text reasons "
                "as a column named 'reason' (and their language as 'lang')"
            )
        if langs is None and "lang" in texts.columns:
            langs = texts["lang"]
        texts = texts["reason"]
    index = texts.index if isinstance(texts, pd.Series) else pd.RangeIndex(len(texts))
    values = list(texts)
    if langs is None or isinstance(langs, str):
        lang_values = [langs] * len(values)
    else:
        lang_values = [None if pd.isna(x) else x for x in langs]
        if len(lang_values) != len(values):
            raise ValueError(
                f"auto_code: {len(values)} texts but {len(lang_values)} languages; give one language "
                "per text, one for all, or None to guess"
            )
    known = set(languages or rule_languages())
    bad = sorted({x for x in lang_values if x is not None and x not in known})
    if bad:
        raise ValueError(
            f"auto_code: no coding rules for language(s) {', '.join(map(repr, bad))}; "
            f"rules exist for {', '.join(sorted(known))} (leave lang empty to guess)"
        )
    coded = [code_reason(t, lang, codebook, languages) for t, lang in zip(values, lang_values)]
    out = pd.DataFrame(index=index)
    for category in codebook.categories:
        out[category.column] = pd.array([c.codes[category.id] for c in coded], dtype="Int64")
    out["code_confidence"] = [c.confidence for c in coded]
    out["code_source"] = "auto"
    strategic = [f"code_{i}" for i in codebook.strategic_ids]
    out["pk_strategic"] = out[strategic].sum(axis=1, skipna=False).astype("Int64")
    out["pk_any"] = (out["pk_strategic"] > 0).astype("Int64")
    out["code_evidence"] = [c.evidence for c in coded]
    return out
