"""A sandwich through a real mempool: an attacker that watches a node's pending transactions.

Chapter 12 front-runs a buy-back by hand: on an automining anvil the order is whatever the
notebook sends. Here nobody chooses it. Mining is switched off (``evm_setAutomine false``;
anvil's mempool orders by fees, its default ``--order fees``), the operator signs the round
and sends it without waiting for a receipt, and :class:`MempoolAttacker`, which knows only
the node's URL, the federation's address and its own key, polls ``txpool_content``. When it
sees a ``distribute_buyback`` to the federation it decodes the shares, budget and
``min_outs``, sizes each front-run with :func:`~cst_ref.scenarios.sandwich.optimal_sandwich`
against the bound the round carries (capped, if guard-aware, by the largest front-run the
deviation guard lets through, as ``agents.SandwichAttacker`` does), and sends its purchases
with a higher priority fee than the round's and its sales with a lower one. One
``evm_mine`` later the block holds front-runs, round and back-runs in that order, and the
attacker's take is its change of base tokens.

The module lives in ``scenarios`` because the attacker's sizing (``sandwich``) is a scenario;
it talks to the node through plain JSON-RPC (``backends.anvil.rpc_request``) and signs with
eth_account, so that after the shared deployment nothing goes through titanoboa, whose
network mode waits for every receipt and caches state by block number (which
``evm_revert`` would make stale). The attacker runs as a polling loop in the caller's process
or (:func:`attacker_process`) in a process of its own; either way it shares nothing with the
operator but the node, and its watch ends after a set time.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any

from eth_abi import decode, encode
from eth_account import Account
from eth_utils import function_signature_to_4byte_selector, keccak, to_checksum_address
from vyper.compiler.output import build_abi_output

from cst_ref.amm import get_amount_out
from cst_ref.backends import distribute
from cst_ref.backends.anvil import DevAccount, NodeError, rpc_request
from cst_ref.backends.base import PendingRound
from cst_ref.backends.rpc import Connection, RpcBackend
from cst_ref.chain.deploy import deployer
from cst_ref.checks import check_int
from cst_ref.twins import (
    LOOSEST,
    MAX_UINT256,
    RULE_BUYBACK_BURN,
    RULE_BUYBACK_TO_CLIENT,
    SHARE_SCALE,
    WAD,
    Guards,
    SystemConfig,
)

from .sandwich import largest_quiet_front_run, optimal_sandwich

GWEI = 10**9
ROUND_TIP = 2 * GWEI
"""The operator's priority fee: the attacker outbids it to go first and underbids it to go after."""
SWAP_GAS = 300_000
"""Gas limit of an attacker's swap (about 100,000 used); fixed, since a back-run cannot be
estimated before its front-run has bought the tokens it sells."""
WATCH_SECONDS = 10.0
POLL_SECONDS = 0.01
UNBOUNDED = 10_000
"""``tolerance_bps`` that sends ``min_outs`` of zero."""
BPS = 10_000


# --- ABI and transactions --------------------------------------------------------------------
def _abi_type(param: dict[str, Any]) -> str:
    """The canonical type of an ABI parameter (structs as tuples)."""
    kind: str = param["type"]
    if kind.startswith("tuple"):
        return "(" + ",".join(_abi_type(c) for c in param["components"]) + ")" + kind[len("tuple") :]
    return kind


