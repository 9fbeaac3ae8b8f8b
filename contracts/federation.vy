# pragma version ~=0.4.3
"""
@title WallStreetFeds federation
@notice Registers federated-learning clients (one client-specific token and one
        CST/base constant-product pool each, deployed from blueprints), holds the
        reward treasury in the base token, and pays every round's rewards through
        one of three distribution rules: mint, buy-back (to the client or burnt)
        and inject.
@dev Shares are fixed-point integers that must sum to `SHARE_SCALE` (1e18).
     Client i receives `budget * share_i // SHARE_SCALE`: every division rounds
     down, so the remainder of a base-token budget never leaves the treasury and
     the remainder of a mint budget is never minted. Every state-changing entry
     point that calls out is non-reentrant, and base-token calls accept a
     missing return value: the base token may be any ERC-20.

     A client cannot pull the market from under its investors. The LP shares
     of its pool's seed go to this contract, which has no function that
     removes liquidity: the seed is the federation's, locked for good (under
     inject the base tokens sent to a pool accrue to it, and the client gains
     through the price of its CST). The client's own supply is minted to this
     contract too and vests linearly over `VESTING_ROUNDS` of this contract's
     rounds (`round_count`, which every distribution increments); `release`
     pays out what has vested. `deregister_client` stops a client's payouts
     (a part owed to it is skipped, `SKIP_DEREGISTERED`) and its vesting
     (the unvested rest is burnt); its token and pool keep trading.

     Spending the treasury into a pool (buy-back, inject) is guarded against
     an attacker who moves the pool just before the round. The federation keeps
     an observation per client (the pool's price accumulator, its spot price,
     the time and the LP supply), written at registration, by `observe` and at
     the end of every buy-back or inject round. A client's part is skipped
     (it stays in the treasury and the event says why) when it would exceed
     `max_spend_bps` of the pool's base reserve, when the spot price deviates
     from the TWAP since the observation by more than `max_deviation_bps`,
     when (inject only) the LP supply grew by more than `max_lp_growth_bps`
     since the observation, or when (buy-back) the purchase falls below the
     operator's `min_out` or buys nothing.
"""

from ethereum.ercs import IERC20
from snekmate.auth import ownable
from snekmate.utils import pausable

initializes: ownable
initializes: pausable

exports: (ownable.owner, ownable.transfer_ownership, pausable.paused)


interface ICST:
    def mint(owner: address, amount: uint256): nonpayable
    def burn(amount: uint256): nonpayable
    def transfer(to: address, amount: uint256) -> bool: nonpayable
    def approve(spender: address, amount: uint256) -> bool: nonpayable


interface IPool:
    def swap(token_in: address, amount_in: uint256, min_out: uint256, recipient: address, deadline: uint256) -> uint256: nonpayable
    def add_liquidity(amount_token_desired: uint256, amount_base_desired: uint256, amount_token_min: uint256, amount_base_min: uint256, recipient: address, deadline: uint256) -> (uint256, uint256, uint256): nonpayable
    def sync(): nonpayable
    def get_amount_out(token_in: address, amount_in: uint256) -> uint256: view
    def get_reserves() -> (uint256, uint256, uint256): view
    def price_token_cumulative_last() -> uint256: view
    def totalSupply() -> uint256: view


struct Client:
    account: address
    token: address
    pool: address


struct Observation:
    # the pool's price accumulator (base per CST, UQ112x112 times seconds) at `time`
    price_cumulative: uint256
    # spot price (UQ112x112) | (time mod 2**32) << 224
    price_and_time: uint256
    lp_supply: uint256


struct Vesting:
    # CST escrowed for the client at registration; after deregistration, what had vested
    supply: uint256
    # CST paid out to the client so far
    released: uint256
    # `round_count` at registration: vesting counts the rounds since
    start_round: uint256


struct Guards:
    max_deviation_bps: uint256
    max_spend_bps: uint256
    max_lp_growth_bps: uint256


SHARE_SCALE: public(constant(uint256)) = 10**18
FEE_DENOMINATOR: constant(uint256) = 10000
BPS: constant(uint256) = 10000
MAX_CLIENTS: public(constant(uint256)) = 64
MAX_RESERVE: constant(uint256) = 2**112 - 1
MASK32: constant(uint256) = 2**32 - 1
MASK224: constant(uint256) = 2**224 - 1

