"""score(): reverse keying, scoring rules, min_valid, errors naming participant and item."""

import io

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.pandas import column, data_frames

from questionnaires import Item, Questionnaire, ScoringError, combine, load_questionnaire, score

ATTITUDE = load_questionnaire("attitude")  # att_2 and att_4 reverse-keyed, 7 points, min_valid 4
PK = load_questionnaire("persuasion_knowledge")  # pk_4 reverse-keyed, 7 points, min_valid 4
NAN = np.nan


def test_reverse_keying_against_hand_computed_attitude():
    data = pd.DataFrame(
        {
            "participant_id": ["a", "b", "c"],
            "att_1": [6, 2, 5],
            "att_2": [3, NAN, NAN],  # reverse: 8 - 3 = 5
            "att_3": [5, 3, NAN],
            "att_4": [2, 7, 1],  # reverse: 6, 1, 7
            "att_5": [7, 4, 6],
        }
    )
    scored = score(data, ATTITUDE)
    # Worked by hand:
    #   a: (6 + 5 + 5 + 6 + 7) / 5 = 29 / 5 = 5.8
    #   b: four items answered (min_valid 4): (2 + 3 + 1 + 4) / 4 = 2.5
    #   c: three items answered < min_valid 4 -> missing
    assert scored["attitude"].tolist()[:2] == pytest.approx([5.8, 2.5], abs=1e-12)
    assert np.isnan(scored["attitude"].iloc[2])


def test_reverse_keying_of_persuasion_knowledge():
    data = pd.DataFrame({"pk_1": [7, 1], "pk_2": [6, 2], "pk_3": [5, 1], "pk_4": [1, 7], "pk_5": [6, 1]})
    # p0: (7 + 6 + 5 + (8 - 1) + 6) / 5 = 31 / 5 = 6.2 ; p1: (1 + 2 + 1 + (8 - 7) + 1) / 5 = 1.2
    assert score(data, PK)["pk_scale"].tolist() == pytest.approx([6.2, 1.2], abs=1e-12)


def _sum_questionnaire(min_valid):
    items = [
        Item(id=f"s_{k}", type="likert", text={"en": f"S{k}"}, points=5, anchors={"en": ["No", "Yes"]},
             reverse=(k == 3))
        for k in (1, 2, 3)
    ]  # fmt: skip
    return Questionnaire(
        id="sums", title={"en": "Sums"}, source="test", languages=["en"], items=items,
        scales=[{"id": "total", "label": {"en": "Total"}, "items": ["s_1", "s_2", "s_3"],
                 "scoring": "sum", "min_valid": min_valid}],
        pages=[{"id": "p", "title": {"en": "P"}, "items": ["s_1", "s_2", "s_3"]}],
    )  # fmt: skip


def test_sum_scoring_is_prorated():
    data = pd.DataFrame({"s_1": [5, 4, 4], "s_2": [4, NAN, NAN], "s_3": [1, 2, NAN]})
    scored = score(data, _sum_questionnaire(min_valid=2))
    # p0: 5 + 4 + (6 - 1) = 14 ; p1: mean(4, 6 - 2) * 3 = 12 ; p2: one item < min_valid 2
    assert scored["total"].iloc[:2].tolist() == pytest.approx([14.0, 12.0], abs=1e-12)
    assert np.isnan(scored["total"].iloc[2])


def test_returns_a_copy_with_index_and_other_columns_untouched():
    data = pd.DataFrame(
        {"participant_id": ["x", "y"], "note": ["anything", "goes"], "real_1": [7, 7], "real_2": [7, 1],
         "real_3": [1, 1], "realism": ["old", "old"]},
        index=[10, 20],
    )  # fmt: skip
    before = data.copy()
    scored = score(data, load_questionnaire("realism"))
    pd.testing.assert_frame_equal(data, before)  # input not modified
    assert list(scored.index) == [10, 20]
    assert list(scored.columns) == list(data.columns)  # the existing scale column is replaced in place
    assert scored["realism"].tolist() == pytest.approx([5.0, 3.0])
    assert scored["note"].tolist() == ["anything", "goes"]


