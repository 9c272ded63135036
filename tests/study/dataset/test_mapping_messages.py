"""Mapping error messages: the right column, quoted values, every problem at once, short.

Each message carries a mapping line (between backticks); the tests apply that line and
check that the problem it names is gone, so a suggestion that does not work fails here.
"""

import re

import pandas as pd
import pytest
import yaml

from study import load_study
from study.cli import main
from study.dataset.mapping import load_data, yaml_scalar
from study.dataset.simulation import simulate
from study.errors import UserError

TILBURG = load_study("tilburg")


@pytest.fixture(scope="module")
def canonical():
    return simulate(TILBURG, n=30, seed=13)


def _message(data, mapping=None, study=TILBURG) -> str:
    with pytest.raises(UserError) as caught:
        load_data(data, study, mapping)
    return str(caught.value)


def _suggested(message: str) -> dict:
    """Every mapping line of a message merged into one mapping (a dict)."""
    mapping: dict = {}
    for snippet in re.findall(r"`([a-z_]+: \{.*?\}\}?)`", message):
        for key, value in yaml.safe_load("{" + snippet + "}").items():
            mapping.setdefault(key, {}).update(value)
    return mapping


def test_an_unknown_value_of_a_renamed_condition_column_names_that_column_and_its_file_row(canonical, tmp_path):
    raw = canonical.drop(columns=["channel"]).rename(columns={"condition": "Cond"})
    raw["Cond"] = raw["Cond"].map({"public": 1, "private": 2})
    path = tmp_path / "export.csv"
    raw.to_csv(path, index=False)
    message = _message(path, {"columns": {"Cond": "condition"}})
    # the column that exists after the mapping is 'condition'; 'channel' is only derived from it
    assert message.startswith(f"{path}: column 'condition' holds '1', '2' (first at row 2)")
    assert "channel" not in message and message.count("\n") == 0
    assert "`values: {condition: {1: public, 2: private}}`" in message
    fixed = load_data(path, TILBURG, {"columns": {"Cond": "condition"}, **_suggested(message)})
    pd.testing.assert_series_equal(fixed["condition"], canonical["condition"])
    assert (fixed["channel"] == canonical["channel"]).all()


def test_a_factor_column_that_exists_is_the_one_named(canonical):
    wrong = canonical.assign(channel=canonical["channel"].str.upper())
    message = _message(wrong.drop(columns=["condition"]))
    assert "column 'channel' holds 'PRIVATE', 'PUBLIC'" in message
    assert "`values: {channel: {PRIVATE: private, PUBLIC: public}}`" in message


def test_an_empty_value_is_quoted_and_the_fix_drops_its_rows(canonical):
    data = canonical.drop(columns=["channel"]).astype({"condition": object})
    data.loc[[3, 8], "condition"] = ""
    message = _message(data)
    assert "{: " not in message and "holds \"\" (first at participant " in message
    assert '`drop: {condition: [""]}`' in message
    fixed = load_data(data, TILBURG, _suggested(message))
    assert len(fixed) == len(data) - 2 and set(fixed["condition"]) == {"public", "private"}


def test_a_value_yaml_would_misread_is_quoted_so_the_suggestion_matches_it(canonical):
    data = canonical.drop(columns=["channel"]).astype({"condition": object})
    data["condition"] = data["condition"].map({"public": "yes", "private": "no: private"})
    message = _message(data)
    assert '"no: private": private' in message and '"yes": ' in message
    mapping = _suggested(message)
    mapping["values"]["condition"]["yes"] = "public"  # the researcher's decision: the guess is by position
    fixed = load_data(data, TILBURG, mapping)
    assert (fixed["condition"] == canonical["condition"]).all()


def test_every_missing_column_is_reported_at_once_each_with_its_fix(canonical):
    renamed = canonical.drop(columns=["channel"]).rename(columns={
        "condition": "Group", "attitude": "Attitude", "pk_scale": "PK scale", "attn_1": "Attn1"})
    renamed = renamed.drop(columns=[f"att_{i}" for i in range(1, 6)] + [f"pk_{i}" for i in range(1, 6)])
    message = _message(renamed)
    lines = message.splitlines()
    assert lines[0] == ("the data: 4 problems with the columns the study needs; fix them in a mapping file "
                        "(--mapping MAP.yaml; see docs/data-mapping.md):")
    assert lines[1:] == [
        "  - column 'condition' (or the factor column 'channel') is missing: `columns: {Group: condition}`, "
        "or `from_answered:` when the condition shows only in which questions were answered",
        "  - column 'attitude' is missing (the outcome of h1; or give its items att_1, att_2, att_3 and 2 more): "
        "`columns: {Attitude: attitude}`",
        "  - column 'pk_scale' is missing (a mediator of h2; or give its items pk_1, pk_2, pk_3 and 2 more): "
        "`columns: {PK scale: pk_scale}`",
        "  - column 'attn_1' is missing (the attention check; analysis.exclude_on names it): "
        "`columns: {Attn1: attn_1}`",
    ]
    fixed = load_data(renamed, TILBURG, _suggested(message))
    assert fixed["attitude"].tolist() == canonical["attitude"].tolist()


def test_a_partly_present_scale_asks_for_its_missing_items(canonical):
    data = canonical.drop(columns=["attitude", "att_3"]).rename(columns={"att_4": "Att 4"})
    message = _message(data)
    assert message.startswith("the data: column 'attitude' (the outcome of h1) is missing, and so are its items "
                              "att_3, att_4: `columns: {YOUR_COLUMN: att_3, Att 4: att_4}` in a mapping file")


def test_long_lists_are_elided_and_the_command_line_prints_a_few_lines(canonical, tmp_path, capsys):
    data = canonical.drop(columns=["channel"]).assign(condition=[f"code {i}" for i in range(len(canonical))])
    data = data.drop(columns=["attitude", "pk_scale", "attn_1"] + [f"att_{i}" for i in range(1, 6)])
    path = tmp_path / "many.csv"
    data.to_csv(path, index=False)
    code = main(["analyze", str(path), "--study", "tilburg", "--out", str(tmp_path / "out"), "--no-progress"])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert err.count("\n") <= 5 and max(map(len, err.splitlines())) < 330, err
    assert "'code 0', 'code 1', 'code 10', 'code 11', 'code 12', 'code 13' and 24 more" in err
    assert "column 'attitude' is missing" in err and "column 'attn_1' is missing" in err


@pytest.mark.parametrize(("value", "written"), [
    ("Q5_1", "Q5_1"), ("", '""'), ("yes", '"yes"'), ("null", '"null"'), ("a: b", '"a: b"'), (3, "3"),
    ("3.0", "3"), ("Survey Preview", "Survey Preview"), ("#1", '"#1"'), ("Zürich", "Zürich")])
def test_yaml_scalar_reads_back_as_the_same_text(value, written):
    assert yaml_scalar(value) == written
    loaded = yaml.safe_load(f"{{{written}: x}}")
    assert [str(k) for k in loaded] == [str(value).removesuffix(".0")]
