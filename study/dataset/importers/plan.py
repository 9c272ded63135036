"""The import plan: the mapping that turns a file into the canonical table, the draft
questionnaire and factors, and everything the report must say about it.

The mapping is the one source of truth: ``data.csv`` is what
:func:`study.dataset.mapping.apply_mapping` makes of the file with it, so the written
``mapping.yaml`` reproduces ``data.csv`` (``replylab analyze FILE --mapping mapping.yaml``).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

import pandas as pd

from questionnaires.checks import RESERVED_IDS
from study.dataset.importers import limesurvey, qualtrics
from study.dataset.importers.conditions import ConditionPlan, find_condition
from study.dataset.importers.items import DONT_KNOW, DraftItem, guess_item, item_from_question, \
    item_from_value_labels, suggest_scales
from study.dataset.importers.naming import column_id

__all__ = ["ImportPlan", "plan_import", "MISSING_CODES"]

#: Numeric codes survey tools and labs use for "no answer" (Qualtrics: -99 seen but unanswered).
MISSING_CODES = (-99, -98, -97, -96, -999, -9999, 999, 9999)
_TOOL_NAMES = {"sav": "SPSS", "zsav": "SPSS", "dta": "Stata", "xlsx": "Excel"}


@dataclass
class ImportPlan:
    """Everything decided about one file: see the module docstring."""

    table: object  # RawTable
    tool: str
    mapping: dict
    condition: ConditionPlan
    items: list[DraftItem]
    scales: list[dict]
    dependent: list[str]
    language: str
    left_out: dict = field(default_factory=dict)  # source column -> why
    mapped: dict = field(default_factory=dict)  # source column(s) -> canonical column, why
    notes: list = field(default_factory=list)
    decisions: list = field(default_factory=list)
    survey: object = None


def _tool(table) -> str:
    names = [str(c) for c in table.frame.columns]
    if table.header_form not in ("names",) and not table.header_form.endswith(")") or qualtrics.is_qualtrics(names):
        return "Qualtrics"
    if limesurvey.is_limesurvey(names):
        return "LimeSurvey"
    return _TOOL_NAMES.get(table.format, "a table")


def _text_of(table, column: str) -> str:
    label = str(table.labels.get(column) or "").strip()
    return label if label and label != column else column


def plan_import(table, *, survey=None, condition: list[str] | None = None) -> ImportPlan:
    """Plan the import of ``table`` (a RawTable), with a parsed ``.qsf`` when given."""
    frame = table.frame
    tool = _tool(table)
    mapping: dict = {}
    if table.header_rows > 1:
        mapping["skip_rows"] = table.header_rows - 1
    columns: dict[str, str] = {}
    left_out: dict[str, str] = {}
    mapped: dict[str, str] = {}
    notes, decisions = [], []
    metadata = qualtrics.METADATA if tool == "Qualtrics" else limesurvey.METADATA if tool == "LimeSurvey" else {}
    answer_columns = []
    for column in frame.columns:
        name = str(column)
        label = str(table.labels.get(column) or "")
        if name in metadata:
            target = metadata[name]
            if target and target not in columns.values():
                columns[name] = target
                mapped[name] = f"{target} ({tool} metadata)"
            else:
                left_out[name] = f"{tool} metadata"
        elif tool == "Qualtrics" and (qualtrics.is_timing_column(name, label) or name.startswith("Q_")
                                      or name in ("UserAgent", "DeviceIdentifier", "EmbeddedData", "HookID",
                                                  "hookParams", "hookType", "OriginalResponseID", "SurveyID",
                                                  "SurveyVersionID")
                                      or name.startswith("Recipient")):
            left_out[name] = "Qualtrics metadata (timing, system field)"
        elif tool == "LimeSurvey" and limesurvey.is_timing_column(name):
            left_out[name] = "LimeSurvey timing"
        elif tool == "Qualtrics" and qualtrics.is_display_order_column(name) and not name.startswith("FL_"):
            left_out[name] = "display order of a question's choices"
        else:
            answer_columns.append(name)
    if "participant_id" not in columns.values():
        for name in answer_columns:
            values = frame[name].dropna()
            if re.search(r"(^|_|[a-z])(id|ID|Id)$|^(participant|respondent|subject|pp|vp)$", name, re.I) \
                    and len(values) == len(frame) and values.is_unique and not pd.api.types.is_float_dtype(values):
                columns[name] = "participant_id"
                mapped[name] = "participant_id (unique per row)"
                answer_columns.remove(name)
                break
    # rows that are not participants
    filters_keep, filters_drop = {}, {}
    if tool == "Qualtrics" and "Status" in frame.columns:
        seen = {_text(v) for v in frame["Status"].dropna()}
        dropped = sorted(v for v in seen if v in qualtrics.STATUS_DROPPED)
        if dropped:
            filters_drop["Status"] = [_yaml_value(v) for v in dropped]
    if tool == "Qualtrics" and "Finished" in frame.columns:
        finished = {_text(v).lower() for v in frame["Finished"].dropna()}
        if finished - {"true", "1"}:
            filters_keep["Finished"] = [True, 1]
    if tool == "LimeSurvey" and frame["submitdate"].isna().any():
        filters_drop["submitdate"] = [""]
    if filters_drop:
        mapping["drop"] = filters_drop
    if filters_keep:
        mapping["keep"] = filters_keep
    # the condition
    condition_plan = find_condition(table, answer_columns, survey=survey, named=condition)
    for column in condition_plan.used:
        if column not in [f.source for f in condition_plan.factors] and column not in \
                {c for cs in condition_plan.merges.values() for c in cs} and column not in \
                {c for ls in condition_plan.from_answered.values() for cs in ls.values() for c in cs}:
            left_out[column] = "randomizer display order: not a condition"
    values: dict[str, dict] = {}
    for factor in condition_plan.factors:
        columns[factor.source] = factor.name
        mapped[factor.source] = f"{factor.name} (factor)"
        if factor.recode:
            values[factor.name] = dict(factor.recode)
    # items
    taken = set(RESERVED_IDS) | set(columns.values()) | {f.name for f in condition_plan.factors}
    taken |= set(condition_plan.from_answered)
    items: list[DraftItem] = []
    missing: dict[str, list] = {}
    merged_columns = {c for cs in condition_plan.merges.values() for c in cs}
    answered_only = {c for ls in condition_plan.from_answered.values() for cs in ls.values() for c in cs}
    order = []  # (item id, source columns, representative column)
    done = set()
    for column in answer_columns:
        if column in done or column in [f.source for f in condition_plan.factors]:
            continue
        merge = next(((item, cs) for item, cs in condition_plan.merges.items() if column in cs), None)
        if merge:
            item_id = _unique(merge[0], taken)
            order.append((item_id, merge[1], column))
            done.update(merge[1])
        elif column in answered_only:
            continue
        else:
            order.append((_unique(column_id(column), taken), [column], column))
            done.add(column)
    merge_map = {}
    for item_id, sources, column in order:
        series = pd.concat([frame[c] for c in sources]) if len(sources) > 1 else frame[column]
        draft = _draft(table, survey, item_id, column, series)
        if draft is None:
            left_out.update({c: "no answers (a text or display element)" for c in sources})
            continue
        items.append(draft)
        if len(sources) > 1:
            merge_map[item_id] = list(sources)
            for source in sources:
                mapped[source] = f"{item_id} (merged per-condition copy)"
        else:
            columns[column] = item_id
            mapped[column] = item_id
        if draft.recode:
            values[item_id] = draft.recode
        if draft.missing:
            for source in sources:
                missing[source] = list(draft.missing)
    # numeric missing codes seen in the answers
    codes_seen = set()
    for item_id, sources, _ in order:
        for source in sources:
            series = frame[source]
            if pd.api.types.is_numeric_dtype(series):
                codes_seen |= {code for code in MISSING_CODES if (series == code).any()}
    if codes_seen:
        missing = {"all": sorted(codes_seen), **missing}
        decisions.append(f"The answer code(s) {', '.join(map(str, sorted(codes_seen)))} were declared missing "
                         "(`missing: all:` in mapping.yaml): survey tools use them for 'no answer'. If one is "
                         "a real answer in your survey, remove it there and import again.")
    dont_know = sorted({str(v) for draft in items for v in draft.missing if DONT_KNOW.match(str(v))})
    if dont_know:
        decisions.append(f"'Don't know'-style answers declared missing: {', '.join(map(repr, dont_know))}.")
    if missing:
        mapping["missing"] = missing
    if condition_plan.from_answered:
        mapping["from_answered"] = condition_plan.from_answered
    if merge_map:
        mapping["merge"] = merge_map
    mapping["columns"] = columns
    if values:
        mapping["values"] = values
    language = _language(table, survey, tool)
    if "lang" not in columns.values():
        mapping["defaults"] = {"lang": language}
    elif "lang" in columns.values():
        source = next(c for c, t in columns.items() if t == "lang")
        found = {_text(v) for v in frame[source].dropna()}
        recode = {v: v.lower() for v in found if v.lower() != v}
        recode.update({v: v.lower().split("-")[0].split("_")[0] for v in found if "-" in v or "_" in v})
        if recode:
            values["lang"] = recode
            mapping["values"] = values
    mapping["unmapped"] = "drop"
    for column in frame.columns:
        if column not in mapped and column not in left_out:
            left_out[column] = "not an answer replylab could place"
    scales = suggest_scales([d.item for d in items])
    outcomes = [item_id for item_id in merge_map
                if next(d for d in items if d.item["id"] == item_id).item["type"] in ("likert", "number")]
    factor_sources = [f.source for f in condition_plan.factors if f.source in answer_columns]
    if not scales and not outcomes and factor_sources:
        after = answer_columns[max(answer_columns.index(c) for c in factor_sources) + 1:]
        outcomes = [columns[c] for c in after if c in columns and
                    next((d for d in items if d.item["id"] == columns[c]), None) is not None and
                    next(d for d in items if d.item["id"] == columns[c]).item["type"] in ("likert", "number")][:5]
        if outcomes:
            decisions.append("The outcomes in the draft plan are the rating and number items after the condition "
                             f"column(s) ({', '.join(outcomes)}); keep the outcomes you preregistered.")
    if not scales and not outcomes:
        outcomes = [d.item["id"] for d in items if d.item["type"] in ("likert", "semantic_differential")][:5]
        if outcomes:
            decisions.append("No scale and no per-condition question was found: the draft plan tests each "
                             f"rating item ({', '.join(outcomes)}); keep the outcomes you preregistered.")
    # an outcome measured by one item is a one-item scale: the analysis works on scales
    taken_ids = {d.item["id"] for d in items} | {s["id"] for s in scales} | taken
    kinds = {d.item["id"]: d.item["type"] for d in items}
    dependent = [s["id"] for s in scales]
    for item_id in outcomes:
        if any(item_id in s["items"] for s in scales):
            continue
        if kinds[item_id] == "number":
            dependent.append(item_id)
            continue
        stem = re.sub(r"_\d+$", "", item_id)
        scale_id = _unique(stem if stem != item_id else f"{item_id}_score", taken_ids)
        scales.append({"id": scale_id, "label": f"{item_id} (one item)", "items": [item_id],
                       "scoring": "mean", "min_valid": 1})
        dependent.append(scale_id)
    if not scales and dependent:
        decisions.append("No rating scale was found, and `replylab validate` refuses a study without one (the "
                         "analysis describes and tests scales): add one to questionnaire.yaml; one likert item "
                         "is enough.")
    guessed = [d for d in items if d.guessed]
    if guessed:
        decisions.append(f"{len(guessed)} item type(s) were guessed from the answers (see the table of items); "
                         "check the points and the anchors in questionnaire.yaml"
                         + (" or give the survey definition with --survey." if tool == "Qualtrics" and survey is None
                            else "."))
    return ImportPlan(table, tool, mapping, condition_plan, items, scales, dependent, language,
                      left_out, mapped, notes, decisions + condition_plan.decisions, survey)


def _unique(base: str, taken: set) -> str:
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}_{n}", n + 1
    taken.add(candidate)
    return candidate


def _text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _yaml_value(text: str):
    return int(text) if re.fullmatch(r"-?\d+", text) else text


def _draft(table, survey, item_id: str, column: str, series: pd.Series) -> DraftItem | None:
    text = _text_of(table, column)
    if survey is not None:
        question, sub = _question_of(table, survey, column)
        if question is not None:
            if not question.has_data:
                return None
            return item_from_question(item_id, question, sub_text=sub, values=series)
    if column in table.value_labels and table.value_labels[column]:
        return item_from_value_labels(item_id, table.value_labels[column], text, series)
    if series.dropna().empty and not text:
        return None
    return guess_item(item_id, column, series, text=text)


def _question_of(table, survey, column: str):
    import_id = table.import_ids.get(column)
    if import_id:
        qid, _, rest = import_id.partition("_")
        question = survey.questions.get(qid)
        if question is None:
            return None, None
        sub = dict(question.subquestions).get(rest.split("_")[0]) if rest else None
        return question, sub
    question = survey.question_by_tag(column)
    if question is not None:
        return question, None
    bracketed = limesurvey.subquestion_column(column)  # LimeSurvey: FAS[SQ001]
    if bracketed:
        question = survey.question_by_tag(bracketed[0])
        if question is not None:
            sub = dict(question.subquestions).get(bracketed[1])
            return (question, sub) if sub is not None or not question.subquestions else (None, None)
    match = re.fullmatch(r"(.+?)_(\d+)(_\d+)?", column)
    if match:
        question = survey.question_by_tag(match.group(1))
        if question is not None:
            return question, dict(question.subquestions).get(match.group(2))
    return None, None


def _language(table, survey, tool) -> str:
    found = None
    if survey is not None:
        found = survey.language
    for column in ("UserLanguage", "startlanguage"):
        if column in table.frame.columns and table.frame[column].notna().any():
            found = Counter(table.frame[column].dropna().astype(str)).most_common(1)[0][0]
    code = (found or "en").lower().split("-")[0].split("_")[0]
    return code
