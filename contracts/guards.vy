# pragma version ~=0.4.3
"""
@title Guards on spending the treasury into a pool
@notice The federation's defence against an attacker who moves a client's
        pool before a buy-back or inject round, even one who moves it right
        after a round and holds it there: the anchor price, the TWAP
        deviation and drift bounds, the LP-growth bound and the spending
        bound. Its Python twin is `cst_ref/twins/guards.py` (`pool_now`,
        `observe`, `check_due`, `Guards.check`).
@dev A module, composed as snekmate composes its modules: the federation
     `initializes:` it, exports `guards`, `observations` and the bound
     constants, and calls its internal functions, which check no caller (the
     federation does). It keeps per client (by account) an observation:
     the pool's price accumulator, its spot price and the time, which start a
     TWAP window, and two accepted values, the `anchor` price and the
     `lp_supply`. `_check_due` says whether a due must wait and what a round
     accepts; `_observe` records what the round accepted. The module never
     moves a token and never calls a pool except through views. The
     federation lets only its owner set the bounds (`_set_guards`), and none
     can be switched off: each lies within [MIN_GUARD_BPS, MAX_GUARD_BPS], spending
     within [MIN_GUARD_BPS, MAX_SPEND_BPS].
"""

# The lines between `# [book: NAME]` and `# [/book: NAME]` are shown in the book
# (chapter 6 includes them at build time); tests/foundation/test_code_on_page.py
# checks that every marker the book uses is here exactly once.


# @dev What the guards read from a pool (contracts/pool.vy).
interface IPool:
    def get_reserves() -> (uint256, uint256, uint256): view
    def price_token_cumulative_last() -> uint256: view
    def totalSupply() -> uint256: view


# @dev A registered client, as the federation lists it in `clients`. It is
# declared here, where the guards take it whole: passing the account and the
# pool as two arguments would cost each guarded round about 30 gas a client.
struct Client:
    account: address
    token: address
    pool: address


struct Observation:
    # the pool's price accumulator (base per CST, UQ112x112 times seconds) at `time`
    price_cumulative: uint256
    # spot price (UQ112x112) | (time mod 2**32) << 224
    price_and_time: uint256
    # the price the federation last accepted (UQ112x112)
    anchor: uint256
    # the LP supply the federation last accepted
    lp_supply: uint256


struct Guards:
    max_deviation_bps: uint256
    max_spend_bps: uint256
    max_lp_growth_bps: uint256
    max_drift_bps: uint256


BPS: constant(uint256) = 10000
MASK32: constant(uint256) = 2**32 - 1
MASK224: constant(uint256) = 2**224 - 1

# why a guard holds a due back (the federation's `SKIP_*` codes 4 and 5)
SKIP_DEVIATION: constant(uint8) = 4
SKIP_LP_GROWTH: constant(uint8) = 5

DEFAULT_MAX_DEVIATION_BPS: constant(uint256) = 200
DEFAULT_MAX_SPEND_BPS: constant(uint256) = 1000
DEFAULT_MAX_LP_GROWTH_BPS: constant(uint256) = 100
DEFAULT_MAX_DRIFT_BPS: constant(uint256) = 200
# every guard lies within [MIN_GUARD_BPS, MAX_GUARD_BPS]; spending within [MIN_GUARD_BPS, MAX_SPEND_BPS]
MIN_GUARD_BPS: public(constant(uint256)) = 10
MAX_GUARD_BPS: public(constant(uint256)) = 1000
MAX_SPEND_BPS: public(constant(uint256)) = 5000


# @dev The bounds in force, set by the federation's owner.
guards: public(Guards)
# @dev Per client account: the start of its TWAP window and what was accepted.
observations: public(HashMap[address, Observation])


# @notice The owner changed the bounds that skip a client's part of a round.
event GuardsSet:
    max_deviation_bps: uint256
    max_spend_bps: uint256
    max_lp_growth_bps: uint256
    max_drift_bps: uint256


@deploy
def __init__():
    """
    @notice The guards start at 2 % deviation, 10 % of a base reserve, 1 % LP
            growth and 2 % drift a round.
    """
    self._set_guards(Guards(
        max_deviation_bps=DEFAULT_MAX_DEVIATION_BPS,
        max_spend_bps=DEFAULT_MAX_SPEND_BPS,
        max_lp_growth_bps=DEFAULT_MAX_LP_GROWTH_BPS,
        max_drift_bps=DEFAULT_MAX_DRIFT_BPS,
    ))


@internal
def _set_guards(limits: Guards):
    """
    @notice Set the bounds that hold back a client's part of a buy-back or
            inject round, and log `GuardsSet`.
    @dev No access restriction: the federation checks its owner first. A bound
         outside its range reverts, so no guard can be switched off (a zero
         deviation or drift would also freeze every round) or made absurd.
    @param limits The four bounds, in bps.
    """
    for bound: uint256 in [limits.max_deviation_bps, limits.max_lp_growth_bps, limits.max_drift_bps]:
        assert bound >= MIN_GUARD_BPS and bound <= MAX_GUARD_BPS, "federation: guard out of range"
    assert limits.max_spend_bps >= MIN_GUARD_BPS and limits.max_spend_bps <= MAX_SPEND_BPS, "federation: guard out of range"
    self.guards = limits
    log GuardsSet(
        max_deviation_bps=limits.max_deviation_bps,
        max_spend_bps=limits.max_spend_bps,
        max_lp_growth_bps=limits.max_lp_growth_bps,
        max_drift_bps=limits.max_drift_bps,
    )


