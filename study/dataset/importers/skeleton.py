"""``replylab mapping init``: a commented mapping skeleton that points a file at an existing study.

The import's own detection (:func:`~study.dataset.importers.plan.plan_import`) says what
the file holds: header rows, rows that are not participants, missing codes, the
condition, the per-condition copies of a question, each answer column as a draft item
with its question text. This module then matches that onto the study the researcher
already has: each draft item to the study item with the same id or the most similar
question text (and a compatible type), each factor found to a factor of the study (or
to ``condition``), each level to the level with the most similar name or label (else by
order, marked for checking), and choice answers to the item's option values. What it
cannot place is written as a comment, so the skeleton is a valid mapping as it stands.

>>> round(_similarity("How <b>likely</b> are you to be friends?", "How likely are you to be FRIENDS?"), 2)
1.0
"""

from __future__ import annotations

import copy
import datetime
import difflib
import html
import re
from dataclasses import dataclass, field

import yaml

from study.dataset.importers.naming import column_id
from study.dataset.importers.plan import ImportPlan
from study.dataset.mapping import load_mapping, required_columns, yaml_scalar
from study.design.schema import Study

__all__ = ["MappingSkeleton", "mapping_skeleton", "skeleton_text"]

#: How alike two question texts must be (difflib ratio) to count as the same question.
TEXT_MATCH = 0.75
_COMPATIBLE = {"likert": {"likert", "semantic_differential"}, "semantic_differential": {"likert", "semantic_differential"},
               "single_choice": {"single_choice"}, "free_text": {"free_text"}, "number": {"number", "likert"}}


def _plain(text) -> str:
    text = html.unescape(re.sub(r"<[^>]+>", " ", str(text or "")))
    return re.sub(r"\s+", " ", text).strip().casefold()


def _similarity(a, b) -> float:
    a, b = _plain(a), _plain(b)
    if not a or not b:
        return 0.0
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def _texts(texts) -> list[str]:
    return list(texts.values()) if isinstance(texts, dict) else [texts]


@dataclass
class MappingSkeleton:
    """The skeleton's parts: the mapping (a dict, valid as it stands), the guesses and what is missing.

    ``guesses`` maps a source column (or a factor) to ``(target, why)``; ``needed`` maps each
    column the study's analysis needs to where it was found (``None``: not found).
    """

    mapping: dict
    guesses: dict = field(default_factory=dict)
    left_out: dict = field(default_factory=dict)
    needed: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)


def _match_items(plan: ImportPlan, study: Study) -> dict[str, tuple[str, str]]:
    """Draft item id -> (study item or scale id, why), one to one, best matches first."""
    questionnaire = study.questionnaire
    sources = {v: k for k, v in plan.mapping.get("columns", {}).items()}
    candidates = []
    targets = [(item.id, item.type, _texts(item.text)) for item in questionnaire.items]
    targets += [(scale.id, "likert", _texts(scale.label)) for scale in questionnaire.scales]
    for draft in plan.items:
        draft_id, draft_type = draft.item["id"], draft.item["type"]
        source = str(sources.get(draft_id, draft_id))
        for target, kind, texts in targets:
            if target in (draft_id, source, column_id(source)):
                candidates.append((2.0, draft_id, target, f"same name as {target}"))
                continue
            if kind not in _COMPATIBLE.get(draft_type, {draft_type}) and not draft.guessed:
                continue
            score = max(_similarity(draft.item.get("text"), text) for text in texts)
            if score >= TEXT_MATCH:
                candidates.append((score, draft_id, target, f"question text like {target}'s ({score:.0%})"))
    matched, used = {}, set()
    for score, draft_id, target, why in sorted(candidates, key=lambda c: -c[0]):
        if draft_id not in matched and target not in used:
            matched[draft_id] = (target, why)
            used.add(target)
    return matched


def _match_levels(found: list[tuple[str, str]], wanted: list[tuple[str, list[str]]]) -> dict[str, tuple[str, bool]]:
    """Found level (id, label) -> (wanted level, sure); the rest by order, not sure."""
    pairs = []
    for level, label in found:
        for name, labels in wanted:
            score = max(_similarity(a, b) for a in (level, label) for b in (name, *labels))
            pairs.append((score, level, name))
    result, used = {}, set()
    for score, level, name in sorted(pairs, key=lambda p: -p[0]):
        if score >= 0.8 and level not in result and name not in used:
            result[level] = (name, True)
            used.add(name)
    rest = [name for name, _ in wanted if name not in used]
    for level, _ in found:
        if level not in result and rest:
            result[level] = (rest.pop(0), False)
    return result


