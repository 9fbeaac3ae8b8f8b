"""The chain-free twin compares the rules the way chapter 6 reports them."""

import matplotlib
import pytest

from cst_ref.twins import (RULES, RULE_BUYBACK_BURN, RULE_BUYBACK_TO_CLIENT, RULE_INJECT, RULE_MINT, Clock,
                           SystemConfig)
from cst_ref.chain.federation_gas import linear_cost
from cst_ref.plots.federation import round_gas, rule_outcomes
from cst_ref.plots.tables import markdown_table
from cst_ref.protocol.rule_comparison import compare_rules, paper_wealth
from cst_ref.twins.shares import to_shares
from cst_ref.twins.system import deploy_twin

matplotlib.use("Agg")
WAD = 10**18
NOW = 1_800_000_000


def address(n: int) -> str:
    return "0x" + f"{n:040x}"


@pytest.fixture
def model():
    config = SystemConfig(n_clients=3)
    return deploy_twin(config, owner=address(1), base_address=address(2), federation_address=address(3),
                        accounts=[address(10 + i) for i in range(3)], clock=Clock(NOW))


def test_rules_move_prices_and_wealth_as_the_chapter_says(model):
    before = [paper_wealth(model, c.account) for c in model.clients]
    assert before == [1_000.0] * 3  # each client's own supply, in escrow, at one base per CST
    shares = to_shares([0.5, 0.3, 0.2])
    outcomes = {o.rule: o for o in compare_rules(model, shares, 100 * WAD, address(99))}
    assert [paper_wealth(model, c.account) for c in model.clients] == before  # model untouched
    assert model.clock.now == NOW and all(o.twin.clock is not model.clock for o in outcomes.values())
    assert outcomes[RULE_MINT].price_change == (0.0, 0.0, 0.0)
    assert outcomes[RULE_MINT].treasury_paid == 0
    assert outcomes[RULE_BUYBACK_TO_CLIENT].price_change == outcomes[RULE_BUYBACK_BURN].price_change
    for rule in (RULE_BUYBACK_TO_CLIENT, RULE_BUYBACK_BURN, RULE_INJECT):
        assert outcomes[rule].treasury_paid == 100
        changes = outcomes[rule].price_change
        assert changes[0] > changes[1] > changes[2] > 0  # larger share, larger price move
    for i in range(3):
        assert 0 < outcomes[RULE_INJECT].price_change[i] < outcomes[RULE_BUYBACK_BURN].price_change[i]
        # handing the bought tokens over is worth more to the client than burning them
        assert outcomes[RULE_BUYBACK_TO_CLIENT].client_gain[i] > outcomes[RULE_BUYBACK_BURN].client_gain[i]


def test_figures_and_table_render(model):
    outcomes = compare_rules(model, to_shares([1, 1, 1]), 10 * WAD, address(99))
    prices, gains, others = rule_outcomes(outcomes, ["a", "b", "c"]).axes
    # one bar per rule and client, each as tall as the outcome it draws
    assert [bar.get_height() for bar in prices.patches] == pytest.approx(
        [100 * change for o in outcomes for change in o.price_change])
    assert [bar.get_height() for bar in gains.patches] == pytest.approx([g for o in outcomes for g in o.client_gain])
    assert [bar.get_width() for bar in others.patches] == pytest.approx(
        [o.investor_gain for o in outcomes] + [-o.treasury_paid for o in outcomes])
    figure = round_gas([1, 2], {name: [1, 2] for name in RULES.values()}, baseline=1)
    assert len(figure.axes[0].lines) == len(RULES)
    assert markdown_table(["x", "y"], [(1234, 0.5)]).data.splitlines()[-1] == "| 1,234 | 0.50 |"
    with pytest.raises(ValueError):
        markdown_table(["x"], [(1, 2)])


def test_unknown_rule_is_refused(model):
    with pytest.raises(ValueError, match="unknown rule"):
        model.distribute(9, [model.clients[0].account], [WAD], WAD, sender=model.owner)


def test_twin_refuses_what_the_abi_cannot_encode(model):
    # float shares summing to 1e18 used to pass the sum check and mint float balances
    accounts = [c.account for c in model.clients]
    treasury, supplies = model.treasury(), [c.token.total_supply for c in model.clients]
    with pytest.raises(ValueError, match=r"shares\[0\] must be an int"):
        model.distribute_mint(accounts, [WAD / 2, WAD / 4, WAD / 4], WAD, sender=model.owner)
    with pytest.raises(ValueError, match="budget must be non-negative"):
        model.distribute_inject(accounts, to_shares([1, 1, 1]), -WAD, sender=model.owner)
    with pytest.raises(ValueError, match=r"min_outs\[2\] must be an int"):
        model.distribute_buyback(accounts, to_shares([1, 1, 1]), WAD, [0, 0, 0.5], False, NOW, sender=model.owner)
    with pytest.raises(ValueError, match="seed_base must be non-negative"):
        model.register_client(address(50), "X", "X", 0, WAD, -WAD, sender=model.owner)
    with pytest.raises(ValueError, match="amount must be an int"):
        model.fund(1.5, sender=model.owner)
    assert model.treasury() == treasury and [c.token.total_supply for c in model.clients] == supplies
    assert model.round_count == 0 and model.client_count() == 3


def test_linear_cost_fits_a_line_and_refuses_too_little_data():
    fit = linear_cost([1, 2, 3], [110, 120, 130])
    assert fit.fixed == pytest.approx(100) and fit.per_client == pytest.approx(10)
    with pytest.raises(ValueError, match="two distinct counts"):
        linear_cost([1, 1], [110, 120])
    with pytest.raises(ValueError, match="one gas figure per client count"):
        linear_cost([1, 2, 3], [110, 120])


def test_a_round_costs_more_gas_than_paying_the_clients_directly():
    """The baseline without tokens: n steady-state transfers, each a few thousand gas, against a
    round per rule that deploys nothing but swaps or mints for every client."""
    from cst_ref.chain.federation_gas import DIRECT, round_gas_by_clients

    table = round_gas_by_clients([1, 3], direct=True)
    direct = table.pop(DIRECT)
    assert 0 < direct[0] < direct[1] < 3 * 10_000
    assert all(gas[k] > 2 * direct[k] for gas in table.values() for k in range(2))
    assert DIRECT not in round_gas_by_clients([1])
