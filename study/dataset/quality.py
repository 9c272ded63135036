"""Data-quality flags: one nullable boolean column per rule of :data:`~study.design.validity.QUALITY_FLAGS`.

Each flag is True (the rule fires), False (it does not) or ``<NA>`` (it cannot be
judged for that participant: a column the rule reads is absent, the survey recorded
no paradata because the browser ran no JavaScript, or the answer is too short to
judge). ``<NA>`` is never turned into False: a flag that could not be computed says so.
The rules and their sources are defined once, in ``study.design.validity``; this
module computes them with the thresholds of the study file's ``quality:`` block.
:func:`study.flag_exclusions` adds the columns to the data set.

>>> import pandas as pd
>>> from study import load_study
>>> tilburg = load_study("tilburg")
>>> data = pd.DataFrame({"status": ["complete"] * 3, "duration_seconds": [600.0, 500.0, 120.0]})
>>> quality_flags(data, tilburg)["flag_speeding"].tolist()
[False, False, True]
"""

from __future__ import annotations

import functools
import re

import pandas as pd

from study.design.validity import FLAG_NAMES, rating_groups

__all__ = ["quality_flags", "missing_inputs", "free_text_items", "vignette_text", "detected_language",
           "normalised_text"]

_WORD = re.compile(r"\w+", re.UNICODE)


# --- what each flag reads ----------------------------------------------------------


def free_text_items(study) -> list[str]:
    """The free-text items the text flags read: ``quality.text_items``, or every free-text item.

    >>> from study import load_study
    >>> free_text_items(load_study("tilburg"))
    ['reason']
    """
    if study.quality.text_items:
        return list(study.quality.text_items)
    return [item.id for item in study.questionnaire.items if item.type == "free_text"]


def missing_inputs(data: pd.DataFrame, study) -> dict[str, list[str]]:
    """Flag -> the columns it needs that ``data`` lacks (flags that can be computed are left out).

    A text flag needs at least one of the free-text items, straightlining at least one
    page or scale with enough rating items whose items are all present. Imported data
    often lack the survey's paradata (``paste_count``) or ``duration_seconds``; such a
    flag is ``<NA>`` for everyone.

    >>> import pandas as pd
    >>> from study import load_study
    >>> missing_inputs(pd.DataFrame({"reason": ["x"], "lang": ["en"], "condition": ["public"]}),
    ...                load_study("tilburg"))["flag_text_pasted"]
    ['paste_count']
    """
    columns = set(data.columns)
    texts = free_text_items(study)
    text_absent = [] if columns & set(texts) else (texts or ["<free text item>"])
    long_groups = [g for g in rating_groups(study.questionnaire)
                   if len(g) >= study.quality.straightlining_min_items]
    if not long_groups:
        straight_absent = [f"<a page or scale with {study.quality.straightlining_min_items} rating items>"]
    elif any(set(g) <= columns for g in long_groups):
        straight_absent = []
    else:
        straight_absent = sorted({i for g in long_groups for i in g} - columns)

    def absent(*names):
        return [name for name in names if name not in columns]

    found = {
        "flag_speeding": absent("duration_seconds"),
        "flag_straightlining": straight_absent,
        "flag_text_short": text_absent,
        "flag_text_pasted": absent("paste_count"),
        "flag_text_from_vignette": text_absent + absent("condition", "lang")
        + ([] if study.vignette is not None else ["<vignette in the study file>"]),
        "flag_text_duplicate": text_absent,
        "flag_text_language": text_absent + absent("lang"),
        "flag_repeated_prolific_id": absent("prolific_pid"),
    }
    return {name: found[name] for name in FLAG_NAMES if found[name]}


# --- helpers -----------------------------------------------------------------------


def _unknown(index) -> pd.Series:
    return pd.Series(pd.NA, index=index, dtype="boolean")


def _any_true(parts: list[pd.Series], index) -> pd.Series:
    """True when any part is True, False when none is True and one is False, else <NA>."""
    if not parts:
        return _unknown(index)
    frame = pd.concat(parts, axis=1)
    result = _unknown(index)
    result[frame.eq(False).any(axis=1)] = False
    result[frame.eq(True).any(axis=1)] = True
    return result


def _texts(data: pd.DataFrame, column: str) -> pd.Series:
    """A free-text column as strings, with missing and blank answers as <NA>."""
    text = data[column].astype("string").str.strip()
    return text.mask(text == "")


