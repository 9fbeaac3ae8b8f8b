"""The agents of a market: small classes with a wallet that act between rounds.

Each agent has a name, an account, and four hooks the market calls: ``setup`` once, ``act``
between rounds (in a seeded random order), ``after_round`` when a round has landed, and,
for adversaries, ``front_run`` and ``back_run`` around the pending round. Every decision
reads the chain through the market, so the twins and the EVM see the same choices.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from cst_ref.backends import PendingRound, labelled_address
from cst_ref.checks import check_int, check_real
from cst_ref.twins import DEFAULT_MAX_DEVIATION_BPS, RULE_BUYBACK_TO_CLIENT, RULE_MINT, RoundRecord

from .fundamental import ValueModel
from .sandwich import largest_quiet_front_run, optimal_sandwich

if TYPE_CHECKING:  # the market imports the agents; agents only need its type
    from .market import Market


class Agent:
    """Base class: an account, what it was given, and hooks that do nothing."""

    adversary = False

    def __init__(self, name: str) -> None:
        if not isinstance(name, str) or not name:
            raise ValueError(f"an agent needs a non-empty name, got {name!r}")
        self.name = name
        self.account = labelled_address(f"agent {name}")
        self.given = 0
        """Base tokens the scenario handed this agent, in wei (its capital)."""

    def bind(self, market: Market) -> None:
        """Called before anyone trades (clients take their registered account here)."""

    def give(self, market: Market, amount: int) -> None:
        market.backend.mint_base(self.account, amount)
        self.given += amount

    def setup(self, market: Market) -> None: ...

    def act(self, market: Market) -> None: ...

    def after_round(self, market: Market, pending: PendingRound, record: RoundRecord) -> None: ...

    def front_run(self, market: Market, pending: PendingRound) -> None:
        """An adversary's trade before a pending round lands (called only if ``adversary``)."""

    def back_run(self, market: Market, pending: PendingRound, record: RoundRecord) -> None:
        """An adversary's trade after the round, in the same block (called only if ``adversary``)."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"


def _sell_all(market: Market, agent: Agent, client: int) -> int:
    held = market.backend.holdings(agent.account).cst[client]
    return market.swap(agent, client, "cst", held) if market.sellable(client, "cst", held) else 0


# --- clients ------------------------------------------------------------------------------
class ClientAgent(Agent):
    """A registered client: after every round it has the part of its own supply that vested
    released to it, then holds its CST, sells what it received (the round's tokens and the
    vested supply), or sells a fraction of its CST each round."""

    POLICIES = ("hold", "sell_on_receipt", "sell_fraction")

    def __init__(self, client: int, policy: str = "hold", fraction: float = 0.1) -> None:
        super().__init__(f"client {check_int('client', client)}")
        if policy not in self.POLICIES:
            raise ValueError(f"policy must be one of {self.POLICIES}, got {policy!r}")
        self.client, self.policy = client, policy
        self.fraction = check_real("fraction", fraction, minimum=0.0, maximum=1.0)

    def bind(self, market: Market) -> None:
        if self.client >= market.n:
            raise ValueError(f"client {self.client} is not registered (the system has {market.n})")
        self.account = market.backend.accounts[self.client]

    def act(self, market: Market) -> None:
        if self.policy == "sell_fraction":
            held = market.backend.holdings(self.account).cst[self.client]
            amount = int(held * self.fraction)
            if market.sellable(self.client, "cst", amount):
                market.swap(self, self.client, "cst", amount)

    def after_round(self, market: Market, pending: PendingRound, record: RoundRecord) -> None:
        backend = market.backend
        received = backend.release(self.client) if backend.releasable(self.client) else 0
        if record.rule in (RULE_MINT, RULE_BUYBACK_TO_CLIENT):
            received += record.tokens_out[self.client]
        if self.policy == "sell_on_receipt" and market.sellable(self.client, "cst", received):
            market.swap(self, self.client, "cst", received)


# --- investors -----------------------------------------------------------------------------
class Investor(Agent):
    """An investor with ``capital`` base tokens (in whole tokens) to put into CSTs."""

    def __init__(self, name: str, capital: float = 100.0) -> None:
        super().__init__(name)
        self.capital = int(check_real("capital", capital, positive=True) * 10**18)

    def setup(self, market: Market) -> None:
        self.give(market, self.capital)

    def buy_split(self, market: Market, clients: list[int]) -> None:
        """Spend all base equally on ``clients``' tokens."""
        cash = market.backend.holdings(self.account).base
        for client in clients:
            amount = cash // len(clients)
            if market.sellable(client, "base", amount):
                market.swap(self, client, "base", amount)


