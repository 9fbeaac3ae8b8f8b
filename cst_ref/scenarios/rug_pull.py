"""The rug pull, measured: what an investor keeps when its client does the worst it can.

One client, one investor who buys its token, ``k`` rounds (buy-back by default), then the client takes
everything it can out of its market at once: it withdraws any liquidity it holds, has its
vested supply released and sells every CST it holds. The investor's position is valued as
what it could take out (``liquidation_value``) just before and just after. Registration
locks the pool's seed in the federation and escrows the client's supply, so what the client
can sell at round ``k`` is the part of its supply vested by then plus what the rounds gave it.
"""

from __future__ import annotations

from dataclasses import dataclass

from cst_ref.backends import Backend, distribute, labelled_address, make_backend
from cst_ref.checks import check_int
from cst_ref.twins import RULE_BUYBACK_TO_CLIENT, RULES, SHARE_SCALE, WAD, SystemConfig, unknown_rule

INVESTOR = labelled_address("investor")
RUG_SYSTEM = SystemConfig(n_clients=1)
"""One client: 1,000 CST of its own, a pool seeded with 1,000 CST and 1,000 base at 30 bps."""
ROUND_SECONDS = 3600


@dataclass(frozen=True)
class RugPull:
    """The investor's liquidation value (wei) after ``rounds`` rounds, before and after the client's exit."""

    rounds: int
    before: int
    after: int

    @property
    def kept(self) -> float:
        """The part of its position the investor keeps."""
        return self.after / self.before


def client_exits(backend: Backend, client: int) -> None:
    """The client's worst action: withdraw its liquidity, claim what has vested, sell all its CST."""
    account = backend.accounts[client]
    lp = backend.holdings(account).lp[client]
    if lp:
        backend.remove_liquidity(account, client, lp)
    if backend.releasable(client):
        backend.release(client)
    cst = backend.holdings(account).cst[client]
    if cst and backend.quote(client, "cst", cst):
        backend.swap(account, client, "cst", cst)


def rug_pull(
    rounds: int,
    investment: int = 100 * WAD,
    budget: int = 50 * WAD,
    backend: str = "twin",
    rule: int = RULE_BUYBACK_TO_CLIENT,
    system: SystemConfig = RUG_SYSTEM,
) -> RugPull:
    """The investor buys with ``investment`` base, ``rounds`` rounds under ``rule`` of ``budget``
    each pay client 0, then the client exits (:func:`client_exits`) on a fresh system on ``backend``."""
    check_int("rounds", rounds)
    if rule not in RULES:
        raise unknown_rule(rule)
    chain = make_backend(backend, system)
    chain.mint_base(INVESTOR, investment)
    chain.swap(INVESTOR, 0, "base", investment)
    chain.observe(0)  # the operator accepts the investment's price; else the guards hold the rounds back
    for _ in range(rounds):
        chain.advance(ROUND_SECONDS)
        distribute(chain, rule, [SHARE_SCALE] + [0] * (system.n_clients - 1), budget)
    before = chain.state([INVESTOR]).liquidation_value(INVESTOR)
    client_exits(chain, 0)
    return RugPull(rounds, before, chain.state([INVESTOR]).liquidation_value(INVESTOR))
