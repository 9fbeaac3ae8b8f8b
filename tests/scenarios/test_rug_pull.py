"""The rug pull: what an investor keeps when its client sells everything it can, along the schedule."""

from __future__ import annotations

import pytest

from cst_ref.backends import distribute, make_backend
from cst_ref.scenarios.rug_pull import RUG_SYSTEM, client_exits, rug_pull
from cst_ref.twins import RULE_BUYBACK_BURN, RULE_MINT, SHARE_SCALE, VESTING_ROUNDS, WAD


def test_the_evm_gives_the_twins_numbers():
    assert rug_pull(3, backend="evm") == rug_pull(3)


def test_the_investor_keeps_what_vesting_protects():
    kept = [rug_pull(k, rule=RULE_BUYBACK_BURN).kept for k in (0, 1, 3, VESTING_ROUNDS // 2, VESTING_ROUNDS)]
    assert kept[0] == 1.0  # nothing has vested and the rounds burnt what they bought: nothing to sell
    assert kept == sorted(kept, reverse=True) and kept[1] > 0.85 and kept[2] > 0.7
    assert kept[-1] > 0.1  # even a fully vested client cannot take the locked seed


def test_rewards_the_client_received_are_sold_too():
    to_client, burnt = rug_pull(3), rug_pull(3, rule=RULE_BUYBACK_BURN)
    assert to_client.before == burnt.before and to_client.after < burnt.after


def test_the_client_exits_with_everything_it_holds_or_can_claim():
    backend = make_backend("twin", RUG_SYSTEM)
    for _ in range(2):
        backend.advance(3600)
        distribute(backend, RULE_MINT, [SHARE_SCALE], 10 * WAD)
    client = backend.accounts[0]
    backend.release(0)
    backend.mint_base(client, 50 * WAD)
    backend.add_liquidity(client, 0, 50 * WAD, 50 * WAD)
    backend.advance(3600)
    distribute(backend, RULE_MINT, [SHARE_SCALE], WAD)
    assert backend.releasable(0) > 0 and backend.holdings(client).lp[0] > 0
    client_exits(backend, 0)
    held = backend.holdings(client)
    assert held.cst[0] == held.lp[0] == backend.releasable(0) == 0 and held.base > 0


@pytest.mark.parametrize("bad, message", [({"rounds": -1}, "rounds must be non-negative"),
                                          ({"rounds": 1, "rule": 9}, "unknown rule")])
def test_bad_input_is_refused(bad, message):
    with pytest.raises(ValueError, match=message):
        rug_pull(**bad)
