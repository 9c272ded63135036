"""`replylab export-qsf` and the round trip through a Qualtrics export.

The `.qsf` is checked against the structure of the real Qualtrics survey file in
tests/data/imports/ (porter_survey.qsf, exported by Qualtrics): the same top-level keys,
element kinds and element keys, and for each kind of question the payload keys Qualtrics
writes. The round trip: a CSV laid out as Qualtrics exports a response set of that survey
(3-row header with ImportIds, numeric values, embedded data after the questions, a
preview response) is written from simulated participants; `replylab import --survey`
must give back their answers under the study's own ids, and `replylab analyze` the same
ANOVA as the simulated data themselves.
"""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from study import load_study
from study.cli import main
from study.dataset.importers.qualtrics import load_qsf
from study.dataset.qsf_export import qsf_document, question_elements
from study.dataset.simulation import simulate
from study.errors import UserError
from study.pipeline.run import analyze

REAL_QSF = Path(__file__).resolve().parents[2] / "data" / "imports" / "porter_survey.qsf"
REAL = json.loads(REAL_QSF.read_text(encoding="utf-8-sig"))


def _real_elements(kind):
    return [e for e in REAL["SurveyElements"] if e["Element"] == kind]


@pytest.mark.parametrize("name", ["tilburg", "webcare-2x2", "tone-of-reply"])
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_qsf_has_the_structure_of_a_real_one(name, lang):
    study = load_study(name)
    document = json.loads(json.dumps(qsf_document(study, lang=lang)))  # as written: JSON types only
    assert document.keys() == REAL.keys()
    assert document["SurveyEntry"].keys() == REAL["SurveyEntry"].keys()
    kinds = {e["Element"] for e in REAL["SurveyElements"]}
    for element in document["SurveyElements"]:
        assert element["Element"] in kinds
        assert element.keys() == _real_elements(element["Element"])[0].keys()
    # every question's payload uses keys Qualtrics writes for that kind of question
    real_keys: dict = {}
    for e in _real_elements("SQ"):
        real_keys.setdefault(e["Payload"]["QuestionType"], set()).update(e["Payload"])
    ours = question_elements(document)
    for element in ours:
        payload = element["Payload"]
        extra = set(payload) - real_keys[payload["QuestionType"]] - {"VariableNaming", "RecodeValues"}
        assert not extra, (payload["DataExportTag"], extra)
        assert element["PrimaryAttribute"] == payload["QuestionID"]
    # blocks, flow and questions refer to each other
    blocks = {b["ID"]: b for b in _elements(document, "BL")[0]["Payload"]}
    qids = {e["Payload"]["QuestionID"] for e in ours}
    assert {q["QuestionID"] for b in blocks.values() for q in b["BlockElements"]} == qids
    flow = _elements(document, "FL")[0]["Payload"]
    used = _flow_blocks(flow)
    assert set(used) == {i for i, b in blocks.items() if b["Type"] != "Trash"} and len(used) == len(set(used))
    assert _elements(document, "QC")[0]["SecondaryAttribute"] == str(len(qids))
    # the items: export tags = item ids, in questionnaire order, recode values = replylab's values
    questionnaire = study.questionnaire
    tags = [e["Payload"]["DataExportTag"] for e in ours]
    assert [t for t in tags if t in {i.id for i in questionnaire.items}] == [i.id for i in questionnaire.items]
    for item in questionnaire.items:
        payload = next(e["Payload"] for e in ours if e["Payload"]["DataExportTag"] == item.id)
        if item.type in ("likert", "semantic_differential"):
            assert payload["RecodeValues"] == {str(k): str(k) for k in range(1, item.points + 1)}
        if item.type == "single_choice":
            assert list(payload["VariableNaming"].values()) == [o.value for o in item.options]
            assert [payload["Choices"][k]["Display"] for k in payload["ChoiceOrder"]] == \
                [o.label[lang] for o in item.options]
        assert payload["Validation"]["Settings"]["ForceResponse"] == ("ON" if item.required else "OFF")
    # what replylab's own reader makes of it
    parsed = load_qsf(_write(document))
    randomizer = parsed.randomizers[0]
    assert randomizer["subset"] == 1 and [o[3] for o in randomizer["options"]] == [
        dict(zip(study.factor_names, c.split("-"))) for c in study.condition_names]


def _elements(document, kind):
    return [e for e in document["SurveyElements"] if e["Element"] == kind]


def _flow_blocks(node) -> list:
    found = [node["ID"]] if node.get("Type") in ("Block", "Standard") else []
    for child in node.get("Flow") or []:
        found += _flow_blocks(child)
    return found


def _write(document, path=None) -> Path:
    import tempfile

    path = path or Path(tempfile.mkdtemp()) / "study.qsf"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_the_end_redirects_with_the_completion_code_and_declining_ends_the_survey():
    study = load_study("tilburg")
    document = qsf_document(study, lang="en")
    flow = _elements(document, "FL")[0]["Payload"]["Flow"]
    expected = study.completion.redirect_url.replace("{code}", study.completion.code)
    assert flow[-1]["Options"] == {"Advanced": "true", "SurveyTermination": "Redirect", "EOSRedirectURL": expected}
    decline = next(n for n in flow if n["Type"] == "Branch")
    assert decline["BranchLogic"]["0"]["0"]["Operator"] == "NotSelected"
    assert decline["Flow"][0]["Type"] == "EndSurvey"
    vignette = next(e for e in question_elements(document) if e["Payload"]["DataExportTag"] == "vignette_private")
    assert vignette["Payload"]["QuestionType"] == "DB" and 'class="rl-vignette"' in vignette["Payload"]["QuestionText"]


def _qualtrics_export(document, data: pd.DataFrame, study, path: Path) -> Path:
    """The CSV Qualtrics writes for responses to ``document`` (numeric values, 3-row header)."""
    meta = [("StartDate", "Start Date", "startDate"), ("EndDate", "End Date", "endDate"),
            ("Status", "Response Type", "status"), ("IPAddress", "IP Address", "ipAddress"),
            ("Progress", "Progress", "progress"), ("Duration (in seconds)", "Duration (in seconds)", "duration"),
            ("Finished", "Finished", "finished"), ("RecordedDate", "Recorded Date", "recordedDate"),
            ("ResponseId", "Response ID", "_recordId"), ("DistributionChannel", "Distribution Channel",
                                                          "distributionChannel"),
            ("UserLanguage", "User Language", "userLanguage")]
    columns = [(name, text, json.dumps({"ImportId": import_id})) for name, text, import_id in meta]
    questions = [e["Payload"] for e in question_elements(document) if e["Payload"]["QuestionType"] != "DB"]
    for q in questions:
        suffix = "_TEXT" if q["QuestionType"] == "TE" else ""
        columns.append((q["DataExportTag"], q["QuestionDescription"], json.dumps({"ImportId": q["QuestionID"] + suffix})))
    embedded = ["PROLIFIC_PID", "STUDY_ID", "SESSION_ID", *study.factor_names]
    columns += [(f, f, json.dumps({"ImportId": f})) for f in embedded]
    rows = []
    questionnaire = study.questionnaire
    for _, person in data.iterrows():
        start = pd.Timestamp(person["started_at"]).strftime("%Y-%m-%d %H:%M:%S")
        end = pd.Timestamp(person["completed_at"]).strftime("%Y-%m-%d %H:%M:%S")
        row = [start, end, 0, "", 100, 300, 1, end, person["participant_id"], "anonymous", person["lang"].upper()]
        for q in questions:
            tag = q["DataExportTag"]
            if tag == "consent":
                row.append(1)
                continue
            value = person[tag]
            item = questionnaire.item(tag)
            if item.type == "single_choice" and pd.notna(value):
                value = 1 + [o.value for o in item.options].index(value)
            row.append("" if pd.isna(value) else value)
        row += [f"pid{person['participant_id']}", "study1", "session1", *[person[f] for f in study.factor_names]]
        rows.append(row)
    preview = list(rows[0])
    preview[2], preview[8] = 1, "R_preview"  # a survey preview: Qualtrics' Status 1
    frame = pd.DataFrame([[c[1] for c in columns], [c[2] for c in columns], preview, *rows],
                         columns=[c[0] for c in columns])
    frame.to_csv(path, index=False)
    return path


@pytest.mark.parametrize(("name", "n"), [("tilburg", 40), ("webcare-2x2", 48), ("tone-of-reply", 42)])
def test_the_round_trip_through_a_qualtrics_export_gives_the_study_its_own_data(tmp_path, capsys, name, n):
    study = load_study(name)
    qsf = tmp_path / "study.qsf"
    assert main(["export-qsf", name, "--out", str(qsf), "--lang", "nl"]) == 0
    assert capsys.readouterr().out.startswith(f"replylab export-qsf: wrote {qsf}: {len(study.conditions)} conditions")
    simulated = simulate(study, n=n, seed=11)
    export = _qualtrics_export(json.loads(qsf.read_text(encoding="utf-8")), simulated, study, tmp_path / "export.csv")
    assert main(["import", str(export), "--survey", str(qsf), "--out", str(tmp_path / "imported")]) == 0
    said = capsys.readouterr().out
    assert f"replylab import: {n} participants" in said and ", 1 rows dropped; Qualtrics" in said
    imported = pd.read_csv(tmp_path / "imported" / "data.csv")
    assert imported["participant_id"].tolist() == simulated["participant_id"].tolist()
    assert imported["condition"].tolist() == simulated["condition"].tolist()
    for factor in study.factor_names:
        assert imported[factor].tolist() == simulated[factor].tolist()
    for item in study.questionnaire.items:
        ours, theirs = imported[item.id], simulated[item.id]
        if item.type in ("likert", "semantic_differential", "number"):
            np.testing.assert_array_equal(ours.to_numpy(float), theirs.to_numpy(float))
        else:
            assert ours.fillna("").astype(str).tolist() == theirs.fillna("").astype(str).tolist(), item.id
    # the whole analysis runs on the import with the study as it is, and gives the same numbers
    direct = analyze(simulated.drop(columns=["reason_true_motives"]), study, None, n_boot=200)
    through = analyze(tmp_path / "imported" / "data.csv", study, None, n_boot=200)
    pd.testing.assert_frame_equal(through.hypothesis("h1").anova, direct.hypothesis("h1").anova)


def test_a_study_for_analysis_only_has_no_survey_to_export(tmp_path, capsys):
    sav = Path(__file__).resolve().parents[2] / "data" / "imports" / "pyreadstat_sample.sav"
    assert main(["import", str(sav), "--condition", "mylabl", "--out", str(tmp_path / "imp")]) == 0
    capsys.readouterr()
    code = main(["export-qsf", str(tmp_path / "imp" / "study.yaml"), "--out", str(tmp_path / "x.qsf")])
    err = capsys.readouterr().err
    assert code == 2 and "has no texts and no vignette (purpose: analysis): there is no survey to field" in err
    with pytest.raises(UserError, match=r"--lang de: the study 'tilburg' is in nl, en"):
        qsf_document(load_study("tilburg"), lang="de")
