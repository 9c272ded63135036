"""The codebook of a study's canonical data set: every column, what it holds and how.

``codebook(study)`` describes the core columns (design, status, timestamps, every
item, every scored scale) and the optional blocks documented in
``docs/architecture.md``: the simulator's ``reason_true_motives``, the exclusion
flags, the free-text coding columns and the survey-export columns. It renders as a
dict, JSON or Markdown.

>>> from study import load_study
>>> book = codebook(load_study("tilburg"))
>>> book["att_2"]["reverse"], book["att_2"]["scales"]
(True, ['attitude'])
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field

from questionnaires import load_motive_codebook
from study.dataset.codebook_text import codebook_text
from study.design.schema import Study
from study.design.validity import FLAG_NAMES, QUALITY_FLAGS

__all__ = ["codebook", "Codebook", "canonical_columns", "code_columns", "OPTIONAL_COLUMNS", "MOTIVES"]

#: The motive codebook: the one list of motive ids, in order, and which are strategic.
MOTIVES = load_motive_codebook()

FIXED_LEADING = ("participant_id", "condition")
FIXED_META = ("lang", "status", "started_at", "completed_at")
STATUSES = ("in_progress", "complete", "timed_out", "declined", "excluded")

#: The survey's paradata per participant (summed over pages; <NA> when the browser ran no JavaScript).
PARADATA_COLUMNS = ["focus_lost_count", "focus_lost_seconds", "paste_count", "typing_seconds"]

#: Optional blocks after the scored scales, in this order, by block name.
OPTIONAL_COLUMNS = {
    "simulation": ["reason_true_motives"],
    "exclusions": ["attention_passed", "manipulation_passed", *FLAG_NAMES, "exclude"],
    "coding": MOTIVES.columns + ["code_confidence", "code_source", "pk_strategic", "pk_any"],
    "export": ["prolific_pid", "study_id", "session_id", "duplicate", "duration_seconds", *PARADATA_COLUMNS,
               "withdrawal_code"],
}


def code_columns(data) -> list[str]:
    """The motive code columns ``data`` has, in the motive codebook's order.

    >>> import pandas as pd
    >>> code_columns(pd.DataFrame(columns=["code_no_motive", "attitude", "code_image_showcase"]))
    ['code_image_showcase', 'code_no_motive']
    """
    return [column for column in MOTIVES.columns if column in data.columns]


def canonical_columns(study: Study, *, simulated: bool = False) -> list[str]:
    """The columns of the canonical data set, in order (without optional blocks).

    ``simulated=True`` appends ``reason_true_motives``, as ``study.dataset.simulation`` does.

    >>> from study import load_study
    >>> canonical_columns(load_study("tilburg"))[:8]
    ['participant_id', 'condition', 'channel', 'lang', 'status', 'started_at', 'completed_at', 'att_1']
    """
    questionnaire = study.questionnaire
    columns = [*FIXED_LEADING, *study.factor_names, *FIXED_META]
    columns += [item.id for item in questionnaire.items]
    columns += [scale.id for scale in questionnaire.scales]
    if simulated:
        columns += OPTIONAL_COLUMNS["simulation"]
    return columns


@dataclass
class Codebook:
    """Column descriptions of one study's data set, in column order.

    Each entry is a dict with ``name``, ``label``, ``block`` (design, meta, item,
    scale, simulation, exclusions, coding, export), ``type`` (string, text,
    integer, number, boolean, datetime), ``allowed`` (list of values, a
    ``{min, max}`` range, or None), ``value_labels`` ({value: label} or None),
    ``scales`` (scales the item belongs to), ``reverse`` (reverse-keyed item; None
    when not an ordinal item), ``question`` ({lang: text} for items) and
    ``description``.
    """

    study_id: str
    title: str
    lang: str
    file_hash: str | None
    entries: list[dict] = field(default_factory=list)

    @property
    def columns(self) -> list[str]:
        return [entry["name"] for entry in self.entries]

    def __getitem__(self, name: str) -> dict:
        for entry in self.entries:
            if entry["name"] == name:
                return entry
        raise KeyError(f"the codebook of {self.study_id!r} has no column {name!r}")

    def __contains__(self, name: str) -> bool:
        return name in self.columns

    def to_dict(self) -> dict:
        """Plain data (JSON-ready): study id, title, language, file hash and the columns."""
        return {
            "study": self.study_id,
            "title": self.title,
            "lang": self.lang,
            "file_hash": self.file_hash,
            "columns": [dict(entry) for entry in self.entries],
        }

    def to_json(self, indent: int = 2) -> str:
        """The codebook as JSON text (UTF-8, keys in a stable order)."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    def to_markdown(self) -> str:
        """A Markdown document: one table of all columns, then the value labels."""
        say = functools.partial(codebook_text, self.lang)
        lines = [
            "# " + say("md.title", title=self.title),
            "",
            say("md.study", study=self.study_id) + (say("md.hash", hash=self.file_hash) if self.file_hash else "")
            + say("md.rows", language=self.lang),
            "",
            say("md.header"),
            "|---|---|---|---|---|---|---|",
        ]
        yes_no = {True: say("value.yes"), False: say("value.no"), None: ""}
        for entry in self.entries:
            lines.append("| " + " | ".join(_cell(part) for part in (
                f"`{entry['name']}`", entry["label"], entry["block"], entry["type"],
                _allowed_text(entry["allowed"]), ", ".join(entry["scales"]),
                yes_no[entry["reverse"]],
            )) + " |")
        labelled = [entry for entry in self.entries if entry["value_labels"]]
        if labelled:
            lines += ["", "## " + say("md.value_labels"), ""]
            for entry in labelled:
                labels = "; ".join(f"`{value}` = {label}" for value, label in entry["value_labels"].items())
                lines.append(f"- `{entry['name']}`: {_cell(labels)}")
        described = [entry for entry in self.entries if entry["description"]]
        if described:
            lines += ["", "## " + say("md.notes"), ""]
            lines += [f"- `{entry['name']}`: {_cell(entry['description'])}" for entry in described]
        return "\n".join(lines) + "\n"


