"""Agent-based markets around a federation: investors, liquidity providers, arbitrageurs, attackers.

A :class:`Scenario` fixes a federation's payout schedule and rule; :func:`run_market` lets a
list of agents trade around every round on either backend and accounts for it by liquidating
every account in turn (``exit``: the gains and losses of all accounts sum to zero wei);
``optimal_sandwich`` is the attacker's exact best response to a buy-back.
"""

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
from .market import Market, MarketResult, RoundPlan, Scenario, plans_from, run_market
from .sandwich import Sandwich, optimal_sandwich

__all__ = [
    "Agent",
    "Arbitrageur",
    "BuyAndHold",
    "ClientAgent",
    "IndexInvestor",
    "InformedInvestor",
    "LiquidityProvider",
    "Market",
    "MarketResult",
    "MomentumInvestor",
    "PriceManipulator",
    "RoundPlan",
    "Sandwich",
    "SandwichAttacker",
    "Scenario",
    "UninformedInvestor",
    "ValueInvestor",
    "optimal_sandwich",
    "plans_from",
    "run_market",
]
