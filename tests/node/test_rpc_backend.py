"""The ``rpc`` backend against anvil: a whole run as real transactions equals the in-process EVM.

The same federation (tests/protocol's small one: 3 clients, 2 rounds, every rule) runs on the
``evm`` backend and on a node this test starts; then an investor trades in every pool on
both, client 0's vested supply is released and client 1 deregistered. Balances, supplies,
reserves, escrows, events and even the oracle's block times must agree; the contracts' own
addresses differ (the node's owner signs), so accounts are compared by role.
"""

from __future__ import annotations

import boa
import pytest

from cst_ref.backends.anvil import AnvilNode, NodeError, free_port
from cst_ref.backends import make_backend
from cst_ref.protocol.round_loop import Payout, run_federation
from cst_ref.backends.rpc import KEY_VARIABLE, by_role, on_node
from cst_ref.twins import RULE_KEYS, WAD, SystemConfig
from tests.protocol.conftest import small_federation  # noqa: F401  (the shared fixture)

SYSTEM = SystemConfig(n_clients=3, treasury=10_000 * WAD)
UNFUNDED_KEY = "0x" + "42" * 32


def _investor_trades(backend, investor: str) -> None:
    """Buy each client's CST with a quoted bound, then sell half of it back."""
    backend.mint_base(investor, 1_000 * WAD)
    for client in range(SYSTEM.n_clients):
        bought = backend.swap(investor, client, "base", 10 * WAD, backend.quote(client, "base", 10 * WAD))
        backend.swap(investor, client, "cst", bought // 2)


def _vesting_ends(backend) -> list:
    """The owner releases client 0's vested supply and deregisters client 1 (clients have no
    keys on the node: anyone may release, and the owner is an operator); every escrow after."""
    released = backend.release(0)
    backend.deregister(1)
    return [released, *(backend.vesting(i) for i in range(SYSTEM.n_clients))]


def _clock(backend) -> list[tuple]:
    """What block times leave in the contracts: pool oracles and the federation's observations."""
    with boa.swap_env(backend.env):
        return [(c.pool.get_reserves(), c.pool.price_token_cumulative_last(), c.pool.price_base_cumulative_last(),
                 backend.system.federation.observation(c.account)) for c in backend.clients]


@pytest.fixture(scope="module")
def runs(small_federation):  # noqa: F811
    model, clients, validation, fedavg = small_federation
    payout = Payout(system=SYSTEM, method="mr_shapley")
    evm = run_federation(model, clients, validation, fedavg, payout, "evm", seed=0)
    with on_node() as connection:
        rpc = run_federation(model, clients, validation, fedavg, payout, "rpc", seed=0, connection=connection)
        investor = connection.add_signer(connection.node.accounts[1])
        ends = {}
        for name, run in (("evm", evm), ("rpc", rpc)):
            for rule, backend in run.backends.items():
                _investor_trades(backend, investor)
                vesting = _vesting_ends(backend)
                ends[name, rule] = by_role(backend, backend.state([investor])), _clock(backend), vesting
        pid = connection.node.process.pid
    return evm, rpc, ends, pid


def test_a_run_on_the_node_equals_the_in_process_evm(runs):
    evm, rpc, ends, _ = runs
    for rule in RULE_KEYS:
        a, b = evm.backends[rule], rpc.backends[rule]
        assert a.accounts == b.accounts and a.owner != b.owner
        assert by_role(a, evm.initial[rule]) == by_role(b, rpc.initial[rule]), rule
        assert ends["evm", rule] == ends["rpc", rule], rule
    for on_evm, on_node_ in zip(evm.rounds, rpc.rounds, strict=True):
        assert on_evm.shares == on_node_.shares
        for rule in RULE_KEYS:
            a, b = on_evm.payments[rule], on_node_.payments[rule]
            assert a.record == b.record and a.record.amounts, (on_evm.round, rule)
            assert (a.requested, a.paid, a.note) == (b.requested, b.paid, b.note)
            assert a.gas > 0 and b.gas > 21_000  # execution gas in-process; a receipt's gas includes 21,000


def test_the_node_is_gone_after_the_run(runs, gone):
    assert gone(runs[3])


def test_the_node_stops_when_the_run_fails(gone):
    with pytest.raises(RuntimeError, match="boom"), on_node() as connection:
        pid = connection.node.process.pid
        raise RuntimeError("boom")
    assert gone(pid)


def test_an_unreachable_node_is_a_clear_error():
    with pytest.raises(NodeError, match=r"no JSON-RPC node answers at http://127\.0\.0\.1:\d+"):
        with on_node(f"http://127.0.0.1:{free_port()}", UNFUNDED_KEY):
            pass


def test_an_unfunded_account_is_a_clear_error_and_keys_stay_secret(monkeypatch):
    with AnvilNode(accounts=1) as node:
        with pytest.raises(NodeError, match="holds no ether") as error:
            with on_node(node.url, UNFUNDED_KEY):
                pass
        assert UNFUNDED_KEY[2:] not in str(error.value)
        monkeypatch.delenv(KEY_VARIABLE, raising=False)
        with pytest.raises(NodeError, match=KEY_VARIABLE):
            with on_node(node.url):
                pass
        monkeypatch.setenv(KEY_VARIABLE, "0x1234")
        with pytest.raises(ValueError, match="key: not a 32-byte") as error:
            with on_node(node.url):
                pass
        assert "1234" not in str(error.value)
        monkeypatch.setenv(KEY_VARIABLE, node.accounts[0].key)
        with on_node(node.url) as connection:
            assert connection.owner == node.accounts[0].address and connection.pinned_clock


def test_the_rpc_backend_needs_a_connection_and_the_others_take_none():
    with pytest.raises(ValueError, match="needs a connection"):
        make_backend("rpc", SYSTEM)
    with pytest.raises(ValueError, match="takes no connection"):
        make_backend("evm", SYSTEM, connection=object())  # type: ignore[arg-type]


def test_the_old_backend_name_is_refused_with_the_new_one():
    with pytest.raises(ValueError, match="'model' is now called 'twin'"):
        make_backend("model", SYSTEM)
