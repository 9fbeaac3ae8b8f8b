"""The patient attacker: moves a pool long before a round and waits for it.

A guard that compares the spot price with the TWAP since the last round is walked around
by moving the price right after a round and holding it: by the next round the TWAP agrees
with the spot. A CST has no outside market, so no arbitrageur pulls a held price back. The
federation therefore accepts an anchor price that a round may raise by at most
``max_drift_bps`` and holds a part back (owed, paid later) while the spot lies more than
``max_deviation_bps`` above it. Each script below runs on a :class:`Stage` (twins or EVM, or
a :class:`BareStage` with no guard) and returns an :class:`Outcome`; the same rounds left
alone give the victim's baseline.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cst_ref.checks import check_int
from cst_ref.twins import RULE_BUYBACK_TO_CLIENT, RULE_INJECT, WAD, Guards

from .attacks import ATTACKER, Stage, _value, stage_on

HOUR = 3_600
"""Seconds between two rounds."""
BLOCK = 12
BUDGET = 100 * WAD
"""One round's budget: 10 % of the stage's 1,000-base pool, the default spending bound."""
TOLERANCE_BPS = 50
SETTLE_ROUNDS = 10
"""Quiet rounds after an attack: enough to pay what ten held-back rounds left owed."""


@dataclass(frozen=True)
class Outcome:
    """An attacked run of rounds against the same rounds left alone.

    ``take`` is the attacker's gain in base tokens, what it still holds marked to the final
    spot price; ``received`` and ``alone`` are what the client got with and without the
    attack (CST bought for it under buy-back, base added to its pool under inject), over the
    attacked rounds and the quiet rounds after them; ``owed`` is what the federation owed it
    when the attack ended and ``held_back`` how many attacked rounds did not pay it in full."""

    take: float
    received: float
    alone: float
    owed: float
    held_back: int


Script = Callable[[Stage, int], list]
"""An attack of a given size: plays its rounds on a stage and returns their records."""


def _received(records: list, rule: int) -> float:
    field = "amounts" if rule == RULE_INJECT else "tokens_out"
    return sum(getattr(r, field)[0] for r in records if r is not None) / WAD


def measure(
    script: Callable[[Stage, int], list],
    size: int,
    rule: int,
    backend: str = "twin",
    bare: bool = False,
    guards: Guards | None = None,
) -> Outcome:
    """Play ``script`` of ``size`` on a fresh stage (``guards``: see ``stage_on``) and with
    size 0 (the rounds alone), then in both the same ``SETTLE_ROUNDS`` quiet rounds, which
    pay what the attack only delayed: ``received`` counts what every round bought."""
    attacked, alone = stage_on(backend, guards, bare), stage_on(backend, guards, bare)
    before = attacked.wealth(ATTACKER)
    records = script(attacked, size)
    held = sum(1 for r in records if r.skipped[0])
    owed = 0 if bare else attacked.backend.owed(0)
    base, cst = attacked.given.get(ATTACKER, (0, 0))
    take = _value(attacked, ATTACKER, before) - (base + cst * attacked.spot()) / WAD
    records += _quiet_rounds(attacked, rule)
    baseline = script(alone, 0) + _quiet_rounds(alone, rule)
    return Outcome(take, _received(records, rule), _received(baseline, rule), owed / WAD, held)


def _quiet_rounds(stage: Stage, rule: int) -> list:
    """``SETTLE_ROUNDS`` rounds an hour apart with nobody trading."""
    records = []
    for _ in range(SETTLE_ROUNDS):
        stage.wait(HOUR)
        records.append(stage.round(rule, BUDGET, TOLERANCE_BPS))
    return records


def _buy(stage: Stage, capital: int) -> int:
    if not capital:
        return 0
    stage.give(ATTACKER, capital, 0)
    return stage.buy(ATTACKER, capital)


def _sell_all(stage: Stage) -> None:
    held = stage.wealth(ATTACKER)[1]
    if held:
        stage.sell(ATTACKER, held)


def pump_and_hold(delay: int, rule: int = RULE_BUYBACK_TO_CLIENT, rounds: int = 1) -> Script:
    """``delay`` seconds after the last observation the attacker buys CST with the size's
    base; it holds through ``rounds`` rounds an hour apart (the first an hour after the
    observation), then sells everything."""
    check_int("delay", delay, positive=True)
    check_int("rounds", rounds, positive=True)
    if delay >= HOUR:
        raise ValueError(f"delay must be below an hour ({HOUR} s), got {delay}")

    def script(stage: Stage, capital: int) -> list:
        stage.wait(delay)
        _buy(stage, capital)
        stage.wait(HOUR - delay)
        records = [stage.round(rule, BUDGET, TOLERANCE_BPS)]
        for _ in range(rounds - 1):
            stage.wait(HOUR)
            records.append(stage.round(rule, BUDGET, TOLERANCE_BPS))
        _sell_all(stage)
        return records

    return script


def walk(rounds: int, rule: int = RULE_BUYBACK_TO_CLIENT) -> Script:
    """Right after the observation, and after each of ``rounds`` rounds an hour apart, the
    attacker buys CST with the size's base once more and holds it all; after the last round
    it sells everything."""
    check_int("rounds", rounds, positive=True)

    def script(stage: Stage, step: int) -> list:
        records = []
        for _ in range(rounds):
            stage.wait(1)
            _buy(stage, step)
            stage.wait(HOUR - 1)
            records.append(stage.round(rule, BUDGET, TOLERANCE_BPS))
        _sell_all(stage)
        return records

    return script


def split_front_run(blocks: int, rule: int = RULE_BUYBACK_TO_CLIENT) -> Script:
    """The attacker buys CST with the size's base in ``blocks`` equal parts, one a block, in
    the blocks before the round; it sells everything right after the round."""
    check_int("blocks", blocks, positive=True)

    def script(stage: Stage, capital: int) -> list:
        stage.wait(HOUR - blocks * BLOCK)
        for _ in range(blocks):
            _buy(stage, capital // blocks)
            stage.wait(BLOCK)
        record = stage.round(rule, BUDGET, TOLERANCE_BPS)
        _sell_all(stage)
        return [record]

    return script


def jit_before_observation(stage: Stage, deposit: int) -> list:
    """The attacker deposits ``deposit`` base (and the CST it takes) as liquidity just
    before an inject round, stays through the next inject round an hour later and then
    withdraws: the deposit sat in the pool at the first round's observation."""
    if deposit:
        stage.give(ATTACKER, deposit, deposit)
    shares = stage.add_liquidity(ATTACKER, deposit, deposit) if deposit else 0
    first = stage.round(RULE_INJECT, BUDGET, TOLERANCE_BPS)
    stage.wait(HOUR)
    second = stage.round(RULE_INJECT, BUDGET, TOLERANCE_BPS)
    if shares:
        stage.remove_liquidity(ATTACKER, shares)
    return [first, second]


