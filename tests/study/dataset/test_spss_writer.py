"""The SPSS file replylab writes: measurement levels, date-times, formats, codebook labels.

Checked twice: with pyreadstat's metadata, and with GNU PSPP (Debian's `pspp`), an
independent reader of .sav files, when it is installed (skipped otherwise).
"""

import csv
import datetime
import io
import shutil
import subprocess

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from study import load_study
from study.dataset.codebook import codebook
from study.dataset.simulation import simulate
from study.survey.spss import write_spss

KIND_LEVEL = {"likert": "ordinal", "semantic_differential": "ordinal", "number": "scale",
              "single_choice": "nominal", "free_text": "nominal"}


@pytest.fixture(scope="module", params=["tilburg", "webcare-2x2", "tone-of-reply"])
def written(request, tmp_path_factory):
    study = load_study(request.param)
    data = simulate(study, n=24, seed=5)
    data["exclude"] = [i % 5 == 0 for i in range(len(data))]
    data["duration_seconds"] = np.linspace(95.5, 610.0, len(data))
    data["prolific_pid"] = [f"5f{i:022d}" for i in range(len(data))]
    data.loc[3, "completed_at"] = None  # a participant who did not finish
    path = tmp_path_factory.mktemp("spss") / "data.sav"
    write_spss(data, study, path)
    frame, meta = pyreadstat.read_sav(str(path))
    return study, data, path, frame, meta


def test_measurement_levels_follow_what_each_column_is(written):
    study, _, _, _, meta = written
    measure = meta.variable_measure
    for item in study.questionnaire.items:
        assert measure[item.id] == KIND_LEVEL[item.type], item.id
    for scale in study.questionnaire.scales:
        assert measure[scale.id] == "scale"
    for column in ["condition", *study.factor_names, "lang", "status", "exclude", "prolific_pid"]:
        assert measure[column] == "nominal", column
    for column in ["duration_seconds", "started_at", "completed_at"]:
        assert measure[column] == "scale", column


def test_timestamps_are_spss_date_times_with_the_same_instants(written):
    _, data, _, frame, meta = written
    for column in ("started_at", "completed_at"):
        assert meta.original_variable_types[column] == "DATETIME20"
        for ours, text in zip(frame[column], data[column]):
            if text is None or pd.isna(text):
                assert pd.isna(ours)
                continue
            expected = datetime.datetime.fromisoformat(text).astimezone(datetime.UTC).replace(tzinfo=None)
            assert ours.to_pydatetime() == expected


def test_formats_labels_and_values(written):
    study, data, _, frame, meta = written
    types = meta.original_variable_types
    book = codebook(study)
    labels = dict(zip(meta.column_names, meta.column_labels))
    for column in data.columns:
        entry = book[column] if column in {e["name"] for e in book.entries} else None
        assert labels[column] == (entry["label"] if entry else column), column
    assert types["att_1"] == "F2.0" and types["attitude"] == "F8.2" and types["age"] == "F8.0"
    assert types["duration_seconds"] == "F8.2" and types["reason"].startswith("A")
    np.testing.assert_allclose(frame["attitude"], data["attitude"].astype(float), rtol=0, atol=1e-12)
    assert frame["condition"].map(meta.variable_value_labels["condition"]).tolist() == data["condition"].tolist()
    gender = study.questionnaire.item("gender")
    decoded = frame["gender"].map(meta.variable_value_labels["gender"])
    assert decoded.tolist() == data["gender"].map({o.value: o.label["en"] for o in gender.options}).tolist()


@pytest.mark.skipif(shutil.which("pspp") is None, reason="GNU PSPP is not installed (apt-get install pspp)")
def test_gnu_pspp_reads_the_levels_formats_and_date_times(written, tmp_path):
    _, data, path, _, _ = written
    syntax = tmp_path / "check.sps"
    syntax.write_text(f'GET FILE="{path}".\nDISPLAY DICTIONARY.\nLIST /VARIABLES=started_at att_1 /CASES=FROM 1 TO 3.\n',
                      encoding="utf-8")
    output = subprocess.run(["pspp", "-O", "format=csv", str(syntax)], capture_output=True, text=True,
                            timeout=60, check=True).stdout
    tables = output.split("\n\n")
    variables = next(t for t in tables if t.startswith("Table: Variables"))
    rows = {row["Name"]: row for row in csv.DictReader(io.StringIO(variables.split("\n", 1)[1]))}
    assert rows["att_1"]["Measurement Level"] == "Ordinal"
    assert rows["attitude"]["Measurement Level"] == "Scale" and rows["attitude"]["Print Format"] == "F8.2"
    assert rows["condition"]["Measurement Level"] == "Nominal"
    assert rows["started_at"]["Print Format"] == "DATETIME20.0"
    listed = next(t for t in tables if t.startswith("Table: Data List")).splitlines()[2:]
    first = datetime.datetime.fromisoformat(data["started_at"].iloc[0]).astimezone(datetime.UTC)
    assert listed[0] == f"{first.strftime('%d-%b-%Y %H:%M:%S').upper()},{int(data['att_1'].iloc[0])}"
