"""Bots walk every page for every condition and language; their data go through
export -> scoring -> analysis, and every acknowledged answer is in the export."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from study import load_study
from study.dataset.codebook import codebook
from study.survey.app import create_app
from study.survey.bot import walk
from study.survey.export import export_data
from tests.study.survey.conftest import ADMIN_TOKEN, client_for, without_reading_delay
from tests.study.survey.test_routes import consent

FORMULA = "=HYPERLINK(\"http://evil.example\",\"click\")"


async def run_bots(app, study, *, at_least_per_cell=2, limit=40, languages=None):
    runs, cells = [], {}
    languages = languages or study.languages
    for i in range(limit):
        lang = languages[i % len(languages)]
        overrides = {"reason": FORMULA} if i == 0 else None
        async with client_for(app) as client:
            run = await walk(client, study, lang=lang, seed=100 + i, overrides=overrides,
                             query={"PROLIFIC_PID": f"bot{i:03d}", "SESSION_ID": f"s{i:03d}"})
            token = client.cookies["replylab_session"]
        run.participant = app.state.survey.db.participant_by_session(token)
        runs.append(run)
        key = (run.participant["condition"], lang)
        cells[key] = cells.get(key, 0) + 1
        if len(cells) == len(study.condition_names) * len(languages) and min(
                cells.values()) >= at_least_per_cell:
            break
    return runs, cells


@pytest.fixture(scope="module")
async def exported(tmp_path_factory):
    study = without_reading_delay(load_study("tilburg"))
    tmp = tmp_path_factory.mktemp("export")
    app = create_app(study, f"sqlite:///{tmp / 'bots.db'}", admin_token=ADMIN_TOKEN)
    runs, cells = await run_bots(app, study)
    async with client_for(app) as partial:  # consents, then leaves after the vignette
        await consent(partial, "nl")
    async with client_for(app) as admin:  # a researcher's test session
        page = await admin.get("/admin", params={"token": ADMIN_TOKEN}, follow_redirects=True)
        token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
        started = await admin.post("/admin/test-session", data={
            "csrf_token": token, "condition": "public", "lang": "en"})
        assert started.status_code == 303
        await walk_from_current(admin)
    out = tmp / "out"
    data = export_data(app.state.survey.db, study, out)
    partial_out = tmp / "partial"
    partial_data = export_data(app.state.survey.db.url, study, partial_out, include_partial=True)
    app.state.survey.db.close()
    return {"study": study, "runs": runs, "cells": cells, "data": data, "out": out,
            "partial": partial_data}


async def walk_from_current(client):
    page = await client.get("/", follow_redirects=True)
    assert page.status_code == 200 and "nothing you do here is counted" in page.text


def test_bots_covered_every_condition_and_language(exported):
    study = exported["study"]
    assert set(exported["cells"]) == {(c, lang) for c in study.condition_names
                                      for lang in study.languages}


def test_every_acknowledged_answer_is_exported(exported):
    answers = pd.read_csv(exported["out"] / "answers.csv", keep_default_na=False)
    sent = sum(len(run.committed) for run in exported["runs"])
    assert len(answers) == sent
    data = exported["data"].set_index("participant_id")
    for run in exported["runs"]:
        row = data.loc[run.participant["participant_id"]]
        for item_id, value in run.committed.items():
            assert row[item_id] == value, (item_id, row[item_id], value)


def test_wide_table_follows_the_canonical_columns(exported):
    study, data = exported["study"], exported["data"]
    items = study.questionnaire.item_ids
    head = ["participant_id", "condition", *study.factor_names, "lang", "status",
            "started_at", "completed_at", *items]
    assert list(data.columns[: len(head)]) == head
    scales = [scale.id for scale in study.questionnaire.scales]
    assert list(data.columns[len(head): len(head) + len(scales)]) == scales
    assert list(data.columns[-10:]) == ["prolific_pid", "study_id", "session_id", "duplicate",
                                        "duration_seconds", "focus_lost_count", "focus_lost_seconds",
                                        "paste_count", "typing_seconds", "withdrawal_code"]
    assert data["withdrawal_code"].str.fullmatch(r"[A-Z2-7]{5}-[A-Z2-7]{5}").all()
    assert data["withdrawal_code"].is_unique
    assert {"attention_passed", "manipulation_passed", "exclude"} <= set(data.columns)
    assert len(data) == len(exported["runs"]) and (data["status"] == "complete").all()
    assert data["participant_id"].is_unique
    assert (data["duration_seconds"] >= 0).all()
    assert not data["duplicate"].any()


def test_scales_match_a_hand_computed_score(exported):
    """Attitude recomputed from answers.csv with the item keys (independent of questionnaires.score)."""
    study, data = exported["study"], exported["data"]
    answers = pd.read_csv(exported["out"] / "answers.csv")
    for scale in study.questionnaire.scales:
        keyed = []
        for item_id in scale.items:
            item = study.questionnaire.item(item_id)
            values = answers[answers["item_id"] == item_id].set_index("participant_id")["value"]
            values = values.astype(float)
            keyed.append(item.points + 1 - values if item.reverse else values)
        by_hand = pd.concat(keyed, axis=1)
        expected = by_hand.mean(axis=1) if scale.scoring == "mean" else by_hand.sum(axis=1)
        got = data.set_index("participant_id")[scale.id].astype(float)
        np.testing.assert_allclose(got.loc[expected.index], expected, rtol=0, atol=1e-12)


def test_formulas_are_neutralised_in_the_csv_but_kept_in_the_data(exported):
    raw = pd.read_csv(exported["out"] / "data.csv", dtype=str, keep_default_na=False)
    assert (raw["reason"] == "'" + FORMULA).sum() == 1
    assert (exported["data"]["reason"] == FORMULA).sum() == 1
    assert not raw["reason"].str.startswith(("=", "+", "-", "@")).any()


def test_spss_file_has_labels_and_the_same_values(exported):
    import pyreadstat

    frame, meta = pyreadstat.read_sav(str(exported["out"] / "data.sav"))
    data = exported["data"]
    assert list(frame.columns) == list(data.columns)
    labels = dict(zip(meta.column_names, meta.column_labels))
    study = exported["study"]
    assert labels["condition"] == codebook(study)["condition"]["label"]  # the codebook's label
    att_1 = study.questionnaire.item("att_1")
    assert labels["att_1"] == att_1.text["en"]
    condition_codes = meta.variable_value_labels["condition"]
    decoded = frame["condition"].map(condition_codes)
    assert decoded.tolist() == data["condition"].tolist()
    np.testing.assert_allclose(frame["attitude"], data["attitude"].astype(float))
    assert frame["reason"].tolist() == data["reason"].tolist()


def test_codebook_and_psych_ds_description(exported):
    out = exported["out"]
    codebook = json.loads((out / "codebook.json").read_text(encoding="utf-8"))
    assert codebook
    assert (out / "codebook.md").read_text(encoding="utf-8").strip()
    description = json.loads((out / "dataset_description.json").read_text(encoding="utf-8"))
    for key in ("@context", "@type", "name", "description", "variableMeasured"):
        assert description[key]
    assert description["@type"] == "Dataset"
    names = [v["name"] for v in description["variableMeasured"]]
    assert names == list(exported["data"].columns)


def test_partial_export_adds_the_unfinished_and_never_test_sessions(exported):
    partial = exported["partial"]
    assert len(partial) == len(exported["data"]) + 1
    assert partial["status"].tolist().count("in_progress") == 1


def test_bot_data_run_through_the_analysis(exported):
    from scipy import stats

    import analysis

    data = exported["data"]
    table = analysis.anova(data, dv="attitude", between="condition").set_index("source")
    assert table.attrs["n"] == len(data)
    groups = [g["attitude"].astype(float) for _, g in data.groupby("condition")]
    reference = stats.f_oneway(*groups)  # independent implementation, same one-way model
    assert table.loc["condition", "F"] == pytest.approx(reference.statistic, rel=1e-9)
    assert table.loc["condition", "p"] == pytest.approx(reference.pvalue, rel=1e-9)


async def test_two_by_two_study_exports_both_factors(tmp_path):
    study = without_reading_delay(load_study("webcare-2x2"))
    app = create_app(study, f"sqlite:///{tmp_path / 'f.db'}", admin_token=ADMIN_TOKEN)
    runs, cells = await run_bots(app, study, at_least_per_cell=1, limit=16, languages=["en"])
    data = export_data(app.state.survey.db, study, tmp_path / "out")
    app.state.survey.db.close()
    assert {condition for condition, _ in cells} == set(study.condition_names)
    assert len(data) == len(runs)
    for factor in study.factor_names:
        expected = data["condition"].map(
            {c.name: c.levels[factor] for c in study.conditions})
        assert data[factor].tolist() == expected.tolist()
