"""`replylab import`: one command per real export; each failure case a short message, exit 2."""

from pathlib import Path

import pytest

from study.cli import main

DATA = Path(__file__).resolve().parents[2] / "data" / "imports"


def _run(capsys, *argv):
    code = main(["import", *map(str, argv)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize(("name", "extra", "summary"), [
    ("qualtrics_fl_do_3row.csv", [], "6 participants (group_b: 3, group_a: 3), 0 rows dropped; Qualtrics"),
    ("porter_pilot_3row.csv", ["--survey", DATA / "porter_survey.qsf"], "5 participants (dem_favorable: 3"),
    ("porter_full_1row.csv", [], "171 participants"),
    ("porter_original_study3.xlsx", [], "133 participants"),
    ("limesurvey_multilab_slice.csv", [], "26 participants (no condition found), 1 rows dropped; LimeSurvey"),
    ("pyreadstat_sample.sav", ["--condition", "mylabl"], "5 participants (male: 3, female: 2), 0 rows dropped; SPSS"),
    ("pyreadstat_sample.dta", ["--condition", "mylabl"], "5 participants (male: 3, female: 2), 0 rows dropped; Stata"),
])
def test_each_real_export_imports_in_one_command(capsys, tmp_path, name, extra, summary):
    code, out, err = _run(capsys, DATA / name, *extra, "--out", tmp_path / "out")
    assert code == 0 and err == ""
    assert out.startswith(f"replylab import: {summary}") and out.count("\n") == 1
    assert (tmp_path / "out" / "import-report.md").exists()


def _short_error(capsys, *argv):
    code, out, err = _run(capsys, *argv)
    assert code == 2 and out == ""
    assert "Traceback" not in err and err.count("\n") <= 3 and len(err) < 600, err
    return err


def test_repeated_column_names(capsys, tmp_path):
    err = _short_error(capsys, DATA / "limesurvey_multilab_duplicates.csv", "--out", tmp_path)
    assert err.startswith(f"replylab import: {DATA / 'limesurvey_multilab_duplicates.csv'}: column names repeat: "
                          "'Zwischenfolie' (columns 8, 9, 11, 13, 15); 'AenderungVerfuegbark' (columns 10, 12, 14, 16)")


def test_a_sav_named_csv_is_read_and_an_unreadable_binary_is_named(capsys, tmp_path):
    disguised = tmp_path / "export.csv"
    disguised.write_bytes((DATA / "pyreadstat_sample.sav").read_bytes())
    code, out, _ = _run(capsys, disguised, "--condition", "mylabl", "--out", tmp_path / "a")
    assert code == 0 and "; SPSS ->" in out
    pdf = tmp_path / "data.csv"
    pdf.write_bytes(b"%PDF-1.4\n" + bytes(100))
    err = _short_error(capsys, pdf, "--out", tmp_path / "b")
    assert err == (f"replylab import: {pdf}: this is a PDF document although it is named .csv, not a data table "
                   "replylab reads; export the data as CSV, .sav or .xlsx.\n")


def test_a_semicolon_file_with_a_long_header_and_a_broken_row_gives_one_line(capsys, tmp_path):
    names = ";".join(f"Q{i}" for i in range(400))
    path = tmp_path / "wide.csv"
    path.write_text(names + "\n" + ";".join("1" for _ in range(400)) + "\n" + ";".join("1" for _ in range(402))
                    + "\n", encoding="utf-8")
    err = _short_error(capsys, path, "--out", tmp_path / "o")
    assert f"{path}: row 3 has 402 values but the header names 400 columns" in err


def test_unknown_condition_column_and_missing_file_and_bad_definition(capsys, tmp_path):
    err = _short_error(capsys, DATA / "pyreadstat_sample.sav", "--condition", "group", "--out", tmp_path)
    assert "--condition: " in err and "has no column 'group'; its columns are mychar, mynum" in err
    err = _short_error(capsys, tmp_path / "nope.csv", "--out", tmp_path)
    assert err == f"replylab import: {tmp_path / 'nope.csv'}: file not found; check the path.\n"
    err = _short_error(capsys, DATA / "qualtrics_fl_do_3row.csv", "--survey", DATA / "pyreadstat_sample.sav",
                       "--out", tmp_path)
    assert "not a survey definition replylab reads (a Qualtrics .qsf)" in err


def test_a_stale_skip_rows_in_a_mapping_no_longer_drops_participants(capsys, tmp_path):
    mapping = tmp_path / "map.yaml"
    mapping.write_text("skip_rows: 2\n", encoding="utf-8")
    code = main(["analyze", str(DATA / "porter_full_1row.csv"), "--study", "tilburg", "--mapping", str(mapping),
                 "--out", str(tmp_path / "r"), "--no-progress"])
    err = capsys.readouterr().err
    assert code == 2 and "skip_rows: 2 would drop row 2, which looks like a participant's answers" in err
    assert err.count("\n") == 1