def _cell(text) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _allowed_text(allowed) -> str:
    if allowed is None:
        return ""
    if isinstance(allowed, dict):
        low, high = allowed.get("min"), allowed.get("max")
        return f"{'' if low is None else low}..{'' if high is None else high}"
    return ", ".join(map(str, allowed))


def _entry(name, label, block, type_, *, allowed=None, value_labels=None, scales=(),
           reverse=None, question=None, description=""):
    return {
        "name": name, "label": label, "block": block, "type": type_, "allowed": allowed,
        "value_labels": value_labels, "scales": list(scales), "reverse": reverse,
        "question": question, "description": description,
    }


def _text(mapping, lang):
    if not mapping:
        return ""
    return mapping.get(lang) or next(iter(mapping.values()))


def _level_label(study: Study, factor: str, level: str, lang: str) -> str:
    return _text(next(lv.label for lv in study.factor(factor).levels if lv.name == level), lang)


def codebook(study: Study, lang: str | None = None) -> Codebook:
    """Describe every column of ``study``'s canonical data set.

    Parameters
    ----------
    study : Study
        A loaded study.
    lang : str, optional
        Language of labels: ``en`` when the study has it, else its first language.

    Returns
    -------
    Codebook
        Core columns in data-set order, then the optional blocks (simulation,
        exclusions, coding, export).

    Examples
    --------
    >>> from study import load_study
    >>> book = codebook(load_study("tilburg"), lang="nl")
    >>> book["channel"]["allowed"], book["status"]["type"]
    (['public', 'private'], 'string')
    >>> book.to_json().startswith("{")
    True
    """
    lang = lang or ("en" if "en" in study.languages else study.languages[0])
    say = functools.partial(codebook_text, lang)
    questionnaire = study.questionnaire
    entries = [
        _entry("participant_id", say("label.participant_id"), "design", "string",
               description=say("note.participant_id")),
        _entry("condition", say("label.condition"), "design", "string", allowed=study.condition_names,
               value_labels={c.name: " / ".join(_level_label(study, f, level, lang)
                                                for f, level in c.levels.items())
                             for c in study.conditions},
               description=say("note.condition")),
    ]
    for factor in study.factors:
        entries.append(_entry(factor.name, _text(factor.label, lang) or factor.name, "design", "string",
                              allowed=factor.level_names,
                              value_labels={level.name: _text(level.label, lang) for level in factor.levels}))
    entries += [
        _entry("lang", say("label.lang"), "meta", "string", allowed=list(study.languages)),
        _entry("status", say("label.status"), "meta", "string", allowed=list(STATUSES)),
        _entry("started_at", say("label.started_at"), "meta", "datetime"),
        _entry("completed_at", say("label.completed_at"), "meta", "datetime",
               description=say("note.completed_at")),
    ]
    scales_of: dict[str, list[str]] = {}
    for scale in questionnaire.scales:
        for item_id in scale.items:
            scales_of.setdefault(item_id, []).append(scale.id)
    for item in questionnaire.items:
        entries.append(_item_entry(item, scales_of.get(item.id, []), lang, study))
    for scale in questionnaire.scales:
        points = {questionnaire.item(i).points for i in scale.items}
        top = max(points) if scale.scoring == "mean" else max(points) * len(scale.items)
        low = 1 if scale.scoring == "mean" else len(scale.items)
        entries.append(_entry(
            scale.id, _text(scale.label, lang), "scale", "number", allowed={"min": low, "max": top},
            description=say("note.scale", scoring=say(f"scoring.{scale.scoring}"), items=", ".join(scale.items),
                            min_valid=scale.min_valid)))
    entries += _optional_entries(study, lang)
    return Codebook(study_id=study.id, title=_text(study.title, lang), lang=lang,
                    file_hash=study.file_hash, entries=entries)


