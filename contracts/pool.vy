# pragma version ~=0.4.3
"""
@title Constant-product pool: one client-specific token against the base token
@notice Uniswap-V2 integer maths with the fee in basis points kept in the pool,
        Uniswap-V1-style pull interface (the pool itself takes the input with
        `transferFrom`, so no router is needed and every call carries its own
        deadline and slippage bounds). LP shares are an ERC-20 composed from
        snekmate; MINIMUM_LIQUIDITY shares are minted to the pool itself on the
        first deposit and can never move again; LP shares anyone sends to the
        pool beyond those are returned by `skim`.
@dev Reserves are kept as accounted balances: every call moves exact amounts
     of the project's own standard ERC-20s, so `reserve == balance` holds
     after each call, and tokens sent to the pool without a call (the
     federation's "inject" rule, donations) join the reserves via `sync`.
     The two reserves and the last timestamp share one storage slot.
     Token calls accept a missing return value (`default_return_value=True`),
     so a token that returns nothing (USDT-style) works and one that returns
     False is refused. The federation does not deploy this code per client:
     it clones one deployed pool (EIP-1167 minimal proxy) and binds each clone
     to its CST with `initialize`; the base token and the fee are the
     implementation's immutables, shared by all its clones.
"""

# The lines between `# [book: NAME]` and `# [/book: NAME]` are shown in the book
# (chapters 5 and 6 include them at build time); tests/foundation/test_code_on_page.py
# checks that every marker the book uses is here exactly once.

from ethereum.ercs import IERC20
from snekmate.auth import ownable as ow
from snekmate.tokens import erc20

# snekmate's erc20 needs an ownable; no owner-only function is exported, so
# the pool has no privileged role at all (its LP `mint` is not exported).
initializes: ow
initializes: erc20[ownable := ow]

exports: (
    erc20.name,
    erc20.symbol,
    erc20.decimals,
    erc20.totalSupply,
    erc20.balanceOf,
    erc20.allowance,
    erc20.transfer,
    erc20.transferFrom,
    erc20.approve,
)

MINIMUM_LIQUIDITY: public(constant(uint256)) = 1000
FEE_DENOMINATOR: public(constant(uint256)) = 10000
LP_DECIMALS: constant(uint8) = 18
LP_NAME: constant(String[25]) = "WallStreetFeds CST LP"
LP_SYMBOL: constant(String[5]) = "WSFLP"
LP_EIP712_VERSION: constant(String[20]) = "1"

MASK112: constant(uint256) = 2**112 - 1
MASK32: constant(uint256) = 2**32 - 1

# storage, not an immutable: the federation's clones of one implementation
# share its code (and so its BASE and FEE_BPS) but each trades its own CST
TOKEN: public(address)
BASE: public(immutable(address))
FEE_BPS: public(immutable(uint256))

# reserve_token | reserve_base << 112 | (block.timestamp mod 2**32) << 224
_slot0: uint256
# UQ112x112 prices times seconds; wrap around mod 2**256 like Uniswap V2
price_token_cumulative_last: public(uint256)
price_base_cumulative_last: public(uint256)


# @notice A trade: `sender` sold `amount_in` of `token_in` for `amount_out`
# of the other token, paid to `recipient`.
event Swap:
    sender: indexed(address)
    token_in: indexed(address)
    amount_in: uint256
    amount_out: uint256
    recipient: indexed(address)

# @notice A deposit of both tokens by `sender`; `shares` LP shares went to `recipient`.
event AddLiquidity:
    sender: indexed(address)
    amount_token: uint256
    amount_base: uint256
    shares: uint256
    recipient: indexed(address)

# @notice `sender` burnt `shares` LP shares; both tokens went to `recipient`.
event RemoveLiquidity:
    sender: indexed(address)
    amount_token: uint256
    amount_base: uint256
    shares: uint256
    recipient: indexed(address)

# @notice The reserves after every state change (Uniswap V2's `Sync`).
event Sync:
    reserve_token: uint256
    reserve_base: uint256


@deploy
def __init__(token: address, base: address, fee_bps: uint256):
    """
    @notice A pool of `token` (a CST) against `base`, charging `fee_bps` per swap.
    @param token The client-specific token.
    @param base The base token (any ERC-20).
    @param fee_bps The swap fee in basis points, below 10,000.
    """
    assert base != empty(address), "pool: zero address"
    assert fee_bps < FEE_DENOMINATOR, "pool: fee out of range"
    BASE = base
    FEE_BPS = fee_bps
    ow.__init__()
    erc20.__init__(LP_NAME, LP_SYMBOL, LP_DECIMALS, LP_NAME, LP_EIP712_VERSION)
    self._initialize(token)


