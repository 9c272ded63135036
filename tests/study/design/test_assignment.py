"""Random assignment: balance bounds, reproducibility, uniformity, input checks."""

from datetime import datetime, timedelta, timezone

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from study.design.assignment import (
    SCHEMES,
    active_counts,
    fills_condition,
    assign_condition,
    assignment_sequence,
    permuted_block,
)

condition_lists = st.integers(min_value=1, max_value=6).map(
    lambda k: [f"cond_{i}" for i in range(k)]
)
seeds = st.integers(min_value=0, max_value=2**32 - 1)
FAST = settings(max_examples=60, deadline=None)


# --- balance bounds ----------------------------------------------------------

@FAST
@given(conditions=condition_lists, seed=seeds, n=st.integers(1, 80))
def test_balanced_completes_keeps_spread_at_most_one_when_everyone_completes(conditions, seed, n):
    counts = dict.fromkeys(conditions, 0)
    for index in range(n):
        chosen = assign_condition(
            "balanced_completes", conditions, counts=counts, n_assigned=index, seed=seed
        )
        counts[chosen] += 1
        assert max(counts.values()) - min(counts.values()) <= 1


@FAST
@given(
    conditions=condition_lists,
    seed=seeds,
    repeats=st.integers(1, 4),
    n_blocks=st.integers(1, 6),
)
def test_permuted_blocks_balanced_at_block_ends_and_bounded_between(conditions, seed, repeats, n_blocks):
    k = len(conditions)
    block_size = k * repeats
    counts = dict.fromkeys(conditions, 0)
    for index in range(block_size * n_blocks):
        chosen = assign_condition(
            "permuted_blocks", conditions, counts=None, n_assigned=index,
            seed=seed, block_size=block_size,
        )
        counts[chosen] += 1
        spread = max(counts.values()) - min(counts.values())
        assert spread <= repeats
        if (index + 1) % block_size == 0:
            blocks_done = (index + 1) // block_size
            assert set(counts.values()) == {blocks_done * repeats}


def test_permuted_blocks_default_block_size_is_twice_the_conditions():
    conditions = ["a", "b", "c"]
    sequence = assignment_sequence("permuted_blocks", conditions, 12, seed=9)
    for start in (0, 6):
        block = sequence[start:start + 6]
        assert sorted(block) == ["a", "a", "b", "b", "c", "c"]
    assert sequence[:6] == permuted_block(conditions, block_index=0, seed=9)


def test_permuted_blocks_are_not_all_the_same_permutation():
    blocks = {tuple(permuted_block(["a", "b"], block_index=i, seed=3, block_size=4)) for i in range(30)}
    assert len(blocks) > 1  # 6 possible orders; 30 identical blocks would mean no shuffling


def test_balanced_completes_counts_in_progress_and_ignores_timed_out():
    now = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)
    rows = [
        ("public", "complete", now - timedelta(hours=5)),
        ("public", "in_progress", now - timedelta(minutes=5)),
        ("private", "complete", now - timedelta(hours=4)),
        ("private", "in_progress", now - timedelta(minutes=45)),  # timed out
        ("private", "declined", now - timedelta(minutes=1)),
    ]
    counts = active_counts(rows, ["public", "private"], now=now, timeout_minutes=30)
    assert counts == {"public": 2, "private": 1}
    chosen = assign_condition(
        "balanced_completes", ["public", "private"], counts=counts, n_assigned=5, seed=1
    )
    assert chosen == "private"


def test_a_place_is_kept_by_idle_time_not_by_time_since_the_start():
    # The one rule: an in-progress participant fills a condition until timeout_minutes
    # pass without a request, however long ago they started.
    now = 1_780_000_000.0  # seconds since the epoch, as the survey database stores times
    slow_but_active = ("a", "in_progress", now - 60 * 5)  # started hours ago, last request 5 min ago
    idle = ("b", "in_progress", now - 60 * 31)
    assert active_counts([slow_but_active, idle], ["a", "b"], now=now, timeout_minutes=30) == {"a": 1, "b": 0}
    assert fills_condition("in_progress", now - 60 * 29.9, now=now, timeout_minutes=30)
    assert not fills_condition("in_progress", now - 60 * 30, now=now, timeout_minutes=30)
    assert fills_condition("complete", None, now=now)
    assert not fills_condition("timed_out", now, now=now)


