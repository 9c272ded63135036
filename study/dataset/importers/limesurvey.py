"""LimeSurvey's conventions: the metadata columns of a response export and its
subquestion names (``FAS[SQ001]``); a response without ``submitdate`` is incomplete; and
its survey definition (``.lss``, XML), read with the standard library's ``xml.etree``.

A ``.lss`` is read into the same shape as a Qualtrics ``.qsf``
(:class:`~study.dataset.importers.qualtrics.QualtricsSurvey`), so that one path turns
questions into items: list questions (``L``, ``!``, ``O``, ``5``, ``Y``, ``G``) become
choice questions whose codes map onto option ids, arrays (``F``, ``A``, ``B``, ``E``,
``H``, ``1``) become matrices (one item per subquestion, the answer options the points),
text and number questions (``S``, ``T``, ``U``, ``N``, ``D``, ``Q``, ``K``) text entries,
and text displays (``X``) no item. The question code (``title``) is the export tag, so the
columns of a response export (``G01Q02``, ``Q00[SQ001]``) find their question. Both the
older format (texts in the question rows, one row per language) and the newer one
(``question_l10ns``, ``answer_l10ns``, LimeSurvey 4 and later) are read.

>>> is_limesurvey(["id", "submitdate", "lastpage", "startlanguage", "Q1"])
True
>>> is_timing_column("groupTime715"), is_timing_column("Q1Time"), is_timing_column("Q1")
(True, True, False)
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from pathlib import Path

from study.dataset.importers.qualtrics import (
    Block,
    QualtricsSurvey,
    Question,
    plain_text,
)
from study.errors import UserError

__all__ = ["METADATA", "is_limesurvey", "is_timing_column", "load_lss", "subquestion_column"]

#: LimeSurvey metadata columns: name -> canonical column (or None: left out).
METADATA = {
    "id": "participant_id", "submitdate": "completed_at", "lastpage": None, "startlanguage": "lang",
    "seed": None, "token": None, "startdate": "started_at", "datestamp": None, "ipaddr": None,
    "refurl": None, "interviewtime": "duration_seconds",
}


def is_limesurvey(names: list[str]) -> bool:
    """Whether column names are those of a LimeSurvey response export (codes as headings)."""
    return {"id", "submitdate", "lastpage", "startlanguage"} <= set(names)


def is_timing_column(name: str) -> bool:
    """LimeSurvey's timing columns: ``groupTime715``, ``Q1Time``."""
    return bool(re.fullmatch(r"groupTime\d+", name)) or (name.endswith("Time") and len(name) > 4
                                                          and not name[-5].isspace())


#: LimeSurvey question types in the terms of a ``.qsf`` question (type, selector).
_TYPES = {
    **{code: ("MC", "SAVR") for code in "L!O5YG"},
    **{code: ("Matrix", "Likert") for code in "FABEHC1"},
    **{code: ("TE", "SL") for code in "STUNDQK;:"},
    "M": ("MC", "MAVR"), "P": ("MC", "MAVR"), "R": ("Rank", ""), "X": ("DB", ""), "*": ("Equation", ""),
    "|": ("FileUpload", ""),
}
#: Answer options LimeSurvey does not list in the file: the five-point choice, 1..10 and yes/no.
_IMPLIED = {"5": [(str(i), str(i)) for i in range(1, 6)], "A": [(str(i), str(i)) for i in range(1, 6)],
            "B": [(str(i), str(i)) for i in range(1, 11)], "Y": [("Y", "Yes"), ("N", "No")],
            "G": [("F", "Female"), ("M", "Male")],
            "E": [("I", "Increase"), ("S", "Same"), ("D", "Decrease")],
            "C": [("Y", "Yes"), ("U", "Uncertain"), ("N", "No")]}


def _rows(root, table: str) -> list[dict]:
    return [{child.tag: (child.text or "") for child in row} for row in root.findall(f"{table}/rows/row")]


def _in_language(rows: list[dict], key: str, language: str) -> dict[str, dict]:
    """Rows by ``key``, the one in ``language`` preferred (the older format repeats rows per language)."""
    chosen: dict[str, dict] = {}
    for row in rows:
        if row.get(key) not in chosen or row.get("language") == language:
            chosen[row.get(key)] = row
    return chosen


