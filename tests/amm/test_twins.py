"""The pure-Python twins on their own: snekmate's revert reasons and all-or-nothing calls."""

from __future__ import annotations

import subprocess
import sys

import pytest

from cst_ref.amm import get_amount_out
from cst_ref.twins import MAX_UINT256, ZERO_ADDRESS, Ledger, PoolTwin, Revert, check_address


def address(n: int) -> str:
    """A checksummed address made from ``n``, as the twins key their state."""
    return check_address("n", "0x" + f"{n:040x}")


OWNER, ALICE, BOB, POOL, CST, BASE, OTHER = (address(n) for n in range(1, 8))
E18 = 10**18


@pytest.fixture
def market():
    token = Ledger("Client 0 token", "CST0", owner=OWNER, address=CST)
    base = Ledger("Base USD", "BUSD", owner=OWNER, address=BASE)
    pool = PoolTwin(token, base, POOL, fee_bps=30)
    for ledger in (token, base):
        ledger.mint(OWNER, ALICE, 100 * E18)
        ledger.approve(ALICE, POOL, MAX_UINT256)
    return token, base, pool


def test_ledger_reverts_like_snekmate():
    ledger = Ledger("T", "T", owner=OWNER)
    with pytest.raises(Revert, match="erc20: access is denied"):
        ledger.mint(ALICE, ALICE, 1)
    with pytest.raises(Revert, match="erc20: mint to the zero address"):
        ledger.mint(OWNER, ZERO_ADDRESS, 1)
    ledger.mint(OWNER, ALICE, 10)
    with pytest.raises(Revert, match="erc20: transfer amount exceeds balance"):
        ledger.transfer(ALICE, BOB, 11)
    with pytest.raises(Revert, match="erc20: transfer to the zero address"):
        ledger.transfer(ALICE, ZERO_ADDRESS, 1)
    with pytest.raises(Revert, match="erc20: insufficient allowance"):
        ledger.transfer_from(BOB, ALICE, BOB, 1)
    with pytest.raises(Revert, match="erc20: approve to the zero address"):
        ledger.approve(ALICE, ZERO_ADDRESS, 1)
    with pytest.raises(Revert, match="erc20: burn amount exceeds balance"):
        ledger.burn(ALICE, 11)
    with pytest.raises(Revert) as overflow:
        ledger.mint(OWNER, ALICE, MAX_UINT256)
    assert overflow.value.reason is None  # Vyper's checked arithmetic reverts without a reason


def test_allowances_are_spent_except_the_infinite_one():
    ledger = Ledger("T", "T", owner=OWNER)
    ledger.mint(OWNER, ALICE, 10)
    ledger.approve(ALICE, BOB, 5)
    ledger.transfer_from(BOB, ALICE, BOB, 3)
    assert ledger.allowance(ALICE, BOB) == 2 and ledger.balance_of(BOB) == 3
    ledger.approve(ALICE, BOB, MAX_UINT256)
    ledger.transfer_from(BOB, ALICE, BOB, 7)
    assert ledger.allowance(ALICE, BOB) == MAX_UINT256 and ledger.balance_of(ALICE) == 0
    assert ALICE not in ledger.balances  # empty balances are dropped, so equal states compare equal


def test_a_failed_transfer_from_spends_no_allowance():
    ledger = Ledger("T", "T", owner=OWNER)
    ledger.approve(ALICE, BOB, 5)
    with pytest.raises(Revert, match="exceeds balance"):
        ledger.transfer_from(BOB, ALICE, BOB, 5)  # allowance is checked (and spent) before the balance
    assert ledger.allowance(ALICE, BOB) == 5


def test_a_swap_whose_payout_fails_leaves_no_trace(market):
    token, base, pool = market
    pool.add_liquidity(ALICE, 5 * E18, 10 * E18, 0, 0, ALICE, deadline=100, timestamp=50)
    before = pool.snapshot()
    with pytest.raises(Revert, match="erc20: transfer to the zero address"):
        pool.swap(ALICE, token.address, E18, 0, ZERO_ADDRESS, deadline=100, timestamp=60)
    assert pool.snapshot() == before  # the pulled input and the new reserves were rolled back


def test_pool_model_follows_the_formulas(market):
    token, base, pool = market
    pool.add_liquidity(ALICE, 5 * E18, 10 * E18, 0, 0, ALICE, deadline=100, timestamp=50)
    out = pool.swap(ALICE, token.address, E18, 0, BOB, deadline=100, timestamp=50)
    assert out == get_amount_out(E18, 5 * E18, 10 * E18) == 1662497915624478906
    assert pool.get_reserves() == (6 * E18, 10 * E18 - out, 50)
    assert base.balance_of(BOB) == out
    assert pool.price_token_cumulative_last == 0  # no time passed since the last update


