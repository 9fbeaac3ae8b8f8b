"""Every constant the contracts expose equals the one the twins and wrappers take from
``cst_ref.twins.constants`` (which says a test checks them: this one)."""

from __future__ import annotations

from cst_ref.twins import constants
from cst_ref.twins import Guards, Rule


def test_the_federation_reports_the_twins_constants(system):
    contract = system.federation.contract
    for name in ("SHARE_SCALE", "MAX_CLIENTS", "VESTING_ROUNDS", "MIN_GUARD_BPS", "MAX_GUARD_BPS", "MAX_SPEND_BPS",
                 "SKIP_DUST", "SKIP_MIN_OUT", "SKIP_RESERVE", "SKIP_DEVIATION", "SKIP_LP_GROWTH",
                 "SKIP_DEREGISTERED"):
        assert getattr(contract, name)() == getattr(constants, name), name
    for rule in Rule:
        assert getattr(contract, f"RULE_{rule.name}")() == rule, rule
    assert set(constants.SKIP_REASONS) == {getattr(contract, f"SKIP_{r}")() for r in
                                           ("DUST", "MIN_OUT", "RESERVE", "DEVIATION", "LP_GROWTH", "DEREGISTERED")}


def test_a_fresh_federation_starts_from_the_default_guards(system):
    assert system.federation.guards() == Guards()
    assert Guards() == Guards(constants.DEFAULT_MAX_DEVIATION_BPS, constants.DEFAULT_MAX_SPEND_BPS,
                              constants.DEFAULT_MAX_LP_GROWTH_BPS, constants.DEFAULT_MAX_DRIFT_BPS)


def test_each_pool_and_the_base_token_report_the_twins_constants(system):
    pool = system.federation.clients[0].pool
    assert pool.MINIMUM_LIQUIDITY() == constants.MINIMUM_LIQUIDITY
    assert pool.FEE_DENOMINATOR() == constants.FEE_DENOMINATOR
    assert pool.FEE_BPS() == system.config.fee_bps == constants.DEFAULT_FEE_BPS
    assert (system.base.name(), system.base.symbol()) == (constants.DEFAULT_BASE_NAME, constants.DEFAULT_BASE_SYMBOL)
