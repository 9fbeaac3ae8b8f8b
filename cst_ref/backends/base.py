"""The interface every backend implements, and what they share (addresses, genesis time, rounds).

The twins (``twin``), titanoboa's EVM (``evm``) and a JSON-RPC node (``rpc``) take the same
calls and must end in the same state, to the wei; the round loop, the market scenarios and
the attacks talk only to this small interface. Each backend deploys its own system from the
same owner and client addresses at the same genesis time, so their addresses, events and
balances can be compared directly.

A round is two steps, as on a real chain: ``prepare`` fixes its buy-back bounds from the
quotes the operator sees when it signs, and ``execute`` lands it later, after whatever an
attacker slipped in between.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import cache
from typing import Literal, Protocol

from eth_utils import keccak, to_checksum_address

from cst_ref.twins import (
    DEFAULT_TOLERANCE_BPS,
    RULE_BUYBACK_BURN,
    RULE_BUYBACK_TO_CLIENT,
    RULES,
    ClockLike,
    Guards,
    RoundRecord,
    Vesting,
    unknown_rule,
)

from .state import Holdings, PoolState, SystemState

GENESIS_TIMESTAMP = 1_767_225_600
"""Block time of every run's deployment (2026-01-01T00:00:00Z): runs replay exactly."""

Token = Literal["base", "cst"]


@cache
def labelled_address(label: str) -> str:
    """A fixed address for an actor of a run (``owner``, ``client 3``), the same on every backend
    (cached: markets name thousands of agents, and each name costs a keccak)."""
    return to_checksum_address(keccak(f"cst-ref:{label}".encode())[12:])


def client_accounts(n: int) -> list[str]:
    return [labelled_address(f"client {i}") for i in range(n)]


@dataclass(frozen=True)
class PendingRound:
    """A signed round not yet executed: its rule, shares, budget and buy-back bounds."""

    rule: int
    shares: tuple[int, ...]
    budget: int
    min_outs: tuple[int, ...] | None

    @property
    def buys(self) -> bool:
        return self.rule in (RULE_BUYBACK_TO_CLIENT, RULE_BUYBACK_BURN)

    @property
    def bounds(self) -> tuple[int, ...]:
        """A buy-back's ``min_outs`` (``pending_round`` quotes them for every round that buys)."""
        if self.min_outs is None:
            raise ValueError(f"a round under rule {self.rule} buys nothing: it has no min_outs")
        return self.min_outs


class Backend(Protocol):
    """A deployed federation (owner, funded treasury, registered clients), its markets and a clock."""

    name: str
    owner: str
    accounts: list[str]

    @property
    def clock(self) -> ClockLike:
        """The system's block time: ``clock.now``; ``advance`` moves it."""

    def treasury(self) -> int: ...

    def fund(self, amount: int) -> None:
        """The owner mints ``amount`` base tokens (revenue from model users) into the treasury."""

    def prepare(
        self, rule: int, shares: Sequence[int], budget: int, tolerance_bps: int = DEFAULT_TOLERANCE_BPS
    ) -> PendingRound:
        """A round over all clients, its buy-back bounds quoted now less ``tolerance_bps``."""

    def execute(self, pending: PendingRound) -> tuple[RoundRecord, int | None]:
        """Land ``pending`` in the current block; its record and gas (``None`` on the twins)."""

    def advance(self, seconds: int) -> None:
        """Let ``seconds`` of block time pass (a new block): ``clock.advance(seconds)``."""

    def set_guards(self, guards: Guards) -> None:
        """The owner sets the federation's guards on spending the treasury into a pool."""

    def deregister(self, client: int) -> None:
        """The owner (an operator) deregisters client ``client``: no more payouts, its unvested
        supply burnt; its token and pool keep trading."""

    def vesting(self, client: int) -> Vesting:
        """Client ``client``'s escrow: its own supply, what was released, the round it started."""

    def releasable(self, client: int) -> int:
        """CST of client ``client``'s own supply vested and not yet released."""

    def owed(self, client: int) -> int:
        """Base tokens the federation owes client ``client``: what its rounds could not pay yet."""

    def observe(self, client: int) -> None:
        """The owner (an operator) accepts client ``client``'s pool as it stands: its anchor
        price and LP supply become the current ones."""

    def release(self, client: int) -> int:
        """The owner (anyone may) pays client ``client`` its releasable CST; the amount."""

    def mint_base(self, account: str, amount: int) -> None:
        """The base token's issuer (the owner) gives ``account`` fresh base tokens."""

    def swap(self, trader: str, client: int, token_in: Token, amount_in: int, min_out: int = 0) -> int:
        """``trader`` sells ``amount_in`` of ``token_in`` into client ``client``'s pool."""

    def quote(self, client: int, token_in: Token, amount_in: int) -> int: ...

    def add_liquidity(self, provider: str, client: int, cst: int, base: int) -> int:
        """Deposit at the pool's ratio (at most ``cst`` and ``base``); the LP shares minted."""

    def remove_liquidity(self, provider: str, client: int, shares: int) -> tuple[int, int]: ...

    def transfer_cst(self, client: int, sender: str, to: str, amount: int) -> None: ...

    def reserves(self, client: int) -> tuple[int, int]:
        """(CST, base) reserves of client ``client``'s pool."""

    def lp_supply(self, client: int) -> int: ...

    def pools(self) -> tuple[PoolState, ...]:
        """Every client's pool and its CST's total supply."""

    def holdings(self, account: str) -> Holdings: ...

    def state(self, extra_accounts: Sequence[str] = ()) -> SystemState: ...


def pending_round(rule: int, shares: Sequence[int], budget: int, bounds: Callable[[], Sequence[int]]) -> PendingRound:
    """A round under ``rule``; only a buy-back asks ``bounds`` for its quoted ``min_outs``."""
    if rule not in RULES:
        raise unknown_rule(rule)
    pending = PendingRound(rule, tuple(shares), budget, None)
    return replace(pending, min_outs=tuple(bounds())) if pending.buys else pending


def distribute(backend: Backend, rule: int, shares: Sequence[int], budget: int) -> tuple[RoundRecord, int | None]:
    """Prepare and execute a round in the same block: nobody gets between the two."""
    return backend.execute(backend.prepare(rule, shares, budget))
