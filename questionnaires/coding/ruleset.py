"""Keyword rules for the motive coder, kept as data: one YAML file per language.

A rule file (``questionnaires/coding/rules/<lang>.yaml``) lists, per category, word
patterns that signal it, plus the language's negators, words that end a negation's
reach, intensifiers, sarcasm markers, common typos and function words (for guessing
the language). :func:`load_rules` validates a file; :meth:`RuleSet.find_hits`
applies it to one tokenised reason.

Pattern syntax (one pattern per entry, matched within one clause):

- words separated by spaces must follow each other: ``goede naam``;
- ``...`` allows up to ``gap`` (default 3) other words in between: ``imago ... beschermen``;
- ``*`` inside a word is a wildcard: ``reputat*`` (inflections), ``*schade`` (Dutch
  compounds such as ``imagoschade``), ``*reclame*``;
- ``a|b`` inside a word position gives alternatives: ``zien|ziet|meelez*``;
- words and stems of ``fuzzy_min_length`` letters or more also match with one typo
  (a letter added, dropped, changed or two swapped).

An entry is either the pattern string or a mapping ``{p: PATTERN, weight: 1.0,
on_negation: drop}``. ``weight`` below 1 marks a weak cue (two weak cues, or one with
an intensifier, are needed). ``on_negation`` says what a negated hit means: ``drop``
(default: "not about their image" does not count), ``ignore`` (the cue already
describes avoiding something: "so it does not escalate" still means protecting the
reputation), or another category id the negated hit counts for instead ("nobody can
see it" is hiding, not showing).

>>> rules = load_rules("en")
>>> from questionnaires.coding.text import tokenize
>>> [(h.code, h.negated, h.counts_for) for h in rules.find_hits(tokenize("not to protect their image"))]
[('reputation_protection', 'not', None)]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from questionnaires.checks import Problem
from questionnaires.coding.text import Token, damerau_levenshtein_at_most_one, tokenize
from questionnaires.yamlsource import YamlSourceError, describe_problem, describe_validation_error, load_yaml_with_lines

RULES_DIR = Path(__file__).resolve().parent / "rules"
GAP = "..."


class RuleFileError(ValueError):
    """A rule file that cannot be used.

    ``str(error)`` has one line per problem, each ``file:line: field: message``.
    """


class RuleEntry(BaseModel):
    """One pattern for one category."""

    model_config = ConfigDict(extra="forbid")

    p: str = Field(min_length=1)
    weight: float = Field(default=1.0, gt=0, le=3)
    on_negation: str = "drop"

    @field_validator("p")
    @classmethod
    def _well_formed(cls, value):
        parts = value.split()
        if not parts or parts[0] == GAP or parts[-1] == GAP:
            raise ValueError(f"pattern {value!r} must start and end with a word, not '...'")
        return value


class RuleFile(BaseModel):
    """The validated content of one ``rules/<lang>.yaml``."""

    model_config = ConfigDict(extra="forbid")

    lang: str = Field(pattern=r"^[a-z]{2}$")
    function_words: list[str] = Field(min_length=10)
    typos: dict[str, str] = {}
    negators: list[str] = Field(min_length=1)
    pseudo_negations: list[str] = []
    post_negations: list[str] = []
    scope_breakers: list[str] = []
    negation_window: int = Field(default=4, ge=1, le=10)
    long_negators: list[str] = []
    long_window: int = Field(default=8, ge=1, le=15)
    intensifiers: list[str] = []
    sarcasm_markers: list[str] = []
    sarcasm_flips: list[str] = []
    display_cues: list[str] = []
    display_voids: list[str] = []
    gap: int = Field(default=3, ge=1, le=8)
    fuzzy_min_length: int = Field(default=7, ge=4)
    codes: dict[str, list[RuleEntry]]

    @field_validator("codes", mode="before")
    @classmethod
    def _entries(cls, value):
        if not isinstance(value, dict):
            raise ValueError("codes must map category ids to lists of patterns")
        return {
            code: [{"p": e} if isinstance(e, str) else e for e in (entries or [])]
            for code, entries in value.items()
        }


@dataclass(frozen=True)
class Hit:
    """One pattern found in a reason."""

    code: str  # the category the pattern belongs to
    pattern: str
    words: str  # the matched words, as written after normalising
    start: int
    end: int  # exclusive
    weight: float
    negated: str | None = None  # the negating word or marker, if any
    counts_for: str | None = None  # category credited (None when dropped)


class _WordMatcher:
    """Matches one word position of a pattern (alternatives, wildcards, one typo)."""

    def __init__(self, spec: str, fuzzy_min_length: int):
        self.spec = spec
        self._regexes = []
        self._fuzzy = []  # (stem, is_prefix)
        self._seen: dict[str, bool] = {}  # words repeat across reasons: remember answers
        for alternative in spec.split("|"):
            self._regexes.append(re.compile("^" + ".*".join(map(re.escape, alternative.split("*"))) + "$"))
            core = alternative.rstrip("*")
            if "*" not in core and len(core) >= fuzzy_min_length:
                self._fuzzy.append((core, alternative.endswith("*")))

    def __call__(self, word: str) -> bool:
        known = self._seen.get(word)
        if known is None:
            if len(self._seen) > 5000:  # keep memory bounded on very large vocabularies
                self._seen.clear()
            known = self._seen[word] = self._matches(word)
        return known

    def _matches(self, word: str) -> bool:
        if any(r.match(word) for r in self._regexes):
            return True
        for stem, is_prefix in self._fuzzy:
            if not is_prefix:
                if damerau_levenshtein_at_most_one(word, stem):
                    return True
                continue
            n = len(stem)
            if any(damerau_levenshtein_at_most_one(word[:k], stem) for k in (n - 1, n, n + 1) if k <= len(word)):
                return True
        return False


class _Pattern:
    def __init__(self, code: str, entry: RuleEntry, gap: int, fuzzy_min_length: int):
        self.code, self.entry, self.gap = code, entry, gap
        self.steps: list[tuple[bool, _WordMatcher]] = []  # (gap allowed before, matcher)
        allow_gap = False
        for part in entry.p.split():
            if part == GAP:
                allow_gap = True
                continue
            self.steps.append((allow_gap, _WordMatcher(part, fuzzy_min_length)))
            allow_gap = False

    def find(self, words: list[str]) -> list[tuple[int, int, list[int]]]:
        """Non-overlapping matches in a clause: (start, end, positions of pattern words)."""
        found, i = [], 0
        while i < len(words):
            positions = self._match_from(words, i)
            if positions:
                found.append((positions[0], positions[-1] + 1, positions))
                i = positions[-1] + 1
            else:
                i += 1
        return found

    def _match_from(self, words, start):
        positions = []
        pos = start
        for k, (gap_before, matcher) in enumerate(self.steps):
            limit = pos + (self.gap if gap_before else 0)
            if k == 0:
                limit = start
            hit = next((j for j in range(pos, min(limit, len(words) - 1) + 1) if matcher(words[j])), None)
            if hit is None:
                return None
            positions.append(hit)
            pos = hit + 1
        return positions


def _most_specific(hits: list[Hit]) -> list[Hit]:
    """Drop hits lying inside a longer hit: "protect their image" (reputation)
    outranks the bare "image" (showcase) it contains."""
    def inside(small, big):
        return big.start <= small.start and small.end <= big.end and (big.end - big.start) > (small.end - small.start)

    return [h for h in hits if not any(inside(h, other) for other in hits)]


def _phrase_positions(phrases: list[str], words: list[str]) -> list[tuple[int, int]]:
    spans = []
    for phrase in phrases:
        parts = phrase.split()
        for i in range(len(words) - len(parts) + 1):
            if words[i : i + len(parts)] == parts:
                spans.append((i, i + len(parts)))
    return spans


class RuleSet:
    """Compiled rules of one language. Build with :func:`load_rules`."""

    def __init__(self, rules: RuleFile, source: Path):
        self.rules, self.source = rules, source
        self.lang = rules.lang
        self.patterns = [
            _Pattern(code, entry, rules.gap, rules.fuzzy_min_length)
            for code, entries in rules.codes.items()
            for entry in entries
        ]
        # display cues use the pattern syntax too ("ziet ... dat")
        self._display_patterns = [
            _Pattern("display", RuleEntry(p=cue), rules.gap, rules.fuzzy_min_length) for cue in rules.display_cues
        ]

    @property
    def function_words(self) -> frozenset[str]:
        """Common words that mark the language (used to guess it)."""
        return frozenset(self.rules.function_words)

    def tokenize(self, text: str) -> list[Token]:
        """Tokens of a reason with this language's typo corrections applied."""
        return tokenize(text, self.rules.typos)

    def has_sarcasm(self, tokens: list[Token]) -> str | None:
        """The first sarcasm marker found in the reason, or None."""
        words = [t.text for t in tokens]
        for phrase in self.rules.sarcasm_markers:
            if _phrase_positions([phrase], words):
                return phrase
        return None

    def find_hits(self, tokens: list[Token]) -> list[Hit]:
        """Every pattern hit in a tokenised reason, with negation resolved."""
        hits: list[Hit] = []
        sarcasm = self.has_sarcasm(tokens)
        clauses: dict[int, list[Token]] = {}
        for token in tokens:
            clauses.setdefault(token.clause, []).append(token)
        for clause_tokens in clauses.values():
            words = [t.text for t in clause_tokens]
            negator_at = self._active_negators(words)
            for pattern in self.patterns:
                for start, end, positions in pattern.find(words):
                    weight = pattern.entry.weight + self._intensified(words, start)
                    negated = self._negation(words, start, end, positions, negator_at)
                    if sarcasm and pattern.code in self.rules.sarcasm_flips:
                        negated = negated or f"sarcasm: {sarcasm}"
                    if pattern.code in self.rules.display_voids:
                        negated = negated or self._displayed(words, start)
                    counts_for = pattern.code
                    if negated:
                        rule = pattern.entry.on_negation
                        counts_for = None if rule == "drop" else (pattern.code if rule == "ignore" else rule)
                    offset = clause_tokens[0].index
                    hits.append(
                        Hit(pattern.code, pattern.entry.p, " ".join(words[start:end]),
                            offset + start, offset + end, weight, negated, counts_for)
                    )
        return sorted(_most_specific(hits), key=lambda h: (h.start, h.code))

    def _active_negators(self, words: list[str]) -> dict[int, str]:
        negators = set(self.rules.negators)
        inert = set()
        for a, b in _phrase_positions(self.rules.pseudo_negations, words):
            inert.update(range(a, b))
        return {i: w for i, w in enumerate(words) if w in negators and i not in inert}

    def _negation(self, words, start, end, positions, negator_at) -> str | None:
        breakers = set(self.rules.scope_breakers)
        own = set(positions)
        for i in range(end - 1, max(0, start - self.rules.negation_window) - 1, -1):
            if i in own:
                continue
            if words[i] in breakers and i < start:
                return None
            if i in negator_at:
                return negator_at[i]
        for a, b in _phrase_positions(self.rules.long_negators, words[:start]):
            between = words[b:start]
            if start - b <= self.rules.long_window and not any(w in breakers for w in between):
                return " ".join(words[a:b])
        window_after = words[end : end + self.rules.negation_window + 3]
        for a, b in _phrase_positions(self.rules.post_negations, window_after):
            if not any(w in breakers for w in window_after[:a]):
                return " ".join(window_after[a:b]) + " (after)"
        return None

    def _displayed(self, words, start) -> str | None:
        """A display verb before the hit: "show that they help" names what is shown,
        not a motive of helping."""
        for cue in self._display_patterns:
            for a, b, _ in cue.find(words[:start]):
                if start - b <= self.rules.long_window:
                    return "shown: " + " ".join(words[a:b])
        return None

    def _intensified(self, words, start) -> float:
        before = words[max(0, start - 2) : start]
        return 0.5 if any(w in self.rules.intensifiers for w in before) else 0.0


