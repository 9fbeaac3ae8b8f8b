"""Argument checks shared by every layer of the package.

A wrong number passed from a notebook (``rounds=2.5``, a negative amount, ``True`` as a
count) would otherwise surface as a traceback deep inside numpy, torch or the ABI encoder,
or worse, be computed on silently. These checks raise one ``ValueError`` naming the argument.
"""

from __future__ import annotations

import inspect
import math
import numbers
import operator
from collections.abc import Callable, Sized

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


#: Seeds are 32-bit: every generator in the package (numpy, torch, the legacy
#: ``np.random.seed``) accepts them, and a client's derived seed still fits torch's 64 bits.
MAX_SEED = 2**32 - 1


def check_seed(name: str, value: object) -> int:
    """A seed as an int in 0..2^32−1; numpy would reject -1 or 1.5 without naming the argument."""
    return check_int(name, value, maximum=MAX_SEED, numpy_ok=True)


def check_real(
    name: str,
    value: object,
    *,
    positive: bool = False,
    finite: bool = True,
    minimum: float | None = None,
    maximum: float | None = None,
    exclusive: bool = False,
) -> float:
    """``value`` as a float: a real number (not bool, not NaN), finite unless ``finite=False``,
    > 0 if ``positive``, within [minimum, maximum] (open bounds if ``exclusive``).

    A string or ``inf`` learning rate would otherwise fail deep inside torch, or train on NaNs.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a real number, got {type(value).__name__}")
    value = float(value)
    if math.isnan(value) or (finite and math.isinf(value)):
        raise ValueError(f"{name} must be {'finite' if finite else 'a number'}, got {value}")
    if positive and not value > 0:
        raise ValueError(f"{name} must be > 0, got {value}")
    below, above = (operator.le, operator.ge) if exclusive else (operator.lt, operator.gt)
    if minimum is not None and below(value, minimum):
        raise ValueError(f"{name} must be {'>' if exclusive else '≥'} {minimum}, got {value}")
    if maximum is not None and above(value, maximum):
        raise ValueError(f"{name} must be {'<' if exclusive else '≤'} {maximum}, got {value}")
    return value


def check_bool(name: str, value: object) -> bool:
    """``value`` if it is True or False: a flag given as ``"yes"`` or ``0`` is a typo, not a choice."""
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def check_vector(name: str, values: object) -> np.ndarray:
    """``values`` as a non-empty 1-d float array of finite numbers (weights, costs, sizes).

    numpy's own errors (``could not convert string to float``) do not say which argument.
    """
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a list of numbers, got {values!r}") from None
    if array.ndim != 1 or len(array) == 0:
        raise ValueError(f"{name} must be a non-empty list of numbers, got {values!r}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite, got {values!r}")
    return array


def check_nonempty(name: str, values: Sized) -> None:
    """Refuse an empty collection: a figure or table of nothing hides the caller's bug."""
    if len(values) == 0:
        raise ValueError(f"{name} must not be empty")


def check_length(name: str, values: Sized, expected: int, unit: str) -> None:
    """``values`` must hold one entry per ``unit`` (client, time, …), or bars and labels drift apart."""
    if len(values) != expected:
        raise ValueError(f"{name} has {len(values)} values for {expected} {unit}")


def check_options(what: str, function: Callable[..., object], *args: object, **options: object) -> None:
    """Refuse options ``function`` does not take, e.g. ``alpha`` for the IID partitioner.

    Dispatch-by-name helpers pass ``**options`` through; Python's ``TypeError`` for an
    unexpected keyword would not say which method was asked for.
    """
    try:
        inspect.signature(function).bind(*args, **options)
    except TypeError as error:
        raise ValueError(f"{what}: {error}") from None
