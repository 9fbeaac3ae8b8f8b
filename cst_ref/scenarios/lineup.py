"""The book's standard market: every client, twenty investors of five kinds, and each other agent type.

Chapters, the speed benchmark and the tests run the same line-up, so its numbers agree.
"""

from __future__ import annotations

from .agents import (
    Agent,
    Arbitrageur,
    BuyAndHold,
    ClientAgent,
    IndexInvestor,
    InformedInvestor,
    LiquidityProvider,
    MomentumInvestor,
    PriceManipulator,
    SandwichAttacker,
    UninformedInvestor,
)

CLIENT_POLICIES = ClientAgent.POLICIES
INVESTOR_KINDS = ("buy and hold", "index", "momentum", "informed", "uninformed")


def investors(n_clients: int, per_kind: int = 4, capital: float = 50.0) -> list[Agent]:
    """``per_kind`` investors of each of the five strategies, ``capital`` tokens each."""
    make = {
        "buy and hold": lambda k: BuyAndHold(f"buy and hold {k}", k % n_clients, capital),
        "index": lambda k: IndexInvestor(f"index {k}", capital),
        "momentum": lambda k: MomentumInvestor(f"momentum {k}", capital),
        "informed": lambda k: InformedInvestor(f"informed {k}", capital),
        "uninformed": lambda k: UninformedInvestor(f"uninformed {k}", capital),
    }
    return [make[kind](k) for kind in INVESTOR_KINDS for k in range(per_kind)]


def every_agent_type(n_clients: int, reference_price: float = 1.0) -> list[Agent]:
    """Clients of all three policies, 20 investors, a liquidity provider, an arbitrageur,
    a sandwich attacker and a price manipulator."""
    clients = [ClientAgent(i, CLIENT_POLICIES[i % len(CLIENT_POLICIES)]) for i in range(n_clients)]
    return clients + investors(n_clients) + [
        LiquidityProvider("liquidity provider", 0, 200.0),
        Arbitrageur("arbitrageur", (reference_price,) * n_clients),
        SandwichAttacker("sandwich attacker"),
        PriceManipulator("price manipulator", n_clients - 1, 20.0),
    ]
