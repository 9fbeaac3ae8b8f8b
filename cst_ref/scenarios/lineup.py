"""The book's standard market: every client, twenty investors of five kinds, and each other agent type.

Chapters 8 and 9 and ``benchmarks/patient_attacker.py`` run this line-up, and
``tests/scenarios/test_market.py`` builds every kind of it through :func:`agent`.
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
    ValueInvestor,
)

CLIENT_POLICIES = ClientAgent.POLICIES
INVESTOR_KINDS = ("buy and hold", "index", "momentum", "informed", "uninformed")


AGENT_KINDS = (*INVESTOR_KINDS, "value", "liquidity provider", "sandwich attacker", "price manipulator")
"""Every agent kind :func:`agent` builds (a ``[market]`` config spells them with underscores)."""


def agent(kind: str, k: int, n_clients: int, capital: float = 50.0) -> Agent:
    """The ``k``-th agent of ``kind``, named ``"<kind> <k>"``, with ``capital`` tokens: the
    k-th buy-and-hold investor buys client k mod n and the k-th liquidity provider funds its
    pool; the k-th price manipulator pumps client n − 1 − k mod n."""
    name = f"{kind} {k}"
    make = {
        "buy and hold": lambda: BuyAndHold(name, k % n_clients, capital),
        "index": lambda: IndexInvestor(name, capital),
        "momentum": lambda: MomentumInvestor(name, capital),
        "informed": lambda: InformedInvestor(name, capital),
        "uninformed": lambda: UninformedInvestor(name, capital),
        "value": lambda: ValueInvestor(name, capital),
        "liquidity provider": lambda: LiquidityProvider(name, k % n_clients, capital),
        "sandwich attacker": lambda: SandwichAttacker(name),
        "price manipulator": lambda: PriceManipulator(name, (n_clients - 1 - k) % n_clients, capital),
    }
    if kind not in make:
        raise ValueError(f"kind must be one of {AGENT_KINDS}, got {kind!r}")
    return make[kind]()


def investors(n_clients: int, per_kind: int = 4, capital: float = 50.0) -> list[Agent]:
    """``per_kind`` investors of each of the five strategies, ``capital`` tokens each."""
    return [agent(kind, k, n_clients, capital) for kind in INVESTOR_KINDS for k in range(per_kind)]


def every_agent_type(n_clients: int, reference_price: float = 1.0) -> list[Agent]:
    """Clients of all three policies, 20 investors, a liquidity provider, an arbitrageur,
    a sandwich attacker and a price manipulator."""
    clients = [ClientAgent(i, CLIENT_POLICIES[i % len(CLIENT_POLICIES)]) for i in range(n_clients)]
    return (
        clients
        + investors(n_clients)
        + [
            LiquidityProvider("liquidity provider", 0, 200.0),
            Arbitrageur("arbitrageur", (reference_price,) * n_clients),
            SandwichAttacker("sandwich attacker"),
            PriceManipulator("price manipulator", n_clients - 1, 20.0),
        ]
    )