def normalised_text(text: str) -> str:
    """Lower case, words only, single spaces: how answers are compared for duplicates.

    >>> normalised_text("  They want to LOOK good!!  ")
    'they want to look good'
    """
    return " ".join(_WORD.findall(str(text).casefold()))


# --- the flags ---------------------------------------------------------------------


def _speeding(data, study) -> pd.Series:
    duration = pd.to_numeric(data["duration_seconds"], errors="coerce").astype("Float64")
    completed = (data["status"].astype("string") == "complete").fillna(False) if "status" in data.columns \
        else pd.Series(True, index=data.index)
    median = duration[completed.astype(bool)].median()
    if pd.isna(median):
        return _unknown(data.index)
    return (duration < study.quality.speeding_fraction * median).astype("boolean")


def _straightlining(data, study) -> pd.Series:
    minimum = study.quality.straightlining_min_items
    parts = []
    for group in rating_groups(study.questionnaire):
        present = [item for item in group if item in data.columns]
        if len(present) < minimum or len(present) < len(group):
            continue  # a group judged on part of its items would be a different rule
        answers = data[present].apply(pd.to_numeric, errors="coerce")
        complete = answers.notna().all(axis=1)
        same = answers.nunique(axis=1, dropna=True).eq(1)
        parts.append(same.astype("boolean").where(complete, pd.NA))
    return _any_true(parts, data.index)


def _text_short(data, study, items) -> pd.Series:
    parts = []
    for item_id in items:
        text = _texts(data, item_id)
        short = (text.str.len() < study.quality.min_text_chars).astype("boolean")
        required = study.questionnaire.item(item_id).required if item_id in study.questionnaire.item_ids else False
        parts.append(short.fillna(True) if required else short)
    return _any_true(parts, data.index)


def _pasted(data) -> pd.Series:
    count = pd.to_numeric(data["paste_count"], errors="coerce").astype("Float64")
    return (count > 0).astype("boolean")


def vignette_text(study, condition: str, lang: str) -> str:
    """The words a participant of ``condition`` read in ``lang``: the intro and every post of the thread.

    The same texts :func:`study.render_vignette` lays out (names, handles and the
    decorative counts left out). Empty when the study has no vignette for them.

    >>> from study import load_study
    >>> vignette_text(load_study("tilburg"), "public", "en")[:40]
    'Imagine you are scrolling through your t'
    """
    vignette = study.vignette
    if vignette is None:
        return ""
    messages = vignette.threads.get(condition, {}).get(lang, [])
    if not messages:
        return ""
    return "\n".join([(vignette.intro or {}).get(lang, ""), *(message.text for message in messages)]).strip()


def _shingles(words: list[str], size: int) -> set[tuple[str, ...]]:
    return {tuple(words[i:i + size]) for i in range(len(words) - size + 1)}




def _copied_share(answer: str, vignette: set, size: int) -> float:
    """Containment (Broder 1997): the share of the answer's word runs that occur in the vignette."""
    runs = _shingles(_WORD.findall(answer.casefold()), size)
    return len(runs & vignette) / len(runs) if runs else 0.0


def _from_vignette(data, study, items) -> pd.Series:
    size, share = study.quality.vignette_copy_words, study.quality.vignette_copy_share
    conditions = data["condition"].astype("string")
    langs = data["lang"].astype("string")
    read: dict[tuple[str, str], set] = {}  # (condition, lang) -> the vignette's word runs
    for key in set(pd.DataFrame({"condition": conditions, "lang": langs}).dropna().itertuples(index=False)):
        read[tuple(key)] = _shingles(_WORD.findall(vignette_text(study, *key).casefold()), size)
    parts = []
    for item_id in items:
        text = _texts(data, item_id)
        flags = []
        for answer, condition, lang in zip(text, conditions, langs):
            seen = None if pd.isna(condition) or pd.isna(lang) else read.get((condition, lang))
            if pd.isna(answer) or not seen:
                flags.append(pd.NA)
            else:
                flags.append(_copied_share(answer, seen, size) >= share)
        parts.append(pd.Series(flags, index=data.index, dtype="boolean"))
    return _any_true(parts, data.index)


def _duplicate(data, study, items) -> pd.Series:
    parts = []
    for item_id in items:
        text = _texts(data, item_id)
        key = text.map(normalised_text, na_action="ignore").astype("string")
        comparable = key.str.len() >= study.quality.duplicate_min_chars
        repeated = key.where(comparable).duplicated(keep=False) & comparable.fillna(False)
        parts.append(repeated.astype("boolean").where(text.notna(), pd.NA))
    return _any_true(parts, data.index)


