"""The attacks of ``cst_ref.twins.attacks`` played on the EVM, to confirm the twins' numbers.

``ChainStage`` implements the same ``Stage`` actions on a deployed one-client system, so
every attack script runs unchanged on both backends. Run it inside ``boa.env.anchor()``
(or a test) to roll the chain back afterwards.
"""

from __future__ import annotations

import boa

from collections.abc import Callable, Mapping

from cst_ref.twins import FAR_DEADLINE, MAX_UINT256, SHARE_SCALE, Guards, RoundRecord, SystemConfig
from cst_ref.twins.attacks import ATTACKS, NO_GUARDS, WAIT, Stage, Take, twin_stage

from .system import FederationSystem, deploy_system


class ChainStage:
    """Client 0's market and the federation of ``system``, on titanoboa's EVM."""

    def __init__(self, system: FederationSystem) -> None:
        self.system = system
        handle = system.federation.clients[0]
        self.client, self.pool, self.token = handle.account, handle.pool, handle.token

    def _approve(self, account: str) -> None:
        for token in (self.token, self.system.base):
            token.approve(self.pool.address, MAX_UINT256, sender=account)

    def buy(self, account: str, base: int) -> int:
        self._approve(account)
        return self.pool.swap(self.system.base.address, base, 0, account, FAR_DEADLINE, sender=account)

    def sell(self, account: str, cst: int) -> int:
        self._approve(account)
        return self.pool.swap(self.token.address, cst, 0, account, FAR_DEADLINE, sender=account)

    def add_liquidity(self, account: str, cst: int, base: int) -> int:
        self._approve(account)
        return self.pool.add_liquidity(cst, base, 0, 0, account, FAR_DEADLINE, sender=account)[2]

    def remove_liquidity(self, account: str, shares: int) -> None:
        self.pool.remove_liquidity(shares, 0, 0, account, FAR_DEADLINE, sender=account)

    def give(self, account: str, base: int, cst: int) -> None:
        self.system.base.mint(account, base, sender=self.system.owner)
        self.token.transfer(account, cst, sender=self.client)

    def wealth(self, account: str) -> tuple[int, int, int]:
        return self.system.base.balanceOf(account), self.token.balanceOf(account), self.pool.balanceOf(account)

    def spot(self) -> float:
        reserve_token, reserve_base, _ = self.pool.get_reserves()
        return reserve_base / reserve_token

    def round(self, rule: int, budget: int, tolerance_bps: int) -> RoundRecord:
        return self.system.federation.distribute(rule, [self.client], [SHARE_SCALE], budget,
                                                 sender=self.system.owner, tolerance_bps=tolerance_bps)

    def set_guards(self, guards: Guards) -> None:
        self.system.federation.set_guards(guards, sender=self.system.owner)

    def wait(self, seconds: int) -> None:
        boa.env.time_travel(seconds=seconds)


def chain_stage(config: SystemConfig = SystemConfig(n_clients=1)) -> ChainStage:
    """A freshly deployed one-client system (default: 1,000 CST / 1,000 base at 30 bps)."""
    return ChainStage(deploy_system(config))


def play_on_both(attack: Callable[[Stage, int], float], size: int, guards: Guards | None) -> tuple[float, float]:
    """The same attack on a fresh twin and on a fresh deployment (rolled back afterwards),
    ``WAIT`` seconds after the last observation: the twin's take and the EVM's."""
    results = []
    for new_stage in (twin_stage, chain_stage):
        with boa.env.anchor():
            stage = new_stage()
            if guards is not None:
                stage.set_guards(guards)
            stage.wait(WAIT)
            results.append(attack(stage, size))
    return results[0], results[1]


def confirm_on_chain(effect: Mapping[str, tuple[Take, Take]]) -> bool:
    """Replay every take of ``cst_ref.twins.attacks.guard_effect`` on the EVM: true when the
    chain takes exactly what the twins computed, before (no guards) and after (defaults)."""
    for name, takes in effect.items():
        for (take, size), guards in zip(takes, (NO_GUARDS, None)):
            on_twin, on_chain = play_on_both(ATTACKS[name], size, guards)
            if not on_twin == on_chain == take:
                return False
    return True
