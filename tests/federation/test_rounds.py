"""Registration and rounds do what the chapter says, down to the last wei.

Each expectation is computed by the Python twin (or by hand) before the contract runs.
"""

import boa
import pytest

from cst_ref.chain.deploy import cloning
from cst_ref.twins import MAX_CLIENTS, RULE_BUYBACK_BURN, RULE_BUYBACK_TO_CLIENT, RULE_INJECT, RULE_MINT, Vesting
from cst_ref.twins.federation import create_address
from cst_ref.twins.shares import SHARE_SCALE, scores_hash, split_budget


def test_registration_deploys_owned_token_and_seeded_pool(system, accounts):
    federation, config = system.federation, system.config
    for position, client in enumerate(federation.clients):
        assert str(client.token.address) == create_address(federation.address, 1 + 2 * position)
        assert str(client.pool.address) == create_address(federation.address, 2 + 2 * position)
        assert client.token.owner() == federation.address
        assert client.token.is_minter(federation.address)
        # the client's supply waits in escrow, and the seed's LP shares are locked in the federation
        assert client.token.balanceOf(client.account) == 0
        assert client.token.balanceOf(federation.address) == config.client_supply
        assert federation.vesting(client.account) == Vesting(config.client_supply, 0, 0)
        assert client.pool.get_reserves()[:2] == (config.seed_token, config.seed_base)
        assert client.pool.balanceOf(federation.address) == client.pool.totalSupply() - 1000
        assert client.pool.balanceOf(client.account) == 0
        assert federation.contract.client_index(client.account) == position + 1
    assert federation.contract.treasury() == config.treasury - len(accounts) * config.seed_base


def test_round_event_carries_round_rule_hash_and_amounts(system, accounts):
    federation = system.federation
    shares = [SHARE_SCALE // 2, SHARE_SCALE // 4, SHARE_SCALE // 4]
    budget = 10**18
    first = federation.distribute_mint(accounts, shares, budget)
    assert first.round_number == 1 and first.rule == RULE_MINT
    assert first.scores_hash == scores_hash(accounts, shares)
    assert first.clients == tuple(accounts) and first.budget == budget
    assert first.amounts == first.tokens_out == tuple(split_budget(shares, budget))

    second = federation.distribute_inject(accounts[1:], [SHARE_SCALE // 2, SHARE_SCALE // 2], budget)
    assert second.round_number == 2 and second.rule == RULE_INJECT
    assert second.clients == tuple(accounts[1:]) and second.tokens_out == (0, 0)
    assert second.scores_hash != first.scores_hash

    third = federation.distribute_buyback(accounts, shares, budget, burn=True)
    fourth = federation.distribute_buyback(accounts, shares, budget, burn=False)
    assert (third.rule, fourth.rule) == (RULE_BUYBACK_BURN, RULE_BUYBACK_TO_CLIENT)
    assert federation.contract.round_count() == 4


def test_rounding_remainders_stay_in_the_treasury(system, accounts, equal_shares):
    federation = system.federation
    before = federation.contract.treasury()
    record = federation.distribute_inject(accounts, equal_shares, 100)
    assert record.amounts == (33, 33, 33)
    assert federation.contract.treasury() == before - 99


def test_dust_that_buys_nothing_is_not_spent(system, accounts, equal_shares):
    federation = system.federation
    before = federation.contract.treasury()
    record = federation.distribute_buyback(accounts, equal_shares, 3, burn=False)
    assert record.amounts == record.tokens_out == (0, 0, 0)
    assert federation.contract.treasury() == before


def test_burn_variant_destroys_what_it_buys(system, accounts):
    federation = system.federation
    client = federation.clients[0]
    supply = client.token.totalSupply()
    record = federation.distribute_buyback(accounts, [SHARE_SCALE, 0, 0], 10**20, burn=True)
    assert record.tokens_out[0] > 0
    assert client.token.totalSupply() == supply - record.tokens_out[0]
    assert client.token.balanceOf(federation.address) == system.config.client_supply  # only the escrow


def test_registry_is_capped(system):
    """Registering 1,024 clients takes minutes here: the last free place is reached by
    setting the length of ``clients`` (its first storage slot), and the contract must then
    take one more client and refuse the next."""
    contract = system.federation.contract
    assert contract.MAX_CLIENTS() == MAX_CLIENTS  # the wrappers' and the twin's bound
    slot = contract.compiler_data.storage_layout["storage_layout"]["clients"]["slot"]
    assert boa.env.get_storage(contract.address, slot) == contract.client_count() == 3
    boa.env.set_storage(contract.address, slot, MAX_CLIENTS - 1)
    with cloning():
        contract.register_client(boa.env.generate_address(), "X", "X", 0, 10**6, 10**6)
        assert contract.client_count() == MAX_CLIENTS
        with boa.reverts("federation: too many clients"):
            contract.register_client(boa.env.generate_address(), "X", "X", 0, 10**6, 10**6)


def test_wrapper_refuses_an_unknown_rule(system, accounts, equal_shares):
    with pytest.raises(ValueError, match="unknown rule"):
        system.federation.distribute(9, accounts, equal_shares, 10)
