"""Checks of values a reader passes in from Python, before a twin or a contract sees them.

A contract's ABI takes only integers in ``[0, 2**256)`` and strings of a fixed maximum
length: titanoboa rejects anything else with an encoding traceback, and a twin would
compute on it silently (a negative transfer *credits* the sender). These checks raise one
``ValueError`` that names the argument instead.
"""

from __future__ import annotations

from collections.abc import Sequence

from cst_ref.checks import check_int

from .revert import MAX_UINT256


def check_uint256(**values: object) -> None:
    """Every keyword's value must be a uint256, e.g. ``check_uint256(amount=a, deadline=d)``."""
    for name, value in values.items():
        check_int(name, value, maximum=MAX_UINT256)


def check_uint256_list(name: str, values: Sequence[object]) -> list[int]:
    """A list of uint256 (shares, bounds), copied so later changes by the caller do not leak in."""
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
        raise ValueError(f"{name} must be a sequence of ints, got {type(values).__name__}")
    return [check_int(f"{name}[{i}]", v, maximum=MAX_UINT256) for i, v in enumerate(values)]


def check_string(name: str, value: object, max_bytes: int) -> str:
    """A Vyper ``String[max_bytes]`` argument: a str of at most ``max_bytes`` UTF-8 bytes."""
    if not isinstance(value, str):
        raise ValueError(f"{name} must be a str, got {type(value).__name__}")
    if len(value.encode()) > max_bytes:
        raise ValueError(f"{name} must be at most {max_bytes} bytes, got {value!r}")
    return value