@pytest.mark.parametrize(
    ("call", "reason"),
    [
        (lambda p, t: p.swap(ALICE, t.address, E18, 0, BOB, deadline=49, timestamp=50), "pool: expired deadline"),
        (lambda p, t: p.swap(ALICE, OTHER, E18, 0, BOB, deadline=99, timestamp=50), "pool: unknown token"),
        (lambda p, t: p.swap(ALICE, t.address, 0, 0, BOB, deadline=99, timestamp=50), "pool: zero amount"),
        (lambda p, t: p.swap(ALICE, t.address, E18, 0, BOB, deadline=99, timestamp=50), "pool: empty pool"),
        (lambda p, t: p.add_liquidity(ALICE, 1_000, 1_000, 0, 0, ALICE, 99, 50), "pool: insufficient liquidity minted"),
        (lambda p, t: p.remove_liquidity(ALICE, 1, 0, 0, ALICE, 99, 50), "erc20: burn amount exceeds balance"),
    ],
)
def test_pool_model_reverts_with_the_contract_reasons(market, call, reason):
    token, _, pool = market
    before = pool.snapshot()
    with pytest.raises(Revert) as revert:
        call(pool, token)
    assert revert.value.reason == reason
    assert pool.snapshot() == before


@pytest.mark.parametrize(
    ("amount", "message"),
    [(-1, "amount must be non-negative"), (1.0, "amount must be an int"), (True, "amount must be an int"),
     (MAX_UINT256 + 1, "amount must be at most")],
)
def test_ledger_refuses_amounts_the_abi_cannot_encode(amount, message):
    # a negative transfer used to credit the sender and leave the recipient negative
    ledger = Ledger("T", "T", owner=OWNER)
    ledger.mint(OWNER, ALICE, 10)
    before = ledger.snapshot()
    for call in (lambda: ledger.transfer(ALICE, BOB, amount), lambda: ledger.mint(OWNER, BOB, amount),
                 lambda: ledger.approve(ALICE, BOB, amount), lambda: ledger.burn(ALICE, amount),
                 lambda: ledger.transfer_from(BOB, ALICE, BOB, amount)):
        with pytest.raises(ValueError, match=message):
            call()
    assert ledger.snapshot() == before and sum(ledger.balances.values()) == ledger.total_supply


def test_pool_model_refuses_numbers_the_abi_cannot_encode(market):
    token, base, pool = market
    pool.add_liquidity(ALICE, 5 * E18, 10 * E18, 0, 0, ALICE, deadline=100, timestamp=50)
    before = pool.snapshot()
    with pytest.raises(ValueError, match="amount_in must be an int"):
        pool.swap(ALICE, token.address, 1e18, 0, BOB, deadline=100, timestamp=50)
    with pytest.raises(ValueError, match="min_out must be non-negative"):
        pool.swap(ALICE, token.address, E18, -1, BOB, deadline=100, timestamp=50)
    with pytest.raises(ValueError, match="amount_base_desired must be non-negative"):
        pool.add_liquidity(ALICE, E18, -E18, 0, 0, ALICE, deadline=100, timestamp=50)
    with pytest.raises(ValueError, match="shares must be at most"):
        pool.remove_liquidity(ALICE, MAX_UINT256 + 1, 0, 0, ALICE, deadline=100, timestamp=50)
    with pytest.raises(ValueError, match="timestamp must be an int"):
        pool.sync(50.5)
    assert pool.snapshot() == before
    with pytest.raises(ValueError, match="fee_bps must be an int"):
        PoolTwin(token, base, POOL, fee_bps=30.5)


def test_burn_from_spends_the_allowance_then_burns():
    ledger = Ledger("T", "T", owner=OWNER)
    ledger.mint(OWNER, ALICE, 10)
    ledger.approve(ALICE, BOB, 4)
    with pytest.raises(Revert, match="erc20: insufficient allowance"):
        ledger.burn_from(BOB, ALICE, 5)
    ledger.burn_from(BOB, ALICE, 4)
    assert (ledger.balance_of(ALICE), ledger.allowance(ALICE, BOB), ledger.total_supply) == (6, 0, 6)


def test_twins_import_neither_titanoboa_nor_torch():
    code = "import sys, cst_ref.twins; print(sorted({m.split('.')[0] for m in sys.modules} & {'boa', 'torch', 'vyper'}))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_a_lower_case_address_is_the_same_account(market):
    token, _, _ = market
    token.transfer(ALICE.lower(), BOB.lower(), E18)
    assert token.balance_of(BOB) == token.balance_of(BOB.lower()) == E18
    assert set(token.balances) == {ALICE, BOB}


@pytest.mark.parametrize("bad", ["0xAlice", "0x" + "ab" * 19, "ab" * 20 + "ab", 42, None])
def test_a_string_that_is_not_an_address_is_refused(market, bad):
    token, _, _ = market
    with pytest.raises(ValueError, match="to must be a 20-byte hex address"):
        token.transfer(ALICE, bad, E18)