def _item_entry(item, scales, lang, study):
    say = functools.partial(codebook_text, lang)
    question = dict(item.text)
    label = _text(item.text, lang)
    if item.type in ("likert", "semantic_differential"):
        value_labels = None
        if item.labels:
            value_labels = {str(i + 1): text for i, text in enumerate(_text(item.labels, lang))}
        elif item.anchors:
            left, right = _text(item.anchors, lang)
            value_labels = {"1": left, str(item.points): right}
        note = say("note.as_presented") if item.reverse else ""
        if study.checks.attention is not None and study.checks.attention.item == item.id:
            note = say("note.attention", correct=study.checks.attention.correct)
        return _entry(item.id, label, "item", "integer", allowed=list(range(1, item.points + 1)),
                      value_labels=value_labels, scales=scales, reverse=bool(item.reverse),
                      question=question, description=note)
    if item.type == "single_choice":
        checks = [c for c in study.checks.manipulation if c.item == item.id]
        note = "; ".join(
            say("note.manipulation", factor=c.factor, expected=", ".join(
                say("note.expected", value=value, level=level) for level, value in c.expected.items()))
            for c in checks)
        return _entry(item.id, label, "item", "string", allowed=item.option_values,
                      value_labels={o.value: _text(o.label, lang) for o in item.options},
                      scales=scales, question=question, description=note)
    if item.type == "number":
        return _entry(item.id, label, "item", "integer" if item.integer else "number",
                      allowed={"min": item.min, "max": item.max}, scales=scales, question=question)
    return _entry(item.id, label, "item", "text", scales=scales, question=question,
                  description=say("note.free_text"))


def _flag_entry(flag, study: Study, lang: str) -> dict:
    """A data-quality flag: its label, its rule with the study's thresholds, what it reads, when it is empty."""
    say = functools.partial(codebook_text, lang)
    free_text = [item.id for item in study.questionnaire.items if item.type == "free_text"]
    texts = ", ".join(study.quality.text_items or free_text) or say("none")
    reads = ", ".join(texts if column == "<free text>" else say("reads.rating_items") if column == "<rating items>"
                      else column for column in flag.reads)
    unknown = say("unknown.paradata" if flag.name in ("flag_speeding", "flag_text_pasted")
                  else "unknown.straightlining" if flag.name == "flag_straightlining"
                  else "unknown.text" if flag.name.startswith("flag_text") else "unknown.default")
    fields = {"rule": flag.rule_in(lang, study.quality), "reads": reads, "unknown": unknown,
              "options": ", ".join(flag.options)}
    description = say("note.flag" if flag.options else "note.flag_no_options", **fields)
    return _entry(flag.name, flag.label[lang], "exclusions", "boolean", allowed=[True, False],
                  description=description)


def _optional_entries(study: Study, lang: str) -> list[dict]:
    say = functools.partial(codebook_text, lang)
    motives = MOTIVES.ids
    entries = [_entry(
        "reason_true_motives", say("label.reason_true_motives"), "simulation", "string",
        allowed=motives, description=say("note.reason_true_motives"))]
    entries += [
        _entry("attention_passed", say("label.attention_passed"), "exclusions", "boolean",
               description=say("note.attention_passed")),
        _entry("manipulation_passed", say("label.manipulation_passed"), "exclusions", "boolean",
               description=say("note.manipulation_passed")),
    ]
    entries += [_flag_entry(flag, study, lang) for flag in QUALITY_FLAGS]
    entries += [
        _entry("exclude", say("label.exclude"), "exclusions", "boolean",
               description=say("note.exclude", checks=", ".join(study.analysis.exclude_on) or say("none"))),
    ]
    entries += [
        _entry(f"code_{motive}", say("label.code", motive=motive), "coding", "integer",
               allowed=[0, 1], value_labels={"0": say("value.absent"), "1": say("value.present")})
        for motive in motives
    ]
    entries += [
        _entry("code_confidence", say("label.code_confidence"), "coding", "number",
               allowed={"min": 0, "max": 1}),
        _entry("code_source", say("label.code_source"), "coding", "string", allowed=["auto", "human"],
               value_labels={"auto": say("value.auto"), "human": say("value.human")}),
        _entry("pk_strategic", say("label.pk_strategic"), "coding", "integer",
               allowed=list(range(len(MOTIVES.strategic_ids) + 1)),
               description=" + ".join(f"code_{m}" for m in MOTIVES.strategic_ids)),
        _entry("pk_any", say("label.pk_any"), "coding", "integer", allowed=[0, 1],
               value_labels={"0": say("value.no"), "1": say("value.yes")}, description=say("note.pk_any")),
        _entry("prolific_pid", say("label.prolific_pid"), "export", "string"),
        _entry("study_id", say("label.study_id"), "export", "string"),
        _entry("session_id", say("label.session_id"), "export", "string"),
        _entry("duplicate", say("label.duplicate"), "export", "boolean"),
        _entry("duration_seconds", say("label.duration_seconds"), "export", "number",
               allowed={"min": 0, "max": None}, description=say("note.duration_seconds")),
    ]
    entries += [
        _entry(column, say(f"label.{column}"), "export", "integer" if column.endswith("_count") else "number",
               allowed={"min": 0, "max": None}, description=say(f"note.{column}"))
        for column in PARADATA_COLUMNS
    ]
    entries += [
        _entry("withdrawal_code", say("label.withdrawal_code"), "export", "string",
               description=say("note.withdrawal_code")),
    ]
    return entries
