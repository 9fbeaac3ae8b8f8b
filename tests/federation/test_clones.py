"""Every client's token and pool are EIP-1167 clones: ordinary ERC-20s and pools, under 1 M gas.

The federation registers a client by cloning two deployed implementations and initialising
each clone in the same transaction (``contracts/federation.vy``, ``register_client``). These
tests check what that choice must not cost: the clones are the implementations' code (a
45-byte proxy), nobody can initialise a clone or an implementation again, a clone is an
ordinary ERC-20 (``permit`` included, and a pool that is not the federation's trades it),
and a registration stays under 1,000,000 gas.
"""

import boa
import pytest
from eth_account import Account
from eth_account.messages import encode_typed_data

from cst_ref.chain.deploy import IMPLEMENTATION_NAME, cloning, deploy_base_token, deploy_pool, deployer
from cst_ref.chain.federation import FederationChain
from cst_ref.chain.gas import gas_of
from cst_ref.twins import FAR_DEADLINE, MAX_UINT256, WAD, client_symbol

REGISTRATION_LIMIT = 1_000_000
"""The issue's bound on one registration, intrinsic and calldata gas included."""


def proxy_code(implementation: str) -> bytes:
    """EIP-1167's runtime code for a proxy to ``implementation``."""
    return bytes.fromhex("363d3d373d3d3d363d73" + implementation[2:].lower() + "5af43d82803e903d91602b57fd5bf3")


def intrinsic_gas(calldata: bytes) -> int:
    """A transaction's gas before execution: 21,000 plus 16 per non-zero and 4 per zero calldata byte."""
    return 21_000 + sum(16 if byte else 4 for byte in calldata)


def test_clients_tokens_and_pools_are_clones_of_the_implementations(system):
    contract = system.federation.contract
    for client in system.federation.clients:
        assert boa.env.get_code(client.token.address) == proxy_code(contract.token_implementation())
        assert boa.env.get_code(client.pool.address) == proxy_code(contract.pool_implementation())
        assert client.pool.TOKEN() == client.token.address
        assert client.pool.BASE() == system.base.address and client.pool.FEE_BPS() == contract.fee_bps()


def test_a_clone_is_its_clients_token_minted_by_the_federation_alone(system, stranger):
    federation = system.federation.contract.address
    for i, client in enumerate(system.federation.clients):
        token = client.token
        assert (token.name(), token.symbol(), token.decimals()) == (f"Client {i}", client_symbol(i), 18)
        assert token.owner() == federation and token.is_minter(federation)
        assert not token.is_minter(system.owner)
        with boa.reverts("erc20: access is denied"):
            token.mint(stranger, 1, sender=system.owner)


def test_nobody_initialises_a_clone_or_an_implementation_again(system, stranger):
    contract = system.federation.contract
    client = system.federation.clients[0]
    implementation_token = deployer("cst_token").at(contract.token_implementation())
    implementation_pool = deployer("pool").at(contract.pool_implementation())
    for token in (client.token, implementation_token):
        with boa.reverts("cst: already initialized"):
            token.initialize("Mine", "MINE", stranger, sender=stranger)
    for pool in (client.pool, implementation_pool):
        with boa.reverts("pool: already initialized"):
            pool.initialize(client.token.address, sender=stranger)
    assert implementation_token.name() == IMPLEMENTATION_NAME
    assert implementation_pool.TOKEN() == implementation_token.address


def test_an_uninitialised_token_refuses_bad_initialisation():
    token = deploy_base_token("Stand-in", "S")  # a direct deployment is initialised already
    with boa.reverts("cst: already initialized"):
        token.initialize("X", "X", token.address)
    zero = "0x" + "00" * 20
    with boa.reverts("pool: zero address"):
        deploy_pool(zero, token.address)


