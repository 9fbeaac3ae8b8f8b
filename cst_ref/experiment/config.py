"""An experiment's TOML configuration, validated in full before anything runs.

Every field has a type, a range and a default; an unknown field is an error (a typo would
otherwise be ignored silently). All problems are collected at once, each message naming the
field, the value given and what is allowed, so a reader fixes a config in one go.
Token amounts are written in whole tokens (``100`` means 100·10^18 wei) because TOML's
integers stop at 2^63, below a hundred tokens in wei. Types are strict: ``rounds = "2"`` or
``rounds = true`` is an error, not a number (an integer is still a valid float).
"""

from __future__ import annotations

import os
import stat
import tomllib
from fractions import Fraction
from pathlib import Path
from typing import Annotated, Literal, TypeAlias

from pydantic import AfterValidator, Field, field_validator, model_validator

from cst_ref.protocol.round_loop import TIMINGS
from cst_ref.protocol.settlement import SETTLEMENTS
from cst_ref.protocol.valuer import END_ONLY
from cst_ref.sections import ConfigError, Section, validated
from cst_ref.twins import FEE_DENOMINATOR, MAX_CLIENTS, RULE_KEYS, WAD
from cst_ref.valuation import METHODS, METRICS, WEIGHTS, method_id
from cst_ref.valuation.single_round import MAX_EXACT_PLAYERS

MAX_CONFIG_BYTES = 2**20
"""A config is a few hundred bytes; reading stops here (``--config /dev/zero`` would never end)."""
MAX_ROUNDS = 1000
MAX_TOKENS = 10**12
"""Largest token amount a config may give. A pool reserve holds below 2^112 wei (5.2·10^15
tokens) and may collect a seed, a client's supply or the treasury plus a budget every round:
(MAX_ROUNDS + 2)·MAX_TOKENS whole tokens still fit."""
MAX_LR = 10.0
"""A sanity bound, a hundred times the examples' rates; a run that still diverges below it
is stopped by the runner with a message instead of a report full of NaN."""
MAX_AGENTS = 100
"""Agents of one kind in a market: a bound that keeps a run's market to minutes."""
EXACT_METHODS = frozenset(method.id for method in METHODS.values() if method.exact)
"""Methods that enumerate all 2^n coalitions: refused above ``MAX_EXACT_PLAYERS`` clients."""


def _fits_pool(tokens: float) -> float:
    if tokens > MAX_TOKENS:
        raise ValueError(f"at most {MAX_TOKENS:,} tokens, so that every pool reserve stays below 2^112 wei")
    return tokens


MethodId = Annotated[str, AfterValidator(method_id)]
"""A valuation method by id (``mr_loo``); a label (``MR leave-one-out``) is refused with the id."""
# a Literal over a tuple built at run time: pydantic reads it, mypy cannot (valid-type)
RuleName: TypeAlias = Literal[tuple(RULE_KEYS)]  # type: ignore[valid-type]
Tokens = Annotated[float, Field(ge=0, allow_inf_nan=False), AfterValidator(_fits_pool)]


def to_wei(tokens: float) -> int:
    """Whole tokens (as written in the config) to wei, exactly."""
    return int(Fraction(repr(float(tokens))) * WAD)


class DataConfig(Section):
    dataset: Literal["digits", "mnist", "cifar10"] = "digits"
    data_dir: str | None = None
    """Where MNIST or CIFAR-10 files lie (``cst-ref run --data-dir`` overrides it)."""
    limit: int | None = Field(default=None, ge=100)
    """Train on the first ``limit`` samples only (CIFAR-10 has 50,000)."""
    validation_fraction: float = Field(default=0.2, gt=0, lt=1)
    n_clients: int = Field(default=5, ge=1, le=MAX_CLIENTS)
    partition: Literal["iid", "dirichlet", "quantity_skew", "k_classes"] = "dirichlet"
    alpha: float = Field(default=0.5, gt=0, allow_inf_nan=False)
    skew: Literal["linear", "exponential"] = "linear"
    base: float = Field(default=1.5, gt=1, allow_inf_nan=False)
    k: int = Field(default=2, ge=1)
    min_size: int = Field(default=10, ge=1)


class BehaviourConfig(Section):
    client: int = Field(ge=0)
    kind: Literal["honest", "free_rider", "label_flip", "noisy"]
    mode: Literal["global", "noise"] = "global"
    scale: float = Field(default=0.01, ge=0, allow_inf_nan=False)
    fraction: float = Field(default=1.0, ge=0, le=1)
    sigma: float = Field(default=1.0, ge=0, allow_inf_nan=False)


class ModelConfig(Section):
    architecture: Literal["auto", "mlp", "cnn"] = "auto"
    """``auto``: an MLP for flat features (digits), the small CNN for images."""
    hidden: int = Field(default=64, ge=1)


