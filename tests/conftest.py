"""Shared test settings: hypothesis profiles and the repository root."""

from __future__ import annotations

import os
from pathlib import Path

import boa
import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parent.parent

#: titanoboa starts the EVM's clock at the wall clock; pinning it makes every run see the same
#: block times, so deadlines and the TWAP oracle replay identically.
GENESIS_TIMESTAMP = 1_767_225_600  # 2026-01-01T00:00:00Z
boa.env.timestamp = GENESIS_TIMESTAMP

# "ci" is the default: no per-example deadline (EVM and torch calls vary with machine load),
# derandomised and without the example database, so that a red run reproduces exactly on any
# machine. "dev" explores more, with fresh randomness and the database.
settings.register_profile(
    "ci", deadline=None, derandomize=True, database=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("dev", deadline=None, max_examples=500)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT
