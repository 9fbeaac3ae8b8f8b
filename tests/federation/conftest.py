"""One federation with three registered clients, deployed once per module.

titanoboa's pytest plugin snapshots the chain around every fixture and test, so each test
starts from this state whatever the previous test did to it.
"""

import boa
import pytest

from cst_ref.chain.system import FederationSystem, deploy_system
from cst_ref.twins import SystemConfig
from cst_ref.twins import equal_shares as shares_for


@pytest.fixture(scope="module")
def system() -> FederationSystem:
    return deploy_system(SystemConfig(n_clients=3))


@pytest.fixture(scope="module")
def accounts(system) -> list[str]:
    return [c.account for c in system.federation.clients]


@pytest.fixture(scope="module")
def stranger() -> str:
    return str(boa.env.generate_address("stranger"))


@pytest.fixture(scope="module")
def equal_shares() -> list[int]:
    return shares_for(3)
