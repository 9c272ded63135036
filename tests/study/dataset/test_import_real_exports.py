"""Real public exports (tests/data/imports/README.md) imported in one call each."""

import itertools
from pathlib import Path

import pandas as pd
import pytest
import yaml

from study.dataset.importers.readers import read_table
from study.dataset.importers.survey_import import import_survey_file
from study.dataset.mapping import apply_mapping
from study.pipeline.run import analyze

DATA = Path(__file__).resolve().parents[2] / "data" / "imports"
OUTPUTS = {"data.csv", "mapping.yaml", "study.yaml", "questionnaire.yaml", "import-report.md"}


def _import(tmp_path, name, **options):
    out = tmp_path / name.replace(".", "_")
    result = import_survey_file(DATA / name, out, **options)
    assert {p.name for p in out.iterdir()} == OUTPUTS
    return result, out


def _mapping_reproduces_data(result, out):
    """mapping.yaml applied to the file gives data.csv's mapped columns, row for row."""
    mapping = yaml.safe_load((out / "mapping.yaml").read_text(encoding="utf-8"))
    table = read_table(result.plan.table.path, skip_rows=mapping.get("skip_rows"))
    mapped = apply_mapping(table.frame, mapping)
    data = pd.read_csv(out / "data.csv")
    assert len(mapped) == len(data)
    for column in mapped.columns:
        left = mapped[column].astype("object").where(mapped[column].notna(), None).map(
            lambda v: None if v is None else str(v).removesuffix(".0"))
        right = data[column].astype("object").where(data[column].notna(), None).map(
            lambda v: None if v is None else str(v).removesuffix(".0"))
        assert left.tolist() == right.tolist(), column


def _serveable(study_yaml: Path) -> Path:
    """The draft as it is: an analysis-only study (``purpose: analysis``) loads and analyses."""
    assert yaml.safe_load(study_yaml.read_text(encoding="utf-8"))["purpose"] == "analysis"
    return study_yaml


def test_qualtrics_fl_do_export_takes_the_condition_from_the_randomizer(tmp_path):
    result, out = _import(tmp_path, "qualtrics_fl_do_3row.csv")
    data = result.data
    assert data["condition"].value_counts().to_dict() == {"group_b": 3, "group_a": 3}
    assert data["participant_id"].iloc[0] == "R_3rP3tXlCaLkYjPK" and len(data) == 6
    # A_text / B_text are the per-condition copies of one question: merged
    assert "text" in data and data["text"].notna().all()
    report = (out / "import-report.md").read_text()
    assert "FL_5_DO, the display order of randomizer FL_5" in report and "| `IPAddress` | left out |" in report
    _mapping_reproduces_data(result, out)


def test_the_retaken_response_marked_spam_is_dropped_and_reported(tmp_path):
    result, out = _import(tmp_path, "qualtrics_fl_do_retake.csv")
    report = (out / "import-report.md").read_text()
    assert "| spam (Status = Spam) | 9 | 1 |" in report  # the retake, the one row without FL_5_DO
    assert (result.data["status"] == "complete").all() and len(result.data) == 5
    assert "| `Q_TotalDuration` | left out |" in report


def test_a_row_without_condition_is_kept_as_excluded(tmp_path):
    lines = (DATA / "qualtrics_fl_do_3row.csv").read_text(encoding="utf-8").splitlines()
    lines[-1] = lines[-1].removesuffix("group_A")
    path = tmp_path / "export.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = import_survey_file(path, tmp_path / "out")
    assert result.data["status"].tolist() == ["complete"] * 5 + ["excluded"]
    assert "Rows with no condition (status `excluded`, not analysed): 9." in \
        (tmp_path / "out" / "import-report.md").read_text()


