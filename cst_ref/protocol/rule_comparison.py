"""The three distribution rules side by side on the same state and the same shares.

Each rule runs on its own copy of a federation twin; what changed is then valued at the
pools' spot prices after the round ("paper" value: what holdings are worth at the new
price, before anyone sells). Paper value is what a rule does to prices; how much of it a
client could actually realise by selling is a question of slippage, asked in exercises.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass

from cst_ref.amm import spot_price
from cst_ref.twins import RULES, WAD, FederationTwin, RoundRecord, Rule


def spot(twin: FederationTwin, index: int) -> float:
    """Price of client ``index``'s CST in base tokens: reserve_base / reserve_token."""
    pool = twin.clients[index].pool
    return spot_price(pool.reserve_token, pool.reserve_base)


def paper_wealth(twin: FederationTwin, account: str) -> float:
    """Base tokens, CSTs and LP shares of ``account`` valued at spot prices, in whole tokens.

    An LP share is worth its part of both reserves, i.e. of ``2 * reserve_base``. A client's
    own supply still in the federation's escrow counts as its CST, vested or not: it is the
    client's as long as the client stays, and a rule moves its value as it moves the price.
    """
    value: float = twin.base.balance_of(account)
    escrow = twin.vestings.get(account)
    for i, client in enumerate(twin.clients):
        held = client.token.balance_of(account)
        if escrow is not None and client.account == account:
            held += escrow.supply - escrow.released
        value += held * spot(twin, i)
        lp_supply = client.pool.lp.total_supply
        value += client.pool.lp.balance_of(account) * 2 * client.pool.reserve_base / lp_supply
    return value / WAD


@dataclass(frozen=True)
class RuleOutcome:
    """What one round under one rule did, per client and for the other parties."""

    rule: int
    name: str
    record: RoundRecord
    twin: FederationTwin
    price_change: tuple[float, ...]
    """Relative change of each client's CST spot price."""
    client_gain: tuple[float, ...]
    """Change of each client's paper wealth, in base tokens."""
    investor_gain: float
    treasury_paid: float
    """Base tokens that left the treasury."""


def run_rule(twin: FederationTwin, rule: Rule, shares: Sequence[int], budget: int, investor: str) -> RuleOutcome:
    """Run one round under ``rule`` on a copy of ``twin`` (left untouched, its clock too), at
    the twin's block time, and value it."""
    after = copy.deepcopy(twin)
    accounts = [client.account for client in twin.clients]
    record = after.distribute(rule, accounts, shares, budget, sender=twin.owner)
    n = len(accounts)
    return RuleOutcome(
        rule=rule,
        name=RULES[rule],
        record=record,
        twin=after,
        price_change=tuple(spot(after, i) / spot(twin, i) - 1 for i in range(n)),
        client_gain=tuple(paper_wealth(after, a) - paper_wealth(twin, a) for a in accounts),
        investor_gain=paper_wealth(after, investor) - paper_wealth(twin, investor),
        treasury_paid=(twin.treasury() - after.treasury()) / WAD,
    )


def compare_rules(twin: FederationTwin, shares: Sequence[int], budget: int, investor: str) -> list[RuleOutcome]:
    """One outcome per rule, every rule starting from the same ``twin`` at its block time."""
    return [run_rule(twin, rule, shares, budget, investor) for rule in RULES]
