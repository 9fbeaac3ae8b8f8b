"""The federation's operator role is snekmate's access_control behind the federation's own ABI.

``is_operator`` and ``set_operator`` stay what the Python side calls; access_control adds its
``RoleGranted``/``RoleRevoked`` events (on a change only) beside ``OperatorSet`` (on every
call), and none of its external functions is exported, so the ``DEFAULT_ADMIN_ROLE`` its
constructor gives the deployer cannot be used.
"""

from __future__ import annotations

import boa
import pytest
from eth_utils import keccak
from vyper.compiler.output import build_abi_output

from cst_ref.chain.deploy import deploy_base_token, deployer
from cst_ref.chain.federation import FederationChain

OPERATOR_ROLE = keccak(text="OPERATOR_ROLE")
ACCESS_CONTROL_EXTERNALS = {"hasRole", "getRoleAdmin", "grantRole", "revokeRole", "renounceRole", "set_role_admin",
                            "supportsInterface", "DEFAULT_ADMIN_ROLE"}


@pytest.fixture(scope="module")
def federation(owner):
    base = deploy_base_token(sender=owner)
    return FederationChain.deploy(base.address, sender=owner).contract


def set_operator(federation, operator: str, status: bool, sender: str) -> list[tuple]:
    """Call ``set_operator`` and return its events: name and fields."""
    federation.set_operator(operator, status, sender=sender)
    return [(type(e).__name__, *tuple(e)[1:]) for e in federation.get_logs()]  # [0]: the emitter


def test_the_deployer_is_the_first_operator(federation, owner):
    assert federation.is_operator(owner) and federation.owner() == owner


def test_set_operator_grants_and_revokes_the_role(federation, owner):
    stranger = boa.env.generate_address("stranger")
    assert not federation.is_operator(stranger)
    assert set_operator(federation, stranger, True, owner) == [
        ("RoleGranted", OPERATOR_ROLE, stranger, owner), ("OperatorSet", stranger, True)]
    assert federation.is_operator(stranger)
    # no change: only the federation's own event
    assert set_operator(federation, stranger, True, owner) == [("OperatorSet", stranger, True)]
    assert set_operator(federation, stranger, False, owner) == [
        ("RoleRevoked", OPERATOR_ROLE, stranger, owner), ("OperatorSet", stranger, False)]
    assert not federation.is_operator(stranger)


def test_access_control_exports_nothing():
    abi = build_abi_output(deployer("federation").compiler_data)
    names = {item["name"] for item in abi if item["type"] == "function"}
    assert {"is_operator", "set_operator", "owner", "transfer_ownership"} <= names
    assert not names & ACCESS_CONTROL_EXTERNALS