@external
def initialize(token: address):
    """
    @notice Set the CST of a fresh clone of this pool; it runs once. The
            federation creates a clone and initialises it in one transaction,
            so nobody can initialise its clones first. The implementation it
            clones is itself a pool (of the CST implementation), so it cannot
            be initialised either.
    @param token The client-specific token.
    """
    self._initialize(token)


@internal
def _initialize(token: address):
    """
    @notice Bind the pool to `token`, once.
    @param token The client-specific token: not zero, not the base token.
    """
    assert self.TOKEN == empty(address), "pool: already initialized"
    assert token != empty(address), "pool: zero address"
    assert token != BASE, "pool: identical tokens"
    self.TOKEN = token


@external
@view
def get_reserves() -> (uint256, uint256, uint256):
    """
    @notice The reserves and the time of their last change, read from one slot.
    @return (reserve_token, reserve_base, block_timestamp_last mod 2**32)
    """
    s: uint256 = self._slot0
    return s & MASK112, (s >> 112) & MASK112, s >> 224


@external
@view
def get_amount_out(token_in: address, amount_in: uint256) -> uint256:
    """
    @notice What `swap` would pay for `amount_in` of `token_in` right now.
    @param token_in The token sold: the CST or the base token.
    @param amount_in The amount sold, before the fee.
    @return The output, rounded down.
    """
    amount_out: uint256 = 0
    sell_token: bool = False
    amount_out, sell_token = self._quote_swap(token_in, amount_in, self._slot0)
    return amount_out


@external
@nonreentrant
def swap(
    token_in: address, amount_in: uint256, min_out: uint256, recipient: address, deadline: uint256
) -> uint256:
    """
    @notice Sell `amount_in` of `token_in` (pulled from the caller) for the
            other token, paid to `recipient`.
    @param token_in The token sold: the CST or the base token.
    @param amount_in The amount sold, pulled from the caller with `transferFrom`.
    @param min_out The least output the caller accepts.
    @param recipient Who receives the output.
    @param deadline The last timestamp at which the trade may execute.
    @return The output paid.
    """
    # [book: swap]
    assert block.timestamp <= deadline, "pool: expired deadline"
    s: uint256 = self._slot0
    amount_out: uint256 = 0
    sell_token: bool = False
    amount_out, sell_token = self._quote_swap(token_in, amount_in, s)
    assert amount_out != 0, "pool: insufficient output amount"
    assert amount_out >= min_out, "pool: output below min_out"
    reserve_token: uint256 = s & MASK112
    reserve_base: uint256 = (s >> 112) & MASK112
    token_out: address = self.TOKEN
    if sell_token:
        self._update(reserve_token + amount_in, reserve_base - amount_out, s)
        token_out = BASE
    else:
        self._update(reserve_token - amount_out, reserve_base + amount_in, s)
    assert extcall IERC20(token_in).transferFrom(msg.sender, self, amount_in, default_return_value=True), "pool: transfer failed"
    assert extcall IERC20(token_out).transfer(recipient, amount_out, default_return_value=True), "pool: transfer failed"
    log Swap(sender=msg.sender, token_in=token_in, amount_in=amount_in, amount_out=amount_out, recipient=recipient)
    return amount_out
    # [/book: swap]