class TrainingConfig(Section):
    rounds: int = Field(default=5, ge=1, le=MAX_ROUNDS)
    local_epochs: int = Field(default=2, ge=1)
    lr: float = Field(default=0.1, gt=0, le=MAX_LR, allow_inf_nan=False)
    batch_size: int = Field(default=16, ge=1)


class ValuationConfig(Section):
    methods: list[MethodId] = Field(default_factory=lambda: ["equal", "data_size", "mr_loo"], min_length=1)
    # a Literal over a tuple built at run time: pydantic reads it, mypy cannot (valid-type)
    metric: Literal[METRICS] = "loss"  # type: ignore[valid-type]
    """What a coalition's model is scored by, for the payout and the whole-run columns alike:
    ``loss`` (negative validation cross-entropy) or ``accuracy``."""
    # a Literal over a tuple built at run time: pydantic reads it, mypy cannot (valid-type)
    weights: Literal[WEIGHTS] = "federation"  # type: ignore[valid-type]
    """How a coalition's members are weighted: ``federation`` (each keeps its weight in the round's
    average) or ``coalition`` (FedAvg among the members alone)."""

    @field_validator("methods")
    @classmethod
    def _distinct(cls, methods: list[str]) -> list[str]:
        if len(set(methods)) != len(methods):
            raise ValueError("each method may be listed once")
        return methods


class PayoutConfig(Section):
    method: MethodId = "mr_loo"
    # a Literal over a tuple built at run time: pydantic reads it, mypy cannot (valid-type)
    timing: Literal[TIMINGS] = "round"  # type: ignore[valid-type]
    # a Literal over a tuple built at run time: pydantic reads it, mypy cannot (valid-type)
    settlement: Literal[SETTLEMENTS] = "cumulative"  # type: ignore[valid-type]
    """``cumulative``: pay each round the shortfall against the valuation so far; ``round``:
    pay each round by its own scores (see ``cst_ref.protocol.settlement``)."""
    rules: list[RuleName] = Field(default_factory=lambda: list(RULE_KEYS), min_length=1)
    round_seconds: int = Field(default=3600, ge=1)

    @field_validator("rules")
    @classmethod
    def _distinct(cls, rules: list[str]) -> list[str]:
        if len(set(rules)) != len(rules):
            raise ValueError("each rule may be listed once")
        return rules


class BudgetConfig(Section):
    kind: Literal["constant", "geometric", "revenue"] = "constant"
    amount: Tokens = 100.0
    """Tokens paid out per round (constant), in the first round (geometric), or paid in by users (revenue)."""
    decay: float = Field(default=1.0, gt=0, le=1)
    share: float = Field(default=1.0, ge=0, le=1)


class SystemSection(Section):
    treasury: Tokens = 1_000_000.0
    client_supply: Tokens = 1_000.0
    seed_token: Tokens = 1_000.0
    seed_base: Tokens = 1_000.0
    fee_bps: int = Field(default=30, ge=0, lt=FEE_DENOMINATOR)


class MarketAgents(Section):
    """How many agents of each kind trade around the paid federation (``cst_ref.scenarios``)."""

    buy_and_hold: int = Field(default=0, ge=0, le=MAX_AGENTS)
    """Each buys one client's token (the k-th client k mod n) and holds it."""
    index: int = Field(default=0, ge=0, le=MAX_AGENTS)
    momentum: int = Field(default=0, ge=0, le=MAX_AGENTS)
    informed: int = Field(default=0, ge=0, le=MAX_AGENTS)
    """Each buys the clients that contribute most (by data and behaviour)."""
    uninformed: int = Field(default=0, ge=0, le=MAX_AGENTS)
    value: int = Field(default=0, ge=0, le=MAX_AGENTS)
    """Each buys a token below its fundamental value and sells above (``scenarios.fundamental``)."""
    liquidity_provider: int = Field(default=0, ge=0, le=MAX_AGENTS)
    """Each provides liquidity to one client's pool (the k-th to client k mod n)."""
    sandwich_attacker: int = Field(default=0, ge=0, le=MAX_AGENTS)
    price_manipulator: int = Field(default=0, ge=0, le=MAX_AGENTS)
    """Each pumps one client's token before every round (the k-th client n − 1 − k mod n)."""


