"""Exit accounting that adds up: every account sells out in turn, on the same pools.

Valuing each account as if it alone sold first into untouched pools creates money: two
holders of one token cannot both sell at the top. Here every account that can exit (each
agent and each registered client) withdraws its liquidity and sells every CST it holds,
one account after another in a seeded random order, on shared reserves and with the pools'
exact integer maths. The treasury and each pool (what stays in it: the locked seed
liquidity, the ``MINIMUM_LIQUIDITY`` residue, their part of the fees) are accounts too.
An account's profit is its base after the exit, less its base at the start, less the base
given to it from outside (an agent's capital, the treasury's revenue); summed over all
accounts it is exactly zero wei for every order, because base only moves between them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from cst_ref.amm import burn_amounts, get_amount_out
from cst_ref.backends.state import SystemState
from cst_ref.twins import WAD
from cst_ref.twins.pool import MAX_RESERVE

from .agents import Agent, Arbitrageur, ClientAgent, Investor, LiquidityProvider

EXIT_ORDERS = 20
"""Exit orders a market is liquidated in: its exit profits are means over them."""


@dataclass(frozen=True)
class Exiter:
    """An account that exits: its row's name and kind, its address, the base it was given."""

    name: str
    kind: str
    address: str
    capital: int


@dataclass(frozen=True)
class ExitAccount:
    """One account's row: base at the start, base given from outside, base after each exit order."""

    name: str
    kind: str
    start: int
    capital: int
    end: tuple[int, ...]

    @property
    def profits(self) -> tuple[int, ...]:
        """Profit at exit, per order, in wei."""
        return tuple(end - self.start - self.capital for end in self.end)

    @property
    def exit_profit(self) -> float:
        """Mean profit at exit over the orders, in tokens."""
        return sum(self.profits) / len(self.end) / WAD


@dataclass(frozen=True)
class ExitTable:
    """Every account's profit at exit under each of ``orders``."""

    accounts: tuple[ExitAccount, ...]
    orders: tuple[tuple[int, ...], ...]
    """Each order as positions into the exiting accounts (the table's first rows)."""

    @property
    def conservation_wei(self) -> int:
        """The largest absolute sum of all accounts' profits over the orders: 0 when money is conserved."""
        return max(abs(sum(a.profits[k] for a in self.accounts)) for k in range(len(self.orders)))

    def by_kind(self) -> dict[str, float]:
        """Mean profit at exit summed over each kind of account, in tokens (summed in wei, so
        the kinds add up to zero up to one float rounding each)."""
        wei: dict[str, int] = {}
        for account in self.accounts:
            wei[account.kind] = wei.get(account.kind, 0) + sum(account.profits)
        return {kind: total / len(self.orders) / WAD for kind, total in wei.items()}


def agent_kind(agent: Agent) -> str:
    """The row kind of an agent in an exit table."""
    if isinstance(agent, ClientAgent):
        return "client"
    if agent.adversary:
        return "attacker"
    for cls, kind in ((LiquidityProvider, "liquidity provider"), (Arbitrageur, "arbitrageur"), (Investor, "investor")):
        if isinstance(agent, cls):
            return kind
    return "agent"


def exiters(agents: Sequence[Agent], clients: Sequence[str]) -> list[Exiter]:
    """Every agent, then every registered client no agent speaks for (it can still exit)."""
    bound = {a.account for a in agents}
    return [Exiter(a.name, agent_kind(a), a.account, a.given) for a in agents] + [
        Exiter(f"client {i}", "client", account, 0) for i, account in enumerate(clients) if account not in bound
    ]


def _exit_pool(pool: tuple[int, int, int], cst: int, lp: int, fee_bps: int) -> tuple[tuple[int, int, int], int]:
    """Withdraw ``lp`` shares from ``pool`` (reserves and share supply), then sell ``cst`` and
    the withdrawn CST into it; the pool after, and the base taken out. A step the contract
    would revert (paying nothing, or a reserve overflowing) is left undone."""
    reserve_token, reserve_base, supply = pool
    out = 0
    if lp:
        token, base = burn_amounts(lp, reserve_token, reserve_base, supply)
        if token and base:
            reserve_token, reserve_base, supply = reserve_token - token, reserve_base - base, supply - lp
            cst, out = cst + token, base
    if cst and reserve_token and reserve_base and reserve_token + cst <= MAX_RESERVE:
        sold = get_amount_out(cst, reserve_token, reserve_base, fee_bps)
        if sold:
            reserve_token, reserve_base, out = reserve_token + cst, reserve_base - sold, out + sold
    return (reserve_token, reserve_base, supply), out


