"""The local node: it answers, hands back funded accounts, and stops however the block ends."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time

import pytest

from cst_ref.backends.anvil import AnvilNode, NodeError, rpc_request


def test_the_node_answers_with_funded_accounts_and_stops_on_exit(gone):
    with AnvilNode(timestamp=1_767_225_600, accounts=2) as node:
        pid, url = node.process.pid, node.url
        assert url.startswith("http://127.0.0.1:") and len(node.accounts) == 2
        assert int(rpc_request(url, "eth_getBalance", [node.accounts[1].address, "latest"]), 16) > 0
        assert int(rpc_request(url, "eth_getBlockByNumber", ["latest", False])["timestamp"], 16) == 1_767_225_600
        assert node.accounts[0].key not in repr(node.accounts)
    assert gone(pid) and not node.running
    with pytest.raises(NodeError, match="no JSON-RPC node answers"):
        rpc_request(url, "eth_chainId", timeout=1.0)


@pytest.mark.parametrize("failure", [RuntimeError("a failing cell"), KeyboardInterrupt()])
def test_an_error_or_an_interrupt_inside_the_block_stops_the_node(failure, gone):
    node = AnvilNode(accounts=1)
    with pytest.raises(type(failure)), node:
        pid = node.process.pid
        raise failure
    assert gone(pid)


def _child(body: str) -> subprocess.Popen[str]:
    """A Python process that starts a node, prints anvil's pid, then runs ``body``."""
    script = textwrap.dedent("""
        import sys, time
        from cst_ref.backends.anvil import AnvilNode
        node = AnvilNode(accounts=1).start()
        print(node.process.pid, flush=True)
    """) + textwrap.dedent(body)
    return subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)


def test_a_node_left_running_is_stopped_when_the_interpreter_exits(gone):
    child = _child("sys.exit(1)  # never stopped by hand")
    pid = int(child.stdout.readline())
    assert child.wait(timeout=30) == 1
    assert gone(pid)


def test_ctrl_c_in_the_process_that_started_the_node_stops_it(gone):
    child = _child("""
        with node:
            time.sleep(60)
    """)
    pid = int(child.stdout.readline())
    time.sleep(0.2)
    child.send_signal(signal.SIGINT)
    assert child.wait(timeout=30) != 0
    assert gone(pid)


def test_bad_arguments_name_themselves():
    with pytest.raises(ValueError, match="timestamp"):
        AnvilNode(timestamp=-1)
    with pytest.raises(ValueError, match="accounts"):
        AnvilNode(accounts=0)


def test_a_node_starts_once():
    with AnvilNode(accounts=1) as node, pytest.raises(NodeError, match="already started"):
        node.start()


def test_a_missing_anvil_says_how_to_install_it(monkeypatch, tmp_path):
    monkeypatch.setattr("cst_ref.backends.anvil.PROJECT_ROOT", tmp_path)  # no node_modules here
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(NodeError, match="npm ci"):
        AnvilNode().start()