RULE_MINT: public(constant(uint8)) = 1
RULE_BUYBACK_TO_CLIENT: public(constant(uint8)) = 2
RULE_BUYBACK_BURN: public(constant(uint8)) = 3
RULE_INJECT: public(constant(uint8)) = 4

# why a client's part was not paid (0: it was, or it was zero)
SKIP_DUST: public(constant(uint8)) = 1
SKIP_MIN_OUT: public(constant(uint8)) = 2
SKIP_RESERVE: public(constant(uint8)) = 3
SKIP_DEVIATION: public(constant(uint8)) = 4
SKIP_LP_GROWTH: public(constant(uint8)) = 5
SKIP_DEREGISTERED: public(constant(uint8)) = 6

# rounds over which a client's own supply vests, linearly
VESTING_ROUNDS: public(constant(uint256)) = 20

DEFAULT_MAX_DEVIATION_BPS: constant(uint256) = 200
DEFAULT_MAX_SPEND_BPS: constant(uint256) = 1000
DEFAULT_MAX_LP_GROWTH_BPS: constant(uint256) = 100


base: public(immutable(IERC20))
token_blueprint: public(immutable(address))
pool_blueprint: public(immutable(address))
fee_bps: public(immutable(uint256))

is_operator: public(HashMap[address, bool])
clients: public(DynArray[Client, MAX_CLIENTS])
# 1-based position in `clients`; 0 means "not registered".
client_index: public(HashMap[address, uint256])
round_count: public(uint256)
guards: public(Guards)
observations: public(HashMap[address, Observation])
vestings: public(HashMap[address, Vesting])
deregistered: public(HashMap[address, bool])


# @notice The owner gave (`status` true) or took away the operator role.
event OperatorSet:
    operator: indexed(address)
    status: bool

# @notice The owner changed the bounds that skip a client's part of a round.
event GuardsSet:
    max_deviation_bps: uint256
    max_spend_bps: uint256
    max_lp_growth_bps: uint256

# @notice `sender` paid `amount` base tokens into the treasury with `fund`.
event TreasuryFunded:
    sender: indexed(address)
    amount: uint256

# @notice A client joined: its token and pool, its own supply (escrowed, vesting)
# and its pool's seed (`lp_shares` locked in the federation).
event ClientRegistered:
    index: indexed(uint256)
    account: indexed(address)
    token: address
    pool: address
    client_supply: uint256
    seed_token: uint256
    seed_base: uint256
    lp_shares: uint256

# @notice A client was deregistered: `vested` CST stay releasable to it, the
# unvested `burned` CST were burnt.
event ClientDeregistered:
    index: indexed(uint256)
    account: indexed(address)
    vested: uint256
    burned: uint256

# @notice `amount` CST of the client's vested supply were paid out to it.
event VestingReleased:
    account: indexed(address)
    amount: uint256

# @notice One round: its rule, the commitment to its scores, what each client
# received (`amounts`, `tokens_out`) and why a part was kept back
# (`skipped`: 0 paid, else a `SKIP_*` code).
event RoundDistributed:
    round_number: indexed(uint256)
    rule: indexed(uint8)
    scores_hash: bytes32
    budget: uint256
    clients: DynArray[address, MAX_CLIENTS]
    amounts: DynArray[uint256, MAX_CLIENTS]
    tokens_out: DynArray[uint256, MAX_CLIENTS]
    skipped: DynArray[uint8, MAX_CLIENTS]


