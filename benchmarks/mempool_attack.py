"""A sandwich through anvil's mempool beside the same sandwich ordered by hand (chapter 12).

Mining off and fee order: the operator sends chapter 12's buy-back (3 clients, 100 base at
50/30/20 %) without waiting, the attacker sees it pending and front- and back-runs it by
priority fee; then one block is mined. The same attacker's transactions are also sent in the
hand order (one block each, front-runs, round, back-runs), from the same snapshot. Takes in
base tokens, the ratio mempool / hand, and wall time; then the three settings again with the
attacker in a separate process. Run:
    .venv/bin/python benchmarks/mempool_attack.py
"""

from __future__ import annotations

import time

from cst_ref.backends.rpc import on_node
from cst_ref.scenarios.mempool import SETTINGS, MempoolStage, compare
from cst_ref.twins import SKIP_REASONS, WAD


def main() -> None:
    start = time.perf_counter()
    with on_node() as connection:
        stage = MempoolStage(connection, connection.node.accounts[1], connection.node.accounts[0].key)
        setup = time.perf_counter() - start
        rows = compare(stage)
        compared = time.perf_counter() - start
        separate = [stage.run(s, "process") for s in SETTINGS]
    total = time.perf_counter() - start
    print(f"{'setting':62} {'mempool':>10} {'by hand':>10} {'ratio':>6} {'seen ms':>7} {'ms':>5} {'client 0'}")
    for row in rows:
        m, h = row.mempool, row.hand
        seen = 1000 * m.seen_after if m.seen_after is not None else float("nan")
        print(
            f"{row.setting:62} {m.take / WAD:>10.6f} {h.take / WAD:>10.6f} {row.ratio:>6.3f} {seen:>7.1f} "
            f"{1000 * m.seconds:>5.0f} {SKIP_REASONS.get(m.skipped[0], 'paid')}"
        )
        print(f"{'':62} wei: {m.take} (its plan predicted {m.predicted}) vs {h.take}; mined in order: {m.in_order}")
    print("\nthe attacker in a process of its own (its start, about 5 s of imports, included):")
    for setting, outcome in zip(SETTINGS, separate, strict=True):
        print(
            f"{setting.name:62} {outcome.take / WAD:>10.6f} wei {outcome.take} in order: {outcome.in_order} "
            f"{outcome.seconds:.1f} s"
        )
    print(
        f"\nwall time: setup (deploy, chapter 12's first round) {setup:.1f} s, the comparison "
        f"{compared - setup:.1f} s, the separate processes {total - compared:.1f} s"
    )


if __name__ == "__main__":
    main()
