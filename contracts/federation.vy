# pragma version ~=0.4.3
"""
@title WallStreetFeds federation
@notice Registers federated-learning clients (one client-specific token and one
        CST/base constant-product pool each, minimal-proxy clones of two
        implementations), holds the reward treasury in the base token, and pays
        every round's rewards through one of three distribution rules: mint,
        buy-back (to the client or burnt) and inject.
@dev Shares are fixed-point integers that must sum to `SHARE_SCALE` (1e18).
     Client i receives `budget * share_i // SHARE_SCALE`: every division rounds
     down, so the remainder of a base-token budget never leaves the treasury and
     the remainder of a mint budget is never minted. Every state-changing entry
     point that calls out is non-reentrant, and base-token calls accept a
     missing return value: the base token may be any ERC-20.

     Up to `MAX_CLIENTS` (1,024) clients. A round of at most `MAX_PAGE`
     clients is paid in one call (`distribute_*`); a larger one is paid in
     pages: `open_round` checks the whole list of clients and shares, counts
     the round, sets its budget aside and commits to each page's clients and
     shares (a hash per page); `pay_page` pays one page whose clients and
     shares hash to its commitment, once. So no page pays twice, pays a
     client outside the round or changes a share, and no other round starts
     until every page is paid. The spending bound's scaling factor (below)
     is found per page.

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
     an attacker who moves the pool before the round, even one who moves it
     right after a round and holds it there: the guards module
     (contracts/guards.vy) keeps per client an observation (the start of a
     TWAP window, an accepted `anchor` price and `lp_supply`) and holds a
     client's part back when the spot price is more than `max_deviation_bps`
     above the lower of the TWAP and the anchor, or when (inject) the LP
     supply grew beyond the accepted one. A part also waits when (buy-back)
     the purchase falls below the operator's `min_out` or buys nothing. Parts
     that would spend more than `max_spend_bps` of some pool's base reserve
     are all scaled by one factor. Each round moves the anchor by at most
     `max_drift_bps` towards the TWAP (a fall is followed at once) and adds
     its own price move.

     Roles come from snekmate: `ownable` for the owner and `access_control`
     for the operators (`OPERATOR_ROLE`). The owner alone appoints and
     revokes operators, with `set_operator`; none of access_control's
     external functions is exported, so the `DEFAULT_ADMIN_ROLE` that its
     constructor gives the deployer grants nothing.

     Nothing a client is due is lost: whatever a round does not pay it
     (a waiting part, the rest of a scaled one) is recorded in `owed` and added
     to its part in the next buy-back or inject round. The treasury keeps
     `total_owed` aside: budgets and seeds spend only the rest. A deregistered
     client's part, and what it was owed, go back to the treasury.
"""

# The lines between `# [book: NAME]` and `# [/book: NAME]` are shown in the book
# (chapters 5 and 6 include them at build time); tests/foundation/test_code_on_page.py
# checks that every marker the book uses is here exactly once.

from ethereum.ercs import IERC20
from snekmate.auth import access_control
from snekmate.auth import ownable
from snekmate.utils import pausable

# `guard`, not `guards`: the exported `guards` getter takes that name
from . import guards as guard

initializes: ownable
initializes: pausable
initializes: access_control
initializes: guard

exports: (
    ownable.owner,
    ownable.transfer_ownership,
    pausable.paused,
    guard.guards,
    guard.observations,
    guard.MIN_GUARD_BPS,
    guard.MAX_GUARD_BPS,
    guard.MAX_SPEND_BPS,
)


interface ICST:
    def mint(owner: address, amount: uint256): nonpayable
    def burn(amount: uint256): nonpayable
    def transfer(to: address, amount: uint256) -> bool: nonpayable
    def approve(spender: address, amount: uint256) -> bool: nonpayable
    def initialize(name: String[25], symbol: String[5], owner: address): nonpayable


interface IPool:
    def donate(amount: uint256): nonpayable
    def swap(token_in: address, amount_in: uint256, min_out: uint256, recipient: address, deadline: uint256) -> uint256: nonpayable
    def add_liquidity(amount_token_desired: uint256, amount_base_desired: uint256, amount_token_min: uint256, amount_base_min: uint256, recipient: address, deadline: uint256) -> (uint256, uint256, uint256): nonpayable
    def get_amount_out(token_in: address, amount_in: uint256) -> uint256: view
    def initialize(token: address): nonpayable
    def BASE() -> address: view
    def FEE_BPS() -> uint256: view