def load_lss(path) -> QualtricsSurvey:
    """Read a LimeSurvey survey structure file (``.lss``); see the module docstring.

    Raises
    ------
    UserError
        The file is missing, not XML, or not a LimeSurvey survey structure.
    """
    path = Path(path)
    try:
        root = ElementTree.parse(path).getroot()
    except FileNotFoundError:
        raise UserError(f"{path}: survey definition not found; check the path given to --survey.") from None
    except ElementTree.ParseError as error:
        raise UserError(f"{path}: not valid XML ({error}); export the survey structure again "
                        "(LimeSurvey: Display/Export > Survey structure (.lss)).") from None
    if root.findtext("LimeSurveyDocType") != "Survey":
        raise UserError(f"{path}: not a LimeSurvey survey structure (.lss: <LimeSurveyDocType>Survey); "
                        "export it with Display/Export > Survey structure (.lss).")
    languages = [element.text for element in root.findall("languages/language") if element.text]
    settings = _rows(root, "surveys")
    language = (settings[0].get("language") if settings else "") or (languages[0] if languages else "en")
    titles = _in_language(_rows(root, "surveys_languagesettings"), "surveyls_survey_id", language)
    name = next((row.get("surveyls_title") for row in titles.values() if row.get("surveyls_title")), path.stem)
    texts = {qid: row.get("question", "") for qid, row in
             _in_language(_rows(root, "question_l10ns"), "qid", language).items()}
    questions_rows = _in_language(_rows(root, "questions"), "qid", language)
    sub_rows = _in_language(_rows(root, "subquestions"), "qid", language)
    answer_texts = {aid: row.get("answer", "") for aid, row in
                    _in_language(_rows(root, "answer_l10ns"), "aid", language).items()}
    answers: dict[str, list] = {}
    answer_rows = _rows(root, "answers")
    seen = set()
    for row in sorted(answer_rows, key=lambda r: (r.get("scale_id", "0"), int(r.get("sortorder") or 0))):
        if row.get("scale_id", "0") not in ("", "0"):
            continue  # the second scale of a dual-scale array
        key = (row.get("qid"), row.get("code"))
        if key in seen:
            if row.get("language") == language:  # the older format: one row per language
                answers[key[0]] = [(c, v, plain_text(row.get("answer")) if c == key[1] else t)
                                   for c, v, t in answers[key[0]]]
            continue
        seen.add(key)
        text = row["answer"] if "answer" in row else answer_texts.get(row.get("aid"), "")
        # an answer shown as a picture has no text: its code stands for it
        answers.setdefault(row.get("qid"), []).append((row.get("code"), row.get("code"),
                                                       plain_text(text) or row.get("code")))
    subquestions: dict[str, list] = {}
    for row in sorted(sub_rows.values(), key=lambda r: int(r.get("question_order") or 0)):
        if row.get("scale_id", "0") not in ("", "0"):
            continue
        text = row["question"] if "question" in row else texts.get(row.get("qid"), "")
        subquestions.setdefault(row.get("parent_qid"), []).append((row.get("title"), plain_text(text)))
    questions: dict[str, Question] = {}
    blocks: dict[str, Block] = {}
    group_names = _in_language(_rows(root, "group_l10ns") or _rows(root, "groups"), "gid", language)
    order = {gid: int(row.get("group_order") or 0) for gid, row in _in_language(_rows(root, "groups"), "gid",
                                                                                   language).items()}
    for row in sorted(questions_rows.values(), key=lambda r: (order.get(r.get("gid"), 0),
                                                              int(r.get("question_order") or 0))):
        if row.get("parent_qid", "0") not in ("", "0"):
            continue  # subquestions in the older format sit among the questions
        qid, code = row.get("qid"), row.get("type", "")
        kind, selector = _TYPES.get(code, (code, ""))
        listed = answers.get(qid) or [(c, c, label) for c, label in _IMPLIED.get(code, [])]
        text = row["question"] if "question" in row else texts.get(qid, "")
        matrix = kind == "Matrix"
        questions[qid] = Question(qid=qid, tag=row.get("title") or qid, type=kind, selector=selector,
                                  text=plain_text(text), choices=[] if matrix else listed,
                                  answers=listed if matrix else [], subquestions=subquestions.get(qid, []))
        gid = row.get("gid", "")
        block = blocks.setdefault(gid, Block(gid, group_names.get(gid, {}).get("group_name") or gid, []))
        block.questions.append(qid)
    for row in questions_rows.values():  # the older format: subquestions are question rows with a parent
        parent = row.get("parent_qid", "0")
        if parent not in ("", "0") and parent in questions and row.get("scale_id", "0") in ("", "0"):
            questions[parent].subquestions.append((row.get("title"), plain_text(row.get("question"))))
    blocks = dict(sorted(blocks.items(), key=lambda item: order.get(item[0], 0)))
    return QualtricsSurvey(path, name, language.split("-")[0].lower(), questions, blocks, [], [])


def subquestion_column(column: str) -> tuple[str, str] | None:
    """``('FAS', 'SQ001')`` for a response export's ``FAS[SQ001]`` (a subquestion's column).

    >>> subquestion_column("Q00[SQ001]"), subquestion_column("G01Q02")
    (('Q00', 'SQ001'), None)
    """
    match = re.fullmatch(r"(.+?)\[(.+?)\]", column)
    return (match.group(1), match.group(2)) if match else None
