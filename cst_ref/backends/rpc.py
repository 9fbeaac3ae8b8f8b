"""The ``rpc`` backend: the same contracts on a JSON-RPC node, through titanoboa's network mode.

Every deployment and call is a signed transaction, mined in a block, paid for in gas at the
node's gas price. The contracts, the wrappers and the reads are the ``evm`` backend's; only
the environment, the clock and the gas measurement differ:

* **Clock** (:class:`NodeClock`). On a development node (anvil) the backend pins block time:
  every block has the time of its parent until ``advance`` moves it, exactly as titanoboa's
  EVM keeps one time until ``time_travel``. The node has one clock for all systems on it;
  ``advance`` moves it to at least the backend's own time, so backends that advance in step
  (as the round loop's do) see the ``evm`` backend's block times. A public network keeps its
  own time: ``advance`` then waits for nothing, and buy-backs get a deadline
  ``DEADLINE_SECONDS`` ahead.
* **Gas** is the receipts' ``gasUsed``: what the transactions really cost, intrinsic
  21,000 and calldata included (the ``evm`` backend reports execution gas only).
* **Addresses.** The owner is the account that signs, so contract addresses differ from the
  other backends'; :func:`state_by_role` names accounts by role for comparisons.
* **Signers.** Only the owner (and accounts added with ``Connection.add_signer``) can sign. The
  clients' labelled accounts hold no keys, which is one reason ``release`` pays a client
  whoever sends it: the owner releases vested supply, as it deregisters, in a transaction.
"""

from __future__ import annotations

import io
import os
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, redirect_stdout
from dataclasses import dataclass, replace
from functools import partial
from typing import Any, TypeVar

import boa
from boa.network import NetworkEnv
from boa.rpc import EthereumRPC
from eth_account import Account

from cst_ref.chain.gas import gas_of
from cst_ref.chain.system import deploy_system
from cst_ref.checks import check_int
from cst_ref.twins import RULES, WAD, RoundRecord, SystemConfig, equal_shares

from .anvil import AnvilNode, DevAccount, NodeError, rpc_request
from .base import GENESIS_TIMESTAMP, PendingRound, client_accounts
from .evm import EvmBackend
from .state import SystemState

KEY_VARIABLE = "CST_REF_PRIVATE_KEY"
"""Environment variable holding the signing key for ``--rpc-url`` (never a config or a file)."""
T = TypeVar("T")
DEADLINE_SECONDS = 300
"""How long a buy-back may wait for a block on a network whose clock the backend cannot drive."""


class ReceiptLog(EthereumRPC):
    """titanoboa's JSON-RPC client, keeping every receipt it waited for (gas used, gas price)."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.receipts: list[dict[str, Any]] = []
        self._session_id = uuid.uuid4().hex

    @property
    def identifier(self) -> str:
        """Unique per connection: titanoboa keeps one state cache per identifier, and a later
        node on a reused port must not be served an earlier node's state."""
        return f"{self._rpc_url}#{self._session_id}"

    def wait_for_tx_receipt(self, tx_hash: str, timeout: float, poll_latency: float = 0.25) -> dict[str, Any]:
        receipt = super().wait_for_tx_receipt(tx_hash, timeout, poll_latency)
        self.receipts.append(receipt)
        return receipt


class NodeEnv(NetworkEnv):
    """titanoboa's network mode with its state cache in memory. The default cache is a file
    keyed by chain id and block number, which every fresh anvil (chain 31337, blocks from 0)
    reuses, so it would serve one node's balances and nonces to the next."""

    def _reset_fork(self, block_identifier: str = "latest") -> None:
        self.fork_rpc(self._rpc, reset_traces=False, block_identifier=block_identifier, cache_dir=None)


@dataclass
class Connection:
    """A node, the signing owner and the titanoboa environment every ``rpc`` backend on it shares."""

    url: str
    chain_id: int
    owner: str
    env: NodeEnv
    rpc: ReceiptLog
    pinned_clock: bool
    node: AnvilNode | None = None
    """The anvil this process started (its other funded accounts can play investors), if any."""

    def block_time(self) -> int:
        return int(rpc_request(self.url, "eth_getBlockByNumber", ["latest", False])["timestamp"], 16)

    def add_signer(self, account: DevAccount) -> str:
        """Let ``account`` send transactions (an investor in a chapter or a test); its address."""
        self.env.add_account(Account.from_key(account.key))
        return account.address

    @contextmanager
    def receipts(self) -> Iterator[list[dict[str, Any]]]:
        """The receipts of the transactions sent inside the block (filled when it ends)."""
        start = len(self.rpc.receipts)
        mined: list[dict[str, Any]] = []
        try:
            yield mined
        finally:
            mined += self.rpc.receipts[start:]


