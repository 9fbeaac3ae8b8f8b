"""Any ERC-20 as base token: one that returns nothing works, one that returns False is refused.

USDT's ``transfer`` returns nothing; asserting a bool result would refuse it. The pool and
the federation call tokens with ``default_return_value=True`` and still refuse an explicit
``False``.
"""

from __future__ import annotations

import boa
import pytest

from cst_ref.chain.deploy import deploy_cst, deploy_pool
from cst_ref.chain.federation import FederationChain
from cst_ref.twins import FAR_DEADLINE, MAX_UINT256, RULES, SHARE_SCALE, WAD

HEADER = """
# pragma version ~=0.4.3
balanceOf: public(HashMap[address, uint256])
allowance: public(HashMap[address, HashMap[address, uint256]])
totalSupply: public(uint256)

@external
def mint(owner: address, amount: uint256):
    self.balanceOf[owner] += amount
    self.totalSupply += amount
"""

SILENT = HEADER + """
@external
def transfer(to: address, amount: uint256):
    self.balanceOf[msg.sender] -= amount
    self.balanceOf[to] += amount

@external
def transferFrom(owner: address, to: address, amount: uint256):
    self.allowance[owner][msg.sender] -= amount
    self.balanceOf[owner] -= amount
    self.balanceOf[to] += amount

@external
def approve(spender: address, amount: uint256):
    self.allowance[msg.sender][spender] = amount
"""

LYING = HEADER + """
@external
def transfer(to: address, amount: uint256) -> bool:
    return False

@external
def transferFrom(owner: address, to: address, amount: uint256) -> bool:
    return False

@external
def approve(spender: address, amount: uint256) -> bool:
    return False
"""


def silent_token():
    """USDT-style: moves tokens, returns nothing."""
    return boa.loads(SILENT)


def lying_token():
    """Moves nothing and returns False."""
    return boa.loads(LYING)


def test_a_pool_trades_a_base_token_that_returns_nothing():
    owner, trader = boa.env.generate_address("owner"), boa.env.generate_address("trader")
    base, cst = silent_token(), deploy_cst("C", "C", sender=owner)
    pool = deploy_pool(cst.address, base.address, sender=owner)
    base.mint(trader, 10 * WAD)
    cst.mint(trader, 10 * WAD, sender=owner)
    base.approve(pool.address, MAX_UINT256, sender=trader)
    cst.approve(pool.address, MAX_UINT256, sender=trader)
    pool.add_liquidity(5 * WAD, 5 * WAD, 0, 0, trader, FAR_DEADLINE, sender=trader)
    out = pool.swap(base.address, WAD, 0, trader, FAR_DEADLINE, sender=trader)
    assert out > 0 and base.balanceOf(pool.address) == pool.get_reserves()[1] == 6 * WAD


def test_a_federation_pays_every_rule_in_a_base_token_that_returns_nothing():
    owner = boa.env.generate_address("owner")
    base = silent_token()
    federation = FederationChain.deploy(base.address, sender=owner)
    base.mint(owner, 10_000 * WAD)
    base.approve(federation.address, 10_000 * WAD, sender=owner)
    federation.contract.fund(10_000 * WAD, sender=owner)
    client = federation.register(boa.env.generate_address("client"), "C", "C", WAD, 1_000 * WAD, 1_000 * WAD,
                                 sender=owner)
    for rule in RULES:
        record = federation.distribute(rule, [client.account], [SHARE_SCALE], 10 * WAD, sender=owner)
        assert record.skipped == (0,) and record.amounts == (10 * WAD,)
    assert federation.contract.treasury() == 9_000 * WAD - 3 * 10 * WAD