@deploy
def __init__(base_token: address, token_blueprint_: address, pool_blueprint_: address, fee_bps_: uint256):
    """
    @notice The deployer becomes owner and first operator; the guards start at
            2 % deviation, 10 % of a base reserve and 1 % LP growth.
    @param base_token The ERC-20 that pays rewards and that every pool trades against.
    @param token_blueprint_ The EIP-5202 blueprint of the client-specific token.
    @param pool_blueprint_ The EIP-5202 blueprint of the pool.
    @param fee_bps_ The swap fee of every pool this federation creates.
    """
    assert base_token != empty(address), "federation: zero address"
    assert token_blueprint_ != empty(address), "federation: zero address"
    assert pool_blueprint_ != empty(address), "federation: zero address"
    # refuse here, not at the first registration, a fee every pool would refuse
    assert fee_bps_ < FEE_DENOMINATOR, "federation: fee out of range"
    ownable.__init__()
    pausable.__init__()
    base = IERC20(base_token)
    token_blueprint = token_blueprint_
    pool_blueprint = pool_blueprint_
    fee_bps = fee_bps_
    self.is_operator[msg.sender] = True
    log OperatorSet(operator=msg.sender, status=True)
    self._set_guards(DEFAULT_MAX_DEVIATION_BPS, DEFAULT_MAX_SPEND_BPS, DEFAULT_MAX_LP_GROWTH_BPS)


@external
def set_operator(operator: address, status: bool):
    """
    @notice Give or take away the operator role: operators register clients,
            observe pools and distribute rewards.
    @param operator The account.
    @param status True to appoint, false to revoke.
    """
    ownable._check_owner()
    assert operator != empty(address), "federation: zero address"
    self.is_operator[operator] = status
    log OperatorSet(operator=operator, status=status)


@external
def set_guards(max_deviation_bps: uint256, max_spend_bps: uint256, max_lp_growth_bps: uint256):
    """
    @notice Set the bounds that skip a client's part of a buy-back or inject
            round; `max_value(uint256)` switches a bound off.
    @param max_deviation_bps The largest deviation of the pool's spot price
           from its TWAP since the client's observation, in bps.
    @param max_spend_bps The largest part of the pool's base reserve one
           client's part may be, in bps.
    @param max_lp_growth_bps The largest growth of the pool's LP supply since
           the observation that an inject accepts, in bps.
    """
    ownable._check_owner()
    self._set_guards(max_deviation_bps, max_spend_bps, max_lp_growth_bps)


@external
def pause():
    """
    @notice Stop registrations and rounds; tokens and pools keep trading.
    """
    ownable._check_owner()
    pausable._pause()


@external
def unpause():
    """
    @notice Allow registrations and rounds again.
    """
    ownable._check_owner()
    pausable._unpause()


@external
@nonreentrant
def fund(amount: uint256):
    """
    @notice Pull `amount` base tokens from the caller into the treasury.
    @dev A plain `transfer` to this contract funds it just as well: the
         treasury is simply this contract's base-token balance.
    @param amount The base tokens to pull; the caller must have approved them.
    """
    assert amount > 0, "federation: zero amount"
    assert extcall base.transferFrom(msg.sender, self, amount, default_return_value=True), "federation: transfer failed"
    log TreasuryFunded(sender=msg.sender, amount=amount)


@external
@view
def treasury() -> uint256:
    """
    @notice The base tokens available for rewards and pool seeds.
    @return This contract's base-token balance.
    """
    return staticcall base.balanceOf(self)


@external
@view
def client_count() -> uint256:
    """
    @notice How many clients are registered.
    @return The length of `clients`.
    """
    return len(self.clients)