class Abi:
    """One contract's ABI: encode calls, decode call data and results, decode its events."""

    def __init__(self, abi: Sequence[dict[str, Any]]) -> None:
        self.abi = list(abi)
        self.functions = {item["name"]: item for item in abi if item.get("type") == "function"}
        self.events = {item["name"]: item for item in abi if item.get("type") == "event"}

    @classmethod
    def of(cls, contract: str) -> Abi:
        """The ABI of ``contracts/<contract>.vy`` (compiled once per process)."""
        return _abi(contract)

    def types(self, name: str, key: str = "inputs") -> list[str]:
        return [_abi_type(p) for p in self.functions[name][key]]

    def selector(self, name: str) -> bytes:
        return function_signature_to_4byte_selector(f"{name}({','.join(self.types(name))})")

    def encode(self, name: str, *args: Any) -> bytes:
        return self.selector(name) + encode(self.types(name), list(args))

    def decode_call(self, name: str, data: bytes) -> dict[str, Any]:
        """The arguments of a call to ``name`` by parameter name; ``ValueError`` for another call."""
        if data[:4] != self.selector(name):
            raise ValueError(f"not a call to {name}")
        values = decode(self.types(name), data[4:])
        return {p["name"]: v for p, v in zip(self.functions[name]["inputs"], values, strict=True)}

    def call(self, url: str, to: str, name: str, *args: Any) -> Any:
        """A view call at the latest block; a single result unwrapped."""
        reply = rpc_request(url, "eth_call", [{"to": to, "data": "0x" + self.encode(name, *args).hex()}, "latest"])
        values = decode(self.types(name, "outputs"), bytes.fromhex(reply[2:]))
        return values[0] if len(values) == 1 else values

    def event(self, name: str, log: dict[str, Any]) -> dict[str, Any] | None:
        """``log`` decoded as event ``name`` (indexed fields as raw topics' integers), or ``None``."""
        item = self.events[name]
        signature = f"{name}({','.join(_abi_type(p) for p in item['inputs'])})"
        if not log["topics"] or log["topics"][0] != "0x" + keccak(text=signature).hex().removeprefix("0x"):
            return None
        plain = [p for p in item["inputs"] if not p["indexed"]]
        values = decode([_abi_type(p) for p in plain], bytes.fromhex(log["data"][2:]))
        return {p["name"]: v for p, v in zip(plain, values, strict=True)}


FEDERATION, POOL, TOKEN = "federation", "pool", "cst_token"


_ABIS: dict[str, Abi] = {}
"""ABIs by contract name; a separate attacker process is handed them instead of compiling."""


def _abi(contract: str) -> Abi:
    if contract not in _ABIS:
        _ABIS[contract] = Abi(build_abi_output(deployer(contract).compiler_data))
    return _ABIS[contract]


def _int(value: str) -> int:
    return int(value, 16)


def send_transaction(url: str, key: str, to: str, data: bytes, *, tip: int, gas: int | None = None) -> str:
    """Sign an EIP-1559 call with ``key`` and send it raw; its hash, without waiting to be mined.

    The nonce counts the sender's pending transactions, so several can wait in one block.
    ``gas`` ``None`` estimates it against the latest block (and adds half).
    """
    sender = Account.from_key(key).address
    base_fee = _int(rpc_request(url, "eth_getBlockByNumber", ["latest", False])["baseFeePerGas"])
    if gas is None:
        estimate = rpc_request(url, "eth_estimateGas", [{"from": sender, "to": to, "data": "0x" + data.hex()}])
        gas = _int(estimate) * 3 // 2
    transaction = {
        "type": 2,
        "chainId": _int(rpc_request(url, "eth_chainId")),
        "nonce": _int(rpc_request(url, "eth_getTransactionCount", [sender, "pending"])),
        "to": to,
        "data": data,
        "value": 0,
        "gas": gas,
        "maxPriorityFeePerGas": tip,
        "maxFeePerGas": 2 * base_fee + tip,
    }
    signed = Account.sign_transaction(transaction, key)
    return str(rpc_request(url, "eth_sendRawTransaction", ["0x" + bytes(signed.raw_transaction).hex()]))


