"""Who counts as a valid participant: the declared checks and the data-quality flags.

Two things live here, both read by every part that needs them, so each rule has one home:

- :func:`passes_declared_checks`: the row-level rule (attention and manipulation checks
  named in ``analysis.exclude_on``) that the survey's ``assignment.count:
  valid_completes`` and :func:`study.flag_exclusions` both use;
- :data:`QUALITY_FLAGS`: the definition of every data-quality flag (column name, label
  and rule in English and Dutch, the columns it reads, the ``quality:`` options it
  uses, its source in the literature). :mod:`study.dataset.quality` computes the flags;
  the codebook, the report, the preregistration and ``docs/quality.md`` describe them
  from this list.

>>> [flag.name for flag in QUALITY_FLAGS][:2]
['flag_speeding', 'flag_straightlining']
>>> answer_matches("5", 5), answer_matches(5.0, "5"), answer_matches(None, 5)
(True, True, False)
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = [
    "FlagDefinition",
    "QUALITY_FLAGS",
    "FLAG_NAMES",
    "EXCLUSION_CHECKS",
    "EXCLUSION_RULES",
    "flag_definition",
    "answer_matches",
    "attention_passed",
    "manipulation_passed",
    "passes_declared_checks",
    "quality_problems",
    "rating_groups",
]

#: The checks of ``checks:`` that ``analysis.exclude_on`` may name, judged per participant.
EXCLUSION_CHECKS = ("attention", "manipulation")


@dataclass(frozen=True)
class FlagDefinition:
    """One data-quality flag: a boolean column of the canonical data set.

    ``rule`` texts hold ``{placeholders}`` named after fields of the study file's
    ``quality:`` block; :meth:`rule_in` fills them. ``reads`` lists the columns the
    flag needs, where ``<free text>`` and ``<rating items>`` stand for the study's
    free-text items (``quality.text_items``) and its likert and semantic-differential
    items.
    """

    name: str
    label: Mapping[str, str]
    rule: Mapping[str, str]
    reads: tuple[str, ...]
    options: tuple[str, ...] = ()
    reference: str = ""

    def rule_in(self, lang: str, quality=None) -> str:
        """The rule in ``lang`` (``en`` or ``nl``) with the thresholds of ``quality`` filled in.

        >>> from study.design.schema import Quality
        >>> flag_definition("flag_speeding").rule_in("en", Quality(speeding_fraction=0.4))[:40]
        'Took less than 0.4 × the median duration'
        """
        from_quality = {} if quality is None else quality.model_dump()
        return self.rule[lang].format(**{name: _shown(from_quality.get(name, f"<{name}>"), lang)
                                         for name in self.options})


def _shown(value, lang: str) -> str:
    if isinstance(value, float):
        return f"{value:g}".replace(".", "," if lang == "nl" else ".")
    if value is None:
        return "–"
    return str(value)


_LEINER = ("Leiner, D. J. (2019). Too fast, too straight, too weird: Non-reactive indicators for "
           "meaningless data in internet surveys. Survey Research Methods, 13(3), 229–248.")

#: Every data-quality flag, in the order of the data set's columns.
QUALITY_FLAGS: tuple[FlagDefinition, ...] = (
    FlagDefinition(
        "flag_speeding",
        {"en": "Too fast", "nl": "Te snel"},
        {"en": "Took less than {speeding_fraction} × the median duration of the completed "
               "participants (duration_seconds).",
         "nl": "Deed er korter over dan {speeding_fraction} × de mediane duur van de deelnemers "
               "die de vragenlijst afmaakten (duration_seconds)."},
        ("duration_seconds", "status"), ("speeding_fraction",),
        _LEINER + " Greszki, R., Meyer, M., & Schoen, H. (2015). Exploring the effects of removing "
        "“too fast” responses and respondents from web surveys. Public Opinion Quarterly, 79(2), 471–503.",
    ),
    FlagDefinition(
        "flag_straightlining",
        {"en": "Same answer to every rating item of a page or scale",
         "nl": "Overal hetzelfde antwoord op een pagina of schaal"},
        {"en": "Gave the same answer, as presented, to every rating item of a page or a scale that "
               "has at least {straightlining_min_items} rating items (likert or semantic differential).",
         "nl": "Gaf hetzelfde antwoord, zoals getoond, op alle beoordelingsvragen van een pagina of "
               "schaal met minstens {straightlining_min_items} van zulke vragen (likert of semantische "
               "differentiaal)."},
        ("<rating items>",), ("straightlining_min_items",),
        "Kim, Y., Dykema, J., Stevenson, J., Black, P., & Moberg, D. P. (2019). Straightlining: Overview "
        "of measurement, comparison of indicators, and effects in mail–web mixed-mode surveys. Social "
        "Science Computer Review, 37(2), 214–233. " + _LEINER,
    ),
    FlagDefinition(
        "flag_text_short",
        {"en": "Free text too short", "nl": "Open antwoord te kort"},
        {"en": "A free-text answer has fewer than {min_text_chars} characters (spaces at either end "
               "not counted), or a required free-text answer is empty.",
         "nl": "Een open antwoord telt minder dan {min_text_chars} tekens (spaties aan het begin en "
               "eind niet meegeteld), of een verplicht open antwoord is leeg."},
        ("<free text>",), ("min_text_chars",),
    ),
    FlagDefinition(
        "flag_text_pasted",
        {"en": "Pasted into a free-text field", "nl": "Tekst geplakt in een open vraag"},
        {"en": "Pasted into a free-text field at least once (paste_count > 0, recorded by the "
               "survey's JavaScript).",
         "nl": "Plakte minstens één keer tekst in een open vraag (paste_count > 0, vastgelegd door "
               "het JavaScript van de vragenlijst)."},
        ("paste_count",),
    ),
    FlagDefinition(
        "flag_text_from_vignette",
        {"en": "Free text copied from the vignette", "nl": "Open antwoord overgenomen uit het vignet"},
        {"en": "At least {vignette_copy_share} of the runs of {vignette_copy_words} consecutive words "
               "in a free-text answer also occur in the vignette the participant read (the thread and "
               "its introduction, in the participant's condition and language).",
         "nl": "Minstens {vignette_copy_share} van de reeksen van {vignette_copy_words} opeenvolgende "
               "woorden in een open antwoord staat ook in het vignet dat de deelnemer las (het gesprek "
               "en de inleiding, in de conditie en taal van de deelnemer)."},
        ("<free text>", "condition", "lang"), ("vignette_copy_words", "vignette_copy_share"),
        "Broder, A. Z. (1997). On the resemblance and containment of documents. Proceedings of "
        "Compression and Complexity of Sequences, 21–29. (containment of word shingles)",
    ),
    FlagDefinition(
        "flag_text_duplicate",
        {"en": "Same free text as another participant", "nl": "Zelfde open antwoord als een ander"},
        {"en": "A free-text answer is the same as another participant's answer to that question after "
               "lower-casing and removing punctuation and extra spaces; every participant sharing it "
               "is flagged. Answers shorter than {duplicate_min_chars} characters are not compared.",
         "nl": "Een open antwoord is gelijk aan dat van een andere deelnemer op dezelfde vraag, na "
               "omzetten naar kleine letters en weglaten van leestekens en extra spaties; iedereen "
               "met dat antwoord krijgt de vlag. Antwoorden korter dan {duplicate_min_chars} tekens "
               "worden niet vergeleken."},
        ("<free text>",), ("duplicate_min_chars",),
    ),
    FlagDefinition(
        "flag_text_language",
        {"en": "Free text not in the participant's language",
         "nl": "Open antwoord niet in de taal van de deelnemer"},
        {"en": "The language identifier py3langid names another language than the participant's "
               "lang for a free-text answer of at least {language_min_chars} characters; shorter "
               "answers are not judged.",
         "nl": "De taalherkenner py3langid wijst voor een open antwoord van minstens "
               "{language_min_chars} tekens een andere taal aan dan lang van de deelnemer; kortere "
               "antwoorden worden niet beoordeeld."},
        ("<free text>", "lang"), ("language_min_chars",),
        "Lui, M., & Baldwin, T. (2012). langid.py: An off-the-shelf language identification tool. "
        "Proceedings of the ACL 2012 System Demonstrations, 25–30.",
    ),
    FlagDefinition(
        "flag_repeated_prolific_id",
        {"en": "Prolific id seen before", "nl": "Prolific-id al eerder gezien"},
        {"en": "The Prolific id (prolific_pid) occurs on an earlier row: of the rows sharing an id, "
               "every row after the first by started_at is flagged, the first is not.",
         "nl": "Het Prolific-id (prolific_pid) komt al op een eerdere rij voor: van de rijen met "
               "hetzelfde id krijgen alle rijen na de eerste (volgens started_at) de vlag, de eerste niet."},
        ("prolific_pid", "started_at"),
    ),
)

#: The flag columns, in order.
FLAG_NAMES = tuple(flag.name for flag in QUALITY_FLAGS)
#: Everything ``analysis.exclude_on`` may name: the checks, then the flags.
EXCLUSION_RULES = EXCLUSION_CHECKS + FLAG_NAMES


def flag_definition(name: str) -> FlagDefinition:
    """The definition of the flag column ``name``.

    >>> flag_definition("flag_text_pasted").reads
    ('paste_count',)
    """
    for flag in QUALITY_FLAGS:
        if flag.name == name:
            return flag
    raise KeyError(f"no data-quality flag {name!r}; the flags are {', '.join(FLAG_NAMES)}")


# --- the declared checks, per participant --------------------------------------------


def _missing(value) -> bool:
    if value is None:
        return True
    try:
        return bool(value != value) or (isinstance(value, float) and math.isnan(value))
    except (TypeError, ValueError):  # pandas.NA refuses bool()
        return True


def answer_matches(answer, expected) -> bool:
    """Whether a stored answer equals the expected one; a missing answer never matches.

    Numbers and their text forms compare equal, as answers read from a CSV file
    differ in type from those in the survey database (``"5"``, ``5``, ``5.0``).

    >>> answer_matches(" public ", "public"), answer_matches("4", 5)
    (True, False)
    """
    if _missing(answer) or _missing(expected):
        return False
    return _as_text(answer) == _as_text(expected)


def _as_text(value) -> str:
    return str(value).strip().removesuffix(".0")


def attention_passed(answers: Mapping[str, object], study) -> bool:
    """The attention item holds the instructed answer (True when the study declares no attention check).

    >>> from study import load_study
    >>> attention_passed({"attn_1": 5}, load_study("tilburg")), attention_passed({}, load_study("tilburg"))
    (True, False)
    """
    attention = study.checks.attention
    return attention is None or answer_matches(answers.get(attention.item), attention.correct)


def manipulation_passed(answers: Mapping[str, object], study, *, condition: str | None = None) -> bool:
    """Every manipulation check holds the option expected for the participant's level.

    The participant's levels come from ``condition`` (a condition name) or, without
    it, from ``answers`` under each factor's name (a row of the canonical data set).
    True when the study declares no manipulation check.

    >>> from study import load_study
    >>> tilburg = load_study("tilburg")
    >>> manipulation_passed({"mc_channel": "public"}, tilburg, condition="public")
    True
    >>> manipulation_passed({"channel": "private", "mc_channel": "dont_remember"}, tilburg)
    False
    """
    levels = {}
    if condition is not None:
        levels = next((c.levels for c in study.conditions if c.name == condition), None)
        if levels is None:
            raise ValueError(f"unknown condition {condition!r}; the study has {', '.join(study.condition_names)}")
    for check in study.checks.manipulation:
        level = levels.get(check.factor, answers.get(check.factor))
        expected = None if _missing(level) else check.expected.get(_as_text(level))
        if not answer_matches(answers.get(check.item), expected):
            return False
    return True


def passes_declared_checks(answers: Mapping[str, object], study, *, condition: str | None = None) -> bool:
    """Whether a participant passes the checks that ``analysis.exclude_on`` names.

    The one rule behind a *valid complete* (``assignment.count: valid_completes``) and
    behind the checks part of ``exclude`` in :func:`study.flag_exclusions`. Only the
    attention and manipulation checks are judged here: they need nothing but the
    participant's own answers. The data-quality flags named in ``exclude_on`` compare
    participants with each other (a median, duplicates) and are left to the analysis.
    A check the study declares but does not exclude on does not count, because it
    does not remove anyone from the analysed sample either.

    Parameters
    ----------
    answers : mapping
        Stored answers by item id (raw, as presented), e.g. one row of the canonical
        data set or the survey database's answers of one participant.
    study : Study
    condition : str, optional
        The participant's condition; without it the factor levels are read from
        ``answers`` (needed only for manipulation checks).

    Examples
    --------
    >>> from study import load_study
    >>> tilburg = load_study("tilburg")        # exclude_on: [attention]
    >>> passes_declared_checks({"attn_1": 5, "mc_channel": "private"}, tilburg, condition="public")
    True
    >>> passes_declared_checks({"attn_1": "3"}, tilburg, condition="public")
    False
    """
    rules = study.analysis.exclude_on
    if "attention" in rules and not attention_passed(answers, study):
        return False
    if "manipulation" in rules and not manipulation_passed(answers, study, condition=condition):
        return False
    return True


# --- checks of the study file that need the questionnaire ---------------------------


def quality_problems(study, questionnaire) -> list[tuple[tuple, str]]:
    """Problems of the ``quality:`` block, ``exclude_on`` and ``assignment.count`` against the questionnaire.

    Returns ``(location, message)`` pairs as :func:`study.design.crosscheck.cross_check`
    does (the loader turns them into ``file:line: field: message``).

    >>> from study import load_study
    >>> tilburg = load_study("tilburg")
    >>> quality_problems(tilburg, tilburg.questionnaire)
    []
    """
    problems: list[tuple[tuple, str]] = []
    free_text = [item.id for item in questionnaire.items if item.type == "free_text"]
    quality = study.quality
    for index, item_id in enumerate(quality.text_items or []):
        if item_id not in free_text:
            known = ", ".join(free_text) or "none"
            problems.append((("quality", "text_items", index),
                             f"{item_id!r} is not a free-text item of the questionnaire (free-text items: {known})"))
    groups = rating_groups(questionnaire)
    for index, rule in enumerate(study.analysis.exclude_on):
        where = ("analysis", "exclude_on", index)
        if rule.startswith("flag_text") and rule != "flag_text_pasted" and not (quality.text_items or free_text):
            problems.append((where, f"excludes on {rule!r} but the questionnaire has no free-text item"))
        if rule == "flag_text_from_vignette" and study.vignette is None:
            problems.append((where, "excludes on 'flag_text_from_vignette' but the study file has no vignette"))
        if rule == "flag_straightlining" and not any(len(g) >= quality.straightlining_min_items
                                                     for g in groups):
            problems.append((where, f"excludes on 'flag_straightlining' but no page or scale has "
                                    f"{quality.straightlining_min_items} or more rating items "
                                    "(lower quality.straightlining_min_items or drop the rule)"))
    assignment = study.assignment
    if assignment is not None and assignment.count == "valid_completes":
        if not set(EXCLUSION_CHECKS) & set(study.analysis.exclude_on):
            problems.append((("assignment", "count"),
                             "counts valid completes, but analysis.exclude_on names neither 'attention' nor "
                             "'manipulation', so every complete is valid; use count: completes or name a check"))
    return problems


def rating_groups(questionnaire) -> list[list[str]]:
    """The rating items of each page and each scale, repeats left out (what straightlining compares).

    >>> from study import load_study
    >>> rating_groups(load_study("tilburg").questionnaire)[0]
    ['att_1', 'att_2', 'att_3', 'att_4', 'att_5']
    """
    rating = {item.id for item in questionnaire.items if item.type in ("likert", "semantic_differential")}
    groups: list[list[str]] = []
    for items in [page.items for page in questionnaire.pages] + [scale.items for scale in questionnaire.scales]:
        group = [item_id for item_id in items if item_id in rating]
        if group and sorted(group) not in [sorted(g) for g in groups]:
            groups.append(group)
    return groups