@external
@nonreentrant
def register_client(
    account: address,
    name: String[25],
    symbol: String[5],
    client_supply: uint256,
    seed_token: uint256,
    seed_base: uint256,
) -> (address, address):
    """
    @notice Deploy the client's CST and pool, mint `client_supply` CST into
            escrow here (it vests to the client over `VESTING_ROUNDS` rounds)
            and seed the pool with `seed_token` fresh CST and `seed_base`
            treasury base tokens. The LP shares stay in this contract, which
            cannot remove liquidity: the seed is locked for good.
    @dev The pool gets an unlimited base allowance once, for later buy-backs,
         and the client's first observation is taken.
    @param account The client's account.
    @param name The CST's name.
    @param symbol The CST's symbol.
    @param client_supply The client's own CST, vesting from this round on.
    @param seed_token The CST minted into the pool, at most 2**112 - 1.
    @param seed_base The treasury's base tokens paired with it, at most 2**112 - 1.
    @return The addresses of the client's token and pool.
    """
    self._check_operator()
    pausable._require_not_paused()
    assert account != empty(address), "federation: zero address"
    assert self.client_index[account] == 0, "federation: client already registered"
    assert len(self.clients) < MAX_CLIENTS, "federation: too many clients"
    assert seed_token > 0 and seed_base > 0, "federation: pool seed must be positive"
    assert seed_token <= MAX_RESERVE and seed_base <= MAX_RESERVE, "federation: seed exceeds a pool reserve"
    assert client_supply <= max_value(uint256) - seed_token, "federation: supply overflow"
    assert seed_base <= staticcall base.balanceOf(self), "federation: seed exceeds treasury"

    token: address = create_from_blueprint(token_blueprint, name, symbol, code_offset=3)
    pool: address = create_from_blueprint(pool_blueprint, token, base.address, fee_bps, code_offset=3)

    extcall ICST(token).mint(self, client_supply + seed_token)
    assert extcall ICST(token).approve(pool, seed_token), "federation: approve failed"
    assert extcall base.approve(pool, max_value(uint256), default_return_value=True), "federation: approve failed"
    used_token: uint256 = 0
    used_base: uint256 = 0
    lp_shares: uint256 = 0
    used_token, used_base, lp_shares = extcall IPool(pool).add_liquidity(
        seed_token, seed_base, seed_token, seed_base, self, block.timestamp
    )

    client: Client = Client(account=account, token=token, pool=pool)
    self.clients.append(client)
    self.client_index[account] = len(self.clients)
    self.vestings[account] = Vesting(supply=client_supply, released=0, start_round=self.round_count)
    self._observe(client)
    log ClientRegistered(
        index=len(self.clients) - 1,
        account=account,
        token=token,
        pool=pool,
        client_supply=client_supply,
        seed_token=seed_token,
        seed_base=seed_base,
        lp_shares=lp_shares,
    )
    return token, pool


@external
@nonreentrant
def deregister_client(account: address):
    """
    @notice Stop paying `account` and stop its vesting. What has vested stays
            releasable to it; the unvested rest of its supply is burnt. Its
            token, its pool and the locked seed stay: holders keep trading.
    @dev The client stays in `clients`, so round lists keep their order; a
         round skips a part owed to it (`SKIP_DEREGISTERED`), and a zero share
         is accepted.
    @param account A registered, not yet deregistered client.
    """
    self._check_operator()
    index: uint256 = self.client_index[account]
    assert index != 0, "federation: unknown client"
    assert not self.deregistered[account], "federation: client already deregistered"
    vested: uint256 = self._vested(account)
    burned: uint256 = self.vestings[account].supply - vested
    self.vestings[account].supply = vested
    self.deregistered[account] = True
    if burned > 0:
        extcall ICST(self.clients[index - 1].token).burn(burned)
    log ClientDeregistered(index=index - 1, account=account, vested=vested, burned=burned)


@external
@nonreentrant
def release(account: address) -> uint256:
    """
    @notice Pay `account` the CST of its own supply that has vested and was
            not paid out yet.
    @dev Anyone may call (a keeper, the operator, the client): the tokens can
         only go to the client. A paused federation still releases.
    @param account A registered client.
    @return The CST paid out.
    """
    index: uint256 = self.client_index[account]
    assert index != 0, "federation: unknown client"
    amount: uint256 = self._vested(account) - self.vestings[account].released
    assert amount > 0, "federation: nothing to release"
    self.vestings[account].released += amount
    assert extcall ICST(self.clients[index - 1].token).transfer(account, amount), "federation: transfer failed"
    log VestingReleased(account=account, amount=amount)
    return amount


@external
@view
def vested(account: address) -> uint256:
    """
    @notice The part of `account`'s own supply vested so far, paid out or not.
    @return `supply * min(rounds since registration, VESTING_ROUNDS) // VESTING_ROUNDS`,
            or, once deregistered, what had vested then.
    """
    return self._vested(account)


@external
@view
def releasable(account: address) -> uint256:
    """
    @notice The vested CST that `release` would pay `account` now.
    @return Vested less released.
    """
    return self._vested(account) - self.vestings[account].released