def mined(url: str, tx_hash: str, timeout: float = 5.0) -> dict[str, Any]:
    """The receipt of ``tx_hash`` (anvil's automining may answer a moment after the send);
    ``NodeError`` if it is not mined within ``timeout`` seconds or it reverted."""
    deadline = time.monotonic() + timeout
    receipt = rpc_request(url, "eth_getTransactionReceipt", [tx_hash])
    while receipt is None and time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)
        receipt = rpc_request(url, "eth_getTransactionReceipt", [tx_hash])
    if receipt is None or receipt.get("status") != "0x1":
        raise NodeError(f"transaction {tx_hash} not mined or reverted: {receipt}")
    return dict(receipt)


def transact(url: str, key: str, to: str, data: bytes, tip: int = ROUND_TIP) -> dict[str, Any]:
    """Send a transaction on an automining node; its receipt."""
    return mined(url, send_transaction(url, key, to, data, tip=tip))


# --- the round, as the operator sends it ---------------------------------------------------------
def round_call(clients: Sequence[str], pending: PendingRound, deadline: int) -> bytes:
    """The call data of ``pending`` (a buy-back) to the federation: what the operator signs."""
    return Abi.of(FEDERATION).encode(
        "distribute_buyback",
        list(clients),
        list(pending.shares),
        pending.budget,
        list(pending.bounds),
        pending.rule == RULE_BUYBACK_BURN,
        deadline,
    )


def send_round(
    url: str, owner_key: str, federation: str, clients: Sequence[str], pending: PendingRound, deadline: int
) -> str:
    """Sign and send a buy-back round with priority fee :data:`ROUND_TIP`; its hash, unmined."""
    return send_transaction(url, owner_key, federation, round_call(clients, pending, deadline), tip=ROUND_TIP)


# --- the attacker --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Target:
    """One pool the attacker sandwiches: the victim's buy, the front-run and its predicted profit."""

    client: int
    pool: str
    token: str
    due: int
    min_out: int
    front_in: int
    bought: int
    predicted: int
    """Base tokens the sandwich returns above ``front_in``, in the pool's integer maths."""


@dataclass(frozen=True)
class Attack:
    """What the attacker saw and sent: the round's hash, its targets and its transactions."""

    round_hash: str
    targets: tuple[Target, ...]
    front_runs: tuple[str, ...]
    back_runs: tuple[str, ...]
    seen_after: float
    """Seconds from the start of watching until the attacker saw the round."""

    @property
    def predicted(self) -> int:
        return sum(t.predicted for t in self.targets)


def sandwich_profit(front_in: int, reserve_base: int, reserve_token: int, victim_in: int, fee_bps: int) -> int:
    """Base tokens back from selling what ``front_in`` buys after the victim's buy, less ``front_in``."""
    bought = get_amount_out(front_in, reserve_base, reserve_token, fee_bps)
    r_base, r_token = reserve_base + front_in, reserve_token - bought
    victim_out = get_amount_out(victim_in, r_base, r_token, fee_bps)
    return get_amount_out(bought, r_token - victim_out, r_base + victim_in, fee_bps) - front_in


