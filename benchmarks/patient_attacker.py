"""What a patient attacker takes, without guards and with the federation's, and what denial costs.

One client, a 1,000/1,000 pool at 30 bps, 100-base rounds an hour apart (10 % of the pool:
the default spending bound). Each attack is searched over the attacker's sizes on the twins;
the best guarded take is replayed on the EVM, which must give the same number. Prints each
take as a multiple of the target (the deviation tolerance times the round's budget, k times
that for k rounds), the denial economics and how long an honest buy delays a payment, then
the walk over the anchor's drift (the choice of ``max_drift_bps``).

Run: ``.venv/bin/python benchmarks/patient_attacker.py`` (about a minute).
"""

from __future__ import annotations

import time

import numpy as np

from cst_ref.protocol.round_shares import round_shares
from cst_ref.scenarios import ClientAgent, RoundPlan, Scenario, run_market
from cst_ref.scenarios.attacks import stage_on
from cst_ref.scenarios.lineup import investors
from cst_ref.scenarios.patient import (
    BUDGET,
    denial,
    honest_buy,
    jit_before_observation,
    measure,
    pump_and_hold,
    split_front_run,
    walk,
)
from cst_ref.twins import DEFAULT_MAX_DEVIATION_BPS, RULE_BUYBACK_TO_CLIENT, RULE_INJECT, WAD, Guards, SystemConfig

HOLD_SIZES = [n * WAD // 10 for n in (95, 120, 150, 200, 250, 300, 400, 500, 700, 1_000, 2_000, 5_000)]
SIZES = [n * WAD // 10 for n in (10, 20, 50, 80, 95, 100, 150, 300, 1_000, 10_000, 1_000_000)]
TARGET = DEFAULT_MAX_DEVIATION_BPS / 10_000 * BUDGET / WAD
BUY, INJECT = RULE_BUYBACK_TO_CLIENT, RULE_INJECT


def best(script, rule, sizes=SIZES, **kw):
    return max((measure(script, size, rule, **kw).take, size) for size in sizes)


def row(name, script, rule, rounds=1, sizes=SIZES):
    bare, bare_size = best(script, rule, sizes, bare=True)
    guarded, size = best(script, rule, sizes)
    on_chain = measure(script, size, rule, backend="evm").take
    assert on_chain == guarded, (name, on_chain, guarded)
    print(f"{name:42} {bare:9.2f} ({bare_size / WAD:>9,.1f}) {guarded:7.2f} ({size / WAD:>7,.1f}) "
          f"{guarded / (rounds * TARGET):6.2f}")


def market_liveness(guards: Guards) -> tuple[int, float, float]:
    """Chapter 9's market: 5 clients, 10 buy-back rounds of 50, the investor line-up."""
    rng = np.random.default_rng(0)
    plans = tuple(RoundPlan(tuple(round_shares(rng.random(5) + 0.5)), 50 * WAD) for _ in range(10))
    scenario = Scenario("buyback", plans, SystemConfig(n_clients=5, treasury=20_000 * WAD), (1.0,) * 5,
                        guards=guards)
    market = run_market(scenario, [ClientAgent(i) for i in range(5)] + investors(5, per_kind=1), "twin", 0)
    records = [r for r in market.records if r]
    held = sum(1 for r in records for code in r.skipped if code)
    return held, sum(sum(r.amounts) for r in records) / WAD, sum(records[-1].owed) / WAD


def main() -> None:
    start = time.perf_counter()
    print(f"target: {TARGET:.2f} base a round (tolerance {DEFAULT_MAX_DEVIATION_BPS} bps x budget "
          f"{BUDGET / WAD:.0f}); takes in base, the attacker's size in brackets; EVM = twins checked\n")
    print(f"{'attack':42} {'no guard':>21} {'guarded':>17} {'/target':>6}")
    for delay in (1, 70, 600, 1_800, 3_599):
        row(f"buy-back: pump and hold, {delay} s after", pump_and_hold(delay), BUY)
    for delay in (1, 1_800):
        row(f"inject: pump and hold, {delay} s after", pump_and_hold(delay, INJECT), INJECT)
    for blocks in (2, 10):
        row(f"buy-back: front-run split over {blocks} blocks", split_front_run(blocks), BUY)
    row("inject: liquidity before the last observation", jit_before_observation, INJECT, rounds=2,
        sizes=[n * WAD for n in (1, 5, 10, 11, 20, 50, 100, 500)])
    for k in (2, 3, 5):
        row(f"buy-back: pump and hold through {k} rounds", pump_and_hold(1, BUY, k), BUY, rounds=k,
            sizes=sorted(set(SIZES + HOLD_SIZES)))
    for k in (1, 3, 5, 10):
        row(f"buy-back: walk over {k} rounds", walk(k), BUY, rounds=k)

    print("\ndenial: the attacker lifts the price past the guard in each round's block and sells after")
    for capital in (10, 50):
        outcome = measure(denial(10), capital * WAD, BUY)
        print(f"  {capital:>3} base a round for 10 rounds: costs the attacker {-outcome.take:.2f}, holds back "
              f"{outcome.held_back} rounds, {outcome.owed:.1f} owed when it stops; with 10 quiet rounds after, the "
              f"client receives {outcome.received:.2f} CST against {outcome.alone:.2f} for the same rounds left alone")

    print("\nan honest buy half-way through the hour: rounds until the client is paid again (1 = not delayed)")
    for amount in (10, 20.4, 40):
        print(f"  {amount:>5} base: {len(honest_buy(stage_on(), int(amount * WAD)))}")

    print("\nthe anchor's drift: holding a pump through 3 and 5 rounds (x target), the delay an honest 20.4-base")
    print("buy causes, and a 10-round market of 5 clients with investors: held-back parts, budget spent, owed at the end")
    for drift in (50, 100, 200, 300, 500):
        guards = Guards(max_drift_bps=drift)
        holds = [best(pump_and_hold(1, BUY, k), BUY, HOLD_SIZES, guards=guards)[0] / (k * TARGET) for k in (3, 5)]
        delay = len(honest_buy(stage_on(guards=guards), int(20.4 * WAD)))
        held, spent, owed = market_liveness(guards)
        print(f"  {drift:>4} bps: holds {holds[0]:.2f}, {holds[1]:.2f}; honest delay {delay}; market: {held} of 50 "
              f"held back, {spent:.0f} of 500 spent, {owed:.0f} owed")
    print(f"\n{time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
