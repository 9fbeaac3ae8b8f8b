"""Checks of values a reader passes in from Python, before a twin or a contract sees them.

A contract's ABI takes only integers in ``[0, 2**256)`` and strings of a fixed maximum
length: titanoboa rejects anything else with an encoding traceback, and a twin would
compute on it silently (a negative transfer *credits* the sender). These checks raise one
``ValueError`` that names the argument instead.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

from eth_utils import is_address, to_checksum_address

from cst_ref.checks import check_int

from .constants import MAX_CLIENTS, MAX_PAGE
from .revert import MAX_UINT256


def check_uint256(**values: object) -> None:
    """Every keyword's value must be a uint256, e.g. ``check_uint256(amount=a, deadline=d)``."""
    for name, value in values.items():
        check_int(name, value, maximum=MAX_UINT256)


def check_uint256_list(name: str, values: Sequence[object], limit: int | None = None) -> list[int]:
    """A list of uint256 (shares, bounds), copied so later changes by the caller do not leak in;
    at most ``limit`` long when the ABI bounds it."""
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
        raise ValueError(f"{name} must be a sequence of ints, got {type(values).__name__}")
    if limit is not None and len(values) > limit:
        raise ValueError(f"{name}: at most {limit} per call, got {len(values)}")
    return [check_int(f"{name}[{i}]", v, maximum=MAX_UINT256) for i, v in enumerate(values)]


def check_string(name: str, value: object, max_bytes: int) -> str:
    """A Vyper ``String[max_bytes]`` argument: a str of at most ``max_bytes`` UTF-8 bytes."""
    if not isinstance(value, str):
        raise ValueError(f"{name} must be a str, got {type(value).__name__}")
    if len(value.encode()) > max_bytes:
        raise ValueError(f"{name} must be at most {max_bytes} bytes, got {value!r}")
    return value


@functools.lru_cache(maxsize=65536)
def _checksummed(value: str) -> str | None:
    return to_checksum_address(value) if is_address(value) else None


def check_address(name: str, value: object) -> str:
    """The checksummed form of an address, as the EVM sees it.

    A lower-case address is the same account as its checksummed form (the chain's encoder
    takes both, whatever their case), so twins key every balance by the checksummed string;
    anything that is not a 20-byte hex address is refused, as the encoder refuses it.
    titanoboa's ``Address`` is a ``str`` and passes as it is.
    """
    checked = _checksummed(str(value)) if isinstance(value, str) else None
    if checked is None:
        raise ValueError(f"{name} must be a 20-byte hex address, got {value!r}")
    return checked


def check_address_list(name: str, values: object) -> list[str]:
    """A list of addresses (a round's clients), each checksummed."""
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
        raise ValueError(f"{name} must be a sequence of addresses, got {type(values).__name__}")
    return [check_address(f"{name}[{i}]", v) for i, v in enumerate(values)]


def check_token_names(name: str, symbol: str) -> None:
    """``ValueError`` unless ``name`` and ``symbol`` fit the tokens' ``String[25]`` and ``String[5]``."""
    check_string("name", name, 25)
    check_string("symbol", symbol, 5)


def check_registration(name: str, symbol: str, client_supply: int, seed_token: int, seed_base: int) -> None:
    """``ValueError`` for registration arguments the contract's ABI cannot take."""
    check_token_names(name, symbol)
    check_uint256(client_supply=client_supply, seed_token=seed_token, seed_base=seed_base)


def check_client_list(clients: Sequence[str], limit: int = MAX_PAGE) -> list[str]:
    """A call's clients (a one-call round, a page, an observation: at most ``MAX_PAGE``; a
    paged round: ``MAX_CLIENTS``), checksummed."""
    accounts = check_address_list("clients", clients)
    if len(accounts) > limit:
        hint = f" (a round of more clients is paid in pages, up to {MAX_CLIENTS})" if limit < MAX_CLIENTS else ""
        raise ValueError(f"at most {limit} clients per call{hint}, got {len(accounts)}")
    return accounts


def check_round_inputs(clients: Sequence[str], shares: Sequence[int], budget: int, limit: int = MAX_PAGE) -> list[str]:
    """The round's clients, checksummed; ``ValueError`` for arguments the ABI cannot take.

    Lists of different lengths or an empty list are the contract's to refuse (with its
    own reasons), so the chain and the twin report them identically.
    """
    accounts = check_client_list(clients, limit)
    check_uint256_list("shares", shares, limit)
    check_uint256(budget=budget)
    return accounts