class MempoolAttacker:
    """A searcher: watches pending transactions and sandwiches every client of a buy-back.

    It reads what it needs from the chain: the federation's clients, pools and tokens, its
    fee, guards and what it owes each client. ``guard_aware`` keeps each front-run within the
    deviation guard of the pool's current price; ``front_in`` fixes one size for client 0
    alone (chapter 12's hand-ordered front-run) instead of sizing every sandwich.
    """

    def __init__(
        self,
        url: str,
        account: DevAccount,
        federation: str,
        *,
        guard_aware: bool = True,
        front_in: int | None = None,
    ) -> None:
        self.url, self.account, self.federation = url, account, to_checksum_address(federation)
        self.guard_aware = guard_aware
        self.front_in = None if front_in is None else check_int("front_in", front_in, positive=True)
        self.abi, self.pool_abi, self.token_abi = Abi.of(FEDERATION), Abi.of(POOL), Abi.of(TOKEN)
        self.base = to_checksum_address(self.abi.call(url, self.federation, "base"))
        self.fee_bps = int(self.abi.call(url, self.federation, "fee_bps"))
        self.clients: dict[str, tuple[int, str, str]] = {}
        """Client account → (index, pool, token)."""
        for i in range(self.abi.call(url, self.federation, "client_count")):
            account_, token, pool = self.abi.call(url, self.federation, "clients", i)
            self.clients[to_checksum_address(account_)] = (i, to_checksum_address(pool), to_checksum_address(token))

    def approve_all(self) -> None:
        """Approve every pool to take the attacker's base tokens and CST (on an automining node)."""
        for _, pool, token in self.clients.values():
            for asset in (self.base, token):
                transact(self.url, self.account.key, asset, self.token_abi.encode("approve", pool, MAX_UINT256))

    def base_balance(self) -> int:
        return int(self.token_abi.call(self.url, self.base, "balanceOf", self.account.address))

    def plan(self, call: dict[str, Any]) -> tuple[Target, ...]:
        """The sandwiches around a decoded ``distribute_buyback`` call, from the latest state."""
        url, federation = self.url, self.federation
        budget, shares, min_outs = call["budget"], call["shares"], call["min_outs"]
        max_deviation, max_spend = self.abi.call(url, federation, "guards")[:2]
        targets = []
        for k, (client, share, min_out) in enumerate(zip(call["clients"], shares, min_outs, strict=True)):
            index, pool, token = self.clients[to_checksum_address(client)]
            if self.front_in is not None and k != 0:
                continue
            if self.abi.call(url, federation, "deregistered", client):
                continue
            due = budget * share // SHARE_SCALE + self.abi.call(url, federation, "owed", client)
            reserve_token, reserve_base, _ = self.pool_abi.call(url, pool, "get_reserves")
            if due == 0 or due > reserve_base * max_spend // BPS:  # a scaled part: left alone
                continue
            if self.front_in is not None:
                front = self.front_in
            else:
                front = optimal_sandwich(reserve_base, reserve_token, due, min_out, self.fee_bps).front_in
                if self.guard_aware:
                    quiet = largest_quiet_front_run(reserve_base, reserve_token, max_deviation, self.fee_bps)
                    front = min(front, quiet)
            if front == 0:
                continue
            predicted = sandwich_profit(front, reserve_base, reserve_token, due, self.fee_bps)
            if self.front_in is None and predicted <= 0:
                continue
            bought = get_amount_out(front, reserve_base, reserve_token, self.fee_bps)
            targets.append(Target(index, pool, token, due, min_out, front, bought, predicted))
        return tuple(targets)

    def _swaps(self, targets: Sequence[Target], deadline: int, *, front: bool, tip: int) -> list[str]:
        """Send each target's purchase (``front``) or sale with priority fee ``tip``; their hashes."""
        hashes = []
        for t in targets:
            if front:
                data = self.pool_abi.encode("swap", self.base, t.front_in, t.bought, self.account.address, deadline)
            else:
                data = self.pool_abi.encode("swap", t.token, t.bought, 0, self.account.address, deadline)
            hashes.append(send_transaction(self.url, self.account.key, t.pool, data, tip=tip, gas=SWAP_GAS))
        return hashes

    def front_runs(self, targets: Sequence[Target], round_tip: int, deadline: int) -> list[str]:
        """Buy first: a priority fee one gwei above the round's."""
        return self._swaps(targets, deadline, front=True, tip=round_tip + GWEI)

    def back_runs(self, targets: Sequence[Target], round_tip: int, deadline: int) -> list[str]:
        """Sell after: a priority fee below the round's (and after the front-runs by nonce)."""
        return self._swaps(targets, deadline, front=False, tip=max(round_tip - 1, 0))

    def watch(self, timeout: float = WATCH_SECONDS) -> Attack | None:
        """Poll the node's pending transactions until a buy-back to the federation appears
        (then sandwich it) or ``timeout`` seconds pass (``None``)."""
        start = time.monotonic()
        selector = "0x" + self.abi.selector("distribute_buyback").hex()
        while time.monotonic() - start < timeout:
            pool = rpc_request(self.url, "txpool_content")["pending"]
            for by_nonce in pool.values():
                for tx in by_nonce.values():
                    if (tx.get("to") or "").lower() != self.federation.lower():
                        continue
                    data = tx.get("input") or tx.get("data") or "0x"
                    if not data.startswith(selector):
                        continue
                    seen = time.monotonic() - start
                    call = self.abi.decode_call("distribute_buyback", bytes.fromhex(data[2:]))
                    targets = self.plan(call)
                    tip = _int(tx.get("maxPriorityFeePerGas") or tx["gasPrice"])
                    fronts = self.front_runs(targets, tip, call["deadline"])
                    backs = self.back_runs(targets, tip, call["deadline"])
                    return Attack(tx["hash"], targets, tuple(fronts), tuple(backs), seen)
            time.sleep(POLL_SECONDS)
        return None


