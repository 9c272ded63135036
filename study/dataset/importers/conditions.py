"""Where the condition comes from, in this order: columns the user names (``--condition``),
an embedded-data field set by a randomizer or named like a condition, a randomizer's
display-order column (Qualtrics ``FL_5_DO``), or which per-condition copy of a question
a participant answered (``.qsf`` blocks of a randomizer, or names that differ by one
index: ``future_help1_1`` ... ``future_help4_1``, ``A_text``/``B_text``).

>>> copy_template("future_help2_1", "future_help3_1")
'future_help#_1'
>>> copy_template("A_text", "B_text"), copy_template("Q1", "Q1")
('#_text', None)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from study.dataset.importers import limesurvey
from study.dataset.importers.naming import column_id, level_id
from study.errors import UserError

__all__ = ["Factor", "ConditionPlan", "find_condition", "copy_template", "CONDITION_NAME"]

#: Column names that say "condition" (embedded data, a lab's own coding).
CONDITION_NAME = re.compile(r"(^|_)(cond|condition|conditie|conditions|treatment|arm|group|groep|versie|version)"
                            r"(_?\d*)$|condition$", re.I)
_TOKEN = re.compile(r"\d+|(?<![A-Za-z])[A-Z](?![A-Za-z])")


@dataclass
class Factor:
    """A factor found in the file: its name, the column it comes from (``None`` when derived
    from the answered copies), its levels (id -> label) and the recoding of the column's values."""

    name: str
    source: str | None
    levels: dict[str, str]
    recode: dict = field(default_factory=dict)


@dataclass
class ConditionPlan:
    """The factors, the derivation from answered copies, the merges, and how it was found."""

    factors: list[Factor] = field(default_factory=list)
    from_answered: dict = field(default_factory=dict)  # {factor: {level: [columns]}}
    merges: dict = field(default_factory=dict)  # {item id: [columns]}
    used: set = field(default_factory=set)  # source columns consumed
    how: list = field(default_factory=list)  # sentences for the report
    decisions: list = field(default_factory=list)


def copy_template(a: str, b: str) -> str | None:
    """The name two columns share with one index token (digits, or a lone capital) replaced by ``#``."""
    tokens_a, tokens_b = list(_TOKEN.finditer(a)), list(_TOKEN.finditer(b))
    if len(tokens_a) != len(tokens_b):
        return None
    for ta, tb in zip(tokens_a, tokens_b):
        if ta.group() != tb.group() and a[:ta.start()] == b[:tb.start()] and a[ta.end():] == b[tb.end():]:
            return a[:ta.start()] + "#" + a[ta.end():]
    return None


def _answered(frame: pd.DataFrame, column: str) -> pd.Series:
    values = frame[column]
    return values.notna() & (values.astype("object").astype(str).str.strip() != "")


def _factor_from_column(frame: pd.DataFrame, column: str, name: str, value_labels: dict | None) -> Factor:
    values = frame[column].dropna()
    values = values[values.astype(str).str.strip() != ""]
    levels, recode = {}, {}
    for value in sorted(set(values), key=lambda v: (str(type(v)), v)):
        label = (value_labels or {}).get(value, value)
        level = level_id(label)
        while level in levels and levels[level] != str(label):
            level += "_x"
        levels[level] = str(label)
        key = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
        if key != level:
            recode[key] = level
    return Factor(name, column, levels, recode)


def find_condition(table, candidates: list[str], *, survey=None, named: list[str] | None = None) -> ConditionPlan:
    """The condition of ``table`` (a RawTable); ``candidates`` are its answer columns (not
    metadata), ``survey`` a parsed ``.qsf``, ``named`` the columns given with ``--condition``."""
    frame, plan = table.frame, ConditionPlan()
    if named:
        unknown = [c for c in named if c not in frame.columns]
        if unknown:
            raise UserError(f"--condition: {table.path} has no column {unknown[0]!r}; its columns are "
                            f"{', '.join(map(str, list(frame.columns)[:15]))}"
                            f"{' ...' if len(frame.columns) > 15 else ''}.")
        for column in named:
            plan.factors.append(_factor_from_column(frame, column, column_id(column), table.value_labels.get(column)))
            plan.used.add(column)
        plan.how.append(f"the condition from the column(s) named with --condition: {', '.join(named)}")
    else:
        _embedded(table, candidates, survey, plan)
        if not plan.factors:
            _display_order(table, survey, plan)
    _answered_copies(table, candidates, survey, plan)
    if not plan.factors and not plan.from_answered:
        plan.decisions.append("No condition found (no embedded-data field named like a condition, no randomizer "
                              "display-order column, no per-condition copies of a question). Name the column "
                              "that holds it: `replylab import FILE --condition COLUMN --out DIR`.")
    return plan


def _embedded(table, candidates, survey, plan: ConditionPlan) -> None:
    frame = table.frame
    fields = []
    if survey is not None:
        for randomizer in survey.randomizers:
            for kind, _, _, values in randomizer["options"]:
                if kind == "embedded":
                    fields += [f for f in values if f in frame.columns and f not in fields]
    how = "set by a randomizer of the survey flow (.qsf)"
    if not fields:
        fields = [c for c in frame.columns if CONDITION_NAME.search(str(c))
                  and 2 <= frame[c].nunique() <= 12 and c not in plan.used]
        how = "a column named like a condition"
    for column in fields:
        name = column_id(column)
        name = "treatment" if name in ("condition", "cond") else name
        plan.factors.append(_factor_from_column(frame, column, name, table.value_labels.get(column)))
        plan.used.add(column)
    if fields:
        plan.how.append(f"the condition from {', '.join(map(repr, fields))}: {how}")


