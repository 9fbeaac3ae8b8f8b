"""A federation larger than one call on a real node: clones under 1 M gas, pages under 15 M.

The shorter version of ``benchmarks/thousand_clients.py`` that CI runs: 70 clients on anvil
(``rpc`` backend; 64 is the most one call pays, so every round takes two pages) and the same
system on the twins. Every registration's receipt stays under 1,000,000 gas; each rule's round
is one ``open_round`` and two ``pay_page`` transactions, each under 15,000,000 gas, and pays
every client what the twin pays it, to the wei; afterwards every pool's reserves and LP supply,
the treasury and what each client is owed are equal on both. (A whole ``state()`` read over
JSON-RPC is one call per account and token: twenty thousand calls at this size.)
"""

from __future__ import annotations

import numpy as np
import pytest

from cst_ref.backends import make_backend
from cst_ref.backends.rpc import on_node
from cst_ref.twins import MAX_PAGE, RULES, WAD, SystemConfig, to_shares

N_CLIENTS = MAX_PAGE + 6
SYSTEM = SystemConfig(n_clients=N_CLIENTS, treasury=(N_CLIENTS * 1_000 + 10_000) * WAD)
REGISTRATION_LIMIT, PAGE_LIMIT = 1_000_000, 15_000_000


def _gas(receipts: list[dict]) -> list[int]:
    return [int(receipt["gasUsed"], 16) for receipt in receipts]


def _books(backend) -> tuple:
    """Pools, treasury and what each client is owed."""
    return backend.pools(), backend.treasury(), [backend.owed(i) for i in range(N_CLIENTS)]


@pytest.fixture(scope="module")
def paid():
    shares = to_shares(np.random.default_rng(7).random(N_CLIENTS))
    twin = make_backend("twin", SYSTEM)
    with on_node() as connection:
        with connection.receipts() as deployed:
            node = make_backend("rpc", SYSTEM, connection)
        rounds = []
        for rule in RULES:
            records = []
            for backend in (twin, node):
                with connection.receipts() as mined:
                    record, _ = backend.execute(backend.prepare(rule, shares, 500 * WAD))
                records.append(record)
                backend.advance(3_600)
            rounds.append((rule, records, _gas(mined)))
        yield _gas(deployed), rounds, _books(twin), _books(node)


def test_every_registration_costs_under_a_million_gas(paid):
    deployed, *_ = paid
    registrations = deployed[-N_CLIENTS:]
    assert len(registrations) == N_CLIENTS and max(registrations) <= REGISTRATION_LIMIT


def test_each_round_is_opened_then_paid_in_two_pages_under_15_million_gas_each(paid):
    _, rounds, *_ = paid
    for _, _, gas in rounds:
        assert len(gas) == 3  # open_round, then one pay_page per page
        assert max(gas) <= PAGE_LIMIT


def test_the_node_pays_every_client_what_the_twin_pays(paid):
    _, rounds, on_twin_books, on_node_books = paid
    for rule, (on_twin, on_node_), _ in rounds:
        assert on_node_ == on_twin, rule
        assert len(on_twin.clients) == N_CLIENTS and on_twin.rule == rule
        assert sum(on_twin.amounts) > 0
    assert on_node_books == on_twin_books