def connect(url: str, key: str) -> Connection:
    """Check that a node answers at ``url`` and that ``key``'s account can pay, then connect.

    ``NodeError`` names the problem (unreachable node, unfunded account); ``ValueError`` a key
    that is not one (without echoing it).
    """
    chain_id = int(rpc_request(url, "eth_chainId"), 16)
    try:
        account = Account.from_key(key)
    except Exception as error:  # noqa: BLE001 (eth_account raises several types; none may print the key)
        raise ValueError(f"key: not a 32-byte hex private key ({type(error).__name__})") from None
    balance = int(rpc_request(url, "eth_getBalance", [account.address, "latest"]), 16)
    if balance == 0:
        raise NodeError(
            f"account {account.address} holds no ether on chain {chain_id} at {url}: it cannot pay "
            "for gas. Fund it first (on a test network, from the network's faucet)."
        )
    try:
        rpc_request(url, "anvil_setBlockTimestampInterval", [0])  # every block keeps its parent's time
        pinned = True
    except NodeError:  # not a development node: its clock runs on its own
        pinned = False
    rpc = ReceiptLog(url)
    env = NodeEnv(rpc)
    env.add_account(account, force_eoa=True)
    return Connection(url, chain_id, account.address, env, rpc, pinned)


@contextmanager
def on_node(url: str | None = None, key: str | None = None) -> Iterator[Connection]:
    """A connection to a node for ``make_backend("rpc", config, connection)``.

    Without ``url`` an anvil is started here (genesis at :data:`GENESIS_TIMESTAMP`, owner its
    first development account) and stopped when the block ends, however it ends. With ``url``
    the transactions are signed with ``key``, by default read from :data:`KEY_VARIABLE`.
    """
    with ExitStack() as stack:
        node = None
        if url is None:
            node = stack.enter_context(AnvilNode(timestamp=GENESIS_TIMESTAMP))
            url, key = node.url, node.accounts[0].key
        elif key is None:
            key = os.environ.get(KEY_VARIABLE)
            if not key:
                raise NodeError(
                    f"--rpc-url needs the signing key of a funded account in the environment "
                    f"variable {KEY_VARIABLE} (never in a config file or the repository)"
                )
        yield replace(connect(url, key), node=node)


class NodeClock:
    """A node's block time as a backend drives it, with the twins' clock's two members.

    ``now`` is the backend's own time: the node's latest block time when the clock was made,
    moved forward by ``advance``. On a development node (``pinned_clock``) ``advance`` also
    has the node mine a block at ``now`` if the node is behind it (another system on the same
    node may already have moved it further); a public network keeps its own time, and
    ``advance`` moves only ``now``.
    """

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self._now = connection.block_time()

    def __repr__(self) -> str:
        return f"NodeClock(now={self._now}, pinned={self.connection.pinned_clock})"

    @property
    def now(self) -> int:
        return self._now

    def advance(self, seconds: int) -> None:
        self._now += check_int("seconds", seconds, positive=True)
        if self.connection.pinned_clock and self._now > self.connection.block_time():
            rpc_request(self.connection.url, "evm_setNextBlockTimestamp", [self._now])
            rpc_request(self.connection.url, "evm_mine")