def test_a_base_token_that_returns_false_is_refused():
    owner = boa.env.generate_address("owner")
    base, cst = lying_token(), deploy_cst("C", "C", sender=owner)
    pool = deploy_pool(cst.address, base.address, sender=owner)
    cst.mint(owner, WAD, sender=owner)
    cst.approve(pool.address, MAX_UINT256, sender=owner)
    with boa.reverts("pool: transfer failed"):
        pool.add_liquidity(WAD, WAD, 0, 0, owner, FAR_DEADLINE, sender=owner)
    federation = FederationChain.deploy(base.address, sender=owner)
    with boa.reverts("federation: transfer failed"):
        federation.contract.fund(WAD, sender=owner)
    base.mint(federation.address, 10**6)  # a treasury that the lying token cannot approve from
    with boa.reverts("federation: approve failed"):
        federation.register(boa.env.generate_address(), "C", "C", 0, 10**6, 10**6, sender=owner)


@pytest.mark.parametrize("make", [silent_token, lying_token], ids=["returns nothing", "returns False"])
def test_test_tokens_behave_as_described(make):
    token, holder = make(), boa.env.generate_address()
    token.mint(holder, 5)
    token.transfer(boa.env.generate_address(), 2, sender=holder)
    assert token.balanceOf(holder) == (3 if make is silent_token else 5)


CALLBACK = HEADER + """
interface IHook:
    def on_transfer(sender: address, to: address, amount: uint256): nonpayable

hook: public(address)

@external
def set_hook(hook: address):
    self.hook = hook

@internal
def _move(owner: address, to: address, amount: uint256):
    self.balanceOf[owner] -= amount
    self.balanceOf[to] += amount
    if self.hook != empty(address):
        extcall IHook(self.hook).on_transfer(owner, to, amount)

@external
def transfer(to: address, amount: uint256) -> bool:
    self._move(msg.sender, to, amount)
    return True

@external
def transferFrom(owner: address, to: address, amount: uint256) -> bool:
    self.allowance[owner][msg.sender] -= amount
    self._move(owner, to, amount)
    return True

@external
def approve(spender: address, amount: uint256) -> bool:
    self.allowance[msg.sender][spender] = amount
    return True
"""

SKIMMER = """
# pragma version ~=0.4.3
pool: public(address)

@external
def set_pool(pool: address):
    self.pool = pool

@external
def on_transfer(sender: address, to: address, amount: uint256):
    # as the tokens reach the pool, try to take them before the pool counts them
    if to == self.pool:
        skimmed: bool = raw_call(self.pool, abi_encode(self, method_id=method_id("skim(address)")), revert_on_failure=False)
"""


def test_a_base_token_that_calls_back_cannot_let_anyone_skim_an_inject():
    """A token that calls a third party on every transfer: between a plain transfer to the pool
    and a ``sync`` that party could ``skim`` the transfer. The federation injects with the
    pool's ``donate``, one locked call, so the skim fails and the pool keeps every token."""
    owner = boa.env.generate_address("owner")
    base, skimmer = boa.loads(CALLBACK), boa.loads(SKIMMER)
    federation = FederationChain.deploy(base.address, sender=owner)
    base.mint(owner, 10_000 * WAD)
    base.approve(federation.address, 10_000 * WAD, sender=owner)
    federation.contract.fund(10_000 * WAD, sender=owner)
    client = federation.register(boa.env.generate_address("client"), "C", "C", WAD, 1_000 * WAD, 1_000 * WAD,
                                 sender=owner)
    skimmer.set_pool(client.pool.address)
    base.set_hook(skimmer.address)
    base.mint(owner, 10 * WAD)
    base.transfer(client.pool.address, 10 * WAD, sender=owner)  # a plain transfer: the hook skims it
    assert base.balanceOf(skimmer.address) == 10 * WAD
    record = federation.distribute_inject([client.account], [SHARE_SCALE], 10 * WAD, sender=owner)
    assert record.amounts == (10 * WAD,) and record.skipped == (0,)
    assert base.balanceOf(skimmer.address) == 10 * WAD  # nothing more: the inject was not skimmed
    assert client.pool.get_reserves()[1] == base.balanceOf(client.pool.address) == 1_010 * WAD