class BuyAndHold(Investor):
    """Buys one client's token at the start and never trades again."""

    def __init__(self, name: str, client: int, capital: float = 100.0) -> None:
        super().__init__(name, capital)
        self.client = check_int("client", client)

    def setup(self, market: Market) -> None:
        super().setup(market)
        self.buy_split(market, [self.client])


class IndexInvestor(Investor):
    """Holds every CST in equal value, rebalancing when a weight drifts past ``band``."""

    def __init__(self, name: str, capital: float = 100.0, band: float = 0.2) -> None:
        super().__init__(name, capital)
        self.band = check_real("band", band, minimum=0.0)

    def setup(self, market: Market) -> None:
        super().setup(market)
        self.buy_split(market, list(range(market.n)))

    def act(self, market: Market) -> None:
        held = market.backend.holdings(self.account)
        prices = [market.spot(i) for i in range(market.n)]
        values = [cst * price for cst, price in zip(held.cst, prices)]
        target = (sum(values) + held.base) / market.n
        for i, value in enumerate(values):
            if value > target * (1 + self.band):
                amount = int((value - target) / prices[i])
                if market.sellable(i, "cst", amount):
                    market.swap(self, i, "cst", amount)
        under = [i for i, value in enumerate(values) if value < target * (1 - self.band)]
        if under:
            self.buy_split(market, under)


class MomentumInvestor(Investor):
    """After every round, moves everything into the client the round's event paid most."""

    def after_round(self, market: Market, pending: PendingRound, record: RoundRecord) -> None:
        paid = record.tokens_out if record.rule == RULE_MINT else record.amounts
        winner = max(range(market.n), key=lambda i: (paid[i], -i))
        for i in range(market.n):
            if i != winner:
                _sell_all(market, self, i)
        self.buy_split(market, [winner])


class InformedInvestor(Investor):
    """Knows every client's true contribution and buys the ``top`` best at the start."""

    def __init__(self, name: str, capital: float = 100.0, top: int = 3) -> None:
        super().__init__(name, capital)
        self.top = check_int("top", top, positive=True)

    def setup(self, market: Market) -> None:
        super().setup(market)
        quality = market.scenario.quality
        best = sorted(range(market.n), key=lambda i: (-quality[i], i))[: self.top]
        self.buy_split(market, best)


class UninformedInvestor(Investor):
    """Buys ``picks`` clients chosen at random (the market's seeded generator)."""

    def __init__(self, name: str, capital: float = 100.0, picks: int = 3) -> None:
        super().__init__(name, capital)
        self.picks = check_int("picks", picks, positive=True)

    def setup(self, market: Market) -> None:
        super().setup(market)
        chosen = market.rng.choice(market.n, size=min(self.picks, market.n), replace=False)
        self.buy_split(market, sorted(int(i) for i in chosen))