@external
@nonreentrant
def add_liquidity(
    amount_token_desired: uint256,
    amount_base_desired: uint256,
    amount_token_min: uint256,
    amount_base_min: uint256,
    recipient: address,
    deadline: uint256,
) -> (uint256, uint256, uint256):
    """
    @notice Deposit both tokens at the current ratio (the first deposit sets
            it) and mint LP shares to `recipient`.
    @param amount_token_desired The most CST to deposit.
    @param amount_base_desired The most base tokens to deposit.
    @param amount_token_min The least CST the deposit may take.
    @param amount_base_min The least base tokens the deposit may take.
    @param recipient Who receives the LP shares.
    @param deadline The last timestamp at which the deposit may execute.
    @return (amount_token, amount_base, shares) actually deposited and minted.
    """
    assert block.timestamp <= deadline, "pool: expired deadline"
    assert amount_token_desired != 0 and amount_base_desired != 0, "pool: zero amount"
    s: uint256 = self._slot0
    reserve_token: uint256 = s & MASK112
    reserve_base: uint256 = (s >> 112) & MASK112
    supply: uint256 = erc20.totalSupply
    amount_token: uint256 = amount_token_desired
    amount_base: uint256 = amount_base_desired
    shares: uint256 = 0
    if supply == 0:
        root: uint256 = isqrt(amount_token * amount_base)
        assert root > MINIMUM_LIQUIDITY, "pool: insufficient liquidity minted"
        shares = root - MINIMUM_LIQUIDITY
        erc20._mint(self, MINIMUM_LIQUIDITY)
    else:
        base_optimal: uint256 = amount_token_desired * reserve_base // reserve_token
        if base_optimal <= amount_base_desired:
            amount_base = base_optimal
        else:
            amount_token = amount_base_desired * reserve_token // reserve_base
        shares = min(amount_token * supply // reserve_token, amount_base * supply // reserve_base)
        assert shares != 0, "pool: insufficient liquidity minted"
    assert amount_token >= amount_token_min, "pool: token amount below minimum"
    assert amount_base >= amount_base_min, "pool: base amount below minimum"
    erc20._mint(recipient, shares)
    self._update(reserve_token + amount_token, reserve_base + amount_base, s)
    assert extcall IERC20(self.TOKEN).transferFrom(msg.sender, self, amount_token, default_return_value=True), "pool: transfer failed"
    assert extcall IERC20(BASE).transferFrom(msg.sender, self, amount_base, default_return_value=True), "pool: transfer failed"
    log AddLiquidity(sender=msg.sender, amount_token=amount_token, amount_base=amount_base, shares=shares, recipient=recipient)
    return amount_token, amount_base, shares


@external
@nonreentrant
def remove_liquidity(
    shares: uint256, amount_token_min: uint256, amount_base_min: uint256, recipient: address, deadline: uint256
) -> (uint256, uint256):
    """
    @notice Burn the caller's `shares` and pay their pro-rata part of both
            reserves (rounded down, in the pool's favour) to `recipient`.
    @param shares The LP shares to burn.
    @param amount_token_min The least CST to receive.
    @param amount_base_min The least base tokens to receive.
    @param recipient Who receives both tokens.
    @param deadline The last timestamp at which the withdrawal may execute.
    @return (amount_token, amount_base) paid.
    """
    assert block.timestamp <= deadline, "pool: expired deadline"
    assert shares != 0, "pool: zero amount"
    supply: uint256 = erc20.totalSupply
    # burning first bounds `shares` by the caller's balance, hence by `supply`
    erc20._burn(msg.sender, shares)
    s: uint256 = self._slot0
    reserve_token: uint256 = s & MASK112
    reserve_base: uint256 = (s >> 112) & MASK112
    amount_token: uint256 = shares * reserve_token // supply
    amount_base: uint256 = shares * reserve_base // supply
    assert amount_token != 0 and amount_base != 0, "pool: insufficient liquidity burned"
    assert amount_token >= amount_token_min, "pool: token amount below minimum"
    assert amount_base >= amount_base_min, "pool: base amount below minimum"
    self._update(reserve_token - amount_token, reserve_base - amount_base, s)
    assert extcall IERC20(self.TOKEN).transfer(recipient, amount_token, default_return_value=True), "pool: transfer failed"
    assert extcall IERC20(BASE).transfer(recipient, amount_base, default_return_value=True), "pool: transfer failed"
    log RemoveLiquidity(sender=msg.sender, amount_token=amount_token, amount_base=amount_base, shares=shares, recipient=recipient)
    return amount_token, amount_base


@external
@nonreentrant
def sync():
    """
    @notice Set the reserves to the balances: tokens sent without a call
            (e.g. the federation's injected rewards) become pool liquidity.
    """
    self._update(
        staticcall IERC20(self.TOKEN).balanceOf(self), staticcall IERC20(BASE).balanceOf(self), self._slot0
    )


@external
@nonreentrant
def donate(amount: uint256):
    """
    @notice Pull `amount` base tokens from the caller into the base reserve
            without minting LP shares: the pool's liquidity providers gain them
            (the federation's inject).
    @dev One locked call instead of a transfer and `sync`: a base token that
         calls back on transfer cannot let anyone `skim` the donation between
         the two. The base reserve becomes the base balance (base sent before
         counts too) and the CST reserve stays, so the price can only rise.
    @param amount The base tokens to add; the caller must have approved them.
    """
    assert amount != 0, "pool: zero amount"
    s: uint256 = self._slot0
    assert extcall IERC20(BASE).transferFrom(msg.sender, self, amount, default_return_value=True), "pool: transfer failed"
    self._update(s & MASK112, staticcall IERC20(BASE).balanceOf(self), s)


@external
@nonreentrant
def skim(recipient: address):
    """
    @notice Send the balances in excess of the reserves, and any LP shares
            held by the pool beyond the locked MINIMUM_LIQUIDITY, to `recipient`.
    @dev Without the last part, shares sent to the pool would be stuck forever:
         `remove_liquidity` burns only the caller's own shares.
    @param recipient Who receives the excess.
    """
    s: uint256 = self._slot0
    assert extcall IERC20(self.TOKEN).transfer(
        recipient, staticcall IERC20(self.TOKEN).balanceOf(self) - (s & MASK112), default_return_value=True
    ), "pool: transfer failed"
    assert extcall IERC20(BASE).transfer(
        recipient, staticcall IERC20(BASE).balanceOf(self) - ((s >> 112) & MASK112), default_return_value=True
    ), "pool: transfer failed"
    stray: uint256 = erc20.balanceOf[self]
    if stray > MINIMUM_LIQUIDITY:  # the pool holds shares once the first deposit locked MINIMUM_LIQUIDITY
        erc20._transfer(self, recipient, stray - MINIMUM_LIQUIDITY)


@internal
@view
def _quote_swap(token_in: address, amount_in: uint256, s: uint256) -> (uint256, bool):
    """
    @notice The output of selling `amount_in` of `token_in` at the reserves
            packed in `s`, with Uniswap V2's formula and this pool's fee.
    @dev Shared by `get_amount_out` and `swap`, so a quote is exactly what a
         swap in the same state pays. Takes the packed slot the caller already
         read, to read storage once.
    @param token_in The token sold: the CST or the base token (else reverts).
    @param amount_in The amount sold, before the fee; zero reverts.
    @param s The packed reserves and timestamp (`_slot0`).
    @return (amount_out, True if the CST is sold for base)
    """
    # [book: quote]
    assert amount_in != 0, "pool: zero amount"
    sell_token: bool = token_in == self.TOKEN
    assert sell_token or token_in == BASE, "pool: unknown token"
    reserve_token: uint256 = s & MASK112
    reserve_base: uint256 = (s >> 112) & MASK112
    assert reserve_token != 0 and reserve_base != 0, "pool: empty pool"
    in_with_fee: uint256 = amount_in * (FEE_DENOMINATOR - FEE_BPS)
    if sell_token:
        return in_with_fee * reserve_base // (reserve_token * FEE_DENOMINATOR + in_with_fee), True
    return in_with_fee * reserve_token // (reserve_base * FEE_DENOMINATOR + in_with_fee), False
    # [/book: quote]


@internal
def _update(reserve_token: uint256, reserve_base: uint256, s: uint256):
    """
    @notice Store new reserves, updating the price accumulators, and log `Sync`.
    @dev On the first update of a block, first add the old prices times the
         seconds elapsed to the TWAP accumulators, so a trade cannot move the
         price it is averaged at (Uniswap V2's `_update`). Reverts if a
         reserve would not fit in 112 bits.
    @param reserve_token The new CST reserve.
    @param reserve_base The new base reserve.
    @param s The packed slot as read before the change: old reserves and time.
    """
    # [book: oracle]
    assert reserve_token <= MASK112 and reserve_base <= MASK112, "pool: reserve overflow"
    now: uint256 = block.timestamp & MASK32
    elapsed: uint256 = unsafe_sub(now, s >> 224) & MASK32
    old_token: uint256 = s & MASK112
    old_base: uint256 = (s >> 112) & MASK112
    if elapsed != 0 and old_token != 0 and old_base != 0:
        self.price_token_cumulative_last = unsafe_add(
            self.price_token_cumulative_last, unsafe_mul((old_base << 112) // old_token, elapsed)
        )
        self.price_base_cumulative_last = unsafe_add(
            self.price_base_cumulative_last, unsafe_mul((old_token << 112) // old_base, elapsed)
        )
    self._slot0 = reserve_token | (reserve_base << 112) | (now << 224)
    log Sync(reserve_token=reserve_token, reserve_base=reserve_base)
    # [/book: oracle]
