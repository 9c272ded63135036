"""study.dataset.simulation: reproducible, effects in the configured direction, valid answers, varied reasons."""

import datetime as dt
import re

import numpy as np
import pandas as pd
import pytest

from questionnaires import score
from study.errors import UserError
from study.dataset.codebook import canonical_columns
from study.design.loader import load_study, shipped_studies
from study.dataset.codebook import MOTIVES
from study.dataset.simulation import load_phrasebank, simulate

LARGE_N = 4000


@pytest.fixture(scope="module")
def tilburg():
    return load_study("tilburg")


@pytest.fixture(scope="module")
def large(tilburg):
    return simulate(tilburg, n=LARGE_N, seed=2021)


def _binomial_tolerance(p, n, z=4.0):
    """Half-width of a z-sigma band for a binomial proportion (z = 4: false alarm < 1e-4)."""
    return z * np.sqrt(p * (1 - p) / n)


def test_same_seed_gives_byte_identical_csv(tilburg):
    first = simulate(tilburg, n=120, seed=7).to_csv(index=False)
    second = simulate(load_study("tilburg"), n=120, seed=7).to_csv(index=False)
    assert first == second


def test_different_seeds_differ(tilburg):
    a, b = simulate(tilburg, n=120, seed=7), simulate(tilburg, n=120, seed=8)
    assert a.to_csv(index=False) != b.to_csv(index=False)
    assert not a["att_1"].equals(b["att_1"])
    assert not a["reason"].equals(b["reason"])


def test_conditions_are_balanced_and_languages_drawn(large, tilburg):
    counts = large["condition"].value_counts()
    assert counts.max() - counts.min() <= 1
    assert (large["condition"] == large["channel"]).all()
    share_nl = (large["lang"] == "nl").mean()
    assert abs(share_nl - 0.5) < _binomial_tolerance(0.5, LARGE_N)
    only_en = simulate(tilburg, n=50, seed=3, lang="en")
    assert set(only_en["lang"]) == {"en"}


def test_attitude_higher_after_public_reply_small_effect(large):
    public = large.loc[large["channel"] == "public", "attitude"]
    private = large.loc[large["channel"] == "private", "attitude"]
    pooled_sd = np.sqrt((public.var() + private.var()) / 2)
    d = (public.mean() - private.mean()) / pooled_sd
    # the study file sets c' = 0.3 latent SD; the scale's measurement error shrinks it a bit
    assert 0.15 < d < 0.45


def test_persuasion_knowledge_higher_after_private_reply(large):
    means = large.groupby("channel")["pk_scale"].mean()
    assert means["private"] > means["public"]


def test_strategic_motives_recognised_in_both_conditions(large):
    motives = large["reason_true_motives"].str.split(";")
    strategic = motives.map(lambda ids: any(m in MOTIVES.strategic_ids for m in ids))
    share = strategic.groupby(large["channel"]).mean()
    assert (share > 0.3).all(), share
    by_condition = {
        channel: motives[large["channel"] == channel].explode().value_counts(normalize=True)
        for channel in ("public", "private")
    }
    assert by_condition["private"]["reputation_protection"] > by_condition["public"]["reputation_protection"]
    assert by_condition["public"]["image_showcase"] > by_condition["private"]["image_showcase"]


def test_strategic_thoughts_rise_with_persuasion_knowledge(large):
    strategic = large["reason_true_motives"].str.contains("reputation_protection|image_showcase")
    for channel in ("public", "private"):
        part = large["channel"] == channel
        r = np.corrcoef(large.loc[part, "pk_scale"], strategic[part].astype(float))[0, 1]
        assert r > 0.05, (channel, r)


def test_b_path_near_zero_by_default_and_follows_the_model(tilburg, large):
    def within_condition_r(data):
        centred = data.groupby("channel")[["attitude", "pk_scale"]].transform(lambda s: s - s.mean())
        return np.corrcoef(centred["attitude"], centred["pk_scale"])[0, 1]

    # b = 0 in the study file: r has SE about 1/sqrt(n) = 0.016
    assert abs(within_condition_r(large)) < 4 / np.sqrt(LARGE_N)
    strong_b = tilburg.model_copy(update={"simulation": tilburg.simulation.model_copy(update={"b": 0.8})})
    assert within_condition_r(simulate(strong_b, n=LARGE_N, seed=2021)) > 0.3


def test_attention_failure_rate_near_the_configured_rate(large, tilburg):
    correct = tilburg.checks.attention.correct
    rate = (large["attn_1"] != correct).mean()
    expected = tilburg.simulation.attention_failure_rate
    assert abs(rate - expected) < _binomial_tolerance(expected, LARGE_N)


def test_manipulation_check_mostly_correct(large, tilburg):
    right = (large["mc_channel"] == large["channel"]).mean()
    expected = tilburg.simulation.manipulation_correct_rate
    assert abs(right - expected) < _binomial_tolerance(expected, LARGE_N)
    assert set(large["mc_channel"]) == {"public", "private", "dont_remember"}


