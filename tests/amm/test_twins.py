"""The pure-Python twins on their own: snekmate's revert reasons and all-or-nothing calls."""

from __future__ import annotations

import subprocess
import sys

import pytest

from cst_ref.amm import get_amount_out
from cst_ref.twins import MAX_UINT256, ZERO_ADDRESS, Clock, Ledger, PoolTwin, Revert, check_address


def address(n: int) -> str:
    """A checksummed address made from ``n``, as the twins key their state."""
    return check_address("n", "0x" + f"{n:040x}")


OWNER, ALICE, BOB, POOL, CST, BASE, OTHER = (address(n) for n in range(1, 8))
E18 = 10**18


@pytest.fixture
def market():
    token = Ledger("Client 0 token", "CST0", owner=OWNER, address=CST)
    base = Ledger("Base USD", "BUSD", owner=OWNER, address=BASE)
    pool = PoolTwin(token, base, POOL, fee_bps=30, clock=Clock(50))
    for ledger in (token, base):
        ledger.mint(ALICE, 100 * E18, sender=OWNER)
        ledger.approve(POOL, MAX_UINT256, sender=ALICE)
    return token, base, pool


def test_ledger_reverts_like_snekmate():
    ledger = Ledger("T", "T", owner=OWNER)
    with pytest.raises(Revert, match="erc20: access is denied"):
        ledger.mint(ALICE, 1, sender=ALICE)
    with pytest.raises(Revert, match="erc20: mint to the zero address"):
        ledger.mint(ZERO_ADDRESS, 1, sender=OWNER)
    ledger.mint(ALICE, 10, sender=OWNER)
    with pytest.raises(Revert, match="erc20: transfer amount exceeds balance"):
        ledger.transfer(BOB, 11, sender=ALICE)
    with pytest.raises(Revert, match="erc20: transfer to the zero address"):
        ledger.transfer(ZERO_ADDRESS, 1, sender=ALICE)
    with pytest.raises(Revert, match="erc20: insufficient allowance"):
        ledger.transfer_from(ALICE, BOB, 1, sender=BOB)
    with pytest.raises(Revert, match="erc20: approve to the zero address"):
        ledger.approve(ZERO_ADDRESS, 1, sender=ALICE)
    with pytest.raises(Revert, match="erc20: burn amount exceeds balance"):
        ledger.burn(11, sender=ALICE)
    with pytest.raises(Revert) as overflow:
        ledger.mint(ALICE, MAX_UINT256, sender=OWNER)
    assert overflow.value.reason is None  # Vyper's checked arithmetic reverts without a reason


def test_allowances_are_spent_except_the_infinite_one():
    ledger = Ledger("T", "T", owner=OWNER)
    ledger.mint(ALICE, 10, sender=OWNER)
    ledger.approve(BOB, 5, sender=ALICE)
    ledger.transfer_from(ALICE, BOB, 3, sender=BOB)
    assert ledger.allowance(ALICE, BOB) == 2 and ledger.balance_of(BOB) == 3
    ledger.approve(BOB, MAX_UINT256, sender=ALICE)
    ledger.transfer_from(ALICE, BOB, 7, sender=BOB)
    assert ledger.allowance(ALICE, BOB) == MAX_UINT256 and ledger.balance_of(ALICE) == 0
    assert ALICE not in ledger.balances  # empty balances are dropped, so equal states compare equal


def test_a_failed_transfer_from_spends_no_allowance():
    ledger = Ledger("T", "T", owner=OWNER)
    ledger.approve(BOB, 5, sender=ALICE)
    with pytest.raises(Revert, match="exceeds balance"):
        ledger.transfer_from(ALICE, BOB, 5, sender=BOB)  # allowance is checked (and spent) before the balance
    assert ledger.allowance(ALICE, BOB) == 5


def test_a_swap_whose_payout_fails_leaves_no_trace(market):
    token, base, pool = market
    pool.add_liquidity(5 * E18, 10 * E18, 0, 0, ALICE, deadline=100, sender=ALICE)
    pool.clock.advance(10)
    before = pool.snapshot()
    with pytest.raises(Revert, match="erc20: transfer to the zero address"):
        pool.swap(token.address, E18, 0, ZERO_ADDRESS, deadline=100, sender=ALICE)
    assert pool.snapshot() == before  # the pulled input and the new reserves were rolled back


def test_pool_model_follows_the_formulas(market):
    token, base, pool = market
    pool.add_liquidity(5 * E18, 10 * E18, 0, 0, ALICE, deadline=100, sender=ALICE)
    out = pool.swap(token.address, E18, 0, BOB, deadline=100, sender=ALICE)
    assert out == get_amount_out(E18, 5 * E18, 10 * E18) == 1662497915624478906
    assert pool.get_reserves() == (6 * E18, 10 * E18 - out, 50)
    assert base.balance_of(BOB) == out
    assert pool.price_token_cumulative_last == 0  # no time passed since the last update


