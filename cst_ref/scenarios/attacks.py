"""Three ways to skim a round's reward, measured without guards and with the federation's.

Each attack is a short script against :class:`Stage`: client 0's market and the federation
of a one-client system on a ``cst_ref.protocol`` backend. The same script runs on the twins
(to search the attacker's best size quickly) and on the EVM (to confirm the number). A
:class:`BareStage` spends the round straight into the pool twin, as a federation without
guards would: the "before" of every comparison. ``cst_ref.scenarios.patient`` measures the
attacker who moves the price long before the round and waits.

A fourth attack of earlier versions, the client draining its own pool before a buy-back so
that the next seller takes the budget, is gone: the pool's seed LP shares are locked in the
federation, so no client holds liquidity to withdraw. What a client can still do to its
investors, sell everything it holds, is measured in ``cst_ref.scenarios.rug_pull``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

from cst_ref.backends import Backend, labelled_address, make_backend
from cst_ref.backends.twin import TwinBackend
from cst_ref.twins import (
    FAR_DEADLINE,
    RULE_BUYBACK_BURN,
    RULE_BUYBACK_TO_CLIENT,
    RULE_INJECT,
    RULE_MINT,
    SHARE_SCALE,
    WAD,
    Guards,
    RoundRecord,
    SystemConfig,
)

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
        self.given: dict[str, tuple[int, int]] = {}
        """Base and CST each account was handed by :meth:`give`, in total."""
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
        had = self.given.get(account, (0, 0))
        self.given[account] = (had[0] + base, had[1] + cst)
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


class BareStage(Stage):
    """A stage on the twins whose rounds skip the federation: the treasury's budget goes
    straight into the pool (bought or donated) with no guard and no bound, as a federation
    without guards would spend it."""

    backend: TwinBackend

    def __init__(self) -> None:
        super().__init__(TwinBackend(STAGE_SYSTEM))

    def round(self, rule: int, budget: int, tolerance_bps: int):
        backend = self.backend
        federation, pool = backend.twin, backend.twin.clients[0].pool
        out = 0
        if rule == RULE_INJECT:
            pool.donate(budget, sender=federation.address)
        elif rule in (RULE_BUYBACK_TO_CLIENT, RULE_BUYBACK_BURN):
            out = pool.swap(federation.base.address, budget, 0, self.client, FAR_DEADLINE, sender=federation.address)
        else:
            raise ValueError(f"a bare stage spends into the pool; rule {rule} does not")
        return RoundRecord(0, rule, b"", budget, (self.client,), (budget,), (out,), (0,), (0,))


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


def buyback_sandwich(stage: Stage, capital: int, budget: int = 100 * WAD, tolerance_bps: int = UNBOUNDED) -> float:
    """Buy CST with ``capital`` base before a buy-back round and sell it after (the quote,
    and so each bound, is taken after the front-run: the operator cannot see it coming)."""
    stage.give(ATTACKER, capital, 0)
    before = stage.wealth(ATTACKER)
    bought = stage.buy(ATTACKER, capital)
    stage.round(RULE_BUYBACK_TO_CLIENT, budget, tolerance_bps)
    stage.sell(ATTACKER, bought)
    return _value(stage, ATTACKER, before)


def stage_on(backend: str = "twin", guards: Guards | None = None, bare: bool = False) -> Stage:
    """A fresh one-client stage on ``backend`` with ``guards`` (``None``: the contract's
    defaults), or a :class:`BareStage` (on the twins, no guards at all)."""
    if bare:
        return BareStage()
    stage = Stage(make_backend(backend, STAGE_SYSTEM))
    if guards is not None:
        stage.backend.set_guards(guards)
    return stage


def play(
    attack: Callable[[Stage, int], float],
    size: int,
    guards: Guards | None = None,
    backend: str = "twin",
    bare: bool = False,
) -> float:
    """``attack`` of ``size`` on a fresh stage (see :func:`stage_on`), ``WAIT`` seconds after
    the last observation."""
    stage = stage_on(backend, guards, bare)
    stage.wait(WAIT)
    return attack(stage, size)


def best_take(attack: Callable[[Stage, int], float], sizes: Sequence[int], bare: bool = False) -> tuple[float, int]:
    """The attacker's best result on the twins over ``sizes``, and the size that gives it,
    against the default guards or (``bare``) none."""
    return max((play(attack, size, bare=bare), size) for size in sizes)


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
        effect[name] = (best_take(ATTACKS[name], sizes, bare=True), best_take(ATTACKS[name], sizes))
    return effect


def confirm_on_chain(effect: Mapping[str, tuple[Take, Take]]) -> bool:
    """Replay every guarded take of :func:`guard_effect` on the EVM: true when the contracts
    take exactly what the twins computed."""
    return all(play(ATTACKS[name], size, backend="evm") == take for name, (_, (take, size)) in effect.items())
