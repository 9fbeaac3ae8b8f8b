"""The deployed pool: Uniswap V2's numbers, every revert reason, roles, events, gas, attacks."""

from __future__ import annotations

import boa
import pytest

from cst_ref.amm import MINIMUM_LIQUIDITY, Q112, get_amount_in, get_amount_out
from cst_ref.twins import FAR_DEADLINE, Clock, PoolTwin, Revert
from cst_ref.chain.deploy import deploy_base_token, deploy_pool, deployer
from cst_ref.chain.federation_gas import SWAP_TARGET_GAS
from cst_ref.chain.gas import gas_of, pool_gas_report
from cst_ref.backends.parity import fresh_pool_twin, fund_accounts
from tests.amm.test_amm_math import V2_SWAP_CASES

E18 = 10**18
MAX_UINT256 = 2**256 - 1


def seed(market, provider, amount_token, amount_base):
    return market.pool.add_liquidity(amount_token, amount_base, 0, 0, provider, FAR_DEADLINE, sender=provider)


# --- Uniswap V2's published numbers, out of the EVM ---------------------------------------

@pytest.mark.parametrize(("amount_in", "reserve_in", "reserve_out", "expected"), V2_SWAP_CASES)
@pytest.mark.parametrize("sell_token", [True, False])
def test_pool_pays_uniswap_v2_outputs(funded, traders, amount_in, reserve_in, reserve_out, expected, sell_token):
    alice, bob = traders[:2]
    if sell_token:
        seed(funded, alice, reserve_in * E18, reserve_out * E18)
        token_in, token_out = funded.token, funded.base
    else:
        seed(funded, alice, reserve_out * E18, reserve_in * E18)
        token_in, token_out = funded.base, funded.token
    assert funded.pool.get_amount_out(token_in.address, amount_in * E18) == expected
    before = token_out.balanceOf(bob)
    assert funded.pool.swap(token_in.address, amount_in * E18, expected, bob, FAR_DEADLINE, sender=bob) == expected
    assert token_out.balanceOf(bob) - before == expected


def test_exact_output_via_get_amount_in(funded, traders):
    alice, bob = traders[:2]
    seed(funded, alice, 5 * E18, 10 * E18)
    wanted = E18
    needed = get_amount_in(wanted, 5 * E18, 10 * E18)
    assert funded.pool.swap(funded.token.address, needed, wanted, bob, FAR_DEADLINE, sender=bob) >= wanted


def test_fee_is_set_per_pool(market, owner):
    free = deploy_pool(market.token.address, market.base.address, 0, sender=owner)
    assert free.FEE_BPS() == 0 and market.pool.FEE_BPS() == 30


# --- liquidity ------------------------------------------------------------------------------

def test_first_deposit_locks_minimum_liquidity_in_the_pool(funded, traders):
    alice = traders[0]
    amount_token, amount_base, shares = seed(funded, alice, 5 * E18, 10 * E18)
    assert (amount_token, amount_base) == (5 * E18, 10 * E18)
    assert shares == 7071067811865474244 == 7071067811865475244 - MINIMUM_LIQUIDITY  # isqrt(5e18*10e18) - 1000
    assert funded.pool.balanceOf(funded.pool.address) == MINIMUM_LIQUIDITY
    assert funded.pool.totalSupply() == shares + MINIMUM_LIQUIDITY
    # withdrawing everything one can leaves the locked part's reserves behind
    funded.pool.remove_liquidity(shares, 0, 0, alice, FAR_DEADLINE, sender=alice)
    reserve_token, reserve_base, _ = funded.pool.get_reserves()
    assert reserve_token > 0 and reserve_base > 0


def test_later_deposit_takes_only_the_pool_ratio(funded, traders):
    alice, bob = traders[:2]
    seed(funded, alice, 10 * E18, 20 * E18)
    amount_token, amount_base, shares = funded.pool.add_liquidity(
        5 * E18, 50 * E18, 0, 0, bob, FAR_DEADLINE, sender=bob)
    assert (amount_token, amount_base) == (5 * E18, 10 * E18)
    assert funded.pool.balanceOf(bob) == shares == funded.pool.balanceOf(alice) // 2 + 500  # half of alice + locked/2


