"""`replylab mapping init`: a skeleton mapping a real export onto a study the researcher wrote.

The export is the Porter et al. (2016, Study 3) replication in tests/data/imports/ (a
Qualtrics file whose condition shows only in which block's copy of the questions was
answered, with its .qsf). The study below is written by hand, as a researcher would:
other item ids, a 2 x 2 design instead of the import's one four-level factor, its own
option values. The reference is the import's own data.csv (`replylab import`, a
different path through the file): the skeleton must give the same answers per participant.
"""

from pathlib import Path

import pandas as pd
import pytest
import yaml

from study import load_study
from study.cli import main
from study.dataset.mapping import load_data, load_mapping
from study.errors import UserError

DATA = Path(__file__).resolve().parents[2] / "data" / "imports"
PILOT, FULL, QSF = DATA / "porter_pilot_3row.csv", DATA / "porter_full_1row.csv", DATA / "porter_survey.qsf"

ITEMS = {
    "id": "porter_items", "title": {"en": "Porter replication"}, "source": "written for this test",
    "languages": ["en"],
    "items": [
        {"id": "help_future", "type": "number", "min": 0, "max": 100, "text": {
            "en": "Estimate the percentage of future situations in which Peter is likely to help others."}},
        {"id": "rude_future", "type": "number", "min": 0, "max": 100, "text": {
            "en": "Estimate the percentage of future situations in which Peter is likely to be rude to others."}},
        {"id": "friends", "type": "likert", "points": 5, "text": {
            "en": "How likely is it that you and the communicator would be friends?"},
         "anchors": {"en": ["Not at all likely", "Extremely likely"]}},
        {"id": "born_us", "type": "single_choice", "text": {"en": "Were you born in the United States?"},
         "options": [{"value": "us", "label": {"en": "Yes"}}, {"value": "abroad", "label": {"en": "No"}}]},
    ],
    "scales": [{"id": "friendship", "label": {"en": "Would be friends"}, "items": ["friends"], "min_valid": 1}],
    "pages": [{"id": "questions", "title": {"en": "Questions"},
               "items": ["help_future", "rude_future", "friends", "born_us"]}],
}
STUDY = {
    "id": "porter-replication", "title": {"en": "Porter replication"}, "purpose": "analysis", "languages": ["en"],
    "factors": [
        {"name": "party", "label": {"en": "Party"}, "levels": [
            {"name": "rep", "label": {"en": "Republican"}}, {"name": "dem", "label": {"en": "Democrat"}}]},
        {"name": "valence", "label": {"en": "Valence"}, "levels": [
            {"name": "favorable", "label": {"en": "favorable"}}, {"name": "unfavorable", "label": {"en": "unfavorable"}}]},
    ],
    "questionnaire_modules": ["items.yaml"], "target_n": 160,
    "analysis": {"n_boot": 200, "hypotheses": [
        {"kind": "anova", "id": "h1", "dv": "help_future", "between": ["party", "valence"]},
        {"kind": "anova", "id": "h2", "dv": "friendship", "between": ["party", "valence"]}]},
}


@pytest.fixture
def porter_study(tmp_path):
    folder = tmp_path / "porter"
    folder.mkdir()
    (folder / "items.yaml").write_text(yaml.safe_dump(ITEMS, sort_keys=False), encoding="utf-8")
    (folder / "study.yaml").write_text(yaml.safe_dump(STUDY, sort_keys=False), encoding="utf-8")
    return folder / "study.yaml"


def _imported(tmp_path, path) -> pd.DataFrame:
    assert main(["import", str(path), "--survey", str(QSF), "--out", str(tmp_path / "imported")]) == 0
    return pd.read_csv(tmp_path / "imported" / "data.csv")


