"""Data-quality flags on crafted participants: each flag fires exactly where it should.

The participants below are written by hand for this test; the expected flags follow
from the rules in study/design/validity.py by reading, not from running the code.
The language check is also measured on tests/data/reasons_*.csv (298 hand-written
reasons with their language; see reasons_validation.README.md).
"""

from pathlib import Path

import pandas as pd
import pytest

from study.dataset.exclusions import exclusion_flow, flag_exclusions
from study.dataset.quality import detected_language, missing_inputs, quality_flags, vignette_text
from study.design.loader import StudyFileError, load_study
from study.design.validity import FLAG_NAMES, QUALITY_FLAGS, passes_declared_checks, quality_problems
from study.errors import UserError
from study.report.render import load_texts

DATA = Path(__file__).resolve().parents[2] / "data"

CLEAN_EN = ("I think they wanted to show everyone reading along that they actually help their "
            "customers quickly, which is good publicity for them.")
CLEAN_EN_2 = "Moving it to a private chat keeps the complaint out of sight of other customers and protects them."
CLEAN_NL = "Ik denk dat ze het gesprek privé voeren zodat andere klanten niet zien hoe vaak hun internet uitvalt."
DUTCH_IN_EN = "Volgens mij wilden ze vooral laten zien dat ze hun klanten snel en vriendelijk helpen."
SAME_TEXT = "They want to look good in front of everybody who reads the thread."

#: name -> (row, the flags that must be True; every other flag must be False unless listed as unknown)
PARTICIPANTS = {
    "clean_1": dict(lang="en", duration=600.0, pastes=0, reason=CLEAN_EN, pid="p01", att=[2, 5, 3, 6, 4]),
    "clean_2": dict(lang="en", duration=540.0, pastes=0, reason=CLEAN_EN_2, pid="p02", att=[4, 4, 5, 4, 3]),
    "clean_nl": dict(lang="nl", duration=660.0, pastes=0, reason=CLEAN_NL, pid="p03", att=[5, 6, 5, 4, 6]),
    "speeder": dict(lang="en", duration=200.0, pastes=0, reason=CLEAN_EN_2 + " Also efficiency.", pid="p04",
                    att=[3, 5, 2, 6, 4]),
    "straightliner": dict(lang="en", duration=580.0, pastes=0, pid="p05", att=[4, 4, 4, 4, 4],
                          reason="Privacy: you should never share an address or customer number in public."),
    "paster": dict(lang="en", duration=620.0, pastes=2, pid="p06", att=[2, 3, 2, 3, 2],
                   reason="Companies always take complaints offline to manage their public image."),
    "copier": dict(lang="en", duration=590.0, pastes=0, pid="p07", att=[6, 5, 6, 5, 7],
                   reason="For the third evening in a row my internet drops out every ten minutes. "
                          "Working from home is impossible like this."),
    "same_a": dict(lang="en", duration=570.0, pastes=0, reason=SAME_TEXT, pid="p08", att=[5, 3, 5, 3, 5]),
    "same_b": dict(lang="en", duration=610.0, pastes=0, reason="  they want to LOOK good in front of everybody "
                   "who reads the thread!", pid="p09", att=[3, 4, 5, 4, 3]),
    "wrong_language": dict(lang="en", duration=605.0, pastes=0, reason=DUTCH_IN_EN, pid="p10", att=[4, 5, 4, 5, 3]),
    "short": dict(lang="en", duration=595.0, pastes=0, reason="idk", pid="p11", att=[2, 4, 3, 5, 4]),
    "repeat_first": dict(lang="en", duration=585.0, pastes=0, pid="p12", att=[3, 5, 4, 6, 2],
                         reason="They follow a standard procedure for service questions like these.",
                         started="2021-03-01T09:00:00+00:00"),
    "repeat_later": dict(lang="en", duration=575.0, pastes=0, pid="p12", att=[5, 2, 6, 3, 4],
                         reason="It is more efficient to solve a technical problem in private messages.",
                         started="2021-03-01T08:00:00+00:00"),  # later in the table, earlier in time
    "no_javascript": dict(lang="en", duration=630.0, pastes=None, pid="p13", att=[6, 3, 5, 2, 4],
                          reason="Helping in public shows other readers that complaints are taken seriously."),
}