def test_lp_shares_are_an_erc20(funded, traders):
    alice, bob = traders[:2]
    _, _, shares = seed(funded, alice, 5 * E18, 10 * E18)
    assert funded.pool.symbol() == "WSFLP" and funded.pool.decimals() == 18
    funded.pool.transfer(bob, shares // 2, sender=alice)
    paid = funded.pool.remove_liquidity(shares // 2, 0, 0, bob, FAR_DEADLINE, sender=bob)
    assert paid[0] > 0 and paid[1] > 0


# --- reverts ----------------------------------------------------------------------------------

def test_swap_reverts_with_reasons(funded, traders):
    alice, bob = traders[:2]
    pool, token = funded.pool, funded.token.address
    now = boa.env.timestamp
    with boa.reverts("pool: empty pool"):
        pool.swap(token, E18, 0, bob, FAR_DEADLINE, sender=bob)
    seed(funded, alice, 5 * E18, 10 * E18)
    with boa.reverts("pool: expired deadline"):
        pool.swap(token, E18, 0, bob, now - 1, sender=bob)
    with boa.reverts("pool: zero amount"):
        pool.swap(token, 0, 0, bob, FAR_DEADLINE, sender=bob)
    with boa.reverts("pool: unknown token"):
        pool.swap(pool.address, E18, 0, bob, FAR_DEADLINE, sender=bob)
    with boa.reverts("pool: insufficient output amount"):
        pool.swap(funded.base.address, 1, 0, bob, FAR_DEADLINE, sender=bob)  # 1 wei of base buys < 1 wei
    with boa.reverts("pool: output below min_out"):
        pool.swap(token, E18, 1662497915624478907, bob, FAR_DEADLINE, sender=bob)
    with boa.reverts("erc20: insufficient allowance"):
        pool.swap(token, E18, 0, bob, FAR_DEADLINE, sender=funded.pool.address)
    # the deadline is inclusive: a trade in the deadline's own second goes through
    assert pool.swap(token, E18, 0, bob, now, sender=bob) == 1662497915624478906


def test_quotes_revert_with_reasons(funded, traders):
    pool = funded.pool
    with boa.reverts("pool: empty pool"):
        pool.get_amount_out(funded.base.address, E18)
    with boa.reverts("pool: zero amount"):
        pool.get_amount_out(funded.base.address, 0)
    with boa.reverts("pool: unknown token"):
        pool.get_amount_out(traders[0], E18)


def test_liquidity_changes_revert_with_reasons(funded, traders):
    alice, bob = traders[:2]
    pool = funded.pool
    now = boa.env.timestamp
    with boa.reverts("pool: insufficient liquidity minted"):
        pool.add_liquidity(1_000, 1_000, 0, 0, alice, FAR_DEADLINE, sender=alice)  # isqrt = MINIMUM_LIQUIDITY
    with boa.reverts("pool: zero amount"):
        pool.add_liquidity(0, E18, 0, 0, alice, FAR_DEADLINE, sender=alice)
    with boa.reverts("pool: expired deadline"):
        pool.add_liquidity(E18, E18, 0, 0, alice, now - 1, sender=alice)
    with boa.reverts("pool: token amount below minimum"):
        pool.add_liquidity(E18, E18, E18 + 1, 0, alice, FAR_DEADLINE, sender=alice)
    _, _, shares = seed(funded, alice, 10 * E18, 20 * E18)
    with boa.reverts("pool: base amount below minimum"):
        pool.add_liquidity(E18, 5 * E18, 0, 2 * E18 + 1, bob, FAR_DEADLINE, sender=bob)  # takes 2 base
    with boa.reverts("pool: token amount below minimum"):
        pool.add_liquidity(5 * E18, 2 * E18, E18 + 1, 0, bob, FAR_DEADLINE, sender=bob)  # takes 1 token
    with boa.reverts("pool: insufficient liquidity minted"):
        pool.add_liquidity(1, 1, 0, 0, bob, FAR_DEADLINE, sender=bob)  # rounds to zero shares
    with boa.reverts("erc20: mint to the zero address"):
        pool.add_liquidity(E18, 2 * E18, 0, 0, "0x" + "0" * 40, FAR_DEADLINE, sender=bob)
    with boa.reverts("pool: expired deadline"):
        pool.remove_liquidity(shares, 0, 0, alice, now - 1, sender=alice)
    with boa.reverts("pool: zero amount"):
        pool.remove_liquidity(0, 0, 0, alice, FAR_DEADLINE, sender=alice)
    with boa.reverts("erc20: burn amount exceeds balance"):
        pool.remove_liquidity(shares + 1, 0, 0, alice, FAR_DEADLINE, sender=alice)
    with boa.reverts("pool: insufficient liquidity burned"):
        pool.remove_liquidity(1, 0, 0, alice, FAR_DEADLINE, sender=alice)  # 1 share < 1 wei of token
    with boa.reverts("pool: token amount below minimum"):
        pool.remove_liquidity(shares, 10 * E18, 0, alice, FAR_DEADLINE, sender=alice)
    with boa.reverts("pool: base amount below minimum"):
        pool.remove_liquidity(shares, 0, 20 * E18, alice, FAR_DEADLINE, sender=alice)


def test_constructor_rejects_bad_configuration(market, owner):
    zero = "0x" + "0" * 40
    token, base = market.token.address, market.base.address
    for args, reason in [((zero, base, 30), "pool: zero address"),
                         ((token, token, 30), "pool: identical tokens"),
                         ((token, base, 10_000), "pool: fee out of range")]:
        with boa.reverts(reason):
            deploy_pool(*args, sender=owner)


def test_twin_refuses_what_the_contract_refuses(market, owner):
    # the same three configurations, on the Python side
    from cst_ref.backends.parity import fresh_ledger

    token, base = fresh_ledger(market.token), fresh_ledger(market.base)
    with pytest.raises(Revert, match="pool: identical tokens"):
        PoolTwin(token, token, market.pool.address, clock=Clock())
    with pytest.raises(Revert, match="pool: fee out of range"):
        PoolTwin(token, base, market.pool.address, 10_000, clock=Clock())


# --- roles ----------------------------------------------------------------------------------

@pytest.mark.parametrize("which", ["cst", "base"])
def test_only_the_owner_mints_and_manages_roles(market, owner, traders, which):
    token = market.token if which == "cst" else market.base
    mallory, alice = traders[2], traders[0]
    assert token.owner() == owner and token.is_minter(owner)
    with boa.reverts("erc20: access is denied"):
        token.mint(mallory, E18, sender=mallory)
    with boa.reverts("ownable: caller is not the owner"):
        token.set_minter(mallory, True, sender=mallory)
    with boa.reverts("ownable: caller is not the owner"):
        token.transfer_ownership(mallory, sender=mallory)
    with boa.reverts("ownable: caller is not the owner"):
        token.renounce_ownership(sender=mallory)
    token.mint(alice, E18, sender=owner)
    assert token.balanceOf(alice) == token.totalSupply() == E18
    token.burn(E18 // 4, sender=alice)  # any holder burns its own tokens
    assert token.totalSupply() == 3 * E18 // 4


def test_pool_exposes_no_privileged_function(market):
    for name in ("mint", "set_minter", "transfer_ownership", "renounce_ownership", "burn", "owner"):
        assert not hasattr(market.pool, name), name


# --- events, oracle, gas ------------------------------------------------------------------

def test_every_state_change_emits_its_event(funded, traders):
    alice, bob = traders[:2]
    seed(funded, alice, 5 * E18, 10 * E18)
    names = [type(log).__name__ for log in funded.pool.get_logs()]  # the tokens' Transfer logs included
    assert names.count("Sync") == names.count("AddLiquidity") == 1 and names[-1] == "AddLiquidity"
    funded.pool.swap(funded.token.address, E18, 0, bob, FAR_DEADLINE, sender=bob)
    swap = funded.pool.get_logs()[-1]
    assert type(swap).__name__ == "Swap"
    assert (swap.sender, swap.token_in, swap.amount_in, swap.amount_out, swap.recipient) == (
        bob, funded.token.address, E18, 1662497915624478906, bob)
    funded.pool.remove_liquidity(E18, 0, 0, alice, FAR_DEADLINE, sender=alice)
    assert type(funded.pool.get_logs()[-1]).__name__ == "RemoveLiquidity"
    funded.base.transfer(funded.pool.address, E18, sender=bob)
    funded.pool.sync()
    sync = funded.pool.get_logs()[-1]
    assert type(sync).__name__ == "Sync" and sync.reserve_base == funded.base.balanceOf(funded.pool.address)


def test_twap_accumulates_the_price_before_each_first_update(funded, traders):
    alice, bob = traders[:2]
    seed(funded, alice, 5 * E18, 10 * E18)
    start = funded.pool.price_token_cumulative_last()
    boa.env.time_travel(seconds=600)
    funded.pool.swap(funded.token.address, E18, 0, bob, FAR_DEADLINE, sender=bob)
    after_first = funded.pool.price_token_cumulative_last()
    assert after_first - start == (10 * E18 * Q112 // (5 * E18)) * 600  # 2 base per token, 600 s
    funded.pool.swap(funded.token.address, E18, 0, bob, FAR_DEADLINE, sender=bob)  # same block: no change
    assert funded.pool.price_token_cumulative_last() == after_first
    assert funded.pool.get_reserves()[2] == boa.env.timestamp % 2**32


def test_inflation_attack_by_the_first_depositor_fails(funded, traders):
    """The attacker mints 1 share, donates 200 tokens to inflate it, waits for a victim."""
    attacker, victim = traders[:2]
    pool = funded.pool

    def wealth(account):  # the pool trades at 1:1 throughout, so tokens add up
        return funded.token.balanceOf(account) + funded.base.balanceOf(account)

    start_attacker, start_victim = wealth(attacker), wealth(victim)
    assert seed(funded, attacker, 1_001, 1_001)[2] == 1
    funded.token.transfer(pool.address, 100 * E18, sender=attacker)
    funded.base.transfer(pool.address, 100 * E18, sender=attacker)
    pool.sync()
    deposit = 50 * E18
    assert pool.add_liquidity(deposit, deposit, 0, 0, victim, FAR_DEADLINE, sender=victim)[2] > 0
    pool.remove_liquidity(pool.balanceOf(attacker), 0, 0, attacker, FAR_DEADLINE, sender=attacker)
    pool.remove_liquidity(pool.balanceOf(victim), 0, 0, victim, FAR_DEADLINE, sender=victim)
    attacker_gain = wealth(attacker) - start_attacker
    victim_loss = start_victim - wealth(victim)
    assert attacker_gain < 0
    assert victim_loss <= 2 * deposit // 1_000  # at most 0.1% of what the victim put in
    assert -attacker_gain >= 1_000 * victim_loss  # the attacker pays for the locked shares


def test_swap_meets_the_gas_target(funded, traders):
    alice, bob = traders[:2]
    seed(funded, alice, 100 * E18, 200 * E18)
    boa.env.time_travel(seconds=12)
    funded.pool.swap(funded.token.address, E18, 0, bob, FAR_DEADLINE, sender=bob)  # oracle slots now non-zero
    boa.env.time_travel(seconds=12)  # the typical case: a new block, so the oracle updates too
    out, gas = gas_of(lambda: funded.pool.swap(funded.token.address, E18, 0, bob, FAR_DEADLINE, sender=bob))
    assert out == get_amount_out(E18, 101 * E18, funded.pool.get_reserves()[1] + out)
    assert gas <= SWAP_TARGET_GAS


def test_gas_report_prices_fresh_transactions_higher():
    session, fresh = pool_gas_report(), pool_gas_report(new_transaction=True)
    assert session.keys() == fresh.keys()
    assert all(fresh[call] > session[call] for call in session)  # committed slots cost 2,900, not 100
    assert session["swap token->base"] <= SWAP_TARGET_GAS
    assert fresh["swap token->base, infinite allowance"] <= SWAP_TARGET_GAS


def test_lp_shares_sent_to_the_pool_are_skimmed_back(funded, traders):
    alice, bob = traders[:2]
    _, _, shares = seed(funded, alice, 5 * E18, 10 * E18)
    funded.pool.transfer(funded.pool.address, shares // 4, sender=alice)  # a mistaken transfer
    funded.pool.skim(bob)
    assert funded.pool.balanceOf(bob) == shares // 4
    assert funded.pool.balanceOf(funded.pool.address) == MINIMUM_LIQUIDITY  # the locked part stays
    paid = funded.pool.remove_liquidity(shares // 4, 0, 0, bob, FAR_DEADLINE, sender=bob)
    assert paid[0] > 0 and paid[1] > 0


def test_donate_adds_base_to_the_reserve_and_mints_no_shares(market, owner, traders):
    """The federation's inject: the base reserve becomes the balance, the CST reserve stays (a
    CST sent without a call stays skimmable), no LP share is minted, and the twin agrees."""
    alice, bob = traders[:2]
    twin = fresh_pool_twin(market)
    fund_accounts(market, [alice, bob], 20 * E18, sender=owner, twin=twin)
    market.pool.add_liquidity(5 * E18, 10 * E18, 0, 0, alice, FAR_DEADLINE, sender=alice)
    twin.add_liquidity(5 * E18, 10 * E18, 0, 0, alice, FAR_DEADLINE, sender=alice)
    market.token.transfer(market.pool.address, E18, sender=alice)  # a stray CST
    twin.token.transfer(market.pool.address, E18, sender=alice)
    with boa.reverts("pool: zero amount"):
        market.pool.donate(0, sender=bob)
    with pytest.raises(Revert, match="pool: zero amount"):
        twin.donate(0, sender=bob)
    supply = market.pool.totalSupply()
    market.pool.donate(3 * E18, sender=bob)
    twin.donate(3 * E18, sender=bob)
    assert market.pool.get_reserves()[:2] == (5 * E18, 13 * E18) == twin.get_reserves()[:2]
    assert market.pool.totalSupply() == supply == twin.lp.total_supply
    assert market.base.balanceOf(bob) == twin.base.balance_of(bob) == 17 * E18
