"""study.flag_exclusions: per-check flags, missing answers fail, exclude follows exclude_on."""

import pandas as pd
import pytest

from study.errors import UserError
from study.dataset.exclusions import flag_exclusions
from study.design.loader import load_study


@pytest.fixture(scope="module")
def two_by_two():
    return load_study("webcare-2x2")


def test_each_manipulation_check_is_matched_to_the_participants_level(two_by_two):
    data = pd.DataFrame({
        "channel": ["public", "private", "private", "public", "public"],
        "empathy": ["empathic", "neutral", "empathic", "neutral", "neutral"],
        "mc_channel": ["public", "private", "private", "private", "public"],
        "mc_empathy": ["empathic", "neutral", "dont_remember", "neutral", None],
        "attn_1": [5, 5, 5, 5, 5],
    })
    flagged = flag_exclusions(data, two_by_two)
    assert flagged["manipulation_passed"].tolist() == [True, True, False, False, False]
    assert flagged["attention_passed"].all()
    # exclude_on is [attention] in the shipped file: manipulation failures stay in
    assert not flagged["exclude"].any()
    assert list(flagged.columns[:5]) == list(data.columns)  # original columns untouched


def test_attention_answers_from_a_csv_and_missing_answers(two_by_two):
    data = pd.DataFrame({"channel": ["public"] * 4, "empathy": ["neutral"] * 4,
                         "mc_channel": ["public"] * 4, "mc_empathy": ["neutral"] * 4,
                         "attn_1": ["5", 5.0, None, 4]})
    flagged = flag_exclusions(data, two_by_two)
    assert flagged["attention_passed"].tolist() == [True, True, False, False]
    assert flagged["exclude"].tolist() == [False, False, True, True]
    assert flagged["exclude"].dtype == bool


def test_exclude_on_manipulation_too(two_by_two):
    strict = two_by_two.model_copy(update={
        "analysis": two_by_two.analysis.model_copy(update={"exclude_on": ["attention", "manipulation"]})})
    data = pd.DataFrame({"channel": ["public", "public"], "empathy": ["neutral", "neutral"],
                         "mc_channel": ["public", "private"], "mc_empathy": ["neutral", "neutral"],
                         "attn_1": [5, 5]})
    assert flag_exclusions(data, strict)["exclude"].tolist() == [False, True]


def test_missing_column_is_a_user_error(two_by_two):
    with pytest.raises(UserError, match="mc_empathy"):
        flag_exclusions(pd.DataFrame({"channel": ["public"], "empathy": ["neutral"],
                                      "mc_channel": ["public"], "attn_1": [5]}), two_by_two)
