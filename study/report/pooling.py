"""Many sites, one answer: pool the ``results.json`` of several runs (``replylab pool``).

Each site runs the same study file (``replylab replicate`` or ``analyze`` with
``--site LABEL``); :func:`pool_sites` reads their ``results.json``
(:mod:`study.report.site_results`), pools every effect across sites with a
random-effects meta-analysis (:func:`analysis.meta_analysis`, REML; correlations as
Fisher's z and shown back as r), applies the replication verdicts to the pooled
estimate of each claim of the original, and :func:`write_pooled` writes the tables,
a forest plot per effect and a report in English or Dutch.

Sites whose study files differ are refused with the difference named, unless their
hypotheses match by id.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from markdown_it import MarkdownIt

from analysis.figures_forest import forest_plot
from analysis.meta_analysis import meta_analysis
from analysis.replication import claim_tests
from analysis.style import save_figure
from study.errors import UserError
from study.report.render import load_texts
from study.report.site_results import read_site_results
from study.report.verdicts import VERDICT_RULES, claim_verdict

__all__ = ["pool_sites", "write_pooled", "PooledResults"]

POOLED_COLUMNS = ["effect", "label", "kind", "k", "estimate", "se", "ci_low", "ci_high", "pi_low", "pi_high",
                  "tau2", "tau", "i2", "q", "q_df", "q_p"]


@dataclass(frozen=True)
class PooledResults:
    """Pooled effects (one row each), the per-site table, and the claims' pooled verdicts."""

    study: str
    sites: pd.DataFrame
    effects: pd.DataFrame
    claims: pd.DataFrame
    labels: list[str]


def _labels(folders, runs, labels) -> list[str]:
    if labels is not None:
        if len(labels) != len(folders):
            raise UserError(f"--labels gives {len(labels)} labels for {len(folders)} folders; give one per folder")
        return list(labels)
    found = [run.get("site") or Path(folder).name for folder, run in zip(folders, runs)]
    if len(set(found)) != len(found):
        raise UserError(f"two folders have the same site label ({', '.join(found)}); give --labels")
    return found


def _check_same_study(folders, runs) -> None:
    first = runs[0]
    for folder, run in zip(folders[1:], runs[1:]):
        if run["study_file_sha256"] == first["study_file_sha256"]:
            continue
        if run["hypotheses"] != first["hypotheses"] or run["study"] != first["study"]:
            raise UserError(
                f"{folder} ran study {run['study']!r} with hypotheses {run['hypotheses']}, but {folders[0]} "
                f"ran {first['study']!r} with {first['hypotheses']}; pool only sites of the same study "
                "(the study files may differ in texts, but the hypotheses must match by id)")


def _long(runs, labels, key: str) -> pd.DataFrame:
    rows = [{"site": label, **entry} for run, label in zip(runs, labels) for entry in run[key]]
    return pd.DataFrame(rows)