@functools.lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier  # the model ships inside the package

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detected_language(text: str) -> str:
    """The ISO 639-1 code py3langid gives ``text`` (any of its 97 languages).

    >>> detected_language("Ze willen vooral laten zien dat ze hun klanten goed helpen.")
    'nl'
    """
    return _identifier().classify(text)[0]


def _language(data, study, items) -> pd.Series:
    langs = data["lang"].astype("string")
    minimum = study.quality.language_min_chars
    parts = []
    for item_id in items:
        text = _texts(data, item_id)
        flags = [pd.NA if pd.isna(answer) or pd.isna(lang) or len(answer) < minimum
                 else detected_language(answer) != lang
                 for answer, lang in zip(text, langs)]
        parts.append(pd.Series(flags, index=data.index, dtype="boolean"))
    return _any_true(parts, data.index)


def _repeated_prolific_id(data) -> pd.Series:
    pid = data["prolific_pid"].astype("string").str.strip()
    pid = pid.mask(pid == "")
    if "started_at" in data.columns:
        order = pd.to_datetime(data["started_at"].astype("object"), utc=True, errors="coerce", format="ISO8601")
        position = order.rank(method="first", na_option="bottom")
    else:
        position = pd.Series(range(len(data)), index=data.index, dtype="float64")
    ordered = pid.iloc[position.to_numpy().argsort(kind="stable")]
    later = ordered.duplicated(keep="first") & ordered.notna()
    return later.reindex(data.index).astype("boolean")


# --- all flags -----------------------------------------------------------------------


def quality_flags(data: pd.DataFrame, study) -> pd.DataFrame:
    """Every data-quality flag of ``study`` for each participant of ``data``.

    Parameters
    ----------
    data : pandas.DataFrame
        The canonical data set (one row per participant), with the survey's
        paradata columns when it has them (``duration_seconds``, ``paste_count``, ...).
    study : Study
        Supplies the questionnaire (free-text and rating items, pages, scales), the
        vignette texts and the thresholds of its ``quality:`` block.

    Returns
    -------
    pandas.DataFrame
        Same index as ``data``; one column per flag of
        :data:`study.design.validity.QUALITY_FLAGS`, in that order, of dtype
        ``boolean`` (True, False or ``<NA>``). A flag whose columns the data lack
        (:func:`missing_inputs`) is ``<NA>`` for everyone.

    Notes
    -----
    Free-text flags judge each free-text item and combine them per participant:
    True when any answer fires the rule, False when none does and at least one
    answer was judged, ``<NA>`` when none could be judged. Straightlining does
    the same over the pages and scales with enough rating items. The rules, their
    sources and references are in ``docs/quality.md``.

    Examples
    --------
    >>> import pandas as pd
    >>> from study import load_study
    >>> tilburg = load_study("tilburg")
    >>> data = pd.DataFrame({"prolific_pid": ["p1", "p2", "p1"],
    ...                      "started_at": ["2021-03-02T10:00:00+00:00", "2021-03-01T10:00:00+00:00",
    ...                                     "2021-03-01T09:00:00+00:00"],
    ...                      "paste_count": pd.array([0, 2, None], dtype="Int64")})
    >>> quality_flags(data, tilburg)[["flag_repeated_prolific_id", "flag_text_pasted", "flag_speeding"]]
       flag_repeated_prolific_id  flag_text_pasted  flag_speeding
    0                       True             False           <NA>
    1                      False              True           <NA>
    2                      False              <NA>           <NA>
    """
    missing = missing_inputs(data, study)
    texts = [item for item in free_text_items(study) if item in data.columns]
    compute = {
        "flag_speeding": lambda: _speeding(data, study),
        "flag_straightlining": lambda: _straightlining(data, study),
        "flag_text_short": lambda: _text_short(data, study, texts),
        "flag_text_pasted": lambda: _pasted(data),
        "flag_text_from_vignette": lambda: _from_vignette(data, study, texts),
        "flag_text_duplicate": lambda: _duplicate(data, study, texts),
        "flag_text_language": lambda: _language(data, study, texts),
        "flag_repeated_prolific_id": lambda: _repeated_prolific_id(data),
    }
    return pd.DataFrame({name: _unknown(data.index) if name in missing else compute[name]()
                         for name in FLAG_NAMES}, index=data.index)