def test_porter_3row_with_qsf_merges_the_block_copies_into_one_condition(tmp_path):
    result, out = _import(tmp_path, "porter_pilot_3row.csv", survey=DATA / "porter_survey.qsf")
    study = yaml.safe_load((out / "study.yaml").read_text())
    assert [lv["name"] for lv in study["factors"][0]["levels"]] == \
        ["rep_favorable", "rep_unfavorable", "dem_favorable", "dem_unfavorable"]
    assert study["purpose"] == "analysis" and "vignette" not in study
    questionnaire = yaml.safe_load((out / "questionnaire.yaml").read_text())
    likely = next(i for i in questionnaire["items"] if i["id"] == "likelyfriends")
    assert likely["type"] == "likert" and likely["points"] == 5
    assert likely["labels"]["en"][0] == "It is not at all likely"
    assert likely["text"]["en"] == "How likely is it that you and the COMMUNICATOR would be friends?"
    assert result.data["condition"].tolist() == ["dem_favorable", "dem_unfavorable", "dem_favorable",
                                                 "rep_unfavorable", "dem_favorable"]
    _mapping_reproduces_data(result, out)


@pytest.mark.slow
@pytest.mark.parametrize(("name", "n"), [("porter_full_1row.csv", 171), ("porter_original_study3.xlsx", 133)])
def test_draft_studies_analyse(tmp_path, name, n):
    result, out = _import(tmp_path, name)
    results = analyze(out / "data.csv", _serveable(out / "study.yaml"), None, n_boot=200, progress=False)
    assert len(results.analysed) == n
    _mapping_reproduces_data(result, out)


def test_excel_two_factor_design(tmp_path):
    result, out = _import(tmp_path, "porter_original_study3.xlsx")
    study = yaml.safe_load((out / "study.yaml").read_text())
    assert [f["name"] for f in study["factors"]] == ["repdemcondition", "lib_condition"]
    assert study["analysis"]["hypotheses"][0]["between"] == ["repdemcondition", "lib_condition"]
    assert "Excel" in (out / "import-report.md").read_text()


def test_qualtrics_legacy_and_numeric_three_row(tmp_path):
    for name in ("qualtrics_sample_3row.csv", "qualtrics_sample_legacy.csv"):
        result, out = _import(tmp_path, name)
        assert result.data["participant_id"].tolist() == ["R_2YPOQ602ER1jkf1"]
        assert "No condition found" in (out / "import-report.md").read_text()


def test_limesurvey_export_drops_the_incomplete_response(tmp_path):
    result, out = _import(tmp_path, "limesurvey_multilab_slice.csv")
    assert result.plan.tool == "LimeSurvey" and len(result.data) == 26 and len(result.dropped) == 1
    assert "| incomplete (no submitdate) |" in (out / "import-report.md").read_text()
    assert set(result.data["lang"]) == {"de"}
    _mapping_reproduces_data(result, out)


def test_spss_value_labels_become_levels_and_options(tmp_path):
    result, out = _import(tmp_path, "pyreadstat_sample.sav", condition=["mylabl"])
    assert result.data["condition"].tolist() == ["male", "female", "male", "female", "male"]
    questionnaire = yaml.safe_load((out / "questionnaire.yaml").read_text())
    order = next(i for i in questionnaire["items"] if i["id"] == "myord")
    assert order["type"] == "likert" and order["labels"]["en"] == ["low", "medium", "high"]
    result, _ = _import(tmp_path, "pyreadstat_sample.dta", condition=["mylabl"])
    assert sorted(result.data["condition"].unique()) == ["female", "male"]


def test_minus_99_is_declared_missing_and_unfinished_rows_dropped(tmp_path):
    lines = (DATA / "qualtrics_fl_do_3row.csv").read_text(encoding="utf-8").splitlines()
    lines.append(lines[-1].replace(",True,", ",False,").replace("R_WoG4lZEE4LF6iE9", "R_unfinished"))
    header, rows = lines[:3], lines[3:]
    header = [header[0] + ",Q9", header[1] + ",How many?", header[2] + ',"{""ImportId"":""QID9_TEXT""}"']
    rows = [row + f",{value}" for row, value in zip(rows, [3, -99, 4, 5, 2, 1, 6])]
    path = tmp_path / "export.csv"
    path.write_text("\n".join(header + rows) + "\n", encoding="utf-8")
    result = import_survey_file(path, tmp_path / "out")
    assert len(result.data) == 6 and [e["row"] for e in result.dropped] == [10]
    assert result.data["q9"].isna().sum() == 1
    report = (tmp_path / "out" / "import-report.md").read_text()
    assert "| unfinished (Finished = False) | 10 | 1 |" in report and "-99" in report