def _study_targets(study: Study, count: int) -> list[tuple[str, list[tuple[str, list[str]]]]]:
    """Where ``count`` factors found in the file go: the study's factors, or ``condition``."""
    if count == len(study.factors):
        return [(f.name, [(lv.name, _texts(lv.label)) for lv in f.levels]) for f in study.factors]
    return [("condition", [(c, [c.replace("-", " ")]) for c in study.condition_names])]


def _map_condition(plan: ImportPlan, study: Study, skeleton: MappingSkeleton, mapping: dict) -> dict[str, str]:
    """Rename the factors the import found onto the study's; returns old name -> new name."""
    found = [(f.name, list(f.levels.items()), f.source) for f in plan.condition.factors]
    found += [(name, [(lv, lv.replace("_", " ")) for lv in levels], None)
              for name, levels in plan.condition.from_answered.items()]
    if not found:
        skeleton.notes.append("No condition found in the file: name the column that holds it under `columns:` "
                              "(`YOUR_COLUMN: condition`) and recode its values under `values:`.")
        return {}
    targets = _study_targets(study, len(found))
    if len(targets) == 1 and len(found) > 1:
        skeleton.notes.append(f"The file has {len(found)} condition columns and the study {len(study.factors)} "
                              "factor(s): only the first was mapped (to condition); check it.")
        found = found[:1]
    renamed = {}
    for (name, levels, source), (target, wanted) in zip(found, targets):
        renamed[name] = target
        levels_map = _match_levels(levels, wanted)
        unsure = [lv for lv, (_, sure) in levels_map.items() if not sure]
        where = f"the column {source}" if source else "which block of questions was answered"
        skeleton.guesses[f"factor {name}"] = (target, f"from {where}; levels "
                                              + ", ".join(f"{lv} -> {new}" for lv, (new, _) in levels_map.items())
                                              + (f" (check: {', '.join(unsure)} matched by order)" if unsure else ""))
        if source is not None:
            recode = mapping.setdefault("values", {}).pop(name, {})
            raw_values = {key: level for key, level in recode.items()}
            raw_values.update({level: level for level in levels_map if level not in raw_values.values()})
            mapping["values"][target] = {key: levels_map[level][0] for key, level in raw_values.items()
                                         if level in levels_map and key != levels_map[level][0]}
            if not mapping["values"][target]:
                del mapping["values"][target]
        else:
            answered = mapping["from_answered"].pop(name)
            mapping["from_answered"][target] = {levels_map[lv][0]: cols for lv, cols in answered.items()
                                                if lv in levels_map}
    return renamed


def _map_options(draft, item) -> tuple[dict, list[str]]:
    """A single-choice draft's recode composed with the study item's option values."""
    found = [(o["value"], o.get("label", o["value"])) for o in draft.item.get("options", [])]
    wanted = [(o.value, _texts(o.label)) for o in item.options]
    levels = _match_levels(found, wanted)
    recode = {key: levels[value][0] for key, value in draft.recode.items() if value in levels}
    recode.update({value: new for value, (new, _) in levels.items() if value not in draft.recode.values()
                   and value != new})
    return recode, [value for value, (_, sure) in levels.items() if not sure]


