"""Every bad input to the federation reverts with a reason that names the problem."""

import boa
import pytest

from cst_ref.twins import MAX_UINT256, SKIP_MIN_OUT, Clock, Ledger, Revert, SystemConfig
from cst_ref.chain.deploy import deploy_market
from cst_ref.chain.federation import FederationChain
from cst_ref.twins.federation import FederationTwin
from cst_ref.twins.shares import SHARE_SCALE


def test_unknown_client(system, accounts, stranger):
    with boa.reverts("federation: unknown client"):
        system.federation.distribute_mint([accounts[0], stranger], [1, SHARE_SCALE - 1], 10)


@pytest.mark.parametrize("order", [[1, 0], [0, 0]], ids=["reversed", "duplicate"])
def test_clients_must_be_in_registration_order(system, accounts, order):
    with boa.reverts("federation: clients not in registration order"):
        system.federation.distribute_mint([accounts[i] for i in order], [1, SHARE_SCALE - 1], 10)


@pytest.mark.parametrize("delta", [-1, 1])
def test_shares_must_sum_to_scale(system, accounts, delta):
    with boa.reverts("federation: shares must sum to SHARE_SCALE"):
        system.federation.distribute_inject(accounts, [SHARE_SCALE // 2 + delta, SHARE_SCALE // 2, 0], 10)


def test_shares_whose_sum_would_overflow_have_a_reason(system, accounts):
    with boa.reverts("federation: share exceeds SHARE_SCALE"):
        system.federation.distribute_mint(accounts, [MAX_UINT256, 1, SHARE_SCALE], 10)


def test_a_budget_whose_split_would_overflow_has_a_reason(system, accounts, equal_shares):
    with boa.reverts("federation: budget too large"):
        system.federation.distribute_mint(accounts, equal_shares, MAX_UINT256 // SHARE_SCALE + 1)


def test_length_mismatch_between_clients_and_shares(system, accounts):
    with boa.reverts("federation: length mismatch"):
        system.federation.distribute_mint(accounts, [SHARE_SCALE, 0], 10)


def test_length_mismatch_of_min_outs(system, accounts, equal_shares):
    with boa.reverts("federation: length mismatch"):
        system.federation.distribute_buyback(accounts, equal_shares, 10, burn=False, min_outs=[0])


def test_empty_round(system):
    with boa.reverts("federation: no clients"):
        system.federation.distribute_mint([], [], 10)


def test_zero_budget(system, accounts, equal_shares):
    with boa.reverts("federation: zero budget"):
        system.federation.distribute_mint(accounts, equal_shares, 0)


@pytest.mark.parametrize("rule", ["buyback", "inject"])
def test_budget_above_treasury(system, accounts, equal_shares, rule):
    federation = system.federation
    budget = federation.contract.treasury() + 1
    with boa.reverts("federation: budget exceeds treasury"):
        if rule == "buyback":
            federation.distribute_buyback(accounts, equal_shares, budget, burn=True)
        else:
            federation.distribute_inject(accounts, equal_shares, budget)


def test_expired_deadline(system, accounts, equal_shares):
    deadline = boa.env.timestamp
    boa.env.time_travel(seconds=1)
    with boa.reverts("federation: expired deadline"):
        system.federation.distribute_buyback(
            accounts, equal_shares, 10**18, burn=False, deadline=deadline
        )


def test_a_buyback_below_min_out_is_skipped_not_reverted(system, accounts, equal_shares):
    federation = system.federation
    quotes = federation.quote_min_outs(accounts, equal_shares, 10**18, tolerance_bps=0)
    before = federation.contract.treasury()
    record = federation.distribute_buyback(accounts, equal_shares, 10**18, burn=False,
                                           min_outs=[quotes[0], quotes[1] + 1, 0])
    assert record.skipped == (0, SKIP_MIN_OUT, 0) and record.tokens_out[1] == record.amounts[1] == 0
    assert record.tokens_out[0] == quotes[0]
    assert before - federation.contract.treasury() == record.amounts[0] + record.amounts[2]


def test_registration_refuses_bad_inputs(system, accounts):
    contract = system.federation.contract
    fresh = boa.env.generate_address()
    with boa.reverts("federation: zero address"):
        contract.register_client("0x" + "00" * 20, "X", "X", 1, 10**6, 10**6)
    with boa.reverts("federation: client already registered"):
        contract.register_client(accounts[0], "X", "X", 1, 10**6, 10**6)
    with boa.reverts("federation: pool seed must be positive"):
        contract.register_client(fresh, "X", "X", 1, 10**6, 0)
    with boa.reverts("federation: seed exceeds treasury"):
        contract.register_client(fresh, "X", "X", 1, 10**6, contract.treasury() + 1)
    with boa.reverts("federation: seed exceeds a pool reserve"):
        contract.register_client(fresh, "X", "X", 1, 2**112, 10**6)
    with boa.reverts("federation: supply overflow"):
        contract.register_client(fresh, "X", "X", MAX_UINT256, 10**6, 10**6)


def test_fund_refuses_zero(system):
    with boa.reverts("federation: zero amount"):
        system.federation.contract.fund(0)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda f, a: f.distribute_mint(a, [SHARE_SCALE / 3] * 3, 10), r"shares\[0\] must be an int"),
        (lambda f, a: f.distribute_mint(a, [SHARE_SCALE, 0, 0], -10), "budget must be non-negative"),
        (lambda f, a: f.distribute_inject(a[0], [SHARE_SCALE], 10), "clients must be a sequence"),
        (lambda f, a: f.distribute_inject(a * 22, [0] * 66, 10), "at most 64 clients per call .a round of more"),
        (lambda f, a: f.open_round(1, a * 342, [0] * 1026, 10), "at most 1024 clients per call, got 1026"),
        (lambda f, a: f.open_round(1.0, a, [SHARE_SCALE, 0, 0], 10), "rule must be an int"),
        (lambda f, a: f.pay_page(0, a, [SHARE_SCALE, 0, 0], [0, -1, 0]), r"min_outs\[1\] must be non-negative"),
        (lambda f, a: f.pay_page(0, a, [0] * 65), "shares: at most 64 per call, got 65"),
        (lambda f, a: f.distribute_buyback(a, [SHARE_SCALE, 0, 0], 10, burn=True, min_outs=[0, -1, 0]),
         r"min_outs\[1\] must be non-negative"),
        (lambda f, a: f.distribute_buyback(a, [SHARE_SCALE, 0, 0], 10, burn=True, deadline=1.5),
         "deadline must be an int"),
        (lambda f, a: f.distribute("mint", a, [SHARE_SCALE, 0, 0], 10), "unknown rule 'mint'"),
        (lambda f, a: f.distribute_buyback(a, [SHARE_SCALE, 0, 0], 10, burn="yes"), "burn must be True or False"),
        (lambda f, a: f.distribute(2, a, [SHARE_SCALE, 0, 0], 10, tolerance_bps="0.5"),
         "tolerance_bps must be an int"),
        (lambda f, a: f.distribute(2, a, [SHARE_SCALE, 0, 0], 10, tolerance_bps=10_001),
         "tolerance_bps must be at most 10000"),
        (lambda f, a: f.observe(a * 22), "at most 64 clients"),
        (lambda f, a: f.register(str(boa.env.generate_address()), "X", "TOOLONG", 1, 10**6, 10**6),
         "symbol must be at most 5 bytes"),
        (lambda f, a: f.register(str(boa.env.generate_address()), "X", "X", -1, 10**6, 10**6),
         "client_supply must be non-negative"),
    ],
)
def test_wrapper_refuses_what_the_abi_cannot_encode(system, accounts, call, message):
    """A clear ValueError instead of an eth_abi traceback; nothing reaches the chain."""
    rounds = system.federation.contract.round_count()
    with pytest.raises(ValueError, match=message):
        call(system.federation, accounts)
    assert system.federation.contract.round_count() == rounds


def test_bad_configurations_are_refused_before_deploying():
    with pytest.raises(ValueError, match="n_clients must be at most 1024"):
        SystemConfig(n_clients=1025)
    with pytest.raises(ValueError, match="treasury must be an int"):
        SystemConfig(treasury=1e24)
    with pytest.raises(ValueError, match="fee_bps must be below 10000"):
        SystemConfig(fee_bps=10_000)
    with pytest.raises(ValueError, match="seed_base and|seed_token and"):
        SystemConfig(seed_base=0)
    with pytest.raises(ValueError, match="name must be at most 25 bytes"):
        deploy_market(token_name="A name far longer than the token allows")
    with pytest.raises(ValueError, match="fee_bps must be non-negative"):
        deploy_market(fee_bps=-1)


def test_federation_refuses_a_fee_no_pool_accepts(system):
    with boa.reverts("pool: fee out of range"):  # the pool implementation refuses it
        FederationChain.deploy(system.base.address, 10_000)
    with pytest.raises(Revert, match="pool: fee out of range"):
        FederationTwin(system.federation.address, Ledger("B", "B", owner=system.owner), system.owner, 10_000,
                       clock=Clock())