def test_active_counts_treats_naive_times_as_utc():
    now = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)
    rows = [("a", "in_progress", "2026-03-01T11:45:00"), ("a", "in_progress", "2026-03-01T13:45:00+02:00")]
    # 11:45 UTC is 15 minutes old; 13:45+02:00 is 11:45 UTC as well.
    assert active_counts(rows, ["a", "b"], now=now, timeout_minutes=20) == {"a": 2, "b": 0}
    assert active_counts(rows, ["a", "b"], now=now, timeout_minutes=10) == {"a": 0, "b": 0}


# --- reproducibility -----------------------------------------------------------

@FAST
@given(
    scheme=st.sampled_from(SCHEMES),
    conditions=condition_lists,
    seed=seeds,
    n_assigned=st.integers(0, 10_000),
    data=st.data(),
)
def test_same_inputs_give_the_same_condition(scheme, conditions, seed, n_assigned, data):
    counts = {c: data.draw(st.integers(0, 3), label=c) for c in conditions}
    kwargs = dict(counts=counts, n_assigned=n_assigned, seed=seed)
    first = assign_condition(scheme, conditions, **kwargs)
    assert first in conditions
    assert all(assign_condition(scheme, list(conditions), **kwargs) == first for _ in range(3))


@pytest.mark.parametrize("scheme", SCHEMES)
def test_different_seeds_give_different_sequences(scheme):
    conditions = ["public", "private"]
    sequences = {tuple(assignment_sequence(scheme, conditions, 40, seed=s)) for s in range(5)}
    # Two sequences of 40 coinciding by chance has probability of order 2**-20.
    assert len(sequences) == 5


@pytest.mark.parametrize("scheme", SCHEMES)
def test_same_seed_gives_the_same_sequence(scheme):
    conditions = ["public-empathic", "public-neutral", "private-empathic", "private-neutral"]
    assert assignment_sequence(scheme, conditions, 50, seed=77) == assignment_sequence(
        scheme, conditions, 50, seed=77
    )


def test_balanced_completes_tie_break_uses_every_tied_condition():
    conditions = ["a", "b", "c", "d"]
    chosen = {
        assign_condition("balanced_completes", conditions, counts={"a": 1}, n_assigned=i, seed=0)
        for i in range(200)
    }
    assert chosen == {"b", "c", "d"}


# --- uniformity of complete randomisation -------------------------------------

def _chi_square_p(draws, conditions):
    observed = [draws.count(c) for c in conditions]
    return stats.chisquare(observed).pvalue


@pytest.mark.parametrize("seed", [0, 1, 2021])
def test_complete_randomisation_is_roughly_uniform(seed):
    conditions = ["a", "b", "c", "d"]
    draws = [
        assign_condition("complete", conditions, counts=None, n_assigned=i, seed=seed)
        for i in range(4000)
    ]
    # Tolerance: reject uniformity only at p < 0.001 (a fair generator fails 1 in 1000 seeds).
    assert _chi_square_p(draws, conditions) > 1e-3
    # and each share within 0.03 of 1/4 (binomial sd at n=4000 is 0.0068, so > 4 sd).
    shares = np.array([draws.count(c) for c in conditions]) / len(draws)
    assert np.all(np.abs(shares - 0.25) < 0.03)


def test_chi_square_check_detects_a_biased_sequence():
    conditions = ["a", "b", "c", "d"]
    biased = ["a"] * 1150 + ["b"] * 1000 + ["c"] * 925 + ["d"] * 925
    assert _chi_square_p(biased, conditions) < 1e-3