struct Vesting:
    # CST escrowed for the client at registration; after deregistration, what had vested
    supply: uint256
    # CST paid out to the client so far
    released: uint256
    # `round_count` at registration: vesting counts the rounds since
    start_round: uint256


SHARE_SCALE: public(constant(uint256)) = 10**18
WAD: constant(uint256) = 10**18
MAX_CLIENTS: public(constant(uint256)) = 1024
# the most clients one call pays (a one-call round, or a page of a paged
# round): a page of buy-backs stays far below 15 M gas, and the arrays a call
# holds in memory stay small enough that their cost does not grow a round's
MAX_PAGE: public(constant(uint256)) = 64
MAX_RESERVE: constant(uint256) = 2**112 - 1

RULE_MINT: public(constant(uint8)) = 1
RULE_BUYBACK_TO_CLIENT: public(constant(uint8)) = 2
RULE_BUYBACK_BURN: public(constant(uint8)) = 3
RULE_INJECT: public(constant(uint8)) = 4

# why a client's part was not paid in full (0: it was, or it was zero)
SKIP_DUST: public(constant(uint8)) = 1
SKIP_MIN_OUT: public(constant(uint8)) = 2
SKIP_RESERVE: public(constant(uint8)) = 3
SKIP_DEVIATION: public(constant(uint8)) = guard.SKIP_DEVIATION
SKIP_LP_GROWTH: public(constant(uint8)) = guard.SKIP_LP_GROWTH
SKIP_DEREGISTERED: public(constant(uint8)) = 6

# rounds over which a client's own supply vests, linearly
VESTING_ROUNDS: public(constant(uint256)) = 20

# the role `set_operator` gives: register clients, observe pools, distribute rewards
OPERATOR_ROLE: constant(bytes32) = keccak256("OPERATOR_ROLE")


base: public(immutable(IERC20))
token_implementation: public(immutable(address))
pool_implementation: public(immutable(address))
fee_bps: public(immutable(uint256))

clients: public(DynArray[guard.Client, MAX_CLIENTS])
# 1-based position in `clients`; 0 means "not registered".
client_index: public(HashMap[address, uint256])
round_count: public(uint256)
# base tokens a round could not pay a client yet, paid with its next parts
owed: public(HashMap[address, uint256])
total_owed: public(uint256)
# every token and pool this federation deployed: none of them may be a client
is_market: public(HashMap[address, bool])
vestings: public(HashMap[address, Vesting])
deregistered: public(HashMap[address, bool])

# the paged round in progress: its rule (0: none), budget, the base tokens set
# aside for the parts of its unpaid pages, and each unpaid page's commitment
round_rule: public(uint8)
round_budget: public(uint256)
reserved: public(uint256)
pages_left: public(uint256)
page_hashes: public(HashMap[uint256, bytes32])


# @notice The owner gave (`status` true) or took away the operator role.
event OperatorSet:
    operator: indexed(address)
    status: bool

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

# @notice A round began (and was counted): its rule, the commitment to all its
# clients and shares, its budget and the number of pages it is paid in.
event RoundOpened:
    round_number: indexed(uint256)
    rule: indexed(uint8)
    scores_hash: bytes32
    budget: uint256
    pages: uint256

# @notice One page of a round (a round paid in one call is one page): its rule,
# the commitment to its clients and shares, what each client received
# (`amounts`, `tokens_out`), why a part was not paid in full (`skipped`: 0
# paid, else a `SKIP_*` code) and what it is owed now (`owed`).
event RoundDistributed:
    round_number: indexed(uint256)
    rule: indexed(uint8)
    scores_hash: bytes32
    budget: uint256
    clients: DynArray[address, MAX_PAGE]
    amounts: DynArray[uint256, MAX_PAGE]
    tokens_out: DynArray[uint256, MAX_PAGE]
    skipped: DynArray[uint8, MAX_PAGE]
    owed: DynArray[uint256, MAX_PAGE]