def rule_languages() -> list[str]:
    """Languages that have a shipped rule file.

    >>> rule_languages()
    ['en', 'nl']
    """
    return sorted(p.stem for p in RULES_DIR.glob("*.yaml"))


def rule_problems(rules: RuleFile, categories: list[str] | None = None) -> list[Problem]:
    """Categories named by a rule file that the codebook lacks, as ``(location, message)`` pairs.

    Parameters
    ----------
    rules : RuleFile
        The validated content of a rule file.
    categories : list of str, optional
        The codebook's category ids; by default the ids under ``codes``, so
        that only the ids named elsewhere (``on_negation``, ``sarcasm_flips``,
        ``display_voids``) are checked against them.

    Returns
    -------
    list of (tuple, str)
        One pair per place naming an unknown category.

    Examples
    --------
    >>> rules = load_rules("en").rules
    >>> loc, message = rule_problems(rules, categories=["customer_help"])[0]
    >>> loc
    ('codes', 'reputation_protection')
    >>> message
    'names a category not in the codebook: reputation_protection; known: customer_help'
    """
    known = list(rules.codes) if categories is None else list(categories)

    def unknown(code: str) -> str:
        return f"names a category not in the codebook: {code}; known: {', '.join(known)}"

    problems: list[Problem] = []
    for code, entries in rules.codes.items():
        if code not in known:
            problems.append((("codes", code), unknown(code)))
        for index, entry in enumerate(entries):
            if entry.on_negation not in ("drop", "ignore", *known):
                problems.append((("codes", code, index, "on_negation"), unknown(entry.on_negation)))
    for field in ("sarcasm_flips", "display_voids"):
        for index, code in enumerate(getattr(rules, field)):
            if code not in known:
                problems.append(((field, index), unknown(code)))
    return problems