def liquidate(state: SystemState, addresses: Sequence[str], order: Sequence[int]) -> tuple[list[int], list[int]]:
    """Each of ``addresses``' base after all of them exit in ``order`` (positions into
    ``addresses``), and each pool's base reserve left. LP shares held by anyone else (the
    federation's seed, the pool's ``MINIMUM_LIQUIDITY``) stay, and so does their part of the pool."""
    if sorted(order) != list(range(len(addresses))):
        raise ValueError(f"order must be a permutation of 0..{len(addresses) - 1}, got {list(order)}")
    pools = [(p.reserve_token, p.reserve_base, p.lp_supply) for p in state.pools]
    base = [state.holdings[a].base for a in addresses]
    for k in order:
        held = state.holdings[addresses[k]]
        for i, (cst, lp) in enumerate(zip(held.cst, held.lp)):
            pools[i], out = _exit_pool(pools[i], cst, lp, state.fee_bps)
            base[k] += out
    return base, [p[1] for p in pools]


def exit_table(
    start: SystemState, end: SystemState, accounts: Sequence[Exiter], orders: Sequence[Iterable[int]], revenue: int = 0
) -> ExitTable:
    """Every account's profit at exit, from the market's ``start`` and ``end`` states, for each
    of ``orders``; ``revenue`` is base paid into the treasury from outside during the market."""
    if not orders:
        raise ValueError("need at least one exit order")
    names = [a.name for a in accounts] + ["treasury"] + [f"pool {i}" for i in range(len(end.pools))]
    addresses = [a.address for a in accounts]
    if len(set(names)) != len(names) or len(set(addresses)) != len(addresses):
        raise ValueError(f"every account needs its own name and address, got {list(zip(names, addresses))}")
    positions = tuple(tuple(int(k) for k in order) for order in orders)
    exits = [liquidate(end, addresses, order) for order in positions]
    rows = [
        ExitAccount(a.name, a.kind, start.holdings[a.address].base, a.capital, tuple(b[k] for b, _ in exits))
        for k, a in enumerate(accounts)
    ]
    rows.append(ExitAccount("treasury", "treasury", start.treasury, revenue, (end.treasury,) * len(positions)))
    rows += [
        ExitAccount(f"pool {i}", "pool", pool.reserve_base, 0, tuple(left[i] for _, left in exits))
        for i, pool in enumerate(start.pools)
    ]
    return ExitTable(tuple(rows), positions)


def check_conserved(table: ExitTable, start: SystemState, end: SystemState) -> None:
    """Raise ``ValueError`` unless ``table`` accounts for every base token of the market
    that went from ``start`` to ``end``: its rows hold the whole supply at the start, what
    they were given is what was minted, and every order's profits sum to exactly 0 wei."""
    held = sum(a.start for a in table.accounts)
    if held != start.base_supply:
        raise ValueError(
            f"the accounts held {held} wei of base at the start but {start.base_supply} existed: "
            f"{start.base_supply - held} wei sat with an account outside the table"
        )
    given, minted = sum(a.capital for a in table.accounts), end.base_supply - start.base_supply
    if given != minted:
        raise ValueError(
            f"{minted} wei of base were minted during the market but the accounts were given "
            f"{given} (capital and revenue)"
        )
    for k in range(len(table.orders)):
        total = sum(a.profits[k] for a in table.accounts)
        if total:
            raise ValueError(f"exit order {k}: the accounts' profits sum to {total} wei, not 0")


def as_if_first_total(start: SystemState, end: SystemState, accounts: Sequence[Exiter]) -> int:
    """What the old valuation adds up to over all accounts, in wei: each of ``accounts`` valued
    as if it alone sold first into the untouched pools (end less start less capital), plus the
    changes of the treasury and the pools. Not zero: two holders of a token cannot both sell first."""
    alone = sum(end.liquidation_value(a.address) - start.liquidation_value(a.address) - a.capital for a in accounts)
    kept = sum(e.reserve_base - s.reserve_base for s, e in zip(start.pools, end.pools))
    return alone + end.treasury - start.treasury + kept
