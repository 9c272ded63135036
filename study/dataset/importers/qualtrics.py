"""Qualtrics' conventions: header rows, metadata columns, response types, missing codes,
randomizer display-order columns, and the ``.qsf`` survey definition.

A Qualtrics CSV/TSV export has one row of column names and, depending on its age and
options, a row of question texts and a row of ``{"ImportId": ...}`` JSON under it;
the oldest form has ``V1``..``V10`` names over a row of real names. Those rows are
recognised by their content, never skipped by count.

>>> header = qualtrics_header([["StartDate", "Q1"], ["Start Date", "How?"],
...                            ['{"ImportId":"startDate"}', '{"ImportId":"QID1"}'], ["2020-01-01", "3"]])
>>> header.rows, header.names, header.import_ids["Q1"]
(3, ['StartDate', 'Q1'], 'QID1')
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from study.errors import UserError

__all__ = ["QualtricsHeader", "qualtrics_header", "is_qualtrics", "METADATA", "STATUS_DROPPED",
           "QualtricsSurvey", "load_qsf", "is_display_order_column", "is_timing_column", "plain_text"]

#: Qualtrics metadata columns: name -> canonical column (or None: left out).
METADATA = {
    "StartDate": "started_at", "EndDate": "completed_at", "Status": None, "IPAddress": None,
    "Progress": None, "Duration (in seconds)": "duration_seconds", "Finished": None,
    "RecordedDate": None, "ResponseId": "participant_id", "ResponseID": "participant_id",
    "ResponseSet": None, "Name": None, "EmailAddress": None, "ExternalDataReference": None,
    "RecipientLastName": None, "RecipientFirstName": None, "RecipientEmail": None,
    "ExternalReference": None, "LocationLatitude": None, "LocationLongitude": None,
    "LocationAccuracy": None, "DistributionChannel": None, "UserLanguage": "lang",
}
#: Response types that are not participants: (column, value) as exported with numeric
#: values and with choice text -> why the row is dropped.
STATUS_DROPPED = {
    "1": "survey preview", "Survey Preview": "survey preview",
    "2": "survey test", "Survey Test": "survey test",
    "8": "spam", "Spam": "spam", "9": "preview spam", "Preview Spam": "preview spam",
    "12": "imported spam", "Imported Spam": "imported spam",
}
_LABEL_OF = {"StartDate": "Start Date", "EndDate": "End Date", "ResponseId": "Response ID",
             "Finished": "Finished", "Progress": "Progress", "Status": "Response Type"}
_DATA_LIKE = re.compile(r"^(-?\d+(\.\d+)?|\d{4}-\d\d-\d\d[ T]\d\d:\d\d(:\d\d)?|true|false|R_\w+)$", re.I)


@dataclass
class QualtricsHeader:
    """The header rows of a Qualtrics export: how many, the column names, their question
    texts and import ids, and which form (``3-row``, ``2-row``, ``legacy 2-row``, ``1-row``)."""

    rows: int
    names: list[str]
    labels: dict[str, str] = field(default_factory=dict)
    import_ids: dict[str, str] = field(default_factory=dict)
    form: str = "1-row"


def is_qualtrics(names: list[str]) -> bool:
    """Whether column names are those of a Qualtrics export (its metadata columns)."""
    found = set(names)
    return bool(found & {"ResponseId", "ResponseID"}) or {"StartDate", "EndDate", "Finished"} <= found \
        or (bool(names) and names[0] == "V1" and "V10" in found)


def _import_id(cell: str) -> str | None:
    text = cell.strip()
    if not text.startswith("{"):
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value.get("ImportId") if isinstance(value, dict) else None


def qualtrics_header(rows: list[list[str]]) -> QualtricsHeader | None:
    """The header of a Qualtrics export from its first rows, or ``None`` when the rows are
    not a Qualtrics export. ``rows`` are the file's first records (at least 3 when the file has them)."""
    if not rows:
        return None
    first = [cell.strip() for cell in rows[0]]
    if first and first[0] == "V1" and len(rows) > 1 and "ResponseID" in rows[1]:
        second = rows[1]
        names = [second[i] if re.fullmatch(r"V\d+", name) and i < len(second) else name
                 for i, name in enumerate(first)]
        labels = {name: second[i] for i, name in enumerate(names) if i < len(second)}
        return QualtricsHeader(2, names, labels, {}, "legacy 2-row")
    if len(rows) > 2:
        ids = [_import_id(cell) for cell in rows[2]]
        filled = [cell for cell in rows[2] if cell.strip()]
        if filled and sum(i is not None for i in ids) >= len(filled) / 2:
            labels = {name: rows[1][i] for i, name in enumerate(first) if i < len(rows[1])}
            import_ids = {name: ids[i] for i, name in enumerate(first) if i < len(ids) and ids[i]}
            return QualtricsHeader(3, first, labels, import_ids, "3-row")
    if not is_qualtrics(first):
        return None
    if len(rows) > 1 and _is_label_row(first, rows[1]):
        labels = {name: rows[1][i] for i, name in enumerate(first) if i < len(rows[1])}
        return QualtricsHeader(2, first, labels, {}, "2-row")
    return QualtricsHeader(1, first, {}, {}, "1-row")