@deploy
def __init__(base_token: address, token_implementation_: address, pool_implementation_: address):
    """
    @notice The deployer becomes owner and first operator; the guards start at
            2 % deviation, 10 % of a base reserve, 1 % LP growth and 2 %
            drift a round.
    @param base_token The ERC-20 that pays rewards and that every pool trades against.
    @param token_implementation_ A deployed CST (contracts/cst_token.vy) that
           every client's token clones.
    @param pool_implementation_ A deployed pool (contracts/pool.vy) against
           `base_token` that every client's pool clones; its fee is every pool's.
    """
    assert base_token != empty(address), "federation: zero address"
    assert token_implementation_ != empty(address), "federation: zero address"
    assert pool_implementation_ != empty(address), "federation: zero address"
    # refuse here, not at the first registration, pools that would trade another token
    assert staticcall IPool(pool_implementation_).BASE() == base_token, "federation: pool trades another base token"
    ownable.__init__()
    pausable.__init__()
    access_control.__init__()
    base = IERC20(base_token)
    token_implementation = token_implementation_
    pool_implementation = pool_implementation_
    fee_bps = staticcall IPool(pool_implementation_).FEE_BPS()
    access_control._grant_role(OPERATOR_ROLE, msg.sender)
    log OperatorSet(operator=msg.sender, status=True)
    guard.__init__()


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
    if status:
        access_control._grant_role(OPERATOR_ROLE, operator)
    else:
        access_control._revoke_role(OPERATOR_ROLE, operator)
    log OperatorSet(operator=operator, status=status)


@external
@view
def is_operator(account: address) -> bool:
    """
    @notice Whether `account` holds the operator role.
    @param account The account.
    @return True if `account` may register clients, observe pools and distribute rewards.
    """
    return access_control.hasRole[OPERATOR_ROLE][account]