def _pooled_row(rows: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The meta-analysis of one effect (correlations on Fisher's z) and the per-site rows used."""
    rows = rows.copy()
    if rows["kind"].iloc[0] == "r":
        rows["estimate"] = np.arctanh(rows["estimate"].clip(-0.999999, 0.999999))
    return meta_analysis(rows, "estimate", variance="variance", study="site"), rows


def _back(kind: str, value):
    return np.tanh(value) if kind == "r" else value


def _pool_effects(long: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    table, used = [], {}
    for effect, rows in long.groupby("id", sort=False):
        if len(rows) < 2:
            continue
        pooled, on_scale = _pooled_row(rows)
        kind = rows["kind"].iloc[0]
        row = pooled.iloc[0]
        table.append({"effect": effect, "label": rows["label"].iloc[0], "kind": kind, "k": int(row["k"]),
                      **{c: float(_back(kind, row[c])) for c in ("estimate", "ci_low", "ci_high", "pi_low", "pi_high")},
                      "se": float(row["se"]), **{c: float(row[c]) for c in ("tau2", "tau", "i2", "q", "q_df", "q_p")}})
        used[effect] = (on_scale, pooled)
    return pd.DataFrame(table, columns=POOLED_COLUMNS), used


def _pool_claims(long: pd.DataFrame, alpha: float) -> tuple[pd.DataFrame, dict]:
    rows_out, used = [], {}
    for claim_id, rows in long.groupby("id", sort=False):
        if len(rows) < 2:
            continue
        pooled, on_scale = _pooled_row(rows)
        row = pooled.iloc[0]
        kind, claimed = rows["kind"].iloc[0], rows["claimed"].iloc[0]
        null = float(rows["null"].iloc[0])
        estimate = float(row["estimate"]) - null  # on the pooled scale, from the claim's null
        if claimed == "none":
            bound = float(rows["bound"].astype(float).mean())
            bound = math.atanh(bound) if kind == "r" else bound
            criteria = claim_tests(estimate, claim="none", se=float(row["se"]), kind="generic",
                                   equivalence_bounds=bound, alpha=alpha)
        else:
            criteria = claim_tests(estimate, claim=claimed, se=float(row["se"]), kind="generic", alpha=alpha)
        verdict = claim_verdict(claimed, criteria)
        deciding = criteria.set_index("criterion").loc[VERDICT_RULES[claimed]]
        rows_out.append({"claim": claim_id, "claimed": claimed, "kind": kind, "k": int(row["k"]),
                         "estimate": float(_back(kind, row["estimate"])),
                         "ci_low": float(_back(kind, row["ci_low"])), "ci_high": float(_back(kind, row["ci_high"])),
                         "p": float(deciding["p"]), "tau": float(row["tau"]), "i2": float(row["i2"]),
                         "verdict": verdict, "finding": rows["finding"].iloc[0]})
        used[claim_id] = (on_scale, pooled)
    return pd.DataFrame(rows_out), used


def pool_sites(folders, labels=None, *, alpha: float = 0.05) -> PooledResults:
    """Pool the runs in ``folders`` (output folders of ``replylab replicate`` / ``analyze``).

    Parameters
    ----------
    folders : list of path
        Two or more output folders, each with a ``results.json``.
    labels : list of str, optional
        One site label per folder (default: the ``--site`` of each run, else the folder's name).
    alpha : float, default 0.05

    Returns
    -------
    PooledResults
        ``effects``: one row per effect, columns ``effect, label, kind, k, estimate, se,
        ci_low, ci_high, pi_low, pi_high, tau2, tau, i2, q, q_df, q_p`` (r back on its
        own scale; ``se`` on the pooled scale, Fisher's z for r); ``sites``: the per-site
        estimates; ``claims``: the pooled estimate of each claim of the original with
        its verdict.
    """
    folders = [Path(folder) for folder in folders]
    if len(folders) < 2:
        raise UserError("give at least two result folders to pool")
    runs = [read_site_results(folder) for folder in folders]
    _check_same_study(folders, runs)
    labels = _labels(folders, runs, labels)
    effects_long = _long(runs, labels, "effects")
    effects, _ = _pool_effects(effects_long)
    claims_long = _long(runs, labels, "claims")
    claims = _pool_claims(claims_long, alpha)[0] if len(claims_long) else pd.DataFrame()
    sites = effects_long[["site", "id", "label", "kind", "estimate", "variance", "n"]].rename(columns={"id": "effect"})
    return PooledResults(study=runs[0]["study"], sites=sites, effects=effects, claims=claims, labels=labels)


def _forest(pooled: PooledResults, effect: str, texts: dict):
    rows = pooled.sites.loc[pooled.sites["effect"] == effect].rename(columns={"effect": "id"})
    meta, on_scale = _pooled_row(rows)
    kind = rows["kind"].iloc[0]
    return forest_plot(on_scale, meta, estimate="estimate", variance="variance", label="site",
                       xlabel=rows["label"].iloc[0], pooled_label=texts["pool_pooled"],
                       transform=np.tanh if kind == "r" else None)


def _num(value, digits: int = 2) -> str:
    return "–" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.{digits}f}"


def _report(pooled: PooledResults, lang: str, figures: dict[str, str]) -> str:
    t = load_texts()[lang]
    lines = [f"# {t['pool_title']}: {pooled.study}", "",
             t["pool_intro"].format(k=len(pooled.labels), sites=", ".join(pooled.labels)), ""]
    if len(pooled.claims):
        lines += [f"## {t['h_replication']}", "", f"| {t['original_found']} | {t['pool_estimate']} | I² | "
                  f"{t['verdict']} |", "| --- | --- | --- | --- |"]
        for row in pooled.claims.itertuples(index=False):
            finding = row.finding.get(lang) or next(iter(row.finding.values()))
            lines.append(f"| {finding} | {_num(row.estimate)} [{_num(row.ci_low)}, {_num(row.ci_high)}] | "
                         f"{_num(row.i2, 0)}% | **{t['verdict_' + row.verdict.replace(' ', '_')]}** |")
        lines += ["", t["pool_rules"], ""]
    lines += [f"## {t['pool_effects']}", "", f"| {t['pool_effect']} | k | {t['pool_estimate']} | "
              f"{t['pool_prediction']} | τ | I² | Q (p) |", "| --- | --- | --- | --- | --- | --- | --- |"]
    for row in pooled.effects.itertuples(index=False):
        lines.append(f"| {row.label} | {row.k} | {_num(row.estimate)} [{_num(row.ci_low)}, {_num(row.ci_high)}] | "
                     f"[{_num(row.pi_low)}, {_num(row.pi_high)}] | {_num(row.tau)} | {_num(row.i2, 0)}% | "
                     f"{_num(row.q)} ({_num(row.q_p, 3)}) |")
    lines += ["", t["pool_method"], ""]
    wide = pooled.sites.pivot(index="site", columns="label", values="estimate").reindex(pooled.labels)
    lines += [f"## {t['pool_per_site']}", "", "| " + " | ".join([t["pool_site"], *wide.columns]) + " |",
              "|" + " --- |" * (len(wide.columns) + 1)]
    for site, row in wide.iterrows():
        lines.append("| " + " | ".join([f"{site}", *(_num(v) for v in row)]) + " |")
    lines += ["", ""]
    for effect, path in figures.items():
        label = pooled.effects.set_index("effect").loc[effect, "label"]
        lines += [f"![{t['pool_forest']}: {label}]({path})", ""]
    return "\n".join(lines)


def write_pooled(pooled: PooledResults, out, *, lang: str = "en") -> Path:
    """Write ``pooled.csv``, ``sites.csv``, ``claims.csv``, forest plots and ``report.md``/``.html`` into ``out``."""
    out = Path(out)
    if lang not in ("en", "nl"):
        raise UserError(f"--lang {lang}: use en or nl")
    try:
        (out / "figures").mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UserError(f"--out {out}: cannot write there ({error.strerror or error})") from None
    pooled.effects.to_csv(out / "pooled.csv", index=False)
    pooled.sites.to_csv(out / "sites.csv", index=False)
    claims = pooled.claims.drop(columns=["finding"], errors="ignore")
    claims.to_csv(out / "claims.csv", index=False)
    texts = load_texts()[lang]
    figures = {}
    for effect in pooled.effects["effect"]:
        save_figure(_forest(pooled, effect, texts), out / "figures" / f"forest_{effect}", formats=("png", "svg"))
        figures[effect] = f"figures/forest_{effect}.png"
    markdown = _report(pooled, lang, figures)
    (out / "report.md").write_text(markdown + "\n", encoding="utf-8")
    body = MarkdownIt("commonmark", {"html": False}).enable("table").render(markdown)
    (out / "report.html").write_text(
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head><meta charset="utf-8"><title>{texts["pool_title"]}'
        f"</title>\n<style>body{{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;"
        f"line-height:1.5}}table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:.3rem .6rem}}"
        f"img{{max-width:100%}}</style></head>\n<body>\n{body}</body>\n</html>\n", encoding="utf-8")
    (out / "pooled.json").write_text(json.dumps({"study": pooled.study, "sites": pooled.labels}, indent=2) + "\n",
                                     encoding="utf-8")
    return out
