"""How much each round pays: constant, geometric decay, or a share of the model's revenue.

A schedule says, for round t, how much base token flows *into* the treasury (model users
paying for the model) and how much the round *may pay out*. Amounts are integers in wei and
are computed in exact rational arithmetic, so a schedule gives the same wei on every machine.
The round loop caps a payout at what the treasury holds, so a treasury can run dry without
a round ever reverting half-way.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from cst_ref.checks import check_int


def _fraction(name: str, value: float | str, *, upper: int) -> Fraction:
    """An exact fraction in [0, upper] from a decimal (its shortest repr: 0.9 means 9/10)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError(f"{name} must be a number, got {value!r}")
    try:
        exact = Fraction(repr(value) if isinstance(value, float) else value)
    except (ValueError, ZeroDivisionError):
        raise ValueError(f"{name} must be a finite number, got {value!r}") from None
    if not 0 <= exact <= upper:
        raise ValueError(f"{name} must lie in [0, {upper}], got {value!r}")
    return exact


@dataclass(frozen=True)
class RoundBudget:
    """Round t's revenue into the treasury and its reward budget, in base-token wei."""

    revenue: int
    budget: int


@dataclass(frozen=True)
class BudgetSchedule:
    """``kind`` is ``constant`` (``amount`` every round), ``geometric`` (``amount``·``decay``^t)
    or ``revenue`` (users pay ``amount`` a round; ``share`` of it is paid out)."""

    kind: str = "constant"
    amount: int = 100 * 10**18
    decay: float | str = 1
    share: float | str = 1

    def __post_init__(self) -> None:
        if self.kind not in ("constant", "geometric", "revenue"):
            raise ValueError(f"budget kind must be 'constant', 'geometric' or 'revenue', got {self.kind!r}")
        check_int("amount", self.amount, positive=True)
        _fraction("decay", self.decay, upper=1)
        _fraction("share", self.share, upper=1)

    def at(self, t: int) -> RoundBudget:
        """Revenue and budget of round ``t`` (0-based)."""
        check_int("t", t)
        if self.kind == "constant":
            return RoundBudget(0, self.amount)
        if self.kind == "geometric":
            return RoundBudget(0, int(self.amount * _fraction("decay", self.decay, upper=1) ** t))
        return RoundBudget(self.amount, int(self.amount * _fraction("share", self.share, upper=1)))
