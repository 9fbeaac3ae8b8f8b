"""A sandwich through anvil's mempool: mining off, fee order, an attacker that only watches.

The operator sends chapter 12's buy-back without waiting; the attacker sees it pending,
sends its purchases with a higher priority fee and its sales with a lower one, and one
``evm_mine`` later the block must hold them around the round. Its take must be what
``optimal_sandwich`` predicts, to the wei, and the same as with the order chosen by hand.
"""

from __future__ import annotations

import pytest

from cst_ref.backends.anvil import NodeError, anvil_binary
from cst_ref.backends.rpc import on_node
from cst_ref.scenarios import optimal_sandwich
from cst_ref.scenarios.mempool import (
    CHAPTER_BUDGET,
    CHAPTER_SHARES,
    SETTINGS,
    MempoolAttacker,
    MempoolStage,
    compare,
    sandwich_profit,
)
from cst_ref.scenarios.sandwich import largest_quiet_front_run
from cst_ref.twins import LOOSEST, SHARE_SCALE, SKIP_DEVIATION

try:
    anvil_binary()
except NodeError:  # pragma: no cover (make install runs npm ci)
    pytest.skip("anvil is not installed (npm ci)", allow_module_level=True)


@pytest.fixture(scope="module")
def attacked():
    with on_node() as connection:
        stage = MempoolStage(connection, connection.node.accounts[1], connection.node.accounts[0].key)
        reserves = [stage.backend.reserves(i) for i in range(3)]  # (CST, base) before any attack
        idle = MempoolAttacker(stage.url, stage.attacker, stage.federation).watch(timeout=0.3)
        rows = compare(stage)
        separate = stage.run(SETTINGS[1], "process")
        yield stage, reserves, rows, idle, separate


def _dues() -> list[int]:
    return [CHAPTER_BUDGET * share // SHARE_SCALE for share in CHAPTER_SHARES]


def test_the_attacker_sees_the_pending_round_and_its_swaps_surround_it_in_one_block(attacked):
    _, _, rows, idle, _ = attacked
    assert idle is None  # nothing pending: the watch ends on time
    for row in rows:
        assert row.mempool.in_order and row.hand.in_order, row.setting
        assert row.mempool.seen_after is not None and row.mempool.seen_after < 1.0


def test_the_take_is_what_the_exact_sandwich_predicts_to_the_wei(attacked):
    stage, reserves, rows, _, _ = attacked
    loosest, bounded, guarded, _ = rows
    for row in rows[:3]:
        assert row.mempool.take == row.mempool.predicted == row.hand.take > 0
        assert row.mempool.skipped == (0, 0, 0) and row.mempool.tokens_out == row.hand.tokens_out
    # loosest: no bound, so the deviation guard (10 %) caps every front-run
    expected = sum(
        sandwich_profit(largest_quiet_front_run(base, cst, LOOSEST.max_deviation_bps), base, cst, due, 30)
        for (cst, base), due in zip(reserves, _dues(), strict=True)
    )
    assert loosest.mempool.take == expected
    # the default bound: the sandwich leaves each purchase at its bound, exactly as computed
    min_outs = stage.pending[SETTINGS[1].tolerance_bps].bounds
    sandwiches = [
        optimal_sandwich(base, cst, due, min_out)
        for (cst, base), due, min_out in zip(reserves, _dues(), min_outs, strict=True)
    ]
    assert bounded.mempool.take == sum(s.profit for s in sandwiches)
    assert bounded.mempool.tokens_out == tuple(s.victim_out for s in sandwiches)
    assert all(out >= bound for out, bound in zip(bounded.mempool.tokens_out, min_outs, strict=True))
    assert bounded.mempool.take * 10 < loosest.mempool.take
    # the default guards hold, and do not bind below the bound: the same take
    assert guarded.mempool.take == bounded.mempool.take


def test_chapter_12s_front_run_is_held_back_through_the_mempool_as_by_hand(attacked):
    _, _, rows, _, _ = attacked
    chapter = rows[-1]
    for outcome in (chapter.mempool, chapter.hand):
        assert outcome.skipped[0] == SKIP_DEVIATION and outcome.tokens_out[0] == 0
        assert outcome.take < 0 and outcome.in_order
    assert chapter.mempool.take == chapter.hand.take


def test_an_attacker_in_a_process_of_its_own_takes_the_same(attacked):
    """Closer to a real searcher: another process, sharing only the node (and the ABIs)."""
    _, _, rows, _, separate = attacked
    assert separate.order == "process" and separate.in_order
    assert separate.take == separate.predicted == rows[1].mempool.take