class RpcBackend(EvmBackend):
    """A system deployed by ``deploy_system`` on the node of ``connection``, signed by its owner."""

    name = "rpc"

    def __init__(self, config: SystemConfig, connection: Connection) -> None:
        self.connection = connection
        self.env = connection.env
        self.owner = connection.owner
        self.accounts = client_accounts(config.n_clients)
        self.clock = NodeClock(connection)
        self._approved: set[tuple[str, str, str]] = set()  # the evm backend's record of pool approvals
        with self._active():
            self.system = deploy_system(config, owner=self.owner, accounts=self.accounts)
        self.clients = self.system.federation.clients

    @contextmanager
    def _active(self) -> Iterator[None]:
        with boa.swap_env(self.env), redirect_stdout(io.StringIO()):  # titanoboa prints every transaction
            yield

    def execute(self, pending: PendingRound) -> tuple[RoundRecord, int]:
        """The ``evm`` backend's round, as a transaction; its gas is the receipt's."""
        with self._active(), self.connection.receipts() as mined:
            if pending.buys and not self.connection.pinned_clock:
                # The wrapper signs the current block time as the deadline; the network's next
                # block is later. titanoboa re-reads the node's time before it simulates the
                # transaction, so this moves only the deadline.
                boa.env.timestamp = self.connection.block_time() + DEADLINE_SECONDS
            record, _ = super().execute(pending)
        return record, sum(int(receipt["gasUsed"], 16) for receipt in mined)


def by_role(backend: EvmBackend, state: SystemState) -> SystemState:
    """``state`` (read from ``backend``) with the backend's own accounts named by role
    (``owner``, ``federation``, ``pool i``), so systems deployed by different owners on
    different chains compare field by field; clients and other accounts keep their address."""
    federation = backend.system.federation
    roles = {
        backend.owner: "owner",
        federation.address: "federation",
        **{str(c.pool.address): f"pool {c.index}" for c in federation.clients},
    }
    return replace(state, holdings={roles.get(account, account): held for account, held in state.holdings.items()})


@dataclass(frozen=True)
class OperationCost:
    """One operation as transactions on the node, beside the same calls in titanoboa's EVM."""

    operation: str
    transactions: int
    node_gas: int
    """The receipts' ``gasUsed``: intrinsic 21,000 and calldata included, refunds deducted."""
    node_fee: int
    """Wei paid: ``gasUsed × effectiveGasPrice`` summed over the receipts."""
    node_seconds: float
    evm_gas: int | None
    """Execution gas in-process, all the operation's calls priced as one fresh transaction
    (``gas_of(new_transaction=True)``); ``None`` for a deployment (a new environment)."""
    evm_seconds: float


def _timed(call: Callable[[], T]) -> tuple[T, float]:
    start = time.perf_counter()
    result = call()
    return result, time.perf_counter() - start


def operation_costs(config: SystemConfig, connection: Connection, investor: str) -> list[OperationCost]:
    """Deploy ``config`` on the node and in-process, then fund, pay one round under every rule and
    let ``investor`` (a signer of ``connection``) swap twice, timing and metering each step.

    A first in-process deployment compiles the contracts, so neither side's time includes it.
    """
    EvmBackend(config)
    evm, evm_seconds = _timed(lambda: EvmBackend(config))
    with connection.receipts() as mined:
        rpc, node_seconds = _timed(lambda: RpcBackend(config, connection))

    def cost(operation: str, evm_gas: int | None, evm_seconds: float, node_seconds: float) -> OperationCost:
        fee = sum(int(r["gasUsed"], 16) * int(r["effectiveGasPrice"], 16) for r in mined)
        return OperationCost(
            operation, len(mined), sum(int(r["gasUsed"], 16) for r in mined), fee, node_seconds, evm_gas, evm_seconds
        )

    costs = [cost("deploy the system", None, evm_seconds, node_seconds)]
    shares = equal_shares(config.n_clients)

    def pay_round(rule: int) -> Callable[[EvmBackend], object]:
        return lambda b: b.execute(b.prepare(rule, shares, 100 * WAD))

    steps: dict[str, Callable[[EvmBackend], object]] = {
        "fund the treasury": lambda b: b.fund(100 * WAD),
        **{f"round: {name}": pay_round(rule) for rule, name in RULES.items()},
        "investor swap (approves first)": lambda b: b.swap(investor, 0, "base", WAD),
        "investor swap": lambda b: b.swap(investor, 0, "base", WAD),
    }
    for backend in (evm, rpc):
        backend.advance(3600)
        backend.mint_base(investor, 1_000 * WAD)
    for operation, step in steps.items():
        with boa.swap_env(evm.env):
            (_, evm_gas), evm_seconds = _timed(partial(gas_of, partial(step, evm), new_transaction=True))
        with connection.receipts() as mined:
            _, node_seconds = _timed(partial(step, rpc))
        costs.append(cost(operation, evm_gas, evm_seconds, node_seconds))
    return costs
