"""A step that cannot run on the data (a constant mediator, a group with too few cases, a
singular design) is recorded with its reason; the report is still written, in English and
Dutch, with the reason in place of the step's tables; the command exits 0 with a warning line.

Small N and few bootstrap draws keep it quick.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from study import load_study, simulate
from study.cli import main
from study.pipeline.run import analyze
from study.pipeline.steps import SKIP_REASONS, explain_failure

N, SEED, N_BOOT = 80, 3, 200


@pytest.fixture(scope="module")
def tilburg():
    return load_study("tilburg")


@pytest.fixture(scope="module")
def no_motive_named(tilburg):
    """Tilburg data in which nobody names a motive: the mediator pk_strategic is 0 for everyone."""
    data = simulate(tilburg, N, SEED, "en")
    data["reason"] = "I really have no idea why they did it."
    return data


def test_constant_mediator_writes_the_report_with_the_reason_in_place(tmp_path, tilburg, no_motive_named, capsys):
    csv = tmp_path / "data.csv"
    no_motive_named.to_csv(csv, index=False)
    outputs = {}
    for lang in ("en", "nl"):
        out = tmp_path / f"results_{lang}"
        code = main(["analyze", str(csv), "--study", "tilburg", "--out", str(out), "--lang", lang,
                     "--n-boot", str(N_BOOT), "--no-progress"])
        assert code == 0
        captured = capsys.readouterr()
        assert "Report written to" in captured.out
        warnings = [line for line in captured.err.splitlines() if line.startswith("replylab: warning:")]
        assert any(line.startswith("replylab: warning: h2 (hypotheses) could not run: column 'pk_strategic' "
                                   "is constant") for line in warnings), captured.err
        outputs[lang] = out

    english = (outputs["en"] / "report.md").read_text(encoding="utf-8")
    h2 = english[english.index("### H2."):]
    h2 = h2[:h2.index("\n## ")]  # the section up to the next chapter
    assert "Not tested: Strategic motives named (0-2) has the same value (0) for every analysed participant" in h2
    assert "| Path |" not in h2  # no tables in its place
    assert "- H2 could not be tested on these data:" in english
    assert "The hypothesis expects public > private" in english  # H1 ran as usual

    dutch = (outputs["nl"] / "report.md").read_text(encoding="utf-8")
    assert "Niet getoetst: Genoemde strategische motieven (0-2) heeft voor elke geanalyseerde deelnemer " \
           "dezelfde waarde (0)" in dutch
    assert "- H2 kon met deze data niet worden getoetst:" in dutch
    html = (outputs["nl"] / "report.html").read_text(encoding="utf-8")
    assert '<p class="skipped">Niet getoetst: Genoemde strategische motieven (0-2)' in html

    # results.json and the tables still load; the skipped steps have a table of their own
    site = json.loads((outputs["en"] / "results.json").read_text(encoding="utf-8"))
    assert [e["hypothesis"] for e in site["effects"] if e["hypothesis"]] == ["h1"]
    skipped = pd.read_csv(outputs["en"] / "tables" / "skipped_steps.csv")
    assert list(skipped.columns) == ["step", "part", "reason", "message"]
    assert ("hypotheses", "h2", "constant") in set(zip(skipped["step"], skipped["part"], skipped["reason"]))
    assert not (outputs["en"] / "tables" / "h2_primary_paths.csv").exists()
    assert (outputs["en"] / "tables" / "h1_channel_tests.csv").exists()


def test_a_group_with_too_few_cases_is_named(tilburg):
    data = simulate(tilburg, N, SEED, "en")
    private = data.index[data["channel"] == "private"]
    data = data.drop(index=private[1:]).reset_index(drop=True)  # one private participant is left
    results = analyze(data, tilburg, None, n_boot=N_BOOT)
    analysed_private = int((results.analysed["channel"].astype("object") == "private").sum())
    assert analysed_private <= 1
    h1 = next(s for s in results.skipped if s.part == "h1")
    assert h1.reason == "too_few"
    assert h1.details == {"cell": [("channel", "private")], "n": analysed_private, "minimum": 2}
    assert "h1" not in {o.hypothesis.id for o in results.hypotheses}


def test_an_empty_cell_of_a_factorial_design_is_reported_not_raised():
    study = load_study("webcare-2x2")
    data = simulate(study, 120, SEED, "en")
    data = data.loc[data["condition"] != "private-neutral"].reset_index(drop=True)
    results = analyze(data, study, None, n_boot=N_BOOT)
    by_part = {s.part: s for s in results.skipped if s.step == "hypotheses"}
    assert by_part["h1"].reason == "too_few"
    assert by_part["h1"].details["cell"] == [("channel", "private"), ("empathy", "neutral")]
    assert by_part["h1"].details["n"] == 0


def test_explain_failure_names_each_reason():
    frame = pd.DataFrame({"g": pd.Categorical(["a", "a", "b"], categories=["a", "b", "c"]),
                          "y": [1.0, 2.0, 4.0], "m": [0.5, 1.0, np.nan]})
    constant = explain_failure(ValueError("x"), frame.assign(m=2.0), step="hypotheses", part="h2",
                               variables=["m", "y"], groups=["g"])
    assert (constant.reason, constant.details) == ("constant", {"column": "m", "value": "2"})
    too_few = explain_failure(ValueError("x"), frame, step="hypotheses", part="h1", variables=["y", "m"],
                              groups=["g"])
    # complete cases on y and m: a has 2, b has 0 (its m is missing), c has 0
    assert (too_few.reason, too_few.details) == ("too_few", {"cell": [("g", "b")], "n": 0, "minimum": 2})
    singular = explain_failure(np.linalg.LinAlgError("Singular matrix"), frame.loc[frame["g"] == "a"].assign(
        g=lambda f: f["g"].cat.remove_unused_categories()), step="hypotheses", variables=["y"], groups=["g"])
    assert singular.reason == "singular"
    other = explain_failure(KeyError("pk_any"), frame, step="did it replicate?")
    assert (other.reason, other.message) == ("error", "'pk_any' is not in the data")
    # age has a value for 2 of 6 participants: it alone leaves too few complete cases, so it is named
    # (not the group its missing values empty)
    sparse = pd.DataFrame({"g": ["a", "a", "a", "b", "b", "b"], "y": [1.0, 2, 3, 4, 5, 7],
                           "age": [30.0, np.nan, np.nan, 41, np.nan, np.nan]})
    missing = explain_failure(ValueError("x"), sparse, step="hypotheses", part="h4", variables=["y", "age"], groups=["g"])
    assert (missing.reason, missing.details) == ("missing", {"column": "age", "n": 2, "total": 6})
    assert {constant.reason, missing.reason, too_few.reason, singular.reason, other.reason} == set(SKIP_REASONS)


def test_a_claim_that_cannot_be_computed_is_not_tested_and_the_others_are_judged(
        tmp_path, tilburg, no_motive_named):
    # With nobody naming a motive the claims about motives cannot be computed (the mediator
    # is constant); the claim about attitude still gets its verdict.
    out = tmp_path / "results"
    assert main(["analyze", str(_csv(tmp_path, no_motive_named)), "--study", "tilburg", "--out",
                 str(out), "--n-boot", str(N_BOOT), "--no-progress"]) == 0
    verdicts = pd.read_csv(out / "tables" / "replication.csv", keep_default_na=False)
    by_claim = dict(zip(verdicts["claim"], verdicts["verdict"]))
    assert "not tested" in by_claim.values()
    assert {"replicated", "not replicated", "inconclusive"} & set(by_claim.values())
    untested = verdicts[verdicts["verdict"] == "not tested"]
    assert (untested["reason"] != "").all() and (untested["estimate"] == "").all()
    report = (out / "report.md").read_text(encoding="utf-8")
    section = report[report.index("## Did it replicate?"):report.index("## 2.")]
    assert "**not tested**" in section and "could not be tested with these data" in section
    site = json.loads((out / "results.json").read_text(encoding="utf-8"))  # pooling skips it
    assert not set(untested["claim"]) & {c["id"] for c in site["claims"]}


def _csv(tmp_path, data):
    path = tmp_path / "data.csv"
    data.to_csv(path, index=False)
    return path


def test_a_condition_nobody_is_in_and_a_degenerate_statistic_still_give_a_report(tmp_path, capsys):
    # 2x2 data in which every participant got the empathic reply (the neutral conditions are empty),
    # and the same with two participants per cell, the two of one cell with equal attitudes: Levene's F
    # is about 1e30. Both stopped the report before (a KeyError for the missing condition's motives
    # column, and decimal's InvalidOperation for the number).
    study = load_study("webcare-2x2")
    data = simulate(study, 120, SEED, "en")
    one_level = data[data["empathy"] == data["empathy"].iloc[0]]
    tiny = data.groupby("condition", observed=True).head(2).copy()
    first_cell = tiny["condition"] == tiny["condition"].iloc[0]
    tiny.loc[first_cell, "attitude"] = tiny.loc[first_cell, "attitude"].iloc[0]
    for name, frame in (("tiny", tiny), ("one_level", one_level)):
        csv = tmp_path / f"{name}.csv"
        frame.to_csv(csv, index=False)
        code = main(["analyze", str(csv), "--study", "webcare-2x2", "--out", str(tmp_path / name),
                     "--n-boot", "50", "--no-progress"])
        assert code == 0, capsys.readouterr().err
        assert (tmp_path / name / "report.md").exists()


def test_a_secondary_mediator_that_cannot_run_leaves_the_primary_result_in_the_report(tmp_path, capsys):
    # webcare-2x2's H2: primary mediator pk_strategic (from the free text), secondary pk_scale (the
    # items). With every pk item answered 4, pk_scale is constant: the primary a x b must still be
    # reported, and the secondary explained in its place.
    study = load_study("webcare-2x2")
    data = simulate(study, 120, SEED, "en")
    items = [c for c in data.columns if c.startswith("pk_") and c[3:].isdigit()]
    assert items
    data[items] = 4
    csv = tmp_path / "data.csv"
    data.to_csv(csv, index=False)
    out = tmp_path / "out"
    assert main(["analyze", str(csv), "--study", "webcare-2x2", "--out", str(out), "--n-boot", "50",
                 "--no-progress"]) == 0
    assert "h2 secondary (hypotheses) could not run: column 'pk_scale' is constant" in capsys.readouterr().err
    h2 = (out / "report.md").read_text(encoding="utf-8").split("### H2.")[1].split("### H3.")[0]
    assert "(primary analysis, n = " in h2 and "| a × b (Strategic motives named (0-2)) |" in h2
    assert "The secondary analysis, with Perceived strategic intent as the mediator, could not run:" in h2
    assert "Not tested" not in h2