def test_modules_without_scales_add_nothing():
    data = pd.DataFrame({"mc_channel": ["public"], "age": [30]})
    q = combine(["manipulation_channel", "demographics"])
    pd.testing.assert_frame_equal(score(data, q), data)


def test_values_read_from_csv_text():
    csv = "participant_id,real_1,real_2,real_3\np1,7,6,5\np2,,,\np3, 2 ,3,\n"
    data = pd.read_csv(io.StringIO(csv), dtype=str)
    scored = score(data, load_questionnaire("realism"))
    assert scored["realism"].iloc[0] == pytest.approx(6.0)
    assert np.isnan(scored["realism"].iloc[1])
    assert scored["realism"].iloc[2] == pytest.approx(2.5)


def test_nullable_integer_columns():
    data = pd.DataFrame({f"real_{k}": pd.array([k, None], dtype="Int64") for k in (1, 2, 3)})
    assert score(data, load_questionnaire("realism"))["realism"].iloc[0] == pytest.approx(2.0)


@pytest.mark.parametrize(
    "bad, shown",
    [(8, "8"), (0, "0"), (3.5, "3.5"), ("seven", "'seven'")],
)
def test_bad_value_names_participant_and_item(bad, shown):
    data = pd.DataFrame({"participant_id": ["p01", "p02"], "att_1": [1, 1], "att_2": [1, 1],
                         "att_3": [1, bad], "att_4": [1, 1], "att_5": [1, 1]})  # fmt: skip
    with pytest.raises(ScoringError) as info:
        score(data, ATTITUDE)
    error = info.value
    assert (error.participant, error.item_id) == ("p02", "att_3")
    assert str(error) == (
        f"participant 'p02', item 'att_3': value {shown} is not a whole number from 1 to 7; "
        "correct it or leave it empty before scoring"
    )


def test_without_participant_id_the_row_index_is_named_and_others_counted():
    data = pd.DataFrame({"real_1": [1, 9, 9], "real_2": [1, 1, 1], "real_3": [1, 1, 1]}, index=["r1", "r2", "r3"])
    with pytest.raises(ScoringError, match=r"participant 'r2', item 'real_1': value 9 .*\(1 more wrong values"):
        score(data, load_questionnaire("realism"))


def test_missing_item_column_is_an_error():
    data = pd.DataFrame({"real_1": [1], "real_2": [1]})
    with pytest.raises(ScoringError, match="column 'real_3' is not in the data"):
        score(data, load_questionnaire("realism"))


def test_wrong_argument_types():
    with pytest.raises(TypeError, match="DataFrame"):
        score({"real_1": [1]}, load_questionnaire("realism"))
    with pytest.raises(TypeError, match="Questionnaire"):
        score(pd.DataFrame(), "realism")


def _independent_score(data, questionnaire, scale_id):
    """The same score written differently: recode with a lookup table, then DataFrame.mean."""
    scale = questionnaire.scale(scale_id)
    recoded = {}
    for item_id in scale.items:
        item = questionnaire.item(item_id)
        table = {p: (item.points + 1 - p if item.reverse else p) for p in range(1, item.points + 1)}
        recoded[item_id] = data[item_id].map(table)
    frame = pd.DataFrame(recoded)
    means = frame.mean(axis=1)
    return means.where(frame.count(axis=1) >= scale.min_valid)


answers_1_to_7 = st.one_of(st.none(), st.integers(1, 7))
attitude_frames = data_frames(
    [column(f"att_{k}", elements=answers_1_to_7, dtype=object) for k in range(1, 6)],
)


@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(attitude_frames)
def test_scores_within_range_and_equal_to_an_independent_computation(frame):
    frame = frame.astype(float)
    scored = score(frame, ATTITUDE)
    assert len(scored) == len(frame)
    values = scored["attitude"].dropna()
    assert values.between(1, 7).all()
    expected = _independent_score(frame, ATTITUDE, "attitude")
    np.testing.assert_allclose(scored["attitude"].to_numpy(), expected.to_numpy(dtype=float), rtol=0, atol=1e-12)
