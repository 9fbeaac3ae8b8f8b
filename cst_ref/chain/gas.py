"""Execution gas of contract calls, measured the way the book reports it.

The measurement is titanoboa's: ``boa.env.reset_gas_used()``, the call,
``boa.env.get_gas_used()``. It counts the gas the call executes, without the
21,000 intrinsic gas of a transaction; the reset also makes accounts and
storage cold again, as at the start of a transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import boa

from cst_ref.twins.constants import FAR_DEADLINE

T = TypeVar("T")


def _reset_gas_keeping_anchors() -> None:
    # titanoboa 0.2.8 resets warm/cold tracking by giving py-evm a new access
    # journal, which forgets the checkpoints of anchors still open (tests and
    # notebooks run inside them), so closing such an anchor later fails with
    # "No checkpoint ... was found". Re-recording them keeps anchors usable.
    accounts = boa.env.evm.vm.state._account_db
    open_checkpoints = list(accounts._journal_accessed_state._journal._checkpoint_stack)
    boa.env.reset_gas_used()
    for checkpoint in open_checkpoints:
        accounts._journal_accessed_state.record(checkpoint)


def gas_of(call: Callable[[], T], *, new_transaction: bool = False) -> tuple[T, int]:
    """Run ``call`` and return its result and the execution gas it used.

    titanoboa never ends a transaction, so by default a storage write is priced
    against the value the slot had when the session began (EIP-2200): changing
    a slot already changed in the session costs 100 gas (plus 2,100 if cold)
    instead of 2,900 plus 2,100. With
    ``new_transaction=True`` the state is committed first, so the call is priced
    as the first call of a fresh transaction on mainnet (still without the
    21,000 intrinsic gas). Committing breaks anchors that are open (closing one
    then fails), so use that mode in an environment of its own, e.g. inside
    ``with boa.swap_env(boa.Env()):`` as ``pool_gas_report`` does.
    """
    if new_transaction:
        boa.env.evm.vm.state.persist()
    _reset_gas_keeping_anchors()
    result = call()
    return result, boa.env.get_gas_used()


def pool_gas_report(fee_bps: int = 30, *, new_transaction: bool = False) -> dict[str, int]:
    """Gas of the pool's main calls in their typical state, measured in a throwaway environment.

    Each measured call runs in a new block after its storage slots already hold
    non-zero values (a second swap, not the pool's first). The trader approved a
    finite allowance, so each pull also updates it; one more swap comes from a
    holder with an infinite allowance, which the token never updates.
    """
    from .deploy import deploy_market  # deploy imports nothing from here

    unit = 10**18
    with boa.swap_env(boa.Env()):
        market = deploy_market(fee_bps=fee_bps)
        lp, trader = boa.env.generate_address("lp"), boa.env.generate_address("trader")
        holder = boa.env.generate_address("holder")
        for account, allowance in ((lp, 10**30), (trader, 10**30), (holder, 2**256 - 1)):
            for token in (market.token, market.base):
                token.mint(account, 1_000 * unit)
                token.approve(market.pool.address, allowance, sender=account)
        pool, cst, base = market.pool, market.token.address, market.base.address
        report = {
            "add_liquidity (first)": gas_of(
                lambda: pool.add_liquidity(100 * unit, 200 * unit, 0, 0, lp, FAR_DEADLINE, sender=lp),
                new_transaction=new_transaction,
            )[1]
        }
        boa.env.time_travel(seconds=12)
        pool.swap(cst, unit, 0, trader, FAR_DEADLINE, sender=trader)  # oracle slots become non-zero
        steps = {
            "swap token->base": lambda: pool.swap(cst, unit, 0, trader, FAR_DEADLINE, sender=trader),
            "swap base->token": lambda: pool.swap(base, unit, 0, trader, FAR_DEADLINE, sender=trader),
            "add_liquidity": lambda: pool.add_liquidity(unit, 2 * unit, 0, 0, trader, FAR_DEADLINE, sender=trader),
            "remove_liquidity": lambda: pool.remove_liquidity(unit // 2, 0, 0, trader, FAR_DEADLINE, sender=trader),
            "swap token->base, infinite allowance": lambda: pool.swap(
                cst, unit, 0, holder, FAR_DEADLINE, sender=holder
            ),
        }
        for label, call in steps.items():
            boa.env.time_travel(seconds=12)
            report[label] = gas_of(call, new_transaction=new_transaction)[1]
        report["swap token->base, same block"] = gas_of(steps["swap token->base"], new_transaction=new_transaction)[1]
        report["CST transfer"] = gas_of(
            lambda: market.token.transfer(lp, unit, sender=trader), new_transaction=new_transaction
        )[1]
    return report