@external
@nonreentrant
def observe(clients: DynArray[address, MAX_CLIENTS]):
    """
    @notice Record each client's pool state: the start of the TWAP window and
            the LP supply that the next buy-back or inject round checks against.
    @dev Rounds observe their clients at the end, so a call is needed only to
         restart a window, e.g. after legitimate trading moved the price.
    @param clients Registered clients, in any order.
    """
    self._check_operator()
    for account: address in clients:
        index: uint256 = self.client_index[account]
        assert index != 0, "federation: unknown client"
        self._observe(self.clients[index - 1])


@external
@nonreentrant
def distribute_mint(
    clients: DynArray[address, MAX_CLIENTS], shares: DynArray[uint256, MAX_CLIENTS], budget: uint256
) -> DynArray[uint256, MAX_CLIENTS]:
    """
    @notice Rule 1: mint `budget * share_i // SHARE_SCALE` new CST_i to client i.
    @dev `budget` counts CST units (each client's own token); the treasury is
         untouched. A deregistered client's part is not minted (`skipped`).
    @param clients Registered clients, in registration order.
    @param shares Their shares, summing to SHARE_SCALE.
    @param budget The CST units to split.
    @return The CST minted to each client.
    """
    entries: DynArray[Client, MAX_CLIENTS] = self._check_round(clients, shares, budget)
    amounts: DynArray[uint256, MAX_CLIENTS] = self._split(shares, budget)
    skipped: DynArray[uint8, MAX_CLIENTS] = []
    for i: uint256 in range(len(entries), bound=MAX_CLIENTS):
        skip: uint8 = 0
        if amounts[i] > 0:
            if self.deregistered[entries[i].account]:
                skip = SKIP_DEREGISTERED
                amounts[i] = 0
            else:
                extcall ICST(entries[i].token).mint(entries[i].account, amounts[i])
        skipped.append(skip)
    self._log_round(RULE_MINT, clients, shares, budget, amounts, amounts, skipped)
    return amounts


@external
@nonreentrant
def distribute_buyback(
    clients: DynArray[address, MAX_CLIENTS],
    shares: DynArray[uint256, MAX_CLIENTS],
    budget: uint256,
    min_outs: DynArray[uint256, MAX_CLIENTS],
    burn: bool,
    deadline: uint256,
) -> DynArray[uint256, MAX_CLIENTS]:
    """
    @notice Rule 2: spend `budget * share_i // SHARE_SCALE` treasury base tokens
            buying CST_i in pool i, then hand the CST to client i (`burn` false)
            or burn it (`burn` true).
    @dev A part is skipped (it stays in the treasury; `skipped` says why) when
         its client is deregistered, when a guard fails, when it would buy less
         than `min_outs[i]` or nothing.
    @param clients Registered clients, in registration order.
    @param shares Their shares, summing to SHARE_SCALE.
    @param budget The treasury's base tokens to split.
    @param min_outs The least CST each purchase must yield; 0 sends no bound.
    @param burn Burn the CST bought instead of giving it to the client.
    @param deadline The last timestamp at which the round may execute.
    @return The CST bought in each pool.
    """
    assert block.timestamp <= deadline, "federation: expired deadline"
    entries: DynArray[Client, MAX_CLIENTS] = self._check_round(clients, shares, budget)
    assert len(min_outs) == len(clients), "federation: length mismatch"
    assert budget <= staticcall base.balanceOf(self), "federation: budget exceeds treasury"
    amounts: DynArray[uint256, MAX_CLIENTS] = self._split(shares, budget)
    bought: DynArray[uint256, MAX_CLIENTS] = []
    skipped: DynArray[uint8, MAX_CLIENTS] = []
    for i: uint256 in range(len(entries), bound=MAX_CLIENTS):
        out: uint256 = 0
        skip: uint8 = 0
        if amounts[i] > 0:
            skip = self._skip(entries[i], amounts[i], False)
            if skip == 0:
                out = staticcall IPool(entries[i].pool).get_amount_out(base.address, amounts[i])
                if out < min_outs[i]:
                    skip = SKIP_MIN_OUT
                elif out == 0:
                    skip = SKIP_DUST
            if skip != 0:
                amounts[i] = 0
                out = 0
            else:
                recipient: address = entries[i].account
                if burn:
                    recipient = self
                extcall IPool(entries[i].pool).swap(base.address, amounts[i], out, recipient, deadline)
                if burn:
                    extcall ICST(entries[i].token).burn(out)
        self._observe(entries[i])
        bought.append(out)
        skipped.append(skip)
    rule: uint8 = RULE_BUYBACK_TO_CLIENT
    if burn:
        rule = RULE_BUYBACK_BURN
    self._log_round(rule, clients, shares, budget, amounts, bought, skipped)
    return bought


