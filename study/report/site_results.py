"""``results.json``: one run's effects in machine-readable form, so that sites can be pooled.

Every output folder of ``replylab replicate`` / ``analyze`` holds it: the study
(id and file hash), the site's label, N per condition, and every effect of the plan
with what pooling needs (estimate, sampling variance, N): Cohen's d of each two-level
factor of an ANOVA hypothesis, the indirect effect of each mediation hypothesis
(variance from its bootstrap SE), the persuasion-knowledge/outcome correlations
(variance of Fisher's z) and this study's estimate of each claim of the original.
``replylab pool`` (:mod:`study.report.pooling`) reads these files back.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from study.errors import UserError

SITE_RESULTS = "results.json"
VERSION = 1


def _d_variance(d: float, n1: int, n2: int) -> float:
    return (n1 + n2) / (n1 * n2) + d * d / (2 * (n1 + n2))


def _effects(results) -> list[dict]:
    effects = []
    for outcome in results.hypotheses:
        hypothesis = outcome.hypothesis
        if hypothesis.kind == "anova":
            for factor, comparison in outcome.comparisons.items():
                d = float(comparison.effects.set_index("effect").loc["cohen_d", "estimate"])
                n1, n2 = (int(n) for n in comparison.descriptives["n"])
                effects.append({"id": f"{hypothesis.id}_{factor}_d", "hypothesis": hypothesis.id,
                                "kind": "smd", "label": f"d {factor}: {comparison.groups[0]} − {comparison.groups[1]}",
                                "estimate": d, "variance": _d_variance(d, n1, n2), "n": [n1, n2]})
        elif hypothesis.kind == "mediation":
            model = outcome.primary
            for mediator, row in model.indirect.iterrows():
                effects.append({"id": f"{hypothesis.id}_indirect_{mediator}", "hypothesis": hypothesis.id,
                                "kind": "generic", "label": f"ab {hypothesis.x} → {mediator} → {hypothesis.y}",
                                "estimate": float(row["effect"]), "variance": float(row["boot_se"]) ** 2,
                                "n": int(model.n)})
    if results.correlations is not None:
        for row in results.correlations.itertuples(index=False):
            if row.method == "pearson" and row.n > 3:
                effects.append({"id": f"r_{row.x}_{row.y}", "hypothesis": None, "kind": "r",
                                "label": f"r({row.x}, {row.y})", "estimate": float(row.r),
                                "variance": 1 / (int(row.n) - 3), "n": int(row.n)})
    return effects


def _claims(results) -> list[dict]:
    if results.study.original is None or results.replication is None:
        return []
    claims = {claim.id: claim for claim in results.study.original.claims}
    return [{"id": row.claim, "quantity": row.quantity, "kind": row.kind,
             "claimed": row.claimed, "estimate": float(row.estimate), "variance": float(row.se) ** 2,
             "n": int(row.n), "finding": dict(claims[row.claim].finding),
             "null": claims[row.claim].quantity.against if row.quantity == "proportion" else 0.0,
             "bound": None if math.isnan(row.bound) else float(row.bound)}
            for row in results.replication.itertuples(index=False) if not math.isnan(row.se)]


def site_results(results) -> dict:
    """What ``results.json`` holds for one run (plain JSON types only)."""
    study = results.study
    counts = results.analysed["condition"].astype("object").value_counts()
    return {
        "replylab_results": VERSION,
        "study": study.id,
        "study_file_sha256": study.file_hash,
        "site": results.manifest.get("site"),
        "lang": results.lang,
        "n_analysed": int(len(results.analysed)),
        "n_per_condition": {c: int(counts.get(c, 0)) for c in study.condition_names},
        "hypotheses": [h.id for h in study.analysis.hypotheses],
        "effects": _effects(results),
        "claims": _claims(results),
    }


def read_site_results(folder) -> dict:
    """Read a run's ``results.json``; a folder without one (or an unreadable one) is a UserError."""
    path = Path(folder) / SITE_RESULTS
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"{folder}: no {SITE_RESULTS}; give the output folder of a replylab replicate "
                        "or analyze run (made by replylab 0.1 or later)") from None
    except (OSError, ValueError) as error:
        raise UserError(f"{path}: cannot be read as JSON ({error})") from None
    if not isinstance(data, dict) or data.get("replylab_results") != VERSION:
        raise UserError(f"{path}: not a replylab results file of version {VERSION}")
    return data
