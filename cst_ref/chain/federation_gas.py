"""Gas of the federation's operations and of a round as the federation grows.

Each figure is the execution gas of one call (``cst_ref.chain.gas.gas_of``: no 21,000
intrinsic gas, storage cold as at the start of a transaction), measured in a steady state:
every account involved already holds the tokens it touches, pools' price oracles have been
written before, and the call lands in a new block. This is what a long-running federation
pays per round, not the one-off cost of the first round.

Measurements deploy their own system and leave it on the chain: resetting the gas meter
discards titanoboa's snapshots, so ``boa.env.anchor()`` cannot wrap a measurement. Rules
are measured one after another in successive blocks; the state they change (prices,
balances that stay non-zero) does not change the gas of the next one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

import boa
import numpy as np

from cst_ref.twins import FAR_DEADLINE, MAX_UINT256, RULES, WAD, SystemConfig, equal_shares

from .gas import gas_of
from .system import client_account, deploy_system

SWAP_TARGET_GAS = 57_010
"""The project's target for one swap: Uniswap V2's bare ``pair.swap`` measured the same way in
titanoboa's EVM (V2's own 73,462 is at an older fork and includes intrinsic gas)."""


def _warm_up(system, investor: str) -> None:
    """Give every actor a balance in every token and write every pool's oracle once."""
    federation, base = system.federation, system.base
    base.mint(investor, 10**6 * WAD, sender=system.owner)
    accounts = system.accounts
    federation.distribute_mint(accounts, equal_shares(len(accounts)), WAD, sender=system.owner)
    boa.env.time_travel(seconds=12)  # a later block than the pools' seeding: the swaps write the oracles
    for client in federation.clients:
        for token in (client.token, base):
            token.approve(client.pool.address, MAX_UINT256, sender=investor)
        client.pool.swap(base.address, 10 * WAD, 0, investor, FAR_DEADLINE, sender=investor)
        client.pool.add_liquidity(WAD, WAD, 0, 0, investor, FAR_DEADLINE, sender=investor)
    boa.env.time_travel(seconds=12)


def _round_gas(system, n: int) -> dict[str, int]:
    """Gas of one round per rule over the first ``n`` clients with equal shares."""
    accounts, shares = system.accounts[:n], equal_shares(n)
    gas = {}
    for rule, name in RULES.items():
        boa.env.time_travel(seconds=12)
        gas[name] = gas_of(
            partial(system.federation.distribute, rule, accounts, shares, 100 * WAD, sender=system.owner)
        )[1]
    return gas


def operation_gas(config: SystemConfig = SystemConfig(n_clients=3)) -> dict[str, int]:
    """Gas of the baseline ERC-20 transfer, a pool's three operations, one registration and
    one round per rule over ``config.n_clients`` clients with equal shares."""
    system = deploy_system(config)
    investor = str(boa.env.generate_address("investor"))
    _warm_up(system, investor)
    federation, base, owner = system.federation, system.base, system.owner
    pool = federation.clients[0].pool
    holder = str(boa.env.generate_address("holder"))
    base.mint(holder, WAD, sender=owner)  # a steady-state transfer: the recipient already holds base
    gas = {"ERC-20 transfer": gas_of(lambda: base.transfer(holder, WAD, sender=investor))[1]}
    boa.env.time_travel(seconds=12)
    gas["swap"] = gas_of(lambda: pool.swap(base.address, WAD, 0, investor, FAR_DEADLINE, sender=investor))[1]
    boa.env.time_travel(seconds=12)
    gas["add_liquidity"] = gas_of(lambda: pool.add_liquidity(WAD, WAD, 0, 0, investor, FAR_DEADLINE, sender=investor))[
        1
    ]
    boa.env.time_travel(seconds=12)
    gas["remove_liquidity"] = gas_of(
        lambda: pool.remove_liquidity(WAD // 2, 0, 0, investor, FAR_DEADLINE, sender=investor)
    )[1]
    rounds = _round_gas(system, config.n_clients)
    gas["register client"] = gas_of(
        lambda: federation.register(
            client_account(config.n_clients),
            "Client new",
            "CSTN",
            config.client_supply,
            config.seed_token,
            config.seed_base,
            sender=owner,
        )
    )[1]
    gas.update({f"round: {name}": value for name, value in rounds.items()})
    return gas


DIRECT = "paid directly"
"""The key of :func:`round_gas_by_clients`' baseline without tokens."""


def _direct_gas(system, n: int) -> int:
    """Gas of paying the first ``n`` clients the round's budget in base instead: ``n`` steady-state
    ERC-20 transfers (the clients already hold base). Each is measured as a call of its own, so
    each pays a cold read of the payer: a bound from above on one transaction looping over them."""
    payer = str(boa.env.generate_address("direct payer"))
    system.base.mint(payer, 200 * WAD, sender=system.owner)
    for account in system.accounts[:n]:
        system.base.transfer(account, WAD, sender=payer)
    boa.env.time_travel(seconds=12)
    return sum(
        gas_of(partial(system.base.transfer, account, 100 * WAD // n, sender=payer))[1]
        for account in system.accounts[:n]
    )


def round_gas_by_clients(ns: Sequence[int], direct: bool = False) -> dict[str, list[int]]:
    """Gas of one round per rule over the first n clients, for each n in ``ns``; with
    ``direct``, also of paying them without tokens (key :data:`DIRECT`)."""
    if len(ns) == 0 or min(ns) < 1:
        raise ValueError("ns must be a non-empty list of positive client counts")
    system = deploy_system(SystemConfig(n_clients=max(ns)))
    _warm_up(system, str(boa.env.generate_address("investor")))
    table: dict[str, list[int]] = {name: [] for name in RULES.values()}
    for n in ns:
        for name, gas in _round_gas(system, n).items():
            table[name].append(gas)
        if direct:
            table.setdefault(DIRECT, []).append(_direct_gas(system, n))
    return table


@dataclass(frozen=True)
class LinearCost:
    """gas(n) ≈ fixed + per_client · n, a least-squares fit."""

    fixed: float
    per_client: float


def linear_cost(ns: Sequence[int], gas: Sequence[int]) -> LinearCost:
    """Fixed and per-client (marginal) cost of a round from measured gas."""
    if len(ns) != len(gas) or len(set(ns)) < 2:
        raise ValueError(f"need one gas figure per client count and two distinct counts, got {list(ns)}")
    per_client, fixed = np.polyfit(np.asarray(ns, dtype=float), np.asarray(gas, dtype=float), 1)
    return LinearCost(fixed=float(fixed), per_client=float(per_client))