@internal
@view
def _pool_now(pool: address) -> (uint256, uint256, uint256):
    """
    @notice The pool's reserves and its price accumulator as it would read if
            the pool were updated now (Uniswap V2's `currentCumulativePrices`).
    @dev A trade earlier in this block does not count, as the pool records the
         price from before each block's first update: the TWAP window ends at
         this second without anyone having to call the pool.
    @param pool The pool to read.
    @return (reserve_token, reserve_base, price_cumulative)
    """
    reserve_token: uint256 = 0
    reserve_base: uint256 = 0
    last: uint256 = 0
    reserve_token, reserve_base, last = staticcall IPool(pool).get_reserves()
    cumulative: uint256 = staticcall IPool(pool).price_token_cumulative_last()
    elapsed: uint256 = unsafe_sub(block.timestamp & MASK32, last) & MASK32
    if elapsed != 0:
        cumulative = unsafe_add(cumulative, unsafe_mul((reserve_base << 112) // reserve_token, elapsed))
    return reserve_token, reserve_base, cumulative


@internal
@view
def _spot(pool: address) -> uint256:
    """
    @notice The pool's spot price, base per CST, in UQ112x112.
    @dev Read after a round's own trade, to add the price move it caused to
         the accepted anchor: the round's move is not an attacker's.
    @param pool The pool to read.
    @return reserve_base * 2**112 // reserve_token
    """
    reserve_token: uint256 = 0
    reserve_base: uint256 = 0
    last: uint256 = 0
    reserve_token, reserve_base, last = staticcall IPool(pool).get_reserves()
    return (reserve_base << 112) // reserve_token


@internal
def _observe(client: Client, anchor: uint256, lp_supply: uint256):
    """
    @notice Restart the client's TWAP window now and record the accepted
            anchor and LP supply.
    @dev A zero accepts the pool's spot price or LP supply as it stands
         (registration, the federation's `observe`). Neither is ever zero
         otherwise: a price of reserves below 2**112 is at least 1.
    @param client The client: its account keys the observation, its pool is read.
    @param anchor The price this round accepted, or 0 for the spot price.
    @param lp_supply The LP supply this round accepted, or 0 for the current one.
    """
    reserve_token: uint256 = 0
    reserve_base: uint256 = 0
    cumulative: uint256 = 0
    reserve_token, reserve_base, cumulative = self._pool_now(client.pool)
    spot: uint256 = (reserve_base << 112) // reserve_token
    accepted_price: uint256 = anchor
    if accepted_price == 0:
        accepted_price = spot
    accepted_supply: uint256 = lp_supply
    if accepted_supply == 0:
        accepted_supply = staticcall IPool(client.pool).totalSupply()
    self.observations[client.account] = Observation(
        price_cumulative=cumulative,
        price_and_time=spot | ((block.timestamp & MASK32) << 224),
        anchor=accepted_price,
        lp_supply=accepted_supply,
    )


@internal
@view
def _check_due(client: Client, due: uint256, inject: bool) -> (uint8, uint256, uint256, uint256, uint256):
    """
    @notice Whether a client's due must wait, how much one part may spend in
            its pool, and what this round accepts.
    @dev The anchor rises towards the TWAP since the observation by at most
         `max_drift_bps` and follows a fall at once; the spot may lie at most
         `max_deviation_bps` above the lower of the TWAP and the old anchor,
         so a price pushed up and held since the last round buys the attacker
         one drift step a round. Under inject an LP supply grown beyond the
         accepted one (which may grow by `max_lp_growth_bps` a round) waits
         too: liquidity added just before a donation would take part of it.
    @param client The client: its account keys the observation, its pool is read.
    @param due What the round tries to pay the client; a zero due never waits.
    @param inject True for an inject round, which also checks the LP supply.
    @return skip Why the due must wait (`SKIP_DEVIATION`, `SKIP_LP_GROWTH`), or 0.
    @return cap The most one part may spend: `max_spend_bps` of the base reserve.
    @return anchor The anchor price this round accepts.
    @return lp_supply The LP supply this round accepts.
    @return spot The pool's spot price now.
    """
    # [book: guard]
    limits: Guards = self.guards
    seen: Observation = self.observations[client.account]
    reserve_token: uint256 = 0
    reserve_base: uint256 = 0
    cumulative: uint256 = 0
    reserve_token, reserve_base, cumulative = self._pool_now(client.pool)
    spot: uint256 = (reserve_base << 112) // reserve_token
    twap: uint256 = seen.price_and_time & MASK224
    elapsed: uint256 = unsafe_sub(block.timestamp & MASK32, seen.price_and_time >> 224) & MASK32
    if elapsed != 0:
        twap = unsafe_sub(cumulative, seen.price_cumulative) // elapsed
    anchor: uint256 = min(twap, seen.anchor + seen.anchor * limits.max_drift_bps // BPS)
    reference: uint256 = min(twap, seen.anchor)
    supply: uint256 = staticcall IPool(client.pool).totalSupply()
    lp_supply: uint256 = min(supply, seen.lp_supply + seen.lp_supply * limits.max_lp_growth_bps // BPS)
    skip: uint8 = 0
    if due > 0:
        if reference == 0 or spot > reference + reference * limits.max_deviation_bps // BPS:
            skip = SKIP_DEVIATION
        elif inject and supply > lp_supply:
            skip = SKIP_LP_GROWTH
    return skip, reserve_base * limits.max_spend_bps // BPS, anchor, lp_supply, spot
    # [/book: guard]
