"""The profit-maximising sandwich around one swap, in the pool's exact integer maths.

An attacker who sees a victim's swap (here: a federation's buy-back) before it executes
buys first (``front_in``), lets the victim buy at the worse price, then sells everything it
bought. Its profit grows with ``front_in`` until the victim's output would fall below the
victim's bound, so the bound decides what the attacker can take (Zhou et al. 2021). Profit
as a function of ``front_in`` is concave up to wei rounding, so a ternary search over the
feasible range followed by an exact scan of its neighbourhood finds the integer optimum.
"""

from __future__ import annotations

from dataclasses import dataclass

from cst_ref.amm import get_amount_in, get_amount_out
from cst_ref.amm.math import MAX_RESERVE
from cst_ref.checks import check_int

#: Up to this many candidate purchases, every one is tried.
EXACT_LIMIT = 200_000
#: Width of the exact scan around the ternary search's result, absorbing rounding: rounding
#: matters on pools of millions of units, not on pools of 10^18-unit tokens.
SCAN_SMALL, SCAN_LARGE, LARGE = 4096, 64, 10**15


@dataclass(frozen=True)
class Sandwich:
    """The attacker's front-run input and its profit, both in the victim's input token."""

    front_in: int
    profit: int
    victim_out: int
    """What the victim receives when sandwiched (never below its ``min_out``)."""


def _outcome(x: int, reserve_in: int, reserve_out: int, victim_in: int, fee_bps: int) -> tuple[int, int]:
    """(victim's output, attacker's profit) when the attacker front-runs with ``x``."""
    bought = get_amount_out(x, reserve_in, reserve_out, fee_bps) if x else 0
    r_in, r_out = reserve_in + x, reserve_out - bought
    victim_out = get_amount_out(victim_in, r_in, r_out, fee_bps)
    if bought == 0:
        return victim_out, -x
    back = get_amount_out(bought, r_out - victim_out, r_in + victim_in, fee_bps)
    return victim_out, back - x


def optimal_sandwich(
    reserve_in: int, reserve_out: int, victim_amount_in: int, victim_min_out: int, fee_bps: int = 30
) -> Sandwich:
    """The sandwich with the largest integer profit that still leaves the victim ``victim_min_out``.

    ``front_in == profit == 0`` when no sandwich pays (or the victim's swap already fails its
    bound). Reserves are the pool's before the front-run, ``in`` being the victim's input token.
    """
    for name, value in (
        ("reserve_in", reserve_in),
        ("reserve_out", reserve_out),
        ("victim_amount_in", victim_amount_in),
    ):
        check_int(name, value, positive=True)
    check_int("victim_min_out", victim_min_out)
    check_int("fee_bps", fee_bps, maximum=9_999)
    alone = get_amount_out(victim_amount_in, reserve_in, reserve_out, fee_bps)
    none = Sandwich(0, 0, alone)
    if alone < victim_min_out:
        return none

    def feasible(x: int) -> bool:
        if reserve_in + x + victim_amount_in > MAX_RESERVE:  # more than a pool can hold
            return False
        bought = get_amount_out(x, reserve_in, reserve_out, fee_bps)
        if bought >= reserve_out:
            return False
        return _outcome(x, reserve_in, reserve_out, victim_amount_in, fee_bps)[0] >= victim_min_out

    # the largest front-run the victim's bound allows: double, then bisect
    high = 1
    while feasible(high):
        high *= 2
        if high > 2**200:  # an unbounded victim (min_out 0): any front-run is feasible
            break
    low = 0
    while high - low > 1:
        mid = (low + high) // 2
        low, high = (mid, high) if feasible(mid) else (low, mid)
    limit = low

    top = get_amount_out(limit, reserve_in, reserve_out, fee_bps) if limit else 0
    if top == 0:  # no feasible front-run buys a single unit
        return none

    def front(y: int) -> int:
        return get_amount_in(y, reserve_in, reserve_out, fee_bps)

    def profit(y: int) -> int:
        return _outcome(front(y), reserve_in, reserve_out, victim_amount_in, fee_bps)[1]

    if top <= EXACT_LIMIT:
        candidates = range(1, top + 1)
    else:
        scan = SCAN_LARGE if top >= LARGE else SCAN_SMALL
        a, b = 1, top
        while b - a > 2 * scan:
            m1, m2 = a + (b - a) // 3, b - (b - a) // 3
            if profit(m1) < profit(m2):
                a = m1
            else:
                b = m2
        candidates = range(max(1, a - scan), min(top, b + scan) + 1)
    best_y = max(candidates, key=lambda y: (profit(y), -y))
    best = front(best_y)
    if profit(best_y) <= 0:
        return none
    victim_out, gain = _outcome(best, reserve_in, reserve_out, victim_amount_in, fee_bps)
    return Sandwich(best, gain, victim_out)


def largest_quiet_front_run(reserve_in: int, reserve_out: int, max_deviation_bps: int, fee_bps: int = 30) -> int:
    """The largest input that raises the pool's price of the output token by at most
    ``max_deviation_bps``: how far an attacker can go before a deviation guard notices."""
    check_int("reserve_in", reserve_in, positive=True)
    check_int("reserve_out", reserve_out, positive=True)
    check_int("max_deviation_bps", max_deviation_bps)
    low, high = 0, reserve_in
    while high - low > 1:
        x = (low + high) // 2
        out = get_amount_out(x, reserve_in, reserve_out, fee_bps)
        quiet = (reserve_in + x) * reserve_out * 10_000 <= (10_000 + max_deviation_bps) * reserve_in * (
            reserve_out - out
        )
        low, high = (x, high) if quiet else (low, x)
    return low