@pytest.mark.parametrize("export", [PILOT, FULL], ids=["3-row pilot", "1-row full sample"])
def test_the_skeleton_maps_a_real_export_onto_a_hand_written_study(tmp_path, capsys, porter_study, export):
    out = tmp_path / "mapping.yaml"
    code = main(["mapping", "init", str(export), "--survey", str(QSF), "--study", str(porter_study), "--out", str(out)])
    said = capsys.readouterr().out
    assert code == 0 and said == (f"replylab mapping: wrote {out}: 3 of the 3 columns the study needs found. "
                                  "Check the guesses in its comments.\n")
    text = out.read_text(encoding="utf-8")
    assert "# Columns the study's analysis needs:\n#   condition: the condition: found\n" in text
    assert ("factor treatment -> condition: from which block of questions was answered; levels rep_favorable -> "
            "rep-favorable, rep_unfavorable -> rep-unfavorable") in text
    assert "likelyfriends1, likelyfriends2, likelyfriends3, likelyfriends4 -> friends: per-condition copies" in text
    assert "#   race: no item of the study like it (What is your race/ethnicity?)" in text
    mapping = load_mapping(str(out))
    assert mapping.values["born_us"] == {"1": "us", "Yes": "us", "2": "abroad", "No": "abroad"}
    mapped = load_data(export, load_study(porter_study), mapping)

    reference = _imported(tmp_path, export)
    assert len(mapped) == len(reference)
    assert mapped["condition"].tolist() == reference["condition"].str.replace("_", "-").tolist()
    assert mapped["party"].tolist() == reference["condition"].str.split("_").str[0].tolist()
    for ours, theirs in [("help_future", "future_help_1"), ("rude_future", "future_rude_1"),
                         ("friends", "likelyfriends")]:
        pd.testing.assert_series_equal(mapped[ours].astype(float), reference[theirs].astype(float), check_names=False)
    assert mapped["born_us"].tolist() == reference["birth"].map({"yes": "us", "no": "abroad"}).tolist()


def test_the_skeleton_runs_the_analysis_of_the_full_sample(tmp_path, capsys, porter_study):
    out = tmp_path / "mapping.yaml"
    assert main(["mapping", "init", str(FULL), "--survey", str(QSF), "--study", str(porter_study),
                 "--out", str(out)]) == 0
    code = main(["analyze", str(FULL), "--study", str(porter_study), "--mapping", str(out),
                 "--out", str(tmp_path / "results"), "--no-progress"])
    assert code == 0, capsys.readouterr().err
    anova = pd.read_csv(tmp_path / "results" / "tables" / "h1_anova.csv")
    # reference: statsmodels' type II ANOVA on the import's own data.csv (the other path through the file)
    import statsmodels.api as sm
    import statsmodels.formula.api as smf

    data = _imported(tmp_path, FULL).dropna(subset=["future_help_1"])
    data[["party", "valence"]] = data["condition"].str.split("_", expand=True)
    fit = smf.ols("future_help_1 ~ C(party) * C(valence)", data=data).fit()
    expected = sm.stats.anova_lm(fit, typ=2)
    assert anova["F"].iloc[0] == pytest.approx(expected["F"].iloc[0], rel=1e-9)
    assert anova["df"].iloc[3] == expected["df"].iloc[3] == 167


def test_what_the_file_lacks_is_listed_and_the_skeleton_still_loads(tmp_path, capsys):
    out = tmp_path / "mapping.yaml"
    code = main(["mapping", "init", str(DATA / "qualtrics_fl_do_3row.csv"), "--study", "tilburg", "--out", str(out)])
    assert code == 0
    assert capsys.readouterr().out.startswith(
        f"replylab mapping: wrote {out}: 1 of the 5 columns the study needs found; not found: attitude, "
        "pk_strategic, pk_scale, attn_1.")
    text = out.read_text(encoding="utf-8")
    assert "#   attitude: the outcome of h1: NOT FOUND: map a column to it under columns:" in text
    assert "levels group_a -> public, group_b -> private (check: group_a, group_b matched by order)" in text
    mapping = load_mapping(str(out))
    assert mapping.columns["FL_5_DO"] == "channel"
    assert mapping.values["channel"] == {"group_A": "public", "group_B": "private"}
    # with the skeleton, the data load up to the columns that are really missing, all named at once
    with pytest.raises(UserError, match=r"^\S+: 4 problems with the columns the study needs") as caught:
        load_data(DATA / "qualtrics_fl_do_3row.csv", load_study("tilburg"), mapping)
    assert "'channel'" not in str(caught.value) and "'condition'" not in str(caught.value)


def test_printing_and_refusing_to_overwrite(tmp_path, capsys):
    code = main(["mapping", "init", str(DATA / "qualtrics_fl_do_3row.csv"), "--study", "tilburg"])
    printed = capsys.readouterr().out
    assert code == 0 and printed.startswith("# Mapping skeleton: qualtrics_fl_do_3row.csv onto the study tilburg")
    load_mapping(yaml.safe_load(printed))
    existing = tmp_path / "mapping.yaml"
    existing.write_text("columns: {}\n", encoding="utf-8")
    code = main(["mapping", "init", str(DATA / "qualtrics_fl_do_3row.csv"), "--study", "tilburg",
                 "--out", str(existing)])
    assert code == 2 and "the file exists; give --force" in capsys.readouterr().err
    assert existing.read_text(encoding="utf-8") == "columns: {}\n"
