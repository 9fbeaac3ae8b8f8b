"""Four ways to skim a round's reward, measured before and after the federation's guards.

Each attack is written once against ``Stage``, the few actions it needs (trade, provide
liquidity, run a round, read balances, let time pass) on client 0 of a one-client system.
``TwinStage`` plays it on the twins; ``cst_ref.chain.attacks.ChainStage`` plays the same
script on the EVM, so a chapter computes a number here and confirms it on chain.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Protocol

from .constants import FAR_DEADLINE, GUARD_OFF, RULE_BUYBACK_TO_CLIENT, RULE_INJECT, SHARE_SCALE, WAD
from .federation import FederationModel, RoundRecord
from .guards import Guards
from .revert import MAX_UINT256
from .system import SystemConfig, deploy_model

NO_GUARDS = Guards(GUARD_OFF, GUARD_OFF, GUARD_OFF)
UNBOUNDED = 10_000
"""``tolerance_bps`` that sends no buy-back bound."""

ATTACKER = "0x" + "a7" * 20
WAIT = 600
"""Seconds between the last observation and the attack: the TWAP's window."""


class Stage(Protocol):
    """Client 0's market and the federation, as one attacker and the operator see them."""

    client: str

    def buy(self, account: str, base: int) -> int: ...

    def sell(self, account: str, cst: int) -> int: ...

    def add_liquidity(self, account: str, cst: int, base: int) -> int: ...

    def remove_liquidity(self, account: str, shares: int) -> None: ...

    def give(self, account: str, base: int, cst: int) -> None: ...

    def wealth(self, account: str) -> tuple[int, int, int]: ...

    def spot(self) -> float: ...

    def round(self, rule: int, budget: int, tolerance_bps: int) -> RoundRecord: ...

    def set_guards(self, guards: Guards) -> None: ...

    def wait(self, seconds: int) -> None: ...


class TwinStage:
    """The stage on a ``FederationModel`` with one client, driven at its own clock."""

    def __init__(self, model: FederationModel, now: int) -> None:
        self.model, self.now = model, now
        self.client = model.clients[0].account
        self.pool = model.clients[0].pool

    def _approve(self, account: str) -> None:
        for ledger in (self.pool.token, self.pool.base):
            ledger.approve(account, self.pool.address, MAX_UINT256)

    def buy(self, account: str, base: int) -> int:
        self._approve(account)
        return self.pool.swap(account, self.pool.base.address, base, 0, account, FAR_DEADLINE, self.now)

    def sell(self, account: str, cst: int) -> int:
        self._approve(account)
        return self.pool.swap(account, self.pool.token.address, cst, 0, account, FAR_DEADLINE, self.now)

    def add_liquidity(self, account: str, cst: int, base: int) -> int:
        self._approve(account)
        return self.pool.add_liquidity(account, cst, base, 0, 0, account, FAR_DEADLINE, self.now)[2]

    def remove_liquidity(self, account: str, shares: int) -> None:
        self.pool.remove_liquidity(account, shares, 0, 0, account, FAR_DEADLINE, self.now)

    def give(self, account: str, base: int, cst: int) -> None:
        self.model.base.mint(self.model.owner, account, base)
        self.pool.token.transfer(self.client, account, cst)

    def wealth(self, account: str) -> tuple[int, int, int]:
        return (self.pool.base.balance_of(account), self.pool.token.balance_of(account),
                self.pool.lp.balance_of(account))

    def spot(self) -> float:
        return self.pool.reserve_base / self.pool.reserve_token

    def round(self, rule: int, budget: int, tolerance_bps: int) -> RoundRecord:
        return self.model.distribute(self.model.owner, rule, [self.client], [SHARE_SCALE], budget, self.now,
                                     tolerance_bps=tolerance_bps)

    def set_guards(self, guards: Guards) -> None:
        self.model.set_guards(self.model.owner, guards.max_deviation_bps, guards.max_spend_bps,
                              guards.max_lp_growth_bps)

    def wait(self, seconds: int) -> None:
        self.now += seconds


def twin_stage(config: SystemConfig = SystemConfig(n_clients=1), now: int = 1_800_000_000) -> TwinStage:
    """A fresh chain-free one-client system (default: 1,000 CST / 1,000 base at 30 bps)."""
    addresses = ["0x" + f"{n:040x}" for n in range(1, 4 + config.n_clients)]
    model = deploy_model(config, owner=addresses[0], base_address=addresses[1], federation_address=addresses[2],
                         accounts=addresses[3:], timestamp=now)
    return TwinStage(model, now)


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


def drained_buyback(stage: Stage, budget: int = 100 * WAD, tolerance_bps: int = 50) -> float:
    """The client, the pool's only LP, withdraws everything before a buy-back round (quoted
    fresh, with ``tolerance_bps``), then sells one CST: the base tokens that sale takes."""
    _, _, shares = stage.wealth(stage.client)
    stage.remove_liquidity(stage.client, shares)
    stage.round(RULE_BUYBACK_TO_CLIENT, budget, tolerance_bps)
    return stage.sell(stage.client, WAD) / WAD


def best_take(new_stage: Callable[[], Stage], attack: Callable[[Stage, int], float],
              sizes: Sequence[int], guards: Guards | None) -> tuple[float, int]:
    """The attacker's best result over ``sizes`` and the size that gives it, each size on a
    fresh stage whose guards are ``guards`` (``None``: the contract's defaults), attacked
    ``WAIT`` seconds after the last observation."""
    results = []
    for size in sizes:
        stage = new_stage()
        if guards is not None:
            stage.set_guards(guards)
        stage.wait(WAIT)
        results.append((attack(stage, size), size))
    return max(results)


def _drained(stage: Stage, size: int) -> float:
    return drained_buyback(stage)


ATTACKS: dict[str, Callable[[Stage, int], float]] = {
    "inject front-run": inject_front_run,
    "just-in-time liquidity": inject_jit_liquidity,
    "buy-back sandwich": buyback_sandwich,
    "drained pool": _drained,
}
"""Every attack by name, as ``best_take`` calls it (the drained pool has no size)."""

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
        before, after = (best_take(twin_stage, ATTACKS[name], sizes, guards) for guards in (NO_GUARDS, None))
        effect[name] = (before, after)
    return effect