def _is_label_row(names: list[str], row: list[str]) -> bool:
    """Row 2 holds question texts (not a participant) when the metadata columns hold their
    labels ('Start Date') or text that no answer of that column would be."""
    votes = []
    for name in ("StartDate", "EndDate", "Status", "Progress", "Finished", "ResponseId", "RecordedDate"):
        if name in names and names.index(name) < len(row):
            cell = row[names.index(name)].strip()
            if cell:
                votes.append(cell == _LABEL_OF.get(name) or not _DATA_LIKE.match(cell))
    return bool(votes) and sum(votes) > len(votes) / 2


def is_display_order_column(name: str) -> bool:
    """``FL_5_DO`` (a randomizer's display order) or ``Q3_DO`` (a question's choice order)."""
    return bool(re.fullmatch(r".+_DO(_\d+)?", name))


def is_timing_column(name: str, label: str = "") -> bool:
    """Timing questions' columns (``Q3_First Click``, ``Q3_Page Submit`` ...)."""
    return bool(re.search(r"_(First Click|Last Click|Page Submit|Click Count)$", name)) \
        or label.startswith("Timing - ")


# --- the survey definition (.qsf) -------------------------------------------------------------


def plain_text(text: str | None) -> str:
    """Question text without HTML tags and entities, whitespace collapsed.

    >>> plain_text("<p>How <b>likely</b>&nbsp;is it?</p><script>show();</script>")
    'How likely is it?'
    """
    text = re.sub(r"<(script|style)\b.*?</\1\s*>", " ", text or "", flags=re.S | re.I)
    text = re.sub(r"<[^>]+>", " ", text)
    return re.sub(r"\s+", " ", html.unescape(text)).strip()


@dataclass
class Question:
    """One question of a ``.qsf``: its id, export tag, type, text and choices."""

    qid: str
    tag: str
    type: str  # MC, Matrix, TE, Slider, DB, ...
    selector: str
    text: str
    choices: list[tuple[str, str, str]]  # (choice id, recode value, text) in presented order
    answers: list[tuple[str, str, str]]  # matrix scale points (id, recode, text)
    subquestions: list[tuple[str, str]]  # matrix statements / slider rows (choice id, text)
    slider_range: tuple[float, float] | None = None
    names: dict = field(default_factory=dict)  # choice id -> variable name (Qualtrics' "variable naming")

    @property
    def has_data(self) -> bool:
        return self.type not in ("DB", "Timing", "Meta", "Captcha")


@dataclass
class Block:
    id: str
    description: str
    questions: list[str]  # QIDs in order


@dataclass
class QualtricsSurvey:
    """What replylab uses of a ``.qsf``: the questions, the blocks, the randomizers of the
    survey flow (their flow id and the blocks or embedded data they choose between) and
    the embedded-data fields set in the flow."""

    path: Path
    name: str
    language: str
    questions: dict[str, Question]
    blocks: dict[str, Block]
    randomizers: list[dict]  # {flow_id, subset, options: [(kind, id, name, embedded {field: value})]}
    embedded_fields: list[str]

    def question_by_tag(self, tag: str) -> Question | None:
        return next((q for q in self.questions.values() if q.tag == tag), None)

    def block_of(self, qid: str) -> Block | None:
        return next((b for b in self.blocks.values() if qid in b.questions), None)