def _permit_signature(token, owner: Account, spender: str, value: int, deadline: int):
    _, name, version, chain_id, verifying_contract, _, _ = token.eip712Domain()
    message = {
        "types": {
            "EIP712Domain": [
                {"name": "name", "type": "string"}, {"name": "version", "type": "string"},
                {"name": "chainId", "type": "uint256"}, {"name": "verifyingContract", "type": "address"},
            ],
            "Permit": [
                {"name": "owner", "type": "address"}, {"name": "spender", "type": "address"},
                {"name": "value", "type": "uint256"}, {"name": "nonce", "type": "uint256"},
                {"name": "deadline", "type": "uint256"},
            ],
        },
        "primaryType": "Permit",
        "domain": {"name": name, "version": version, "chainId": chain_id, "verifyingContract": verifying_contract},
        "message": {"owner": owner.address, "spender": spender, "value": value,
                    "nonce": token.nonces(owner.address), "deadline": deadline},
    }
    signed = owner.sign_message(encode_typed_data(full_message=message))
    return signed.v, signed.r.to_bytes(32, "big"), signed.s.to_bytes(32, "big")


def test_permit_works_on_a_clone_and_only_on_that_clone(system, stranger):
    holder = Account.from_key(b"\x01" * 32)
    first, second = system.federation.clients[0].token, system.federation.clients[1].token
    _, name, _, _, verifying_contract, _, _ = first.eip712Domain()
    assert name == IMPLEMENTATION_NAME and verifying_contract == first.address  # the clone's own domain
    v, r, s = _permit_signature(first, holder, stranger, 5 * WAD, FAR_DEADLINE)
    first.permit(holder.address, stranger, 5 * WAD, FAR_DEADLINE, v, r, s, sender=stranger)
    assert first.allowance(holder.address, stranger) == 5 * WAD
    with boa.reverts("erc20: invalid signature"):
        second.permit(holder.address, stranger, 5 * WAD, FAR_DEADLINE, v, r, s, sender=stranger)


def test_a_pool_that_is_not_the_federations_trades_a_clone(system, stranger):
    client = system.federation.clients[0]
    base = system.base
    base.mint(stranger, 100 * WAD, sender=system.owner)
    base.approve(client.pool.address, MAX_UINT256, sender=stranger)
    bought = client.pool.swap(base.address, 10 * WAD, 0, stranger, FAR_DEADLINE, sender=stranger)
    assert client.token.balanceOf(stranger) == bought > 0
    other = deploy_pool(client.token.address, base.address, 30, sender=stranger)
    client.token.approve(other.address, MAX_UINT256, sender=stranger)
    base.approve(other.address, MAX_UINT256, sender=stranger)
    other.add_liquidity(bought // 2, 10 * WAD, 0, 0, stranger, FAR_DEADLINE, sender=stranger)
    out = other.swap(base.address, WAD, 0, stranger, FAR_DEADLINE, sender=stranger)
    assert out > 0 and client.token.balanceOf(other.address) == bought // 2 - out


def test_registration_costs_under_a_million_gas(system):
    contract = system.federation.contract
    account = boa.env.generate_address("newcomer")
    args = (account, "Client 99 token", "CST99", 1_000 * WAD, 1_000 * WAD, 1_000 * WAD)
    calldata = contract.register_client.prepare_calldata(*args)
    with cloning():
        _, execution = gas_of(lambda: contract.register_client(*args, sender=system.owner))
    assert execution + intrinsic_gas(calldata) <= REGISTRATION_LIMIT


def test_the_federation_refuses_a_pool_implementation_of_another_base(system):
    other_base = deploy_base_token("Other", "O")
    token = deploy_base_token("Impl", "I")
    pool = deploy_pool(token.address, other_base.address)
    with boa.reverts("federation: pool trades another base token"):
        deployer("federation").deploy(system.base.address, token.address, pool.address)
    zero = "0x" + "00" * 20
    with boa.reverts("federation: zero address"):
        deployer("federation").deploy(system.base.address, zero, pool.address)
    with boa.reverts("pool: fee out of range"):
        FederationChain.deploy(system.base.address, 10_000)
