"""Three ways to skim a round's reward, measured before and after the federation's guards.

Each attack is a short script against :class:`Stage`: client 0's market and the federation
of a one-client system on a ``cst_ref.protocol`` backend. The same script runs on the twins
(to search the attacker's best size quickly) and on the EVM (to confirm the number).

A fourth attack of earlier versions, the client draining its own pool before a buy-back so
that the next seller takes the budget, is gone: the pool's seed LP shares are locked in the
federation, so no client holds liquidity to withdraw. What a client can still do to its
investors, sell everything it holds, is measured in ``cst_ref.scenarios.rug_pull``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

from cst_ref.protocol.backends import Backend, labelled_address, make_backend
from cst_ref.twins import (
    GUARD_OFF,
    RULE_BUYBACK_TO_CLIENT,
    RULE_INJECT,
    RULE_MINT,
    SHARE_SCALE,
    WAD,
    Guards,
    SystemConfig,
)

NO_GUARDS = Guards(GUARD_OFF, GUARD_OFF, GUARD_OFF)
UNBOUNDED = 10_000
"""``tolerance_bps`` that sends no buy-back bound."""

ATTACKER = labelled_address("attacker")
WAIT = 600
"""Seconds between the last observation and the attack: the TWAP's window."""

STAGE_SYSTEM = SystemConfig(n_clients=1)
"""One client: 1,000 CST / 1,000 base at 30 bps."""


class Stage:
    """Client 0's market and the federation, as an attacker and the operator see them.

    The client's own supply vests over rounds, so a new stage pays it ``client_supply`` CST
    in a mint round at once: a mint moves neither the pool nor the federation's observation,
    and the client holds tokens to trade (or lend to an attacker) from the first block.
    """

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.client = backend.accounts[0]
        backend.execute(backend.prepare(RULE_MINT, [SHARE_SCALE], STAGE_SYSTEM.client_supply))

    def buy(self, account: str, base: int) -> int:
        return self.backend.swap(account, 0, "base", base)

    def sell(self, account: str, cst: int) -> int:
        return self.backend.swap(account, 0, "cst", cst)

    def add_liquidity(self, account: str, cst: int, base: int) -> int:
        return self.backend.add_liquidity(account, 0, cst, base)

    def remove_liquidity(self, account: str, shares: int) -> None:
        self.backend.remove_liquidity(account, 0, shares)

    def give(self, account: str, base: int, cst: int) -> None:
        """``account`` receives fresh base tokens and CST from the client's."""
        self.backend.mint_base(account, base)
        if cst:
            self.backend.transfer_cst(0, self.client, account, cst)

    def wealth(self, account: str) -> tuple[int, int, int]:
        held = self.backend.holdings(account)
        return held.base, held.cst[0], held.lp[0]

    def spot(self) -> float:
        reserve_token, reserve_base = self.backend.reserves(0)
        return reserve_base / reserve_token

    def round(self, rule: int, budget: int, tolerance_bps: int):
        return self.backend.execute(self.backend.prepare(rule, [SHARE_SCALE], budget, tolerance_bps))[0]

    def wait(self, seconds: int) -> None:
        self.backend.advance(seconds)


def _value(stage: Stage, account: str, before: tuple[int, int, int]) -> float:
    """Change of ``account``'s base and CST, the CST valued at the final spot price, in tokens."""
    base, cst, _ = stage.wealth(account)
    return (base - before[0] + (cst - before[1]) * stage.spot()) / WAD


def inject_front_run(stage: Stage, capital: int, budget: int = 100 * WAD) -> float:
    """Buy CST with ``capital`` base just before an inject round, sell it all just after."""
    stage.give(ATTACKER, capital, 0)
    before = stage.wealth(ATTACKER)
    bought = stage.buy(ATTACKER, capital)
    stage.round(RULE_INJECT, budget, UNBOUNDED)
    stage.sell(ATTACKER, bought)
    return _value(stage, ATTACKER, before)


def inject_jit_liquidity(stage: Stage, deposit: int, budget: int = 100 * WAD) -> float:
    """Add ``deposit`` CST and base as liquidity just before an inject round, withdraw just after."""
    stage.give(ATTACKER, deposit, deposit)
    before = stage.wealth(ATTACKER)
    shares = stage.add_liquidity(ATTACKER, deposit, deposit)
    stage.round(RULE_INJECT, budget, UNBOUNDED)
    stage.remove_liquidity(ATTACKER, shares)
    return _value(stage, ATTACKER, before)


def buyback_sandwich(stage: Stage, capital: int, budget: int = 100 * WAD,
                     tolerance_bps: int = UNBOUNDED) -> float:
    """Buy CST with ``capital`` base before a buy-back round and sell it after (the quote,
    and so each bound, is taken after the front-run: the operator cannot see it coming)."""
    stage.give(ATTACKER, capital, 0)
    before = stage.wealth(ATTACKER)
    bought = stage.buy(ATTACKER, capital)
    stage.round(RULE_BUYBACK_TO_CLIENT, budget, tolerance_bps)
    stage.sell(ATTACKER, bought)
    return _value(stage, ATTACKER, before)


def play(attack: Callable[[Stage, int], float], size: int, guards: Guards | None, backend: str = "model") -> float:
    """``attack`` of ``size`` on a fresh one-client system on ``backend`` whose guards are
    ``guards`` (``None``: the contract's defaults), ``WAIT`` seconds after the last observation."""
    stage = Stage(make_backend(backend, STAGE_SYSTEM))
    if guards is not None:
        stage.backend.set_guards(guards)
    stage.wait(WAIT)
    return attack(stage, size)


def best_take(attack: Callable[[Stage, int], float], sizes: Sequence[int], guards: Guards | None) -> tuple[float, int]:
    """The attacker's best result on the twins over ``sizes``, and the size that gives it."""
    return max((play(attack, size, guards), size) for size in sizes)


ATTACKS: dict[str, Callable[[Stage, int], float]] = {
    "inject front-run": inject_front_run,
    "just-in-time liquidity": inject_jit_liquidity,
    "buy-back sandwich": buyback_sandwich,
}
"""Every attack by name, as ``best_take`` calls it."""

ATTACK_SIZES = [n * WAD for n in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 100_000)]
"""The attacker's capital (or deposit of each token) tried; a liquidity provider deposits CST
from the client's 1,000, so just-in-time liquidity tries at most 500."""

Take = tuple[float, int]
"""What an attacker takes (base tokens) and the size that takes it."""


def guard_effect(names: Iterable[str] = tuple(ATTACKS)) -> dict[str, tuple[Take, Take]]:
    """Each named attack's best take on the twins without guards and with the defaults."""
    effect = {}
    for name in names:
        sizes = [s for s in ATTACK_SIZES if s <= 500 * WAD] if name == "just-in-time liquidity" else ATTACK_SIZES
        before, after = (best_take(ATTACKS[name], sizes, guards) for guards in (NO_GUARDS, None))
        effect[name] = (before, after)
    return effect


def confirm_on_chain(effect: Mapping[str, tuple[Take, Take]]) -> bool:
    """Replay every take of :func:`guard_effect` on the EVM: true when the contracts take
    exactly what the twins computed, before (no guards) and after (the defaults)."""
    return all(play(ATTACKS[name], size, guards, "evm") == take
               for name, takes in effect.items() for (take, size), guards in zip(takes, (NO_GUARDS, None)))