@external
@nonreentrant
def distribute_inject(
    clients: DynArray[address, MAX_CLIENTS], shares: DynArray[uint256, MAX_CLIENTS], budget: uint256
) -> DynArray[uint256, MAX_CLIENTS]:
    """
    @notice Rule 3: send `budget * share_i // SHARE_SCALE` treasury base tokens
            to pool i and sync its reserves, so no LP shares are minted and the
            value accrues to the pool's existing LPs (above all the locked seed):
            client i gains through the price of the CST it holds and vests.
    @dev A part is skipped (it stays in the treasury; `skipped` says why) when
         its client is deregistered or a guard fails, including LP supply that
         grew since the observation.
    @param clients Registered clients, in registration order.
    @param shares Their shares, summing to SHARE_SCALE.
    @param budget The treasury's base tokens to split.
    @return The base tokens added to each pool.
    """
    entries: DynArray[Client, MAX_CLIENTS] = self._check_round(clients, shares, budget)
    assert budget <= staticcall base.balanceOf(self), "federation: budget exceeds treasury"
    amounts: DynArray[uint256, MAX_CLIENTS] = self._split(shares, budget)
    zeros: DynArray[uint256, MAX_CLIENTS] = []
    skipped: DynArray[uint8, MAX_CLIENTS] = []
    for i: uint256 in range(len(entries), bound=MAX_CLIENTS):
        skip: uint8 = 0
        if amounts[i] > 0:
            skip = self._skip(entries[i], amounts[i], True)
            if skip != 0:
                amounts[i] = 0
            else:
                assert extcall base.transfer(entries[i].pool, amounts[i], default_return_value=True), "federation: transfer failed"
                extcall IPool(entries[i].pool).sync()
        self._observe(entries[i])
        zeros.append(0)
        skipped.append(skip)
    self._log_round(RULE_INJECT, clients, shares, budget, amounts, zeros, skipped)
    return amounts


@internal
@view
def _check_operator():
    assert self.is_operator[msg.sender], "federation: caller is not an operator"


@internal
def _set_guards(max_deviation_bps: uint256, max_spend_bps: uint256, max_lp_growth_bps: uint256):
    self.guards = Guards(
        max_deviation_bps=max_deviation_bps, max_spend_bps=max_spend_bps, max_lp_growth_bps=max_lp_growth_bps
    )
    log GuardsSet(
        max_deviation_bps=max_deviation_bps, max_spend_bps=max_spend_bps, max_lp_growth_bps=max_lp_growth_bps
    )


