"""A client's own supply in escrow, vesting over the federation's rounds (``federation.vy``'s ``Vesting``).

Registration mints the client's supply to the federation instead of the client, so a new
client cannot sell its whole supply into the pool its investors just bought in; each round
the federation completes frees ``1 / VESTING_ROUNDS`` of it.
"""

from __future__ import annotations

from dataclasses import dataclass

from .constants import VESTING_ROUNDS


@dataclass(frozen=True)
class Vesting:
    """The contract's struct, field for field.

    ``supply`` is the CST escrowed at registration (after deregistration: what had vested
    by then), ``released`` what was paid out, ``start_round`` the round counter at
    registration.
    """

    supply: int
    released: int = 0
    start_round: int = 0


def vested_amount(vesting: Vesting, round_count: int, deregistered: bool = False) -> int:
    """CST vested after ``round_count`` rounds of the federation, paid out or not:
    ``supply * min(rounds since registration, VESTING_ROUNDS) // VESTING_ROUNDS``; once
    deregistered, the frozen ``supply``."""
    if deregistered:
        return vesting.supply
    return vesting.supply * min(round_count - vesting.start_round, VESTING_ROUNDS) // VESTING_ROUNDS