EXPECTED_TRUE = {
    "speeder": {"flag_speeding"},
    "straightliner": {"flag_straightlining"},
    "paster": {"flag_text_pasted"},
    "copier": {"flag_text_from_vignette"},
    "same_a": {"flag_text_duplicate"},
    "same_b": {"flag_text_duplicate"},
    "wrong_language": {"flag_text_language"},
    "short": {"flag_text_short"},
    "repeat_first": {"flag_repeated_prolific_id"},  # started an hour after its twin: the later one
}
#: flags that cannot be judged for a participant
EXPECTED_UNKNOWN = {
    "no_javascript": {"flag_text_pasted"},
    "short": {"flag_text_language"},  # 3 characters: too short to judge the language
}


@pytest.fixture(scope="module")
def tilburg():
    return load_study("tilburg")


def _with_exclude_on(study, rules, **quality):
    update = {"analysis": study.analysis.model_copy(update={"exclude_on": rules})}
    if quality:
        update["quality"] = study.quality.model_copy(update=quality)
    return study.model_copy(update=update)


def _frame() -> pd.DataFrame:
    rows = []
    for number, (name, p) in enumerate(PARTICIPANTS.items()):
        rows.append({
            "participant_id": name, "condition": "public", "channel": "public", "lang": p["lang"],
            "status": "complete", "started_at": p.get("started", f"2021-03-01T{10 + number:02d}:00:00+00:00"),
            **{f"att_{i + 1}": answer for i, answer in enumerate(p["att"])},
            "reason": p["reason"], "attn_1": 5, "mc_channel": "public",
            "prolific_pid": p["pid"], "duration_seconds": p["duration"], "paste_count": p["pastes"],
        })
    frame = pd.DataFrame(rows).set_index("participant_id", drop=False)
    frame["paste_count"] = frame["paste_count"].astype("Int64")
    frame["duration_seconds"] = frame["duration_seconds"].astype("Float64")
    return frame


def test_each_flag_fires_exactly_where_it_should(tilburg):
    flags = quality_flags(_frame(), tilburg)
    assert list(flags.columns) == list(FLAG_NAMES)
    for name in PARTICIPANTS:
        for flag in FLAG_NAMES:
            value = flags.loc[name, flag]
            if flag in EXPECTED_UNKNOWN.get(name, set()):
                assert value is pd.NA, (name, flag, value)
            else:
                assert value is not pd.NA and bool(value) == (flag in EXPECTED_TRUE.get(name, set())), \
                    (name, flag, value)
    assert all(str(dtype) == "boolean" for dtype in flags.dtypes)


def test_speeding_threshold_is_the_fraction_of_the_completed_median(tilburg):
    frame = _frame()
    median = frame["duration_seconds"].median()       # 597.5 s over the 14 completes
    assert 0.5 * median > 200 > 0.3 * median
    assert not quality_flags(frame, _with_exclude_on(tilburg, [], speeding_fraction=0.3))["flag_speeding"].any()
    # an unfinished participant has no duration: no judgement, and it does not move the median
    frame.loc["speeder", "status"] = "in_progress"
    frame.loc["speeder", "duration_seconds"] = pd.NA
    assert quality_flags(frame, tilburg).loc["speeder", "flag_speeding"] is pd.NA


def test_straightlining_needs_enough_items_and_complete_answers(tilburg):
    frame = _frame()
    frame.loc["straightliner", "att_5"] = pd.NA
    assert quality_flags(frame, tilburg).loc["straightliner", "flag_straightlining"] is pd.NA
    five_items_needed = _with_exclude_on(tilburg, [], straightlining_min_items=6)  # attitude has 5
    flags = quality_flags(_frame(), five_items_needed)
    assert flags["flag_straightlining"].isna().all()


def test_missing_paradata_columns_give_unknown_flags_not_false(tilburg):
    imported = _frame().drop(columns=["paste_count", "duration_seconds", "prolific_pid"])
    flags = quality_flags(imported, tilburg)
    for flag in ("flag_text_pasted", "flag_speeding", "flag_repeated_prolific_id"):
        assert flags[flag].isna().all(), flag
    assert missing_inputs(imported, tilburg) == {"flag_speeding": ["duration_seconds"],
                                                 "flag_text_pasted": ["paste_count"],
                                                 "flag_repeated_prolific_id": ["prolific_pid"]}
    assert flags["flag_text_duplicate"].notna().all()