def _ordered_choices(payload: dict, key: str, order_key: str) -> list[tuple[str, str, str]]:
    choices = payload.get(key) or {}
    if isinstance(choices, list):  # an empty list, or a list indexed from 0/1
        choices = {str(i): c for i, c in enumerate(choices) if c}
    order = [str(c) for c in payload.get(order_key) or choices.keys()]
    recodes = payload.get("RecodeValues" if key == "Choices" else "AnswerRecodeValues") or {}
    result = []
    for choice_id in order:
        choice = choices.get(choice_id)
        if not isinstance(choice, dict):
            continue
        result.append((choice_id, str(recodes.get(choice_id, choice_id)), plain_text(choice.get("Display"))))
    return result


def load_qsf(path) -> QualtricsSurvey:
    """Read a Qualtrics survey file (``.qsf``, JSON).

    Raises
    ------
    UserError
        The file is missing or not a ``.qsf``.
    """
    path = Path(path)
    try:
        document = json.loads(path.read_text(encoding="utf-8-sig"))
        entry = document["SurveyEntry"]
        elements = document["SurveyElements"]
    except FileNotFoundError:
        raise UserError(f"{path}: survey definition not found; check the path given to --survey.") from None
    except (ValueError, KeyError, TypeError):
        raise UserError(f"{path}: not a Qualtrics survey file (.qsf: JSON with SurveyEntry and "
                        "SurveyElements); export it from Qualtrics with Tools > Import/Export > "
                        "Export survey.") from None
    questions, blocks, flow = {}, {}, None
    for element in elements:
        kind, payload = element.get("Element"), element.get("Payload")
        if kind == "SQ" and isinstance(payload, dict):
            qid = payload.get("QuestionID", element.get("PrimaryAttribute"))
            slider = None
            config = payload.get("Configuration") or {}
            if payload.get("QuestionType") == "Slider" and "CSSliderMin" in config:
                slider = (float(config.get("CSSliderMin", 0)), float(config.get("CSSliderMax", 100)))
            subquestions = []
            if payload.get("QuestionType") in ("Matrix", "Slider"):
                subquestions = [(choice_id, text) for choice_id, _, text in
                                _ordered_choices(payload, "Choices", "ChoiceOrder")]
            questions[qid] = Question(
                qid=qid, tag=payload.get("DataExportTag") or qid, type=payload.get("QuestionType", ""),
                selector=payload.get("Selector", ""), text=plain_text(payload.get("QuestionText")),
                choices=_ordered_choices(payload, "Choices", "ChoiceOrder"),
                answers=_ordered_choices(payload, "Answers", "AnswerOrder"),
                subquestions=subquestions, slider_range=slider,
                names={str(k): str(v) for k, v in (payload.get("VariableNaming") or {}).items()})
        elif kind == "BL":
            items = payload.values() if isinstance(payload, dict) else payload or []
            for block in items:
                if block.get("Type") == "Trash":
                    continue
                qids = [e["QuestionID"] for e in block.get("BlockElements") or [] if e.get("Type") == "Question"]
                blocks[block["ID"]] = Block(block["ID"], block.get("Description") or block["ID"], qids)
        elif kind == "FL":
            flow = payload
    randomizers, embedded = [], []
    _walk_flow(flow or {}, blocks, randomizers, embedded)
    language = str(entry.get("SurveyLanguage") or "EN").lower()
    return QualtricsSurvey(path, entry.get("SurveyName") or path.stem, language, questions, blocks,
                           randomizers, embedded)


def _walk_flow(node: dict, blocks: dict, randomizers: list, embedded: list) -> None:
    kind = node.get("Type")
    if kind == "EmbeddedData":
        embedded += [f.get("Field") for f in node.get("EmbeddedData") or [] if f.get("Field")]
    if kind in ("BlockRandomizer", "Randomizer"):
        options = []
        for child in node.get("Flow") or []:
            child_kind = child.get("Type")
            if child_kind in ("Block", "Standard"):
                block = blocks.get(child.get("ID"))
                options.append(("block", child.get("ID"), block.description if block else child.get("ID"), {}))
            elif child_kind == "EmbeddedData":
                values = {f.get("Field"): f.get("Value") for f in child.get("EmbeddedData") or []}
                options.append(("embedded", child.get("FlowID"), child.get("FlowID"), values))
            elif child_kind == "Group":
                options.append(("group", child.get("FlowID"), child.get("Description") or child.get("FlowID"), {}))
        randomizers.append({"flow_id": node.get("FlowID"), "subset": int(node.get("SubSet") or 1),
                            "options": options})
    for child in node.get("Flow") or []:
        _walk_flow(child, blocks, randomizers, embedded)