@pytest.mark.parametrize(
    ("call", "reason"),
    [
        (lambda p, t: p.swap(t.address, E18, 0, BOB, deadline=49, sender=ALICE), "pool: expired deadline"),
        (lambda p, t: p.swap(OTHER, E18, 0, BOB, deadline=99, sender=ALICE), "pool: unknown token"),
        (lambda p, t: p.swap(t.address, 0, 0, BOB, deadline=99, sender=ALICE), "pool: zero amount"),
        (lambda p, t: p.swap(t.address, E18, 0, BOB, deadline=99, sender=ALICE), "pool: empty pool"),
        (lambda p, t: p.add_liquidity(1_000, 1_000, 0, 0, ALICE, 99, sender=ALICE),
         "pool: insufficient liquidity minted"),
        (lambda p, t: p.remove_liquidity(1, 0, 0, ALICE, 99, sender=ALICE), "erc20: burn amount exceeds balance"),
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
    ledger.mint(ALICE, 10, sender=OWNER)
    before = ledger.snapshot()
    for call in (lambda: ledger.transfer(BOB, amount, sender=ALICE),
                 lambda: ledger.mint(BOB, amount, sender=OWNER),
                 lambda: ledger.approve(BOB, amount, sender=ALICE),
                 lambda: ledger.burn(amount, sender=ALICE),
                 lambda: ledger.transfer_from(ALICE, BOB, amount, sender=BOB)):
        with pytest.raises(ValueError, match=message):
            call()
    assert ledger.snapshot() == before and sum(ledger.balances.values()) == ledger.total_supply


def test_pool_model_refuses_numbers_the_abi_cannot_encode(market):
    token, base, pool = market
    pool.add_liquidity(5 * E18, 10 * E18, 0, 0, ALICE, deadline=100, sender=ALICE)
    before = pool.snapshot()
    with pytest.raises(ValueError, match="amount_in must be an int"):
        pool.swap(token.address, 1e18, 0, BOB, deadline=100, sender=ALICE)
    with pytest.raises(ValueError, match="min_out must be non-negative"):
        pool.swap(token.address, E18, -1, BOB, deadline=100, sender=ALICE)
    with pytest.raises(ValueError, match="amount_base_desired must be non-negative"):
        pool.add_liquidity(E18, -E18, 0, 0, ALICE, deadline=100, sender=ALICE)
    with pytest.raises(ValueError, match="shares must be at most"):
        pool.remove_liquidity(MAX_UINT256 + 1, 0, 0, ALICE, deadline=100, sender=ALICE)
    assert pool.snapshot() == before
    with pytest.raises(ValueError, match="fee_bps must be an int"):
        PoolTwin(token, base, POOL, fee_bps=30.5, clock=pool.clock)


def test_the_clock_moves_forward_only_by_whole_seconds(market):
    token, _, pool = market
    with pytest.raises(ValueError, match="start must be an int"):
        Clock(50.5)  # the block time a twin reads, where the pool's sync took a timestamp
    with pytest.raises(ValueError, match="start must be non-negative"):
        Clock(-1)
    for seconds, message in [(0, "must be positive"), (-5, "must be positive"), (1.5, "must be an int"),
                             (True, "must be an int")]:
        with pytest.raises(ValueError, match=f"seconds {message}"):
            pool.clock.advance(seconds)
    assert pool.clock.now == 50
    pool.add_liquidity(5 * E18, 10 * E18, 0, 0, ALICE, deadline=100, sender=ALICE)
    pool.clock.advance(7)
    pool.sync()
    assert pool.clock.now == 57 and pool.get_reserves()[2] == 57  # the pool read the shared clock


def test_burn_from_spends_the_allowance_then_burns():
    ledger = Ledger("T", "T", owner=OWNER)
    ledger.mint(ALICE, 10, sender=OWNER)
    ledger.approve(BOB, 4, sender=ALICE)
    with pytest.raises(Revert, match="erc20: insufficient allowance"):
        ledger.burn_from(ALICE, 5, sender=BOB)
    ledger.burn_from(ALICE, 4, sender=BOB)
    assert (ledger.balance_of(ALICE), ledger.allowance(ALICE, BOB), ledger.total_supply) == (6, 0, 6)


def test_twins_import_neither_titanoboa_nor_torch():
    code = "import sys, cst_ref.twins; print(sorted({m.split('.')[0] for m in sys.modules} & {'boa', 'torch', 'vyper'}))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_a_lower_case_address_is_the_same_account(market):
    token, _, _ = market
    token.transfer(BOB.lower(), E18, sender=ALICE.lower())
    assert token.balance_of(BOB) == token.balance_of(BOB.lower()) == E18
    assert set(token.balances) == {ALICE, BOB}


@pytest.mark.parametrize("bad", ["0xAlice", "0x" + "ab" * 19, "ab" * 20 + "ab", 42, None])
def test_a_string_that_is_not_an_address_is_refused(market, bad):
    token, _, _ = market
    with pytest.raises(ValueError, match="to must be a 20-byte hex address"):
        token.transfer(bad, E18, sender=ALICE)