def mapping_skeleton(plan: ImportPlan, study: Study) -> MappingSkeleton:
    """Match the import's plan of a file onto ``study``; see the module docstring."""
    mapping = {key: copy.deepcopy(value) for key, value in plan.mapping.items()
               if key in ("skip_rows", "drop", "keep", "missing", "from_answered", "defaults")}
    mapping["values"] = {key: dict(value) for key, value in plan.mapping.get("values", {}).items()}
    skeleton = MappingSkeleton(mapping)
    renamed = _map_condition(plan, study, skeleton, mapping)
    matched = _match_items(plan, study)
    drafts = {d.item["id"]: d for d in plan.items}
    items = {item.id: item for item in study.questionnaire.items}
    columns = {}
    for source, target in plan.mapping.get("columns", {}).items():
        if target in renamed:
            columns[source] = renamed[target]
        elif target in matched:
            columns[source] = matched[target][0]
            skeleton.guesses[source] = matched[target]
        elif target not in drafts:
            columns[source] = target  # participant_id, started_at, lang, ...
            skeleton.guesses[source] = (target, plan.mapped.get(source, "metadata"))
        else:
            skeleton.left_out[source] = f"no item of the study like it ({drafts[target].item.get('text') or target})"
    merge = {}
    for target, sources in plan.mapping.get("merge", {}).items():
        if target in matched:
            merge[matched[target][0]] = list(sources)
            skeleton.guesses[", ".join(sources)] = (matched[target][0], "per-condition copies merged; "
                                                    + matched[target][1])
        else:
            skeleton.left_out.update({s: f"a per-condition copy of {target}, no item of the study like it"
                                      for s in sources})
    values = {}
    for draft_id, (target, _) in matched.items():
        draft, item = drafts[draft_id], items.get(target)
        if item is not None and item.type == "single_choice" and draft.item.get("options"):
            recode, unsure = _map_options(draft, item)
            if unsure:
                skeleton.notes.append(f"{target}: answers {', '.join(unsure)} matched to options by order; check.")
        else:
            recode = mapping["values"].get(draft_id, {})
            points = draft.item.get("points")
            if item is not None and points and getattr(item, "points", None) and points != item.points:
                skeleton.notes.append(f"{target}: {points} answer options in the file, {item.points} points in the "
                                      "study; recode the answers under values: if the scales differ.")
        if recode:
            values[target] = recode
    values.update({renamed[name]: mapping["values"][renamed[name]] for name in renamed
                   if renamed[name] in mapping["values"]})
    if "lang" in mapping["values"]:
        values["lang"] = mapping["values"]["lang"]
    mapping.pop("values")
    if merge:
        mapping["merge"] = merge
    mapping["columns"] = columns
    if values:
        mapping["values"] = values
    mapping["unmapped"] = "drop"
    for source, why in plan.left_out.items():
        skeleton.left_out.setdefault(str(source), why)
    present = set(columns.values()) | set(merge) | set(mapping.get("from_answered", {}))
    for column, why in required_columns(study).items():
        scale = next((s for s in study.questionnaire.scales if s.id == column), None)
        found_items = [i for i in (scale.items if scale else []) if i in present]
        if column in present:
            skeleton.needed[column] = (why, "found")
        elif scale is not None and found_items:
            skeleton.needed[column] = (why, f"{len(found_items)} of its {len(scale.items)} items found"
                                       + ("" if len(found_items) == len(scale.items) else
                                          f"; missing: {', '.join(i for i in scale.items if i not in present)}"))
        elif column in ("pk_strategic", "pk_any") and "reason" in present:
            skeleton.needed[column] = (why, "coded from reason")
        else:
            skeleton.needed[column] = (why, None)
    condition_found = bool(renamed) or "condition" in present
    skeleton.needed = {"condition": ("the condition", "found" if condition_found else None), **skeleton.needed}
    load_mapping(mapping)  # the skeleton must be a valid mapping as it stands
    return skeleton


def skeleton_text(skeleton: MappingSkeleton, plan: ImportPlan, study: Study, *, command: str) -> str:
    """The skeleton as a commented YAML mapping file."""
    table = plan.table
    lines = [
        f"# Mapping skeleton: {table.path.name} onto the study {study.id}; written by `{command}`",
        f"# on {datetime.date.today().isoformat()}. Check every guess below, fill in what is not found, then run:",
        f"#   replylab analyze {table.path.name} --study STUDY --mapping THIS_FILE --out RESULTS",
        "# Options: docs/data-mapping.md.",
        "#",
        "# Columns the study's analysis needs:",
    ]
    for column, (why, found) in skeleton.needed.items():
        lines.append(f"#   {column}: {why}: " + (found if found else "NOT FOUND: map a column to it under columns:"))
    lines += ["#", f"# The file: {plan.tool}, {len(table.frame)} rows, {len(table.frame.columns)} columns "
              f"({table.header_form} header). Best guesses:"]
    for source, (target, why) in skeleton.guesses.items():
        lines.append(f"#   {source} -> {target}: {why}")
    if skeleton.left_out:
        lines.append("# Left out:")
        lines += [f"#   {source}: {_short(why)}" for source, why in skeleton.left_out.items()]
    lines += [f"# Note: {note}" for note in skeleton.notes]
    body = []
    for key, value in skeleton.mapping.items():
        if key == "columns":
            body.append("columns:" + ("" if value else " {}"))
            body += [f"  {yaml_scalar(source)}: {yaml_scalar(target)}" for source, target in value.items()]
            body += [f"  # {yaml_scalar(source)}: YOUR_ID" for source in skeleton.left_out
                     if source in set(plan.mapping.get("columns", {}))]
        else:
            body.append(yaml.safe_dump({key: value}, sort_keys=False, allow_unicode=True, width=100).rstrip())
    return "\n".join(lines) + "\n" + "\n".join(body) + "\n"


def _short(text, limit: int = 90) -> str:
    text = re.sub(r"\s+", " ", str(text))
    return text if len(text) <= limit else text[:limit - 3] + "..."
