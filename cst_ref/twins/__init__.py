"""Pure-Python twins of every contract, equal to them to the last wei.

The ERC-20 ledger, the pool and the federation (with its vesting escrow), the clock they
share, the contracts' constants and the checks of what their ABI accepts. Their methods take
the contract functions' arguments and the caller as ``sender=``, as titanoboa's contracts
do. This package imports neither titanoboa nor torch: the ``twin`` backend
(``cst_ref.backends.twin``) runs the federation on it, and ``cst_ref.chain`` takes its
constants from here.
"""

from .clock import Clock, ClockLike
from .constants import (
    DEFAULT_BASE_NAME,
    DEFAULT_BASE_SYMBOL,
    DEFAULT_FEE_BPS,
    DEFAULT_MAX_DEVIATION_BPS,
    DEFAULT_MAX_DRIFT_BPS,
    DEFAULT_MAX_LP_GROWTH_BPS,
    DEFAULT_MAX_SPEND_BPS,
    DEFAULT_TOLERANCE_BPS,
    FAR_DEADLINE,
    FEE_DENOMINATOR,
    MAX_CLIENTS,
    MAX_GUARD_BPS,
    MAX_PAGE,
    MAX_SPEND_BPS,
    MIN_GUARD_BPS,
    MINIMUM_LIQUIDITY,
    RULE_BUYBACK_BURN,
    RULE_BUYBACK_TO_CLIENT,
    RULE_INJECT,
    RULE_KEYS,
    RULE_MINT,
    RULES,
    SHARE_SCALE,
    SKIP_DEREGISTERED,
    SKIP_DEVIATION,
    SKIP_DUST,
    SKIP_LP_GROWTH,
    SKIP_MIN_OUT,
    SKIP_REASONS,
    SKIP_RESERVE,
    VESTING_ROUNDS,
    WAD,
    Rule,
)
from .federation import ClientTwin, FederationTwin, RoundRecord, create_address, page_slices, unknown_rule
from .guards import LOOSEST, Guards, Observation, bounded_min_outs, check_tolerance
from .inputs import check_address, check_address_list, check_uint256, check_uint256_list
from .ledger import ZERO_ADDRESS, Ledger
from .pool import PoolTwin
from .revert import MAX_UINT256, Revert, atomic
from .shares import equal_shares, scores_hash, split_budget, to_shares
from .system import SystemConfig, client_symbol, deploy_twin
from .vesting import Vesting, vested_amount

__all__ = [
    "DEFAULT_BASE_NAME",
    "DEFAULT_BASE_SYMBOL",
    "DEFAULT_FEE_BPS",
    "DEFAULT_MAX_DEVIATION_BPS",
    "DEFAULT_MAX_DRIFT_BPS",
    "DEFAULT_MAX_LP_GROWTH_BPS",
    "DEFAULT_MAX_SPEND_BPS",
    "DEFAULT_TOLERANCE_BPS",
    "FAR_DEADLINE",
    "FEE_DENOMINATOR",
    "LOOSEST",
    "MAX_CLIENTS",
    "MAX_GUARD_BPS",
    "MAX_PAGE",
    "MAX_SPEND_BPS",
    "MAX_UINT256",
    "MINIMUM_LIQUIDITY",
    "MIN_GUARD_BPS",
    "RULES",
    "RULE_BUYBACK_BURN",
    "RULE_BUYBACK_TO_CLIENT",
    "RULE_INJECT",
    "RULE_KEYS",
    "RULE_MINT",
    "SHARE_SCALE",
    "SKIP_DEREGISTERED",
    "SKIP_DEVIATION",
    "SKIP_DUST",
    "SKIP_LP_GROWTH",
    "SKIP_MIN_OUT",
    "SKIP_REASONS",
    "SKIP_RESERVE",
    "VESTING_ROUNDS",
    "WAD",
    "ZERO_ADDRESS",
    "ClientTwin",
    "Clock",
    "ClockLike",
    "FederationTwin",
    "Guards",
    "Ledger",
    "Observation",
    "PoolTwin",
    "Revert",
    "RoundRecord",
    "Rule",
    "SystemConfig",
    "Vesting",
    "atomic",
    "bounded_min_outs",
    "check_address",
    "check_address_list",
    "check_tolerance",
    "check_uint256",
    "check_uint256_list",
    "client_symbol",
    "create_address",
    "deploy_twin",
    "equal_shares",
    "page_slices",
    "scores_hash",
    "split_budget",
    "to_shares",
    "unknown_rule",
    "vested_amount",
]