@external
def set_guards(max_deviation_bps: uint256, max_spend_bps: uint256, max_lp_growth_bps: uint256, max_drift_bps: uint256):
    """
    @notice Set the bounds that hold back a client's part of a buy-back or
            inject round. None can be switched off: each lies within
            [MIN_GUARD_BPS, MAX_GUARD_BPS] (spending up to MAX_SPEND_BPS).
    @param max_deviation_bps How far the spot price may lie above the lower of
           the TWAP since the observation and the accepted anchor, in bps.
    @param max_spend_bps The largest part of a pool's base reserve that one
           client's part may spend, in bps; larger parts scale every part.
    @param max_lp_growth_bps How far the LP supply may grow beyond the accepted
           one, and the accepted one may grow a round, in bps.
    @param max_drift_bps How far a round may raise the anchor towards the TWAP, in bps.
    """
    ownable._check_owner()
    guard._set_guards(guard.Guards(
        max_deviation_bps=max_deviation_bps,
        max_spend_bps=max_spend_bps,
        max_lp_growth_bps=max_lp_growth_bps,
        max_drift_bps=max_drift_bps,
    ))


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
    @notice The base tokens this contract holds: what it owes its clients
            (`total_owed`) and what budgets and pool seeds may spend.
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
    @notice Clone the client's CST and pool, mint `client_supply` CST into
            escrow here (it vests to the client over `VESTING_ROUNDS` rounds)
            and seed the pool with `seed_token` fresh CST and `seed_base`
            treasury base tokens. The LP shares stay in this contract, which
            cannot remove liquidity: the seed is locked for good.
    @dev Each clone is initialised in the transaction that creates it, so
         nobody else can. The pool gets an unlimited base allowance once, for
         later buy-backs, and the client's first observation is taken.
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
    assert account != self and not self.is_market[account], "federation: account is a federation contract"
    assert len(name) > 0 and len(symbol) > 0, "federation: empty name or symbol"
    assert self.client_index[account] == 0, "federation: client already registered"
    assert len(self.clients) < MAX_CLIENTS, "federation: too many clients"
    assert seed_token > 0 and seed_base > 0, "federation: pool seed must be positive"
    assert seed_token <= MAX_RESERVE and seed_base <= MAX_RESERVE, "federation: seed exceeds a pool reserve"
    assert client_supply <= max_value(uint256) - seed_token, "federation: supply overflow"
    assert seed_base + self.total_owed + self.reserved <= staticcall base.balanceOf(self), "federation: seed exceeds treasury"

    token: address = create_minimal_proxy_to(token_implementation)
    extcall ICST(token).initialize(name, symbol, self)
    pool: address = create_minimal_proxy_to(pool_implementation)
    extcall IPool(pool).initialize(token)

    extcall ICST(token).mint(self, client_supply + seed_token)
    assert extcall ICST(token).approve(pool, seed_token), "federation: approve failed"
    assert extcall base.approve(pool, max_value(uint256), default_return_value=True), "federation: approve failed"
    used_token: uint256 = 0
    used_base: uint256 = 0
    lp_shares: uint256 = 0
    used_token, used_base, lp_shares = extcall IPool(pool).add_liquidity(
        seed_token, seed_base, seed_token, seed_base, self, block.timestamp
    )

    self.is_market[token] = True
    self.is_market[pool] = True
    client: guard.Client = guard.Client(account=account, token=token, pool=pool)
    self.clients.append(client)
    self.client_index[account] = len(self.clients)
    self.vestings[account] = Vesting(supply=client_supply, released=0, start_round=self.round_count)
    guard._observe(client, 0, 0)
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
            releasable to it; the unvested rest of its supply is burnt and what
            it was owed goes back to the treasury. Its token, its pool and the
            locked seed stay: holders keep trading.
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
    self.total_owed -= self.owed[account]
    self.owed[account] = 0
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
    @param account A client (an unknown account has vested nothing).
    @return `supply * min(rounds since registration, VESTING_ROUNDS) // VESTING_ROUNDS`,
            or, once deregistered, what had vested then.
    """
    return self._vested(account)


@external
@view
def releasable(account: address) -> uint256:
    """
    @notice The vested CST that `release` would pay `account` now.
    @param account A client (an unknown account has nothing to release).
    @return Vested less released.
    """
    return self._vested(account) - self.vestings[account].released


@external
@nonreentrant
def observe(clients: DynArray[address, MAX_PAGE]):
    """
    @notice Accept each client's pool as it stands: restart its TWAP window
            and set its anchor to the spot price and its accepted LP supply to
            the current one.
    @dev Rounds move anchors by at most `max_drift_bps` a round; an operator
         who knows that trading moved a price for good may accept it at once.
    @param clients Registered clients, in any order.
    """
    self._check_operator()
    for account: address in clients:
        index: uint256 = self.client_index[account]
        assert index != 0, "federation: unknown client"
        guard._observe(self.clients[index - 1], 0, 0)


@external
@nonreentrant
def distribute_mint(
    clients: DynArray[address, MAX_PAGE], shares: DynArray[uint256, MAX_PAGE], budget: uint256
) -> DynArray[uint256, MAX_PAGE]:
    """
    @notice Rule 1: mint `budget * share_i // SHARE_SCALE` new CST_i to client i.
    @dev `budget` counts CST units (each client's own token); the treasury and
         what it owes are untouched. A deregistered client's part is not
         minted (`skipped`).
    @param clients Registered clients, in registration order.
    @param shares Their shares, summing to SHARE_SCALE.
    @param budget The CST units to split.
    @return The CST minted to each client.
    """
    self._open_one(RULE_MINT, clients, shares, budget)
    return self._pay(RULE_MINT, clients, shares, budget, [], block.timestamp)


@external
@nonreentrant
def distribute_buyback(
    clients: DynArray[address, MAX_PAGE],
    shares: DynArray[uint256, MAX_PAGE],
    budget: uint256,
    min_outs: DynArray[uint256, MAX_PAGE],
    burn: bool,
    deadline: uint256,
) -> DynArray[uint256, MAX_PAGE]:
    """
    @notice Rule 2: spend each client's due, `budget * share_i // SHARE_SCALE`
            treasury base tokens plus what it is owed, buying CST_i in pool i,
            then hand the CST to client i (`burn` false) or burn it (`burn` true).
    @dev What a guard holds back, or a purchase below `min_outs[i]` (scaled
         with a scaled part) or of nothing, stays owed (`skipped` says why).
    @param clients Registered clients, in registration order.
    @param shares Their shares, summing to SHARE_SCALE.
    @param budget The treasury's base tokens to split.
    @param min_outs The least CST each client's whole due must buy; 0 sends no bound.
    @param burn Burn the CST bought instead of giving it to the client.
    @param deadline The last timestamp at which the round may execute.
    @return The CST bought in each pool.
    """
    rule: uint8 = RULE_BUYBACK_TO_CLIENT
    if burn:
        rule = RULE_BUYBACK_BURN
    assert block.timestamp <= deadline, "federation: expired deadline"
    self._open_one(rule, clients, shares, budget)
    return self._pay(rule, clients, shares, budget, min_outs, deadline)


@external
@nonreentrant
def distribute_inject(
    clients: DynArray[address, MAX_PAGE], shares: DynArray[uint256, MAX_PAGE], budget: uint256
) -> DynArray[uint256, MAX_PAGE]:
    """
    @notice Rule 3: donate each client's due, `budget * share_i // SHARE_SCALE`
            treasury base tokens plus what it is owed, to pool i: no LP shares
            are minted, so the value accrues to the pool's existing LPs (above
            all the locked seed) and client i gains through the price of the
            CST it holds and vests.
    @dev What a guard holds back, including LP supply grown beyond the
         accepted one, stays owed (`skipped` says why).
    @param clients Registered clients, in registration order.
    @param shares Their shares, summing to SHARE_SCALE.
    @param budget The treasury's base tokens to split.
    @return The base tokens added to each pool.
    """
    self._open_one(RULE_INJECT, clients, shares, budget)
    return self._pay(RULE_INJECT, clients, shares, budget, [], block.timestamp)


@external
@nonreentrant
def open_round(
    rule: uint8,
    clients: DynArray[address, MAX_CLIENTS],
    shares: DynArray[uint256, MAX_CLIENTS],
    budget: uint256,
    page_size: uint256,
) -> uint256:
    """
    @notice Begin a round paid in pages: check every client and share as a
            one-call round would, count the round, set a base-token budget
            aside and commit to each page of `page_size` clients (the last
            may be shorter) with the hash of its clients and shares.
    @dev Nothing is paid here; `pay_page` pays each page once, in any order.
         The round ends when its last page is paid; until then no other
         round starts and registrations cannot spend the budget set aside.
    @param rule RULE_MINT, RULE_BUYBACK_TO_CLIENT, RULE_BUYBACK_BURN or RULE_INJECT.
    @param clients Registered clients, in registration order.
    @param shares Their shares, summing to SHARE_SCALE.
    @param budget The CST units (mint) or treasury base tokens to split.
    @param page_size The clients of each page, 1 to MAX_PAGE.
    @return The number of pages.
    """
    self._check_round(len(clients), len(shares), budget)
    assert rule >= RULE_MINT and rule <= RULE_INJECT, "federation: unknown rule"
    assert page_size > 0 and page_size <= MAX_PAGE, "federation: page size out of range"
    pages: uint256 = (len(clients) + page_size - 1) // page_size
    previous: uint256 = 0
    total: uint256 = 0
    for page: uint256 in range(pages, bound=MAX_CLIENTS):
        page_clients: DynArray[address, MAX_PAGE] = []
        page_shares: DynArray[uint256, MAX_PAGE] = []
        for i: uint256 in range(page * page_size, min(page * page_size + page_size, len(clients)), bound=MAX_PAGE):
            page_clients.append(clients[i])
            page_shares.append(shares[i])
        page_total: uint256 = 0
        previous, page_total = self._check_page(page_clients, page_shares, previous)
        total += page_total
        self.page_hashes[page] = keccak256(abi_encode(page_clients, page_shares))
    assert total == SHARE_SCALE, "federation: shares must sum to SHARE_SCALE"
    self._open(rule, budget, keccak256(abi_encode(clients, shares)), pages)
    self.round_rule = rule
    self.round_budget = budget
    self.pages_left = pages
    if rule != RULE_MINT:
        self.reserved = budget
    return pages


@external
@nonreentrant
def pay_page(
    page: uint256,
    clients: DynArray[address, MAX_PAGE],
    shares: DynArray[uint256, MAX_PAGE],
    min_outs: DynArray[uint256, MAX_PAGE],
    deadline: uint256,
) -> DynArray[uint256, MAX_PAGE]:
    """
    @notice Pay one page of the open round under its rule, exactly as a
            one-call round over these clients would (one spending-bound
            factor per page).
    @dev The page's clients and shares must hash to the commitment
         `open_round` made for it, which this call clears: a page pays once.
         Its parts come out of the budget set aside; the last page releases
         what rounding left of it.
    @param page The page's number, from 0.
    @param clients The page's clients, as committed.
    @param shares Their shares, as committed.
    @param min_outs Buy-back: the least CST each client's whole due must buy
           (0 sends no bound); any other rule: empty.
    @param deadline The last timestamp at which the page may be paid.
    @return What each client received: CST minted or bought, or (inject)
            base tokens added to its pool.
    """
    self._check_operator()
    pausable._require_not_paused()
    assert block.timestamp <= deadline, "federation: expired deadline"
    rule: uint8 = self.round_rule
    assert rule != 0, "federation: no open round"
    committed: bytes32 = self.page_hashes[page]
    assert committed != empty(bytes32), "federation: page not due"
    assert keccak256(abi_encode(clients, shares)) == committed, "federation: page differs from its commitment"
    self.page_hashes[page] = empty(bytes32)
    self.pages_left -= 1
    budget: uint256 = self.round_budget
    if rule != RULE_MINT:
        parts: DynArray[uint256, MAX_PAGE] = self._split(shares, budget)
        for part: uint256 in parts:
            self.reserved -= part
    if self.pages_left == 0:
        self.round_rule = 0
        self.round_budget = 0
        self.reserved = 0
    return self._pay(rule, clients, shares, budget, min_outs, deadline)


@internal
@view
def _check_operator():
    """
    @notice Revert unless the caller holds the operator role.
    @dev access_control's `_check_role` would do the same with its own
         message; this keeps the federation's "caller is not an operator",
         which the twin and the tests expect.
    """
    assert access_control.hasRole[OPERATOR_ROLE][msg.sender], "federation: caller is not an operator"


@internal
@view
def _vested(account: address) -> uint256:
    """
    @notice The part of `account`'s own supply vested so far, paid out or not.
    @dev floor(supply * elapsed / VESTING_ROUNDS), computed so that no supply
         can overflow it (the product supply * elapsed could). Deregistration
         freezes it: `supply` then holds what had vested.
    @param account A client (an unknown account has vested nothing).
    @return The vested CST.
    """
    schedule: Vesting = self.vestings[account]
    if self.deregistered[account]:
        return schedule.supply
    elapsed: uint256 = min(self.round_count - schedule.start_round, VESTING_ROUNDS)
    return schedule.supply // VESTING_ROUNDS * elapsed + schedule.supply % VESTING_ROUNDS * elapsed // VESTING_ROUNDS


@internal
def _spend(
    entries: DynArray[guard.Client, MAX_PAGE],
    shares: DynArray[uint256, MAX_PAGE],
    budget: uint256,
    min_outs: DynArray[uint256, MAX_PAGE],
    rule: uint8,
    deadline: uint256,
) -> (DynArray[uint256, MAX_PAGE], DynArray[uint256, MAX_PAGE], DynArray[uint8, MAX_PAGE], DynArray[uint256, MAX_PAGE]):
    """
    @dev A buy-back or inject page. Each client's due is its part plus what it
         is owed. The first pass finds the one factor (WAD = 1) that keeps every
         due a guard lets through within its pool's spending bound; the second
         scales every such due by it, checks the guards again (a base token
         that calls back could have moved a pool in between), pays, records
         what stays owed and accepts each pool's new anchor (moved by the
         round's own trade) and LP supply. A deregistered client's part goes
         back to the treasury.
    @param entries The page's clients, checked by `_check_round`.
    @param shares Their shares, summing to SHARE_SCALE.
    @param budget The treasury's base tokens to split.
    @param min_outs Buy-back: the least CST each whole due must buy; inject: empty.
    @param rule RULE_BUYBACK_TO_CLIENT, RULE_BUYBACK_BURN or RULE_INJECT.
    @param deadline The swaps' deadline (inject: unused).
    @return (base tokens spent, CST bought, skip codes, owed after the round)
    """
    inject: bool = rule == RULE_INJECT
    # [book: scale]
    parts: DynArray[uint256, MAX_PAGE] = self._split(shares, budget)
    dues: DynArray[uint256, MAX_PAGE] = []
    scale: uint256 = WAD
    for i: uint256 in range(len(entries), bound=MAX_PAGE):
        due: uint256 = 0
        if not self.deregistered[entries[i].account]:
            due = parts[i] + self.owed[entries[i].account]
        dues.append(due)
        skip: uint8 = 0
        cap: uint256 = 0
        anchor: uint256 = 0
        lp_supply: uint256 = 0
        spot: uint256 = 0
        skip, cap, anchor, lp_supply, spot = guard._check_due(entries[i], due, inject)
        if due > 0 and skip == 0 and cap < due:
            scale = min(scale, cap * WAD // due)
    # [/book: scale]
    amounts: DynArray[uint256, MAX_PAGE] = []
    bought: DynArray[uint256, MAX_PAGE] = []
    skipped: DynArray[uint8, MAX_PAGE] = []
    owed: DynArray[uint256, MAX_PAGE] = []
    for i: uint256 in range(len(entries), bound=MAX_PAGE):
        entry: guard.Client = entries[i]
        due: uint256 = dues[i]
        paid: uint256 = due // WAD * scale + due % WAD * scale // WAD
        skip: uint8 = 0
        cap: uint256 = 0
        anchor: uint256 = 0
        lp_supply: uint256 = 0
        spot: uint256 = 0
        skip, cap, anchor, lp_supply, spot = guard._check_due(entry, due, inject)
        if self.deregistered[entry.account] and parts[i] > 0:
            skip = SKIP_DEREGISTERED
        elif skip == 0 and paid > cap:
            skip = SKIP_RESERVE  # only if a callback moved the pool since the first pass
        elif skip == 0 and paid < due:
            skip = SKIP_RESERVE
        if skip != 0 and (skip != SKIP_RESERVE or paid > cap):
            paid = 0
        out: uint256 = 0
        if paid > 0 and not inject:
            out = staticcall IPool(entry.pool).get_amount_out(base.address, paid)
            required: uint256 = min_outs[i]
            if paid < due and required <= MAX_RESERVE:
                required = required * paid // due
            if out < required:
                skip = SKIP_MIN_OUT
            elif out == 0:
                skip = SKIP_DUST
            if out < required or out == 0:
                paid = 0
                out = 0
        # [book: pay]
        if paid > 0:
            if inject:
                extcall IPool(entry.pool).donate(paid)
            elif rule == RULE_BUYBACK_BURN:
                extcall IPool(entry.pool).swap(base.address, paid, out, self, deadline)
                extcall ICST(entry.token).burn(out)
            else:
                extcall IPool(entry.pool).swap(base.address, paid, out, entry.account, deadline)
        if not self.deregistered[entry.account]:
            self.total_owed = self.total_owed - self.owed[entry.account] + due - paid
            self.owed[entry.account] = due - paid
        # [/book: pay]
        if paid > 0:
            after: uint256 = guard._spot(entry.pool)
            anchor = anchor + after - min(spot, after)
        guard._observe(entry, anchor, lp_supply)
        amounts.append(paid)
        bought.append(out)
        skipped.append(skip)
        owed.append(self.owed[entry.account])
    return amounts, bought, skipped, owed


@internal
def _check_round(n_clients: uint256, n_shares: uint256, budget: uint256):
    """
    @dev Validates what every round checks before its clients. Bounding the
         budget keeps every product below 2**256. Only an operator may run a
         round, and not while the federation is paused.
    @param n_clients How many clients the round lists.
    @param n_shares How many shares it gives.
    @param budget The round's budget, positive and at most max_value(uint256) // SHARE_SCALE.
    """
    self._check_operator()
    pausable._require_not_paused()
    assert n_clients == n_shares, "federation: length mismatch"
    assert n_clients > 0, "federation: no clients"
    assert budget > 0, "federation: zero budget"
    assert budget <= max_value(uint256) // SHARE_SCALE, "federation: budget too large"


@internal
@view
def _check_page(
    clients: DynArray[address, MAX_PAGE], shares: DynArray[uint256, MAX_PAGE], previous: uint256
) -> (uint256, uint256):
    """
    @dev Validates a run of a round's clients. Clients must be registered and
         listed in registration order, which also rules out listing a client
         twice; bounding each share keeps the sum of a round's shares below
         2**256.
    @param clients The listed accounts, in registration order.
    @param shares Their shares.
    @param previous The index (1-based) of the client listed before them, 0 if none.
    @return (the index of the last client, the sum of the shares)
    """
    last: uint256 = previous
    total: uint256 = 0
    for i: uint256 in range(len(clients), bound=MAX_PAGE):
        index: uint256 = self.client_index[clients[i]]
        assert index != 0, "federation: unknown client"
        assert index > last, "federation: clients not in registration order"
        assert shares[i] <= SHARE_SCALE, "federation: share exceeds SHARE_SCALE"
        last = index
        total += shares[i]
    return last, total


@internal
def _open_one(
    rule: uint8, clients: DynArray[address, MAX_PAGE], shares: DynArray[uint256, MAX_PAGE], budget: uint256
):
    """
    @notice Check and open a round paid in this one call (one page).
    @param rule The round's RULE_* code.
    @param clients The listed clients, in registration order.
    @param shares Their shares, summing to SHARE_SCALE.
    @param budget The round's budget.
    """
    self._check_round(len(clients), len(shares), budget)
    last: uint256 = 0
    total: uint256 = 0
    last, total = self._check_page(clients, shares, 0)
    assert total == SHARE_SCALE, "federation: shares must sum to SHARE_SCALE"
    self._open(rule, budget, keccak256(abi_encode(clients, shares)), 1)


@internal
def _open(rule: uint8, budget: uint256, scores_hash: bytes32, pages: uint256):
    """
    @notice Count a checked round (`round_count` is the clock vesting runs
            on, so every rule counts) and log `RoundOpened`.
    @dev A round waits for the paged round before it; a base-token budget
         must leave what is owed and what the open round set aside.
    @param rule The round's RULE_* code.
    @param budget The round's budget.
    @param scores_hash The commitment to all the round's clients and shares,
           so an off-chain record of the scores can be checked against it.
    @param pages The pages it is paid in.
    """
    assert self.round_rule == 0, "federation: a paged round is open"
    if rule != RULE_MINT:
        assert budget + self.total_owed + self.reserved <= staticcall base.balanceOf(self), "federation: budget exceeds treasury"
    self.round_count += 1
    log RoundOpened(round_number=self.round_count, rule=rule, scores_hash=scores_hash, budget=budget, pages=pages)


@internal
def _pay(
    rule: uint8,
    clients: DynArray[address, MAX_PAGE],
    shares: DynArray[uint256, MAX_PAGE],
    budget: uint256,
    min_outs: DynArray[uint256, MAX_PAGE],
    deadline: uint256,
) -> DynArray[uint256, MAX_PAGE]:
    """
    @notice Pay one page (a one-call round is one page) of a checked round
            under `rule` and log `RoundDistributed`.
    @dev Under mint a deregistered client's part is not minted (`skipped`);
         buy-back and inject spend through `_spend`.
    @param rule The round's RULE_* code.
    @param clients The page's clients, registered, in registration order.
    @param shares Their shares.
    @param budget The round's budget.
    @param min_outs Buy-back: one bound per client; otherwise empty.
    @param deadline The swaps' deadline (buy-back only).
    @return CST minted or bought per client, or (inject) base tokens added.
    """
    if rule == RULE_BUYBACK_TO_CLIENT or rule == RULE_BUYBACK_BURN:
        assert len(min_outs) == len(clients), "federation: length mismatch"
    else:
        assert len(min_outs) == 0, "federation: length mismatch"
    entries: DynArray[guard.Client, MAX_PAGE] = []
    for account: address in clients:
        entries.append(self.clients[self.client_index[account] - 1])
    amounts: DynArray[uint256, MAX_PAGE] = self._split(shares, budget)
    tokens_out: DynArray[uint256, MAX_PAGE] = []
    skipped: DynArray[uint8, MAX_PAGE] = []
    owed: DynArray[uint256, MAX_PAGE] = []
    if rule == RULE_MINT:
        for i: uint256 in range(len(entries), bound=MAX_PAGE):
            skip: uint8 = 0
            if amounts[i] > 0:
                if self.deregistered[entries[i].account]:
                    skip = SKIP_DEREGISTERED
                    amounts[i] = 0
                else:
                    extcall ICST(entries[i].token).mint(entries[i].account, amounts[i])
            skipped.append(skip)
            owed.append(self.owed[entries[i].account])
        tokens_out = amounts
    else:
        amounts, tokens_out, skipped, owed = self._spend(entries, shares, budget, min_outs, rule, deadline)
    self._log_round(rule, clients, shares, budget, amounts, tokens_out, skipped, owed)
    if rule == RULE_INJECT:
        return amounts
    return tokens_out


# [book: split]
@internal
@pure
def _split(shares: DynArray[uint256, MAX_PAGE], budget: uint256) -> DynArray[uint256, MAX_PAGE]:
    """
    @notice Each client's part of a round's budget, `budget * share_i // SHARE_SCALE`.
    @dev Every part rounds down, so the parts never sum to more than the
         budget: what they leave stays in the treasury (or is never minted).
    @param shares The clients' shares, summing to SHARE_SCALE.
    @param budget The round's budget.
    @return The parts, in the order of `shares`.
    """
    amounts: DynArray[uint256, MAX_PAGE] = []
    for share: uint256 in shares:
        amounts.append(budget * share // SHARE_SCALE)
    return amounts
# [/book: split]


@internal
def _log_round(
    rule: uint8,
    clients: DynArray[address, MAX_PAGE],
    shares: DynArray[uint256, MAX_PAGE],
    budget: uint256,
    amounts: DynArray[uint256, MAX_PAGE],
    tokens_out: DynArray[uint256, MAX_PAGE],
    skipped: DynArray[uint8, MAX_PAGE],
    owed: DynArray[uint256, MAX_PAGE],
):
    """
    @notice Log `RoundDistributed` for a page of the round `_open` counted.
    @dev `scores_hash` commits to the page's clients and their shares, the
         hash `open_round` stored for a page.
    @param rule The round's RULE_* code.
    @param clients The listed clients, in registration order.
    @param shares Their shares.
    @param budget The round's budget.
    @param amounts What each client's part spent (base) or minted (CST).
    @param tokens_out The CST each part bought or minted (inject: zeros).
    @param skipped Why each part was not paid in full: 0 or a SKIP_* code.
    @param owed What each client is owed after the round.
    """
    log RoundDistributed(
        round_number=self.round_count,
        rule=rule,
        scores_hash=keccak256(abi_encode(clients, shares)),
        budget=budget,
        clients=clients,
        amounts=amounts,
        tokens_out=tokens_out,
        skipped=skipped,
        owed=owed,
    )