@internal
@view
def _pool_now(pool: address) -> (uint256, uint256, uint256):
    """
    @dev The pool's reserves and its price accumulator as it would read if the
         pool were updated now (Uniswap V2's `currentCumulativePrices`): a trade
         earlier in this block does not count, as the pool records the price
         from before each block's first update.
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
def _observe(client: Client):
    reserve_token: uint256 = 0
    reserve_base: uint256 = 0
    cumulative: uint256 = 0
    reserve_token, reserve_base, cumulative = self._pool_now(client.pool)
    self.observations[client.account] = Observation(
        price_cumulative=cumulative,
        price_and_time=((reserve_base << 112) // reserve_token) | ((block.timestamp & MASK32) << 224),
        lp_supply=staticcall IPool(client.pool).totalSupply(),
    )


@internal
@view
def _vested(account: address) -> uint256:
    """
    @dev floor(supply * elapsed / VESTING_ROUNDS), computed so that no supply
         can overflow it.
    """
    schedule: Vesting = self.vestings[account]
    if self.deregistered[account]:
        return schedule.supply
    elapsed: uint256 = min(self.round_count - schedule.start_round, VESTING_ROUNDS)
    return schedule.supply // VESTING_ROUNDS * elapsed + schedule.supply % VESTING_ROUNDS * elapsed // VESTING_ROUNDS


@internal
@view
def _skip(client: Client, amount: uint256, inject: bool) -> uint8:
    """
    @dev Why a buy-back or inject part of `amount` is not paid (a `SKIP_*`
         code), or 0: a deregistered client first, then the guards.
    """
    if self.deregistered[client.account]:
        return SKIP_DEREGISTERED
    return self._guard(client, amount, inject)


@internal
@view
def _guard(client: Client, amount: uint256, inject: bool) -> uint8:
    """
    @dev The first guard `amount` fails (a `SKIP_*` code), or 0. The reference
         price is the TWAP since the observation, or the observed spot price
         when no second has passed since.
    """
    limits: Guards = self.guards
    reserve_token: uint256 = 0
    reserve_base: uint256 = 0
    cumulative: uint256 = 0
    reserve_token, reserve_base, cumulative = self._pool_now(client.pool)
    if amount * BPS // reserve_base > limits.max_spend_bps:
        return SKIP_RESERVE
    seen: Observation = self.observations[client.account]
    reference: uint256 = seen.price_and_time & MASK224
    elapsed: uint256 = unsafe_sub(block.timestamp & MASK32, seen.price_and_time >> 224) & MASK32
    if elapsed != 0:
        reference = unsafe_sub(cumulative, seen.price_cumulative) // elapsed
    spot: uint256 = (reserve_base << 112) // reserve_token
    deviation: uint256 = max(spot, reference) - min(spot, reference)
    if reference == 0 or deviation * BPS // reference > limits.max_deviation_bps:
        return SKIP_DEVIATION
    if inject:
        supply: uint256 = staticcall IPool(client.pool).totalSupply()
        if supply > seen.lp_supply and (supply - seen.lp_supply) * BPS // seen.lp_supply > limits.max_lp_growth_bps:
            return SKIP_LP_GROWTH
    return 0


@internal
def _check_round(
    clients: DynArray[address, MAX_CLIENTS], shares: DynArray[uint256, MAX_CLIENTS], budget: uint256
) -> DynArray[Client, MAX_CLIENTS]:
    """
    @dev Validates a round's inputs shared by every rule and returns the
         clients' records. Clients must be listed in registration order, which
         also rules out listing a client twice. Bounding each share and the
         budget keeps every sum and product below 2**256.
    """
    self._check_operator()
    pausable._require_not_paused()
    assert len(clients) == len(shares), "federation: length mismatch"
    assert len(clients) > 0, "federation: no clients"
    assert budget > 0, "federation: zero budget"
    assert budget <= max_value(uint256) // SHARE_SCALE, "federation: budget too large"
    entries: DynArray[Client, MAX_CLIENTS] = []
    previous: uint256 = 0
    total: uint256 = 0
    for i: uint256 in range(len(clients), bound=MAX_CLIENTS):
        index: uint256 = self.client_index[clients[i]]
        assert index != 0, "federation: unknown client"
        assert index > previous, "federation: clients not in registration order"
        assert shares[i] <= SHARE_SCALE, "federation: share exceeds SHARE_SCALE"
        previous = index
        total += shares[i]
        entries.append(self.clients[index - 1])
    assert total == SHARE_SCALE, "federation: shares must sum to SHARE_SCALE"
    return entries


@internal
@pure
def _split(shares: DynArray[uint256, MAX_CLIENTS], budget: uint256) -> DynArray[uint256, MAX_CLIENTS]:
    amounts: DynArray[uint256, MAX_CLIENTS] = []
    for share: uint256 in shares:
        amounts.append(budget * share // SHARE_SCALE)
    return amounts


@internal
def _log_round(
    rule: uint8,
    clients: DynArray[address, MAX_CLIENTS],
    shares: DynArray[uint256, MAX_CLIENTS],
    budget: uint256,
    amounts: DynArray[uint256, MAX_CLIENTS],
    tokens_out: DynArray[uint256, MAX_CLIENTS],
    skipped: DynArray[uint8, MAX_CLIENTS],
):
    self.round_count += 1
    log RoundDistributed(
        round_number=self.round_count,
        rule=rule,
        scores_hash=keccak256(abi_encode(clients, shares)),
        budget=budget,
        clients=clients,
        amounts=amounts,
        tokens_out=tokens_out,
        skipped=skipped,
    )