def denial(rounds: int, rule: int = RULE_BUYBACK_TO_CLIENT) -> Script:
    """For ``rounds`` rounds an hour apart the attacker buys CST with the size's base in the
    round's block and sells it all right after: a part held back each time."""
    check_int("rounds", rounds, positive=True)

    def script(stage: Stage, capital: int) -> list:
        records = []
        for _ in range(rounds):
            stage.wait(HOUR)
            _buy(stage, capital)
            records.append(stage.round(rule, BUDGET, TOLERANCE_BPS))
            _sell_all(stage)
        return records

    return script


def honest_buy(stage: Stage, amount: int) -> list:
    """An investor (here the attacker's account, with no intent) buys CST with ``amount``
    base half an hour after the observation and keeps it; rounds follow each hour until
    the client is paid something again, at most five."""
    stage.wait(HOUR // 2)
    if amount:
        stage.give(ATTACKER, amount, 0)
        stage.buy(ATTACKER, amount)
    stage.wait(HOUR // 2)
    records = []
    for _ in range(5):
        records.append(stage.round(RULE_BUYBACK_TO_CLIENT, BUDGET, TOLERANCE_BPS))
        if records[-1].amounts[0]:
            break
        stage.wait(HOUR)
    return records


__all__ = [
    "BUDGET",
    "HOUR",
    "Outcome",
    "denial",
    "honest_buy",
    "jit_before_observation",
    "measure",
    "pump_and_hold",
    "split_front_run",
    "walk",
]
