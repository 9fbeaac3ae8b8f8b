"""Deployments shared by the contract tests; titanoboa's plugin isolates each test."""

from __future__ import annotations

import boa
import pytest

from cst_ref.chain.deploy import DeployedMarket, deploy_market

E18 = 10**18
MAX_UINT256 = 2**256 - 1


@pytest.fixture(scope="module")
def owner() -> str:
    return boa.env.generate_address("owner")


@pytest.fixture(scope="module")
def traders() -> list[str]:
    return [boa.env.generate_address(name) for name in ("alice", "bob", "carol")]


@pytest.fixture(scope="module")
def deployed(owner) -> DeployedMarket:
    return deploy_market(sender=owner)


@pytest.fixture
def market(deployed) -> DeployedMarket:
    """The module's market, rolled back after each test."""
    return deployed


@pytest.fixture
def funded(market, owner, traders) -> DeployedMarket:
    """Every trader holds 1,000 CST and 1,000 base and lets the pool pull them."""
    for trader in traders:
        for token in (market.token, market.base):
            token.mint(trader, 1_000 * E18, sender=owner)
            token.approve(market.pool.address, MAX_UINT256, sender=trader)
    return market