_CACHE: dict[Path, RuleSet] = {}


def load_rules(lang_or_path: str | Path, categories: list[str] | None = None) -> RuleSet:
    """Load, validate and compile a rule file.

    Parameters
    ----------
    lang_or_path : str or Path
        A language code with a shipped file (``"nl"``, ``"en"``) or a path to a YAML file.
    categories : list of str, optional
        The codebook's category ids; rules for any other id are refused.

    Returns
    -------
    RuleSet

    Raises
    ------
    RuleFileError
        Unknown language, missing or unreadable file, bad YAML, schema errors or
        unknown categories; one ``file:line: field: message`` line per problem.

    Examples
    --------
    >>> load_rules("nl").lang
    'nl'
    """
    path = Path(lang_or_path)
    if path.suffix not in (".yaml", ".yml"):
        path = RULES_DIR / f"{lang_or_path}.yaml"
        if not path.exists():
            raise RuleFileError(
                f"no coding rules for language {lang_or_path!r}; shipped: {', '.join(rule_languages())}"
            )
    path = path.resolve()
    if categories is None and path in _CACHE:
        return _CACHE[path]
    if not path.exists():
        raise RuleFileError(f"{path}: rule file not found")
    try:
        raw, line_of = load_yaml_with_lines(path)
    except YamlSourceError as error:
        raise RuleFileError(str(error)) from None
    if not isinstance(raw, dict):
        message = "expected a mapping with lang, function_words, negators and codes"
        raise RuleFileError(f"{path}:1: (top level): {message}")
    try:
        rules = RuleFile.model_validate(raw)
    except ValidationError as error:
        raise RuleFileError("\n".join(describe_validation_error(error, path, line_of))) from None
    problems = rule_problems(rules, categories)
    if problems:
        raise RuleFileError("\n".join(describe_problem(path, line_of, loc, msg) for loc, msg in problems))
    ruleset = RuleSet(rules, path)
    if categories is None:
        _CACHE[path] = ruleset
    return ruleset
