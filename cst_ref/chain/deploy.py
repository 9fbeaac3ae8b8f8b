"""Compile and deploy the project's contracts on titanoboa's local EVM.

Contracts are package data: ``cst_ref/contracts`` links to the repository's
``contracts/`` folder, and a wheel carries a copy, so a ``pip install`` from the
repository can deploy them. Compilation goes through titanoboa's disk cache, which
must stay on (disabling it breaks every call in titanoboa 0.2.8).
"""

from __future__ import annotations

import contextlib
import functools
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import boa
from boa.contracts.vyper.vyper_contract import VyperContract, VyperDeployer

from cst_ref.twins.constants import DEFAULT_BASE_NAME, DEFAULT_BASE_SYMBOL, DEFAULT_FEE_BPS
from cst_ref.twins.inputs import check_token_names, check_uint256

CONTRACTS_DIR = Path(str(resources.files("cst_ref") / "contracts"))
#: The CST implementation's name and symbol; a clone's EIP-712 domain carries the name.
IMPLEMENTATION_NAME, IMPLEMENTATION_SYMBOL = "WallStreetFeds CST", "CST"


def contract_path(name: str) -> Path:
    """Path of ``contracts/<name>.vy``; ``ValueError`` if there is no such contract."""
    path = CONTRACTS_DIR / f"{name}.vy"
    if not path.is_file():
        raise ValueError(f"no contract {name!r} in {CONTRACTS_DIR}")
    return path


@functools.cache
def deployer(name: str) -> VyperDeployer:
    """Compiled, not yet deployed contract; compiled once per process."""
    return boa.load_partial(str(contract_path(name)))


def deploy_base_token(
    name: str = DEFAULT_BASE_NAME, symbol: str = DEFAULT_BASE_SYMBOL, *, sender: str | None = None
) -> VyperContract:
    """The stablecoin stand-in (18 decimals); ``sender`` becomes owner and minter.

    It is ``contracts/cst_token.vy`` deployed directly: the CST's code, minted by its issuer.
    """
    check_token_names(name, symbol)
    return deployer("cst_token").deploy(name, symbol, sender=sender)


def deploy_cst(name: str, symbol: str, *, sender: str | None = None) -> VyperContract:
    """A client-specific token (18 decimals); ``sender`` becomes owner and sole minter."""
    check_token_names(name, symbol)
    return deployer("cst_token").deploy(name, symbol, sender=sender)


def deploy_pool(token: str, base: str, fee_bps: int = DEFAULT_FEE_BPS, *, sender: str | None = None) -> VyperContract:
    """A constant-product pool of ``token`` (a CST) against ``base``; the fee must be below 10,000 bps."""
    check_uint256(fee_bps=fee_bps)
    return deployer("pool").deploy(str(token), str(base), fee_bps, sender=sender)


@contextlib.contextmanager
def cloning() -> Iterator[None]:
    """Silence titanoboa's warning about the code of a clone (a client's token or pool).

    A clone's code is the 45-byte EIP-1167 proxy, not the compiled contract, so titanoboa's
    "casted bytecode does not match compiled bytecode" (raised where the federation creates
    a clone, and where a handle is made for one) says nothing: calls go through the ABI.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "casted bytecode does not match", UserWarning)
        yield


def clone_at(name: str, address: str) -> VyperContract:
    """A handle to a clone of ``contracts/<name>.vy`` at ``address``."""
    with cloning():
        return deployer(name).at(address)


def deploy_implementations(
    base: str, fee_bps: int = DEFAULT_FEE_BPS, *, sender: str | None = None
) -> tuple[VyperContract, VyperContract]:
    """The CST and the pool that the federation clones for every client (EIP-1167 proxies).

    Both are ordinary deployments, initialised by their constructors, so nobody can
    initialise them again: the token is named :data:`IMPLEMENTATION_NAME`, and the pool
    trades it against ``base`` at ``fee_bps``, the fee every clone charges.
    """
    check_uint256(fee_bps=fee_bps)
    token = deploy_cst(IMPLEMENTATION_NAME, IMPLEMENTATION_SYMBOL, sender=sender)
    return token, deploy_pool(token.address, str(base), fee_bps, sender=sender)


@dataclass(frozen=True)
class DeployedMarket:
    """One CST, the base token and their pool: the unit the chapters trade in."""

    base: VyperContract
    token: VyperContract
    pool: VyperContract


def deploy_market(
    token_name: str = "Client 0 token",
    token_symbol: str = "CST0",
    fee_bps: int = DEFAULT_FEE_BPS,
    *,
    base: VyperContract | None = None,
    sender: str | None = None,
) -> DeployedMarket:
    """Deploy a CST and its (empty) pool, and the base token unless one is given."""
    check_token_names(token_name, token_symbol)
    check_uint256(fee_bps=fee_bps)
    base = base if base is not None else deploy_base_token(sender=sender)
    token = deploy_cst(token_name, token_symbol, sender=sender)
    pool = deploy_pool(token.address, base.address, fee_bps, sender=sender)
    return DeployedMarket(base=base, token=token, pool=pool)
