"""Compile and deploy the project's contracts on titanoboa's local EVM.

Contracts are package data: ``cst_ref/contracts`` links to the repository's
``contracts/`` folder, and a wheel carries a copy, so a ``pip install`` from the
repository can deploy them. Compilation goes through titanoboa's disk cache, which
must stay on (disabling it breaks every call in titanoboa 0.2.8).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import boa
from boa.contracts.vyper.vyper_contract import VyperBlueprint, VyperContract, VyperDeployer

from cst_ref.twins.constants import DEFAULT_BASE_NAME, DEFAULT_BASE_SYMBOL, DEFAULT_FEE_BPS
from cst_ref.twins.inputs import check_token_names, check_uint256

CONTRACTS_DIR = Path(str(resources.files("cst_ref") / "contracts"))


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


def deploy_as_blueprint(name: str) -> VyperBlueprint:
    """Deploy ``contracts/<name>.vy`` as an EIP-5202 blueprint for ``create_from_blueprint``.

    A blueprint runs no constructor, so who deploys it does not matter: the
    contract calling ``create_from_blueprint`` becomes the new contract's owner.
    """
    return deployer(name).deploy_as_blueprint()


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
