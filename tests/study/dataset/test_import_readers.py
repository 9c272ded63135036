"""Reading exports: format told from the bytes, header rows recognised by content, short errors."""

from pathlib import Path

import pandas as pd
import pytest

from study.dataset.importers.readers import read_table
from study.dataset.mapping import apply_mapping, load_data
from study.design.loader import load_study
from study.errors import UserError

DATA = Path(__file__).resolve().parents[2] / "data" / "imports"


@pytest.mark.parametrize(("name", "form", "rows", "first_id"), [
    ("qualtrics_sample_3row.csv", "3-row", 3, "R_2YPOQ602ER1jkf1"),
    ("qualtrics_sample_legacy.csv", "legacy 2-row", 2, "R_2YPOQ602ER1jkf1"),
    ("porter_full_1row.csv", "1-row", 1, None),
    ("qualtrics_fl_do_3row.csv", "3-row", 3, "R_3rP3tXlCaLkYjPK"),
])
def test_qualtrics_header_rows_are_recognised_by_content(name, form, rows, first_id):
    table = read_table(DATA / name)
    assert table.header_form == form and table.header_rows == rows
    first_data_line = table.frame.index[0]
    assert first_data_line == rows + 1  # the first participant is never skipped
    if first_id:
        column = "ResponseId" if "ResponseId" in table.frame else "ResponseID"
        assert table.frame[column].iloc[0] == first_id


def test_the_import_ids_and_question_texts_are_kept():
    table = read_table(DATA / "qualtrics_sample_3row.csv")
    assert table.import_ids["Q1"] == "QID1" and table.import_ids["Q2"] == "QID2_TEXT"
    assert table.labels["Q1"] == "This is a multiple choice question."


def test_a_one_row_file_keeps_its_first_participant_even_with_a_stale_skip_rows(tmp_path):
    one_row = DATA / "porter_full_1row.csv"
    assert len(read_table(one_row).frame) == 171
    with pytest.raises(UserError, match=r"skip_rows: 2 would drop row 2, which looks like a participant"):
        read_table(one_row, skip_rows=2)


def test_a_semicolon_limesurvey_file_and_a_utf16_tab_file_are_read(tmp_path):
    table = read_table(DATA / "limesurvey_multilab_slice.csv")
    assert table.delimiter == "," and list(table.frame.columns[:3]) == ["id", "submitdate", "lastpage"]
    text = (DATA / "limesurvey_multilab_slice.csv").read_text(encoding="utf-8-sig").replace('","', '";"')
    (tmp_path / "semi.csv").write_text(text, encoding="utf-8")
    semi = read_table(tmp_path / "semi.csv")
    assert semi.delimiter == ";" and semi.frame.shape == table.frame.shape
    tsv = (DATA / "qualtrics_fl_do_3row.csv").read_text(encoding="utf-8")
    frame = pd.read_csv(DATA / "qualtrics_fl_do_3row.csv", header=None, dtype=str, keep_default_na=False)
    (tmp_path / "export.tsv").write_bytes(frame.to_csv(sep="\t", header=False, index=False).encode("utf-16"))
    read = read_table(tmp_path / "export.tsv")
    assert read.encoding == "UTF-16" and read.delimiter == "\t" and read.header_form == "3-row"
    assert len(read.frame) == 6 and tsv


def test_repeated_column_names_are_refused_in_a_few_lines():
    with pytest.raises(UserError) as error:
        read_table(DATA / "limesurvey_multilab_duplicates.csv")
    message = str(error.value)
    assert "column names repeat: 'Zwischenfolie' (columns 8, 9, 11, 13, 15)" in message
    assert "does not rename them silently" in message and message.count("\n") == 0 and len(message) < 400


def test_a_sav_is_read_as_spss_whatever_its_name_and_an_xls_is_named(tmp_path):
    disguised = tmp_path / "data.csv"
    disguised.write_bytes((DATA / "pyreadstat_sample.sav").read_bytes())
    table = read_table(disguised)
    assert table.format == "sav" and table.value_labels["mylabl"] == {1.0: "Male", 2.0: "Female"}
    fake_xls = tmp_path / "old.csv"
    fake_xls.write_bytes(b"\xd0\xcf\x11\xe0" + bytes(600))
    with pytest.raises(UserError, match=r"old.csv: this is an Excel 97-2003 workbook \(.xls\) although it is "
                                        r"named .csv, not a data table replylab reads; save it as .xlsx"):
        read_table(fake_xls)


def test_analyze_reads_a_sav_instead_of_calling_it_a_broken_csv():
    study = load_study("tilburg")
    with pytest.raises(UserError) as error:  # read fine; then the columns are what is missing
        load_data(DATA / "pyreadstat_sample.sav", study)
    assert "cannot read it as a CSV" not in str(error.value) and "'condition'" in str(error.value)


def test_spss_user_missing_and_stata_labels():
    table = read_table(DATA / "pyreadstat_missing_test.sav")
    assert table.frame["var1"].isna().tolist() == [True, False] and table.declared_missing == {"var1": [1.0]}
    stata = read_table(DATA / "pyreadstat_sample.dta")
    assert stata.format == "dta" and stata.value_labels["myord"] == {1: "low", 2: "medium", 3: "high"}


def test_a_row_longer_than_the_header_names_the_row(tmp_path):
    path = tmp_path / "broken.csv"
    path.write_text("a,b\n1,2\n3,4,5\n", encoding="utf-8")
    with pytest.raises(UserError, match=r"broken.csv: row 3 has 3 values but the header names 2 columns"):
        read_table(path)


def test_mapping_filters_missing_codes_merges_and_null_recodes():
    frame = pd.DataFrame({"Status": ["IP Address", "Survey Preview", "IP Address", "IP Address"],
                          "Finished": ["True", "True", "False", "True"],
                          "A1": [5, None, 3, None], "B1": [None, 2, None, -99],
                          "Q9": ["yes", "no", "yes", "Don't know"]}, index=[4, 5, 6, 7])
    log = []
    mapped = apply_mapping(frame, {"drop": {"Status": ["Survey Preview"]}, "keep": {"Finished": [True]},
                                   "missing": {"all": [-99]}, "from_answered": {"cond": {"a": ["A1"], "b": ["B1"]}},
                                   "merge": {"score": ["A1", "B1"]}, "values": {"q9": {"Don't know": None}},
                                   "columns": {"Q9": "q9"}, "unmapped": "drop"}, log=log)
    assert mapped.to_dict("index") == {4: {"cond": "a", "score": 5.0, "q9": "yes"},
                                       7: {"cond": None, "score": None, "q9": None}} or \
        (mapped.loc[4, "cond"] == "a" and mapped.loc[4, "score"] == 5 and pd.isna(mapped.loc[7, "score"])
         and pd.isna(mapped.loc[7, "q9"]) and pd.isna(mapped.loc[7, "cond"]))
    assert [(e["row"], e["rule"]) for e in log] == [(5, "drop"), (6, "keep")]


def test_every_unknown_column_of_a_mapping_is_named_at_once_with_a_close_match():
    frame = pd.DataFrame({"ResponseId": ["R_1"], "Q5_1": [3]})
    with pytest.raises(UserError, match=r"'Q5-1', 'Q6'.*'Q5-1': did you mean 'Q5_1'\?"):
        apply_mapping(frame, {"columns": {"Q5-1": "att_1", "Q6": "reason"}})
