"""Argument checks shared by every layer of the package.

A wrong number passed from a notebook (``rounds=2.5``, a negative amount, ``True`` as a
count) would otherwise surface as a traceback deep inside numpy, torch or the ABI encoder,
or worse, be computed on silently. These checks raise one ``ValueError`` naming the argument.
"""

from __future__ import annotations

import numpy as np


def check_int(
    name: str, value: object, *, positive: bool = False, maximum: int | None = None, numpy_ok: bool = False
) -> int:
    """``value`` if it is a (non-bool) int, non-negative (or positive) and at most ``maximum``.

    Token amounts must be Python ints: numpy's fixed-width integers would overflow silently
    in wei arithmetic, so they are refused unless ``numpy_ok`` (counts), and then converted.
    """
    # bool is an int subclass; an amount or a count of True is a bug, not 1.
    allowed = (int, np.integer) if numpy_ok else int
    if isinstance(value, bool) or not isinstance(value, allowed):
        raise ValueError(f"{name} must be an int, got {type(value).__name__}")
    value = int(value)
    if value < 0 or (positive and value == 0):
        raise ValueError(f"{name} must be {'positive' if positive else 'non-negative'}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be at most {maximum}, got {value}")
    return value


def positive_int(name: str, value: object) -> int:
    """A count that must be at least 1 (clients, rounds, players, permutations)."""
    try:
        return check_int(name, value, positive=True, numpy_ok=True)
    except ValueError:
        raise ValueError(f"{name} must be an integer, at least 1, got {value!r}") from None