class LiquidityProvider(Investor):
    """Swaps half its capital into a client's token and deposits both as liquidity."""

    def __init__(self, name: str, client: int, capital: float = 100.0) -> None:
        super().__init__(name, capital)
        self.client = check_int("client", client)

    def setup(self, market: Market) -> None:
        super().setup(market)
        cst = market.swap(self, self.client, "base", self.capital // 2)
        market.backend.add_liquidity(self.account, self.client, cst, self.capital - self.capital // 2)


class Arbitrageur(Investor):
    """Trades each pool back towards a reference price (base per CST) when it strays by ``band``."""

    def __init__(self, name: str, reference: tuple[float, ...], capital: float = 10_000.0, band: float = 0.02) -> None:
        super().__init__(name, capital)
        self.reference = tuple(check_real(f"reference[{i}]", r, positive=True) for i, r in enumerate(reference))
        self.band = check_real("band", band, minimum=0.0)

    def targets(self, market: Market) -> Iterable[float]:
        """The price each pool is traded towards."""
        return self.reference[: market.n]

    def act(self, market: Market) -> None:
        """Sell every CST priced above its target's band back down to the target (as far as
        its holdings go); then buy every one priced below up to its target, the cash split in
        proportion to what each purchase needs."""
        held, buys = market.backend.holdings(self.account), {}
        for i, target in enumerate(self.targets(market)):
            reserve_token, reserve_base = market.backend.reserves(i)
            price, k = reserve_base / reserve_token, reserve_token * reserve_base
            if price > target * (1 + self.band):
                amount = min(int((k / target) ** 0.5 - reserve_token), held.cst[i])
                if market.sellable(i, "cst", amount):
                    market.swap(self, i, "cst", amount)
            elif price < target * (1 - self.band):  # base in until base/CST reaches the target
                buys[i] = int((k * target) ** 0.5 - reserve_base)
        cash = market.backend.holdings(self.account).base
        scale = min(1.0, cash / sum(buys.values())) if buys else 1.0
        for i, amount in buys.items():
            amount = min(int(amount * scale), market.backend.holdings(self.account).base)
            if market.sellable(i, "base", amount):
                market.swap(self, i, "base", amount)


class ValueInvestor(Arbitrageur):
    """Buys a CST below its fundamental value (``fundamental.ValueModel``) and sells above it,
    by ``band``: an arbitrageur whose reference is the model's value as each round opens."""

    def __init__(self, name: str, capital: float = 100.0, band: float = 0.05, model: ValueModel = ValueModel()) -> None:
        super().__init__(name, (1.0,), capital, band)
        self.model = model

    def targets(self, market: Market) -> Iterable[float]:
        return self.model.values(market.scenario, market.round, market.backend.pools(), market.ledger.treasury[-1])


# --- adversaries ----------------------------------------------------------------------------
class Adversary(Investor):
    """An agent that sees a pending round and trades around it in the same block."""

    adversary = True


class SandwichAttacker(Adversary):
    """Sandwiches every buy-back with the profit-maximising front-run its bound allows.

    ``guard_aware`` attackers also keep their front-run within the federation's allowed
    deviation from the pool's recent price, so the guard does not skip their victim.
    """

    def __init__(
        self,
        name: str,
        capital: float = 10_000.0,
        guard_aware: bool = True,
        max_deviation_bps: int = DEFAULT_MAX_DEVIATION_BPS,
    ) -> None:
        super().__init__(name, capital)
        self.guard_aware = guard_aware
        self.max_deviation_bps = check_int("max_deviation_bps", max_deviation_bps)
        self.bought: dict[int, int] = {}

    def front_run(self, market: Market, pending: PendingRound) -> None:
        self.bought = {}
        if not pending.buys:
            return
        for i, (share, min_out) in enumerate(zip(pending.shares, pending.bounds)):
            amount = pending.budget * share // 10**18
            if amount == 0:
                continue
            reserve_token, reserve_base = market.backend.reserves(i)
            sandwich = optimal_sandwich(reserve_base, reserve_token, amount, min_out, market.fee_bps)
            size = sandwich.front_in
            if self.guard_aware:
                size = min(
                    size, largest_quiet_front_run(reserve_base, reserve_token, self.max_deviation_bps, market.fee_bps)
                )
            size = min(size, market.backend.holdings(self.account).base)
            if market.sellable(i, "base", size):
                self.bought[i] = market.swap(self, i, "base", size)

    def back_run(self, market: Market, pending: PendingRound, record: RoundRecord) -> None:
        for i, amount in self.bought.items():
            if market.sellable(i, "cst", amount):
                market.swap(self, i, "cst", amount)


class PriceManipulator(Adversary):
    """Pumps one client's price with ``size`` base tokens just before every round, sells after."""

    def __init__(self, name: str, client: int, size: float = 100.0, capital: float = 10_000.0) -> None:
        super().__init__(name, capital)
        self.client = check_int("client", client)
        self.size = int(check_real("size", size, positive=True) * 10**18)
        self.bought = 0

    def front_run(self, market: Market, pending: PendingRound) -> None:
        size = min(self.size, market.backend.holdings(self.account).base)
        self.bought = market.swap(self, self.client, "base", size) if market.sellable(self.client, "base", size) else 0

    def back_run(self, market: Market, pending: PendingRound, record: RoundRecord) -> None:
        if market.sellable(self.client, "cst", self.bought):
            market.swap(self, self.client, "cst", self.bought)
