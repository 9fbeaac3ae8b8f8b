"""The patient attacker of ``cst_ref.scenarios.patient``: what pump and hold, split front-runs,
liquidity before the last observation and a walk over rounds take against the federation's
anchor, on the twins and the EVM alike, against a pool with no guard; and that a denial
only delays a reward, which later rounds pay."""

from __future__ import annotations

import pytest

from cst_ref.scenarios.attacks import stage_on
from cst_ref.scenarios.patient import (
    BUDGET,
    HOUR,
    denial,
    honest_buy,
    jit_before_observation,
    measure,
    pump_and_hold,
    split_front_run,
    walk,
)
from cst_ref.twins import DEFAULT_MAX_DEVIATION_BPS, RULE_BUYBACK_TO_CLIENT, RULE_INJECT, WAD

TARGET = DEFAULT_MAX_DEVIATION_BPS / 10_000 * BUDGET / WAD  # 2 base a round
SIZES = [n * WAD // 10 for n in (20, 50, 95, 100, 150, 1_000, 1_000_000)]


def best(script, rule, **kw):
    return max((measure(script, size, rule, **kw).take, size) for size in SIZES)


@pytest.mark.parametrize("delay", [1, 70, 1_800, HOUR - 1])
def test_pump_and_hold_takes_less_than_the_tolerance_at_every_delay(delay):
    take, _ = best(pump_and_hold(delay), RULE_BUYBACK_TO_CLIENT)
    bare, size = best(pump_and_hold(delay), RULE_BUYBACK_TO_CLIENT, bare=True)
    assert 0 < take < TARGET
    assert bare == pytest.approx(94.02, abs=0.01) and size == 100_000 * WAD  # the figure of the issue


def test_a_held_pump_is_held_back_and_paid_once_the_price_returns():
    outcome = measure(pump_and_hold(70), 1_000 * WAD, RULE_BUYBACK_TO_CLIENT)
    assert outcome.held_back == 1 and outcome.owed == 100.0 and outcome.take < 0
    assert outcome.received == pytest.approx(outcome.alone, rel=0.02)  # the quiet rounds paid it


def test_the_evm_takes_what_the_twins_compute():
    for script, rule in ((pump_and_hold(70), RULE_BUYBACK_TO_CLIENT), (split_front_run(3), RULE_INJECT)):
        assert measure(script, 9_500 * WAD // 1_000, rule, backend="evm") == measure(script, 9_500 * WAD // 1_000, rule)


def test_inject_and_split_front_runs_stay_within_the_tolerance():
    assert best(pump_and_hold(70, RULE_INJECT), RULE_INJECT)[0] < TARGET
    assert best(split_front_run(10), RULE_BUYBACK_TO_CLIENT)[0] < TARGET


def test_liquidity_added_before_the_last_observation_is_accepted_one_percent_a_round():
    small = measure(jit_before_observation, 10 * WAD, RULE_INJECT)
    large = measure(jit_before_observation, 500 * WAD, RULE_INJECT)
    bare = measure(jit_before_observation, 500 * WAD, RULE_INJECT, bare=True)
    assert small.held_back == 0 and 0 < small.take <= 2 * TARGET / 2  # 1 % of two injects
    assert large.held_back == 2 and large.owed == 200.0 and abs(large.take) < 1e-9
    assert bare.take == pytest.approx(66.67, abs=0.01)


def test_a_walk_takes_what_an_investor_earns_with_no_guard_at_all():
    """Buying a little after each round and holding is investing: the same purchases against a
    pool with no guard take exactly as much, and no round was held back."""
    outcome = measure(walk(5), 5 * WAD, RULE_BUYBACK_TO_CLIENT)
    assert outcome.held_back == 0
    assert outcome.take == measure(walk(5), 5 * WAD, RULE_BUYBACK_TO_CLIENT, bare=True).take > 0
    assert best(walk(5), RULE_BUYBACK_TO_CLIENT)[0] < best(walk(5), RULE_BUYBACK_TO_CLIENT, bare=True)[0] / 10


def test_a_denial_costs_its_fees_and_only_delays_the_reward():
    outcome = measure(denial(3), 10 * WAD, RULE_BUYBACK_TO_CLIENT)
    assert outcome.take < 0 and outcome.held_back == 3 and outcome.owed > 299
    stage = stage_on()
    denial(3)(stage, 10 * WAD)
    owed = [stage.backend.owed(0)]
    while owed[-1] and len(owed) < 10:  # each round pays its own part and some of the debt
        stage.wait(HOUR)
        stage.round(RULE_BUYBACK_TO_CLIENT, BUDGET, 50)
        owed.append(stage.backend.owed(0))
    assert owed[-1] == 0 and all(a > b for a, b in zip(owed, owed[1:]))


def test_an_honest_buy_delays_the_client_a_few_rounds():
    assert [len(honest_buy(stage_on(), int(a * WAD))) for a in (0, 10, 20.4, 40)] == [1, 2, 3, 4]


@pytest.mark.parametrize(("factory", "bad", "message"), [
    (pump_and_hold, 0, "delay must be positive"), (pump_and_hold, HOUR, "delay must be below an hour"),
    (walk, 0, "rounds must be positive"), (split_front_run, -1, "blocks must be positive"),
    (denial, 0, "rounds must be positive")])
def test_bad_arguments_are_refused(factory, bad, message):
    with pytest.raises(ValueError, match=message):
        factory(bad)