class MarketConfig(Section):
    """Agents trading every client's token while the federation pays it, per configured rule."""

    seeds: list[Annotated[int, Field(ge=0, le=2**32 - 1)]] = Field(
        default_factory=lambda: [0], min_length=1, max_length=100
    )
    """Market seeds: each replays the rounds with the agents acting in another order."""
    client_policy: Literal["hold", "sell_on_receipt", "sell_fraction"] = "hold"
    """What every client does with its tokens (``cst_ref.scenarios.ClientAgent``)."""
    sell_fraction: float = Field(default=0.1, gt=0, le=1)
    """With ``sell_fraction``: the part of its tokens a client sells each round."""
    capital: Tokens = 50.0
    """Base tokens each agent is given (a price manipulator's pump a round)."""
    agents: MarketAgents = MarketAgents()


class ExperimentConfig(Section):
    seed: int = Field(default=0, ge=0, le=2**32 - 1)
    data: DataConfig = DataConfig()
    behaviours: list[BehaviourConfig] = Field(default_factory=list)
    model: ModelConfig = ModelConfig()
    training: TrainingConfig = TrainingConfig()
    valuation: ValuationConfig = ValuationConfig()
    payout: PayoutConfig = PayoutConfig()
    budget: BudgetConfig = BudgetConfig()
    system: SystemSection = SystemSection()
    market: MarketConfig | None = None
    """Agents around the paid federation; ``None`` (no ``[market]`` section): no market."""

    @model_validator(mode="after")
    def _consistent(self) -> ExperimentConfig:
        problems = []
        n = self.data.n_clients
        clients = [b.client for b in self.behaviours]
        for i, client in enumerate(clients):
            if client >= n:
                problems.append(
                    f"behaviours.{i}.client: {client} is not a client; data.n_clients = {n} allows 0..{n - 1}"
                )
        if len(set(clients)) != len(clients):
            problems.append(f"behaviours: each client may have one behaviour, got clients {clients}")
        if self.payout.timing == "round" and self.payout.method in END_ONLY:
            problems.append(
                f"payout.timing: 'round' cannot pay by {self.payout.method!r}, which values the "
                "whole training at once (use timing = 'end' or a per-round method)"
            )
        if self.data.partition == "k_classes" and n * self.data.k < 10:
            problems.append(f"data.k: {self.data.k} classes × {n} clients cannot cover the 10 classes")
        system = self.system
        for name in ("seed_token", "seed_base"):
            if to_wei(getattr(system, name)) == 0:
                problems.append(f"system.{name}: every pool needs a positive seed, got {getattr(system, name)}")
        if to_wei(system.seed_base) * n > to_wei(system.treasury):
            problems.append(
                f"system.treasury: {system.treasury} tokens cannot seed {n} pools of "
                f"{system.seed_base} base tokens each"
            )
        if to_wei(self.budget.amount) == 0:
            problems.append("budget.amount: must be positive, got 0")
        problems += self._exact_methods_fit()
        if problems:
            raise ValueError("\n".join(problems))
        return self

    def _exact_methods_fit(self) -> list[str]:
        """An exact method over too many clients fails only once round 1 has trained: say so now."""
        n = self.data.n_clients
        if n <= MAX_EXACT_PLAYERS:
            return []
        used = {f"valuation.methods.{i}": m for i, m in enumerate(self.valuation.methods)}
        used["payout.method"] = self.payout.method
        return [
            f"{where}: {method!r} enumerates all 2^n coalitions; it allows at most {MAX_EXACT_PLAYERS} clients, "
            f"got data.n_clients = {n} (use 'gtg_shapley' or 'mr_monte_carlo')"
            for where, method in used.items()
            if method in EXACT_METHODS
        ]


def parse_config(data: dict) -> ExperimentConfig:
    """Validate a config given as a dict; ``ConfigError`` lists every problem."""
    return validated(ExperimentConfig, data)


def _read(path: Path) -> str:
    """The text of a regular file of at most ``MAX_CONFIG_BYTES``: a device or a pipe could be
    read until memory runs out, or wait forever for a writer."""
    if not stat.S_ISREG(os.stat(path).st_mode):
        raise ConfigError([f"{path}: not a regular file; --config takes a TOML file"])
    with open(path, "rb") as file:
        data = file.read(MAX_CONFIG_BYTES + 1)
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigError([f"{path}: larger than {MAX_CONFIG_BYTES // 2**20} MiB; a config is a small TOML file"])
    return data.decode()


def load_config(path: str | Path) -> ExperimentConfig:
    """Read and validate a TOML config file."""
    path = Path(path)
    try:
        data = tomllib.loads(_read(path))
    except FileNotFoundError:
        raise ConfigError([f"{path}: config file does not exist"]) from None
    except UnicodeDecodeError as error:
        raise ConfigError([f"{path}: not UTF-8 text ({error.reason} at byte {error.start})"]) from None
    except OSError as error:
        raise ConfigError([f"{path}: config file cannot be read ({error.strerror or error})"]) from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError([f"{path}: is not valid TOML: {error}"]) from None
    return parse_config(data)