def test_complete_randomisation_is_not_balanced_by_construction():
    # Unlike the other schemes, the counts drift: over many participants some
    # prefix must be off by more than one.
    sequence = assignment_sequence("complete", ["a", "b"], 200, seed=4)
    spreads = [abs(sequence[:i].count("a") - sequence[:i].count("b")) for i in range(1, 201)]
    assert max(spreads) > 1


# --- input checks -------------------------------------------------------------

@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(scheme="stratified"), "scheme must be one of .*'stratified'"),
        (dict(conditions=[]), "conditions is empty"),
        (dict(conditions="public"), "conditions must be a list"),
        (dict(conditions=["a", "a"]), "duplicates \\['a'\\]"),
        (dict(counts={"a": 1, "zzz": 2}), "unknown conditions \\['zzz'\\]"),
        (dict(counts={"a": -1}), "counts\\['a'\\] must be an integer >= 0, got -1"),
        (dict(counts=None), "counts is required"),
        (dict(n_assigned=-1), "n_assigned must be an integer >= 0, got -1"),
        (dict(n_assigned=1.5), "n_assigned must be an integer"),
        (dict(seed=-3), "seed must be an integer >= 0, got -3"),
        (dict(scheme="permuted_blocks", block_size=3), "block_size must be a multiple .*\\(2\\), got 3"),
        (dict(scheme="permuted_blocks", block_size=0), "block_size must be an integer >= 1, got 0"),
        (dict(scheme="complete", counts={"b": 1, "x": 0}), "unknown conditions \\['x'\\]"),
    ],
)
def test_bad_input_raises_value_error_naming_parameter_and_value(kwargs, message):
    arguments = dict(
        scheme="balanced_completes", conditions=["a", "b"], counts={"a": 0, "b": 0},
        n_assigned=0, seed=1,
    )
    arguments.update(kwargs)
    scheme = arguments.pop("scheme")
    conditions = arguments.pop("conditions")
    with pytest.raises(ValueError, match=message):
        assign_condition(scheme, conditions, **arguments)


def test_block_size_ignored_by_other_schemes():
    assert assign_condition("complete", ["a", "b", "c"], counts=None, n_assigned=0, seed=0, block_size=4) in "abc"


@pytest.mark.parametrize(
    ("rows", "kwargs", "message"),
    [
        ([("zzz", "complete", None)], {}, "participants\\[0\\] has unknown condition 'zzz'"),
        ([("a", "complete")], {}, "participants\\[0\\] must be \\(condition, status, last_seen_at\\)"),
        ([("a", "in_progress", "yesterday")], {}, "participants\\[0\\] last_seen_at is not an ISO 8601 time"),
        ([], {"timeout_minutes": 0}, "timeout_minutes must be a positive number, got 0"),
        ([], {"now": None}, "now must be a datetime, an ISO 8601 string or seconds since the epoch"),
    ],
)
def test_active_counts_bad_input(rows, kwargs, message):
    arguments = {"now": "2026-01-01T00:00:00+00:00", **kwargs}
    with pytest.raises(ValueError, match=message):
        active_counts(rows, ["a", "b"], **arguments)


@pytest.mark.parametrize("name", ["tilburg", "webcare-2x2", "tone-of-reply"])
def test_shipped_study_assignment_settings_are_usable(name):
    from study.design.loader import load_study

    study = load_study(name)
    settings_ = study.assignment
    sequence = assignment_sequence(
        settings_.scheme, study.condition_names, study.target_n,
        seed=settings_.seed, block_size=settings_.block_size,
    )
    counts = [sequence.count(c) for c in study.condition_names]
    assert sum(counts) == study.target_n
    if settings_.scheme != "complete":
        # Balanced schemes: within one block's repeats (or 1 for balanced_completes).
        k = len(study.condition_names)
        allowed = (settings_.block_size or 2 * k) // k if settings_.scheme == "permuted_blocks" else 1
        assert max(counts) - min(counts) <= allowed