# --- the attacker in a process of its own ---------------------------------------------------------
PROCESS_SECONDS = 120.0
"""How long a separate attacker process may take, its start (imports) included, before it is killed."""


def serve_attacker() -> None:
    """A separate attacker process (``python -m cst_ref.scenarios.mempool``): one JSON line on
    stdin (node URL, key, federation, options, ABIs), then one watch; its :class:`Attack` (or
    ``null``) as one JSON line on stdout. The key travels through the pipe, never the command line."""
    config = json.loads(sys.stdin.readline())
    _ABIS.update({name: Abi(abi) for name, abi in config["abis"].items()})
    attacker = MempoolAttacker(
        config["url"],
        DevAccount(config["address"], config["key"]),
        config["federation"],
        guard_aware=config["guard_aware"],
        front_in=config["front_in"],
    )
    attack = attacker.watch(config["timeout"])
    print(json.dumps(None if attack is None else asdict(attack)), flush=True)


@contextmanager
def attacker_process(
    url: str, account: DevAccount, federation: str, guard_aware: bool = True, front_in: int | None = None
) -> Iterator[list[Attack | None]]:
    """Start an attacker process watching ``url``; when the block ends, wait for its report
    (bounded by :data:`PROCESS_SECONDS`, then killed) and put its :class:`Attack` in the list."""
    config = {
        "url": url,
        "address": account.address,
        "key": account.key,
        "federation": federation,
        "guard_aware": guard_aware,
        "front_in": front_in,
        "timeout": PROCESS_SECONDS,
        "abis": {name: Abi.of(name).abi for name in (FEDERATION, POOL, TOKEN)},
    }
    result: list[Attack | None] = []
    process = subprocess.Popen(
        [sys.executable, "-m", "cst_ref.scenarios.mempool"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdin is not None
        process.stdin.write(json.dumps(config) + "\n")
        process.stdin.flush()
        yield result
        out, err = process.communicate(timeout=PROCESS_SECONDS)
        if process.returncode != 0:
            raise NodeError(f"the attacker process failed: {err.strip()[-500:]}")
        report = json.loads(out.strip().splitlines()[-1])
        if report is not None:
            targets = tuple(Target(**t) for t in report.pop("targets"))
            report["front_runs"], report["back_runs"] = tuple(report["front_runs"]), tuple(report["back_runs"])
            result.append(Attack(targets=targets, **report))
        else:
            result.append(None)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


# --- the experiment: chapter 12's federation, one node, every setting from one snapshot -------------
@dataclass(frozen=True)
class Setting:
    """The round's bound and the federation's guards (``None``: the contract's defaults)."""

    name: str
    tolerance_bps: int
    guards: Guards | None


SETTINGS = (
    Setting("loosest bound and guards", UNBOUNDED, LOOSEST),
    Setting("default bound (50 bps), loosest guards", 50, LOOSEST),
    Setting("default bound and guards", 50, None),
)

CHAPTER_SYSTEM = SystemConfig(n_clients=3, treasury=10_000 * WAD)
CHAPTER_SHARES = (5 * 10**17, 3 * 10**17, 2 * 10**17)
CHAPTER_BUDGET = 100 * WAD
CHAPTER_FRONT_RUN = 100 * WAD
"""Chapter 12's hand-ordered front-run: 100 base tokens into client 0's pool."""
ATTACKER_CAPITAL = 10_000 * WAD


@dataclass(frozen=True)
class Outcome:
    """One attacked round: the take (wei of base), what the attacker predicted, the round's
    skip codes and the mined order of everyone's transactions."""

    order: str
    """``mempool`` (the node's fee order; ``process``: the same, the attacker in a process of its
    own) or ``hand`` (one block per transaction, as sent)."""
    take: int
    predicted: int
    skipped: tuple[int, ...]
    tokens_out: tuple[int, ...]
    in_order: bool
    """Front-runs, round and back-runs were mined in that order (mempool: in one block)."""
    seconds: float
    seen_after: float | None = None


@dataclass
class MempoolStage:
    """Chapter 12's federation on ``connection``'s node, as it stands before the front-run.

    Deployed through the ``rpc`` backend: 3 clients, an hour, 100 tokens of revenue, a
    buy-back of 100 at 50/30/20 %, another hour. Every :meth:`run` starts from a snapshot of
    that state and reverts to it.
    """

    connection: Connection
    attacker: DevAccount
    owner_key: str = field(repr=False)
    backend: RpcBackend = field(init=False)
    pending: dict[int, PendingRound] = field(init=False)
    deadline: int = field(init=False)
    quoted: int = field(init=False)
    """Client 0's part quoted when the operator signs (chapter 12's ``quoted``)."""

    def __post_init__(self) -> None:
        rpc = RpcBackend(CHAPTER_SYSTEM, self.connection)
        rpc.advance(3600)
        rpc.fund(100 * WAD)
        distribute(rpc, RULE_BUYBACK_TO_CLIENT, list(CHAPTER_SHARES), CHAPTER_BUDGET)
        rpc.advance(3600)
        rpc.mint_base(self.attacker.address, ATTACKER_CAPITAL)
        self.backend = rpc
        self.federation = rpc.system.federation.address
        self.url = self.connection.url
        MempoolAttacker(self.url, self.attacker, self.federation).approve_all()
        bounds = {s.tolerance_bps for s in SETTINGS}
        self.pending = {t: rpc.prepare(RULE_BUYBACK_TO_CLIENT, list(CHAPTER_SHARES), CHAPTER_BUDGET, t) for t in bounds}
        self.quoted = rpc.quote(0, "base", CHAPTER_BUDGET * CHAPTER_SHARES[0] // SHARE_SCALE)
        self.deadline = self.connection.block_time()  # the pinned clock keeps it for the next block
        self._snapshot = rpc_request(self.url, "evm_snapshot")

    def _restart(self) -> None:
        rpc_request(self.url, "evm_setAutomine", [True])
        if not rpc_request(self.url, "evm_revert", [self._snapshot]):
            raise NodeError("evm_revert failed")
        self._snapshot = rpc_request(self.url, "evm_snapshot")

    def _set_guards(self, guards: Guards | None) -> None:
        g = guards or Guards()
        data = Abi.of(FEDERATION).encode(
            "set_guards", g.max_deviation_bps, g.max_spend_bps, g.max_lp_growth_bps, g.max_drift_bps
        )
        transact(self.url, self.owner_key, self.federation, data)

    def _record(self, round_hash: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """The round's skip codes and CST bought, from its ``RoundDistributed`` event."""
        abi = Abi.of(FEDERATION)
        for log in mined(self.url, round_hash)["logs"]:
            event = abi.event("RoundDistributed", log)
            if event is not None:
                return tuple(event["skipped"]), tuple(event["tokens_out"])
        raise NodeError(f"round {round_hash} logged no RoundDistributed")

    def run(self, setting: Setting, order: str, front_in: int | None = None, guard_aware: bool = True) -> Outcome:
        """Attack the round of ``setting`` with its transactions ordered by the mempool (the
        attacker polling in this process, or in a ``process`` of its own) or by ``hand``."""
        self._restart()
        self._set_guards(setting.guards)
        attacker = MempoolAttacker(self.url, self.attacker, self.federation, guard_aware=guard_aware, front_in=front_in)
        pending, clients = self.pending[setting.tolerance_bps], self.backend.accounts
        before = attacker.base_balance()
        start = time.perf_counter()
        if order in ("mempool", "process"):
            rpc_request(self.url, "evm_setAutomine", [False])
            if order == "process":
                with attacker_process(self.url, self.attacker, self.federation, guard_aware, front_in) as result:
                    round_hash = send_round(self.url, self.owner_key, self.federation, clients, pending, self.deadline)
                attack = result[0] if result else None
            else:
                round_hash = send_round(self.url, self.owner_key, self.federation, clients, pending, self.deadline)
                attack = attacker.watch()
            if attack is None:
                raise NodeError("the attacker did not see the round within its time")
            rpc_request(self.url, "evm_mine")
            rpc_request(self.url, "evm_setAutomine", [True])
            hashes = [*attack.front_runs, round_hash, *attack.back_runs]
            block = rpc_request(self.url, "eth_getBlockByNumber", ["latest", False])
            in_order = [h.lower() for h in block["transactions"]] == [h.lower() for h in hashes]
            predicted, seen = attack.predicted, attack.seen_after
        elif order == "hand":
            call = Abi.of(FEDERATION).decode_call("distribute_buyback", round_call(clients, pending, self.deadline))
            targets = attacker.plan(call)
            fronts = attacker.front_runs(targets, ROUND_TIP, self.deadline)  # automine: a block each
            round_hash = send_round(self.url, self.owner_key, self.federation, clients, pending, self.deadline)
            hashes = [*fronts, round_hash, *attacker.back_runs(targets, ROUND_TIP, self.deadline)]
            blocks = [_int(mined(self.url, h)["blockNumber"]) for h in hashes]
            in_order = blocks == sorted(blocks) and len(set(blocks)) == len(blocks)
            predicted, seen = sum(t.predicted for t in targets), None
        else:
            raise ValueError(f"order must be 'mempool', 'process' or 'hand', got {order!r}")
        seconds = time.perf_counter() - start
        skipped, tokens_out = self._record(round_hash)
        return Outcome(order, attacker.base_balance() - before, predicted, skipped, tokens_out, in_order, seconds, seen)


@dataclass(frozen=True)
class Comparison:
    """One setting attacked through the mempool and in chapter 12's hand order."""

    setting: str
    mempool: Outcome
    hand: Outcome

    @property
    def ratio(self) -> float:
        """The mempool's take over the hand-ordered one (1.0: the same to the wei)."""
        return self.mempool.take / self.hand.take if self.hand.take else float("nan")


CHAPTER_SETTING = Setting("chapter 12: 100 base into client 0, default bound and guards", 50, None)
"""The hand-ordered front-run of chapter 12, with a back-run added so that it has a take."""


def compare(stage: MempoolStage) -> list[Comparison]:
    """Every :data:`SETTINGS` and chapter 12's fixed front-run, through the mempool and by hand."""
    rows = [Comparison(s.name, stage.run(s, "mempool"), stage.run(s, "hand")) for s in SETTINGS]
    rows.append(
        Comparison(
            CHAPTER_SETTING.name,
            stage.run(CHAPTER_SETTING, "mempool", front_in=CHAPTER_FRONT_RUN),
            stage.run(CHAPTER_SETTING, "hand", front_in=CHAPTER_FRONT_RUN),
        )
    )
    return rows


if __name__ == "__main__":
    serve_attacker()
