"""``import-report.md``: what was read, every row dropped and why, every column mapped or
left out, the condition found, the items drafted, and the decisions left to the researcher."""

from __future__ import annotations

from collections import defaultdict

import pandas as pd

from study.dataset.importers.qualtrics import STATUS_DROPPED

__all__ = ["import_report", "drop_reason"]


def drop_reason(entry: dict) -> str:
    """Why a row was dropped, in words, from one entry of ``apply_mapping``'s log."""
    value = entry.get("value")
    text = str(int(value)) if isinstance(value, float) and float(value).is_integer() else str(value)
    column = entry["column"]
    if entry["rule"] == "drop" and column == "Status" and text in STATUS_DROPPED:
        return f"{STATUS_DROPPED[text]} (Status = {text})"
    if entry["rule"] == "keep" and column == "Finished":
        return f"unfinished (Finished = {text})"
    if entry["rule"] == "drop" and column == "submitdate":
        return "incomplete (no submitdate)"
    if entry["rule"] == "keep":
        return f"{column} = {text} is not among the values kept"
    return f"{column} = {text} is among the values dropped"


def _cell(text) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def import_report(plan, data: pd.DataFrame, log: list, command: str) -> str:
    table = plan.table
    lines = [f"# Import report: {table.path.name}", "", f"Written by `{command}`.", "", "## What was read", ""]
    lines.append(f"- File: `{table.path}`, {table.kind}; written by {plan.tool}.")
    if table.header_form != "names":
        lines.append(f"- Header: {table.header_rows} row(s) ({table.header_form}), recognised by their content; "
                     "the rows under it are participants.")
    for note in table.notes:
        lines.append(f"- {note[0].upper()}{note[1:]}.")
    if plan.survey is not None:
        lines.append(f"- Survey definition: `{plan.survey.path}` ({len(plan.survey.questions)} questions, "
                     f"{len(plan.survey.blocks)} blocks, {len(plan.survey.randomizers)} randomizer(s)).")
    rows = len(table.frame)
    lines.append(f"- {rows} row(s) of answers, {len(table.frame.columns)} column(s).")
    dropped = [e for e in log if e["rule"] in ("keep", "drop")]
    unclear = [e for e in log if e["rule"] in ("from_answered", "merge")]
    excluded = data.index[data["status"] == "excluded"].tolist() if "status" in data else []
    lines += ["", "## Rows", "",
              f"{rows - len(dropped)} participant(s) in data.csv"
              + (f", {len(excluded)} of them with status `excluded` (no condition)" if excluded else "")
              + f"; {len(dropped)} row(s) dropped.", ""]
    if dropped:
        by_reason = defaultdict(list)
        for entry in dropped:
            by_reason[drop_reason(entry)].append(entry["row"])
        lines += ["| why | rows of the file | count |", "|---|---|---|"]
        for reason, numbers in by_reason.items():
            lines.append(f"| {_cell(reason)} | {', '.join(map(str, numbers))} | {len(numbers)} |")
        lines.append("")
    if unclear:
        lines += ["Rows whose answers do not fit one condition (the value is left missing):", ""]
        for entry in unclear:
            what = "answered the copies of several conditions" if entry["rule"] == "from_answered" \
                else f"different answers in the copies of `{entry['column']}`"
            lines.append(f"- row {entry['row']}: {what} ({_cell(entry['value'])})")
        lines.append("")
    if excluded:
        lines += [f"Rows with no condition (status `excluded`, not analysed): {', '.join(map(str, excluded))}.", ""]
    lines += ["## Condition", ""]
    for how in plan.condition.how:
        lines.append(f"- {how[0].upper()}{how[1:]}.")
    if "condition" in data:
        counts = data.loc[data["status"] == "complete", "condition"].value_counts()
        if len(counts):
            lines.append("- Participants per condition: "
                         + ", ".join(f"`{k}` {v}" for k, v in counts.items()) + ".")
    if not plan.condition.how:
        lines.append("- None found.")
    lines += ["", "## Columns", "", "| column of the file | in data.csv | why |", "|---|---|---|"]
    for column in table.frame.columns:
        if column in plan.mapped:
            lines.append(f"| `{_cell(column)}` | `{_cell(plan.mapped[column].split(' ')[0])}` | "
                         f"{_cell(' '.join(plan.mapped[column].split(' ')[1:]).strip('()') or 'answers')} |")
        else:
            lines.append(f"| `{_cell(column)}` | left out | {_cell(plan.left_out.get(column, ''))} |")
    missing = plan.mapping.get("missing")
    if missing:
        lines += ["", "Declared missing: " + "; ".join(f"`{k}`: {', '.join(map(str, v))}" for k, v in missing.items())
                  + "."]
    lines += ["", "## Items", "", "| item | type | from | how the type was found |", "|---|---|---|---|"]
    for draft in plan.items:
        item = draft.item
        detail = item["type"] + (f" ({item['points']} points)" if "points" in item else "")
        source = ", ".join(f"`{c}`" for c, target in plan.mapped.items() if target.split(" ")[0] == item["id"])
        lines.append(f"| `{item['id']}` | {detail} | {source} | {_cell(draft.why)}"
                     + (" (guessed)" if draft.guessed else "") + " |")
    if plan.scales:
        lines += ["", "Suggested scales: " + "; ".join(f"`{s['id']}` = {', '.join(s['items'])}" for s in plan.scales)
                  + ". Check that the items measure one thing and mark reverse-keyed items (`reverse: true`)."]
    lines += ["", "## Decisions left to you", ""]
    decisions = list(plan.decisions)
    if plan.condition.factors or plan.condition.from_answered:
        decisions.append("Rename the factor(s) and levels in study.yaml to what they manipulate (the names in "
                         "data.csv follow: edit `values:` in mapping.yaml and import again, or rename both).")
    decisions.append("The plan in study.yaml has one ANOVA per outcome by the condition: keep the hypotheses you "
                     "preregistered and add the mediation, if any.")
    if "started_at" in data:
        decisions.append("Times are as exported (the survey's time zone), not converted to UTC.")
    if plan.language not in ("nl", "en"):
        decisions.append(f"The survey's language is '{plan.language}'; replylab's study languages are nl and en, "
                         "so the texts are filed under 'en'.")
    for decision in decisions:
        lines.append(f"- {decision}")
    return "\n".join(lines) + "\n"
