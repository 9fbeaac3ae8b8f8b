"""Every privileged federation function refuses a caller without the role."""

import boa
import pytest

from cst_ref.twins.shares import SHARE_SCALE

NOT_OWNER = "ownable: caller is not the owner"
NOT_OPERATOR = "federation: caller is not an operator"


@pytest.mark.parametrize(
    "call",
    [
        lambda f, who: f.set_operator(who, True, sender=who),
        lambda f, who: f.pause(sender=who),
        lambda f, who: f.unpause(sender=who),
        lambda f, who: f.transfer_ownership(who, sender=who),
    ],
    ids=["set_operator", "pause", "unpause", "transfer_ownership"],
)
def test_owner_functions_refuse_others(system, stranger, call):
    with boa.reverts(NOT_OWNER):
        call(system.federation.contract, stranger)


@pytest.mark.parametrize(
    "call",
    [
        lambda f, who, acc: f.register_client(who, "X", "X", 1, 10**6, 10**6, sender=who),
        lambda f, who, acc: f.distribute_mint(acc, [SHARE_SCALE, 0, 0], 10, sender=who),
        lambda f, who, acc: f.distribute_buyback(
            acc, [SHARE_SCALE, 0, 0], 10, [0, 0, 0], False, boa.env.timestamp, sender=who
        ),
        lambda f, who, acc: f.distribute_inject(acc, [SHARE_SCALE, 0, 0], 10, sender=who),
        lambda f, who, acc: f.deregister_client(acc[0], sender=who),
    ],
    ids=["register_client", "distribute_mint", "distribute_buyback", "distribute_inject", "deregister_client"],
)
def test_operator_functions_refuse_others(system, stranger, accounts, call):
    with boa.reverts(NOT_OPERATOR):
        call(system.federation.contract, stranger, accounts)


def test_owner_can_appoint_and_revoke_an_operator(system, stranger, accounts):
    federation = system.federation
    federation.contract.set_operator(stranger, True, sender=system.owner)
    federation.distribute_inject(accounts, [SHARE_SCALE, 0, 0], 10, sender=stranger)
    federation.contract.set_operator(stranger, False, sender=system.owner)
    with boa.reverts(NOT_OPERATOR):
        federation.distribute_inject(accounts, [SHARE_SCALE, 0, 0], 10, sender=stranger)


def test_paused_federation_refuses_rounds_and_registrations(system, accounts, equal_shares):
    federation = system.federation
    federation.contract.pause(sender=system.owner)
    paused = "pausable: contract is paused"
    with boa.reverts(paused):
        federation.distribute_mint(accounts, equal_shares, 10, sender=system.owner)
    with boa.reverts(paused):
        federation.distribute_buyback(accounts, equal_shares, 10, burn=True, sender=system.owner)
    with boa.reverts(paused):
        federation.distribute_inject(accounts, equal_shares, 10, sender=system.owner)
    with boa.reverts(paused):
        federation.contract.register_client(
            boa.env.generate_address(), "X", "X", 1, 10**6, 10**6, sender=system.owner
        )
    federation.contract.unpause(sender=system.owner)
    assert federation.distribute_mint(accounts, equal_shares, 10, sender=system.owner).round_number == 1