@pytest.mark.parametrize("rule", FLAG_NAMES)
def test_exclude_on_each_flag_excludes_exactly_its_participants(tilburg, rule):
    study = _with_exclude_on(tilburg, [rule])
    flagged = flag_exclusions(_frame(), study)
    expected = {name for name, flags in EXPECTED_TRUE.items() if rule in flags}
    assert set(flagged.index[flagged["exclude"]]) == expected
    assert flagged["exclude"].dtype == bool


def test_exclude_on_a_flag_the_data_cannot_give_names_the_column(tilburg):
    study = _with_exclude_on(tilburg, ["attention", "flag_text_pasted"])
    with pytest.raises(UserError, match=r"flag_text_pasted: needs paste_count"):
        flag_exclusions(_frame().drop(columns=["paste_count"]), study)
    # not excluding on it: the flag is simply unknown
    assert flag_exclusions(_frame().drop(columns=["paste_count"]), tilburg)["flag_text_pasted"].isna().all()


def test_exclusion_flow_counts_each_rule_in_order(tilburg):
    rules = ["attention", "flag_text_duplicate", "flag_speeding", "flag_text_pasted", "flag_text_short"]
    study = _with_exclude_on(tilburg, rules)
    frame = _frame()
    frame.loc["same_a", "attn_1"] = 1                 # fails attention and is a duplicate
    frame.loc["paster", "duration_seconds"] = 100.0   # pasted and too fast
    frame.loc["clean_1", "status"] = "in_progress"    # never counted past "started"
    flow = exclusion_flow(flag_exclusions(frame, study), study).set_index("stage")["n"].to_dict()
    assert flow == {
        "started": 14, "completed": 13,
        "flagged_attention": 1, "flagged_flag_text_duplicate": 2, "flagged_flag_speeding": 2,
        "flagged_flag_text_pasted": 1, "flagged_flag_text_short": 1,
        "unjudged_flag_text_pasted": 1,               # no_javascript
        "excluded": 5,                                # = 1 + 1 + 2 + 0 + 1 below
        "excluded_attention": 1, "excluded_flag_text_duplicate": 1, "excluded_flag_speeding": 2,
        "excluded_flag_text_pasted": 0, "excluded_flag_text_short": 1,
        "analysed": 8,
    }
    texts = load_texts()
    for lang in ("en", "nl"):  # the report has a label for every stage
        assert all(f"stage_{stage}" in texts[lang] for stage in flow), lang


def test_report_texts_name_every_rule_in_both_languages():
    texts = load_texts()
    for lang in ("en", "nl"):
        for flag in QUALITY_FLAGS:
            assert texts[lang][f"reason_{flag.name}"], (lang, flag.name)


def test_vignette_text_is_what_the_condition_showed(tilburg):
    text = vignette_text(tilburg, "private", "nl")
    assert "Fibrello" in text and text.startswith("Stel je voor")
    assert vignette_text(tilburg, "private", "nl") != vignette_text(tilburg, "public", "nl")


def test_copied_text_is_judged_against_the_participants_own_condition(tilburg):
    frame = _frame()
    public_only = ("That points to a fault on the line to your modem. We've reset your connection remotely "
                   "and now see a stable signal.")   # a reply of the public thread only
    frame.loc["copier", "reason"] = public_only
    assert quality_flags(frame, tilburg).loc["copier", "flag_text_from_vignette"]
    frame.loc["copier", ["condition", "channel"]] = "private"
    assert not quality_flags(frame, tilburg).loc["copier", "flag_text_from_vignette"]
    frame.loc["copier", "lang"] = "nl"   # the Dutch thread shares no English word runs
    assert not quality_flags(frame, tilburg).loc["copier", "flag_text_from_vignette"]