def test_reverse_keyed_items_are_stored_as_presented(large, tilburg):
    att = tilburg.questionnaire.scale("attitude")
    reversed_items = [i for i in att.items if tilburg.questionnaire.item(i).reverse]
    straight_items = [i for i in att.items if not tilburg.questionnaire.item(i).reverse]
    assert reversed_items and straight_items
    r = np.corrcoef(large[reversed_items[0]], large[straight_items[0]])[0, 1]
    assert r < -0.3  # presented with the poles swapped, so raw answers run the other way


def test_scored_columns_match_an_independent_computation(large, tilburg):
    questionnaire = tilburg.questionnaire
    for scale in questionnaire.scales:
        keyed = pd.DataFrame({
            item: (questionnaire.item(item).points + 1 - large[item]) if questionnaire.item(item).reverse
            else large[item]
            for item in scale.items
        })
        np.testing.assert_allclose(large[scale.id], keyed.mean(axis=1), rtol=0, atol=1e-12)
    rescored = score(large.drop(columns=[s.id for s in questionnaire.scales]), questionnaire)
    pd.testing.assert_series_equal(rescored["attitude"], large["attitude"])


def test_every_answer_is_valid_for_its_item(tilburg):
    from questionnaires import validate_answer

    data = simulate(tilburg, n=300, seed=12)
    for item in tilburg.questionnaire.items:
        for raw, lang in zip(data[item.id], data["lang"]):
            validate_answer(item, raw.item() if isinstance(raw, np.generic) else raw, lang)


def test_demographics_plausible(large):
    assert large["age"].between(18, 80).all()
    assert 25 < large["age"].mean() < 40
    assert large["gender"].isin(["woman", "man", "nonbinary", "prefer_not"]).all()
    assert large["gender"].value_counts(normalize=True)[["woman", "man"]].sum() > 0.85


def test_timestamps_are_iso_utc_and_ordered(large, tilburg):
    started = pd.to_datetime(large["started_at"], format="ISO8601", utc=True)
    completed = pd.to_datetime(large["completed_at"], format="ISO8601", utc=True)
    assert large["started_at"].str.endswith("+00:00").all()
    assert (completed > started).all()
    minutes = (completed - started).dt.total_seconds() / 60
    assert minutes.min() >= 3 and 5 < minutes.median() < 12
    start = pd.Timestamp(tilburg.simulation.fieldwork_start, tz="UTC")
    assert started.min() >= start
    assert started.max() < start + pd.Timedelta(days=tilburg.simulation.fieldwork_days)
    assert started.is_monotonic_increasing


def _normalise(text):
    return re.sub(r"[^\w' ]", "", text.lower()).strip()


def test_reasons_come_from_the_bank_of_the_true_motives_in_the_participant_language(tilburg):
    data = simulate(tilburg, n=400, seed=5)
    for text, motives, lang, channel in zip(data["reason"], data["reason_true_motives"],
                                            data["lang"], data["channel"]):
        bank = load_phrasebank(lang)["motives"]
        for motive in motives.split(";"):
            pools = bank[motive]
            phrasings = pools["any"] + pools.get(channel, [])
            assert any(_normalise(p)[1:] in _normalise(text) for p in phrasings), (text, motive, lang)
        assert len(text) >= 10


def test_reasons_are_varied(large):
    assert large["reason"].nunique() > 0.5 * len(large)
    assert large["reason_true_motives"].str.count(";").max() == 1  # at most two motives
    assert (large["reason_true_motives"].str.contains(";")).mean() > 0.05


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_phrase_bank_has_15_distinct_phrasings_per_motive(lang):
    bank = load_phrasebank(lang)
    assert bank["lang"] == lang
    assert set(bank["motives"]) == set(MOTIVES.ids)
    for motive, pools in bank["motives"].items():
        assert len({_normalise(p) for p in pools["any"]}) >= 15, motive
        every = [p for pool in pools.values() for p in pool]
        assert len(set(every)) == len(every), f"{motive}: a phrasing is listed twice"
    for part in ("openers", "connectors", "closers"):
        assert len(set(bank[part])) >= 5


def test_a_study_without_simulation_block_simulates_without_effects(tmp_path):
    text = shipped_studies()["tilburg"].read_text(encoding="utf-8")
    path = tmp_path / "study.yaml"
    path.write_text(text[: text.index("\nsimulation:")] + "\n", encoding="utf-8")
    study = load_study(path)
    data = simulate(study, n=LARGE_N, seed=9)
    assert list(data.columns) == canonical_columns(study, simulated=True)
    means = data.groupby("channel")["attitude"].mean()
    pooled_sd = data["attitude"].std()
    assert abs(means["public"] - means["private"]) / pooled_sd < 4 * np.sqrt(4 / LARGE_N)


def test_bad_arguments_raise_user_errors(tilburg):
    with pytest.raises(UserError, match="n must be"):
        simulate(tilburg, n=0, seed=1)
    with pytest.raises(UserError, match="seed must be"):
        simulate(tilburg, n=5, seed=-1)
    with pytest.raises(UserError, match="lang 'de'"):
        simulate(tilburg, n=5, seed=1, lang="de")
    with pytest.raises(UserError, match="needs a Study"):
        simulate("tilburg", n=5, seed=1)