def _display_order(table, survey, plan: ConditionPlan) -> None:
    frame = table.frame
    for column in [c for c in frame.columns if re.fullmatch(r"FL_\d+_DO", str(c))]:
        values = frame[column].dropna().astype(str)
        if values.str.contains(r"\|").any():
            plan.how.append(f"{column} lists an order of several elements (not a between-subjects condition): "
                            "left out")
            plan.used.add(column)
            continue
        if values.nunique() < 2:
            continue
        factor = _factor_from_column(frame, column, "treatment", None)
        plan.factors.append(factor)
        plan.used.add(column)
        plan.how.append(f"the condition from {column}, the display order of randomizer {column[:-3]} "
                        f"(one element shown to each participant): {', '.join(factor.levels.values())}")
        return


def _answered_copies(table, candidates: list[str], survey, plan: ConditionPlan) -> None:
    """Per-condition copies of questions: merged into one item each; the condition from
    which copy was answered when nothing else gave it."""
    frame = table.frame
    groups = _copies_from_survey(table, candidates, survey) if survey is not None else None
    source = "the blocks of the survey flow's randomizer (.qsf)"
    if not groups:
        groups = _copies_from_names(frame, candidates, survey)
        source = "column names that differ by one index"
    if not groups:
        return
    levels, merges = groups
    for item, columns in merges.items():
        plan.merges[item] = columns
        plan.used.update(columns)
    if plan.factors:
        plan.how.append(f"per-condition copies of {len(merges)} question(s) merged ({source})")
        return
    plan.from_answered = {"treatment": {level: columns for level, columns in levels.items()}}
    plan.used.update(c for columns in levels.values() for c in columns)
    plan.how.append(f"the condition from which per-condition copy of the questions each participant answered "
                    f"({source}): {', '.join(levels)}; the copies merged into {len(merges)} item(s)")


def _question_text(survey, column: str) -> str | None:
    """The question text the survey definition gives a column (``None`` when it does not know it)."""
    question = survey.question_by_tag(column)
    sub = None
    if question is None and limesurvey.subquestion_column(column):
        tag, code = limesurvey.subquestion_column(column)
        question = survey.question_by_tag(tag)
        sub = dict(question.subquestions).get(code) if question is not None else None
    return None if question is None else f"{question.text} {sub or ''}".strip()


def _copies_from_names(frame: pd.DataFrame, candidates: list[str], survey=None):
    templates: dict[str, dict[str, str]] = {}
    names = [c for c in candidates if c in frame.columns]
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            template = copy_template(a, b)
            if template:
                for name in (a, b):
                    index = _index_in(name, template)
                    templates.setdefault(template, {})[index] = name
    usable = {}
    for template, members in templates.items():
        if len(members) < 2:
            continue
        if survey is not None:  # copies of one question have one text; different texts, different questions
            texts = {_question_text(survey, column) for column in members.values()} - {None}
            if len(texts) > 1:
                continue
        answered = pd.DataFrame({index: _answered(frame, column) for index, column in members.items()})
        overlap = (answered.sum(axis=1) > 1).mean()
        if answered.any(axis=1).mean() > 0.5 and overlap <= 0.1 and (answered.sum() > 0).sum() >= 2:
            usable[template] = members
    if not usable:
        return None
    # the index set most templates share is the condition
    sets: dict[tuple, list[str]] = {}
    for template, members in usable.items():
        sets.setdefault(tuple(sorted(members)), []).append(template)
    indices, chosen = max(sets.items(), key=lambda kv: (len(kv[1]), len(kv[0])))
    levels = {level_id(index): [usable[t][index] for t in chosen] for index in indices}
    merges = {column_id(t.replace("#", "").replace("__", "_")): [usable[t][i] for i in indices] for t in chosen}
    return levels, merges


def _index_in(name: str, template: str) -> str:
    start = template.index("#")
    end = len(name) - (len(template) - start - 1)
    return name[start:end]


def _copies_from_survey(table, candidates, survey):
    frame = table.frame
    for randomizer in survey.randomizers:
        blocks = [option for option in randomizer["options"] if option[0] == "block"]
        if randomizer["subset"] != 1 or len(blocks) < 2:
            continue
        per_block = {}
        for _, block_id, name, _ in blocks:
            block = survey.blocks.get(block_id)
            if block is None:
                continue
            tags = {survey.questions[q].tag: q for q in block.questions if q in survey.questions}
            columns = [c for c in candidates if _belongs(str(c), tags, table.import_ids.get(c))]
            per_block[level_id(name)] = columns
        counts = {len(columns) for columns in per_block.values()}
        if len(per_block) < 2 or counts == {0}:
            continue
        merges = {}
        if len(counts) == 1:
            for aligned in zip(*per_block.values()):
                template = copy_template(aligned[0], aligned[1])
                item = column_id(template.replace("#", "")) if template else column_id(aligned[0])
                merges[item.replace("__", "_")] = list(aligned)
        return per_block, merges
    return None


def _belongs(column: str, tags: dict, import_id: str | None) -> bool:
    if import_id:
        return import_id.split("_")[0] in tags.values()
    return any(column == tag or re.fullmatch(re.escape(tag) + r"_(\d+|TEXT|\w+)", column) for tag in tags)