def test_language_rule_on_hand_written_reasons():
    """py3langid on 298 hand-labelled reasons: at most 1 % wrong among texts of 30+ characters.

    Independent reference: the `lang` column of tests/data/reasons_*.csv (written by hand).
    Measured when this test was written: 1 of 235 judged texts wrong ("Marketing. Alles is
    marketing.", called English), i.e. 0.4 %.
    """
    reasons = pd.concat([pd.read_csv(DATA / "reasons_validation.csv"), pd.read_csv(DATA / "reasons_fresh.csv")])
    judged = reasons[reasons["reason"].str.strip().str.len() >= 30]
    wrong = sum(detected_language(text) != lang for text, lang in zip(judged["reason"], judged["lang"]))
    assert len(judged) > 200
    assert wrong / len(judged) <= 0.01


def test_passes_declared_checks_is_the_rule_of_flag_exclusions(tilburg):
    study = _with_exclude_on(tilburg, ["attention", "manipulation"])
    frame = _frame().head(4).copy()
    frame["attn_1"] = [5, "5", 4, None]
    frame["mc_channel"] = ["public", "private", "public", "public"]
    flagged = flag_exclusions(frame, study)
    by_row = [passes_declared_checks(row, study) for row in frame.astype(object).to_dict("records")]
    assert by_row == (~flagged["exclude"]).tolist() == [True, False, False, False]
    # the server passes the condition instead of factor columns
    assert passes_declared_checks({"attn_1": 5, "mc_channel": "private"}, study, condition="private")
    assert not passes_declared_checks({"attn_1": 5, "mc_channel": "private"}, study, condition="public")


# --- the study file ------------------------------------------------------------------


def _study_file(tmp_path, replace: dict) -> Path:
    text = load_study("tilburg").path.read_text(encoding="utf-8")
    for old, new in replace.items():
        assert old in text, old
        text = text.replace(old, new, 1)
    path = tmp_path / "study.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _line_of(path: Path, needle: str) -> int:
    return next(number for number, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def test_quality_block_and_new_exclude_on_rules_load(tmp_path):
    path = _study_file(tmp_path, {
        "  exclude_on: [attention]": "  exclude_on: [attention, flag_speeding, flag_text_from_vignette]",
        "\nanalysis:": "\nquality:\n  speeding_fraction: 0.4\n  min_text_chars: 15\n\nanalysis:",
        "  scheme: balanced_completes": "  scheme: balanced_completes\n  count: valid_completes",
    })
    study = load_study(path)
    assert study.quality.speeding_fraction == 0.4 and study.quality.language_min_chars == 30
    assert study.analysis.exclude_on == ["attention", "flag_speeding", "flag_text_from_vignette"]
    assert study.assignment.count == "valid_completes"


def test_quality_errors_name_file_line_and_field(tmp_path):
    path = _study_file(tmp_path, {
        "  exclude_on: [attention]": "  exclude_on: [attention, flag_speedy]",
        "\nanalysis:": "\nquality:\n  speeding_fraction: 1.5\n  min_txt_chars: 10\n\nanalysis:",
        "  scheme: balanced_completes": "  scheme: complete\n  count: valid_completes",
    })
    with pytest.raises(StudyFileError) as caught:
        load_study(path)
    message = str(caught.value)
    assert f"{path}:{_line_of(path, 'speeding_fraction')}: quality.speeding_fraction: " in message
    assert f"{path}:{_line_of(path, 'min_txt_chars')}: quality.min_txt_chars: unknown field" in message
    assert f"{path}:{_line_of(path, 'flag_speedy')}: analysis.exclude_on[1]: " in message
    assert "flag_speeding" in message   # the allowed rules are listed
    assert "count: valid_completes applies to scheme balanced_completes only" in message


def test_cross_field_quality_problems(tilburg):
    study = _with_exclude_on(tilburg, ["flag_straightlining", "flag_text_short"], straightlining_min_items=9,
                             text_items=["age"])
    study = study.model_copy(update={"assignment": study.assignment.model_copy(update={"count": "valid_completes"})})
    problems = dict(quality_problems(study, study.questionnaire))
    assert "not a free-text item" in problems[("quality", "text_items", 0)]
    assert "9 or more rating items" in problems[("analysis", "exclude_on", 0)]
    assert "names neither 'attention' nor 'manipulation'" in problems[("assignment", "count")]
