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
     point that calls out is non-reentrant: the base token may be any ERC-20.
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
    def approve(spender: address, amount: uint256) -> bool: nonpayable


interface IPool:
    def swap(token_in: address, amount_in: uint256, min_out: uint256, recipient: address, deadline: uint256) -> uint256: nonpayable
    def add_liquidity(amount_token_desired: uint256, amount_base_desired: uint256, amount_token_min: uint256, amount_base_min: uint256, recipient: address, deadline: uint256) -> (uint256, uint256, uint256): nonpayable
    def sync(): nonpayable
    def get_amount_out(token_in: address, amount_in: uint256) -> uint256: view


struct Client:
    account: address
    token: address
    pool: address


SHARE_SCALE: public(constant(uint256)) = 10**18
FEE_DENOMINATOR: constant(uint256) = 10000
MAX_CLIENTS: public(constant(uint256)) = 64

RULE_MINT: public(constant(uint8)) = 1
RULE_BUYBACK_TO_CLIENT: public(constant(uint8)) = 2
RULE_BUYBACK_BURN: public(constant(uint8)) = 3
RULE_INJECT: public(constant(uint8)) = 4


base: public(immutable(IERC20))
token_blueprint: public(immutable(address))
pool_blueprint: public(immutable(address))
fee_bps: public(immutable(uint256))

is_operator: public(HashMap[address, bool])
clients: public(DynArray[Client, MAX_CLIENTS])
# 1-based position in `clients`; 0 means "not registered".
client_index: public(HashMap[address, uint256])
round_count: public(uint256)


event OperatorSet:
    operator: indexed(address)
    status: bool

event TreasuryFunded:
    sender: indexed(address)
    amount: uint256

event ClientRegistered:
    index: indexed(uint256)
    account: indexed(address)
    token: address
    pool: address
    client_supply: uint256
    seed_token: uint256
    seed_base: uint256
    lp_shares: uint256

event RoundDistributed:
    round_number: indexed(uint256)
    rule: indexed(uint8)
    scores_hash: bytes32
    budget: uint256
    clients: DynArray[address, MAX_CLIENTS]
    amounts: DynArray[uint256, MAX_CLIENTS]
    tokens_out: DynArray[uint256, MAX_CLIENTS]


@deploy
def __init__(base_token: address, token_blueprint_: address, pool_blueprint_: address, fee_bps_: uint256):
    """
    @dev The deployer becomes owner and first operator. Every pool this
         federation creates charges `fee_bps_`.
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


@external
def set_operator(operator: address, status: bool):
    """
    @dev Operators run rounds: they register clients and distribute rewards.
    """
    ownable._check_owner()
    assert operator != empty(address), "federation: zero address"
    self.is_operator[operator] = status
    log OperatorSet(operator=operator, status=status)


@external
def pause():
    ownable._check_owner()
    pausable._pause()


@external
def unpause():
    ownable._check_owner()
    pausable._unpause()


@external
@nonreentrant
def fund(amount: uint256):
    """
    @dev Pulls `amount` base tokens from the caller into the treasury. A plain
         `transfer` to this contract funds it just as well: the treasury is
         simply this contract's base-token balance.
    """
    assert amount > 0, "federation: zero amount"
    assert extcall base.transferFrom(msg.sender, self, amount), "federation: transfer failed"
    log TreasuryFunded(sender=msg.sender, amount=amount)


@external
@view
def treasury() -> uint256:
    return staticcall base.balanceOf(self)


@external
@view
def client_count() -> uint256:
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
    @dev Deploys CST_i and pool i, mints `client_supply` CST to the client and
         seeds the pool with `seed_token` freshly minted CST plus `seed_base`
         base tokens from the treasury; the LP shares go to the client, so the
         client is the pool's main liquidity provider (who gains from inject).
         The pool gets an unlimited base allowance once, for later buy-backs.
    @return The addresses of the client's token and pool.
    """
    self._check_operator()
    pausable._require_not_paused()
    assert account != empty(address), "federation: zero address"
    assert self.client_index[account] == 0, "federation: client already registered"
    assert len(self.clients) < MAX_CLIENTS, "federation: too many clients"
    assert seed_token > 0 and seed_base > 0, "federation: pool seed must be positive"
    assert seed_base <= staticcall base.balanceOf(self), "federation: seed exceeds treasury"

    token: address = create_from_blueprint(token_blueprint, name, symbol, code_offset=3)
    pool: address = create_from_blueprint(pool_blueprint, token, base.address, fee_bps, code_offset=3)

    if client_supply > 0:
        extcall ICST(token).mint(account, client_supply)
    extcall ICST(token).mint(self, seed_token)
    extcall ICST(token).approve(pool, seed_token)
    assert extcall base.approve(pool, max_value(uint256)), "federation: approve failed"
    used_token: uint256 = 0
    used_base: uint256 = 0
    lp_shares: uint256 = 0
    used_token, used_base, lp_shares = extcall IPool(pool).add_liquidity(
        seed_token, seed_base, seed_token, seed_base, account, block.timestamp
    )

    self.clients.append(Client(account=account, token=token, pool=pool))
    self.client_index[account] = len(self.clients)
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
def distribute_mint(
    clients: DynArray[address, MAX_CLIENTS], shares: DynArray[uint256, MAX_CLIENTS], budget: uint256
) -> DynArray[uint256, MAX_CLIENTS]:
    """
    @dev Rule 1: mints `budget * share_i // SHARE_SCALE` new CST_i to client i.
         `budget` counts CST units (each client's own token); the treasury is untouched.
    @return The CST minted to each client.
    """
    entries: DynArray[Client, MAX_CLIENTS] = self._check_round(clients, shares, budget)
    amounts: DynArray[uint256, MAX_CLIENTS] = self._split(shares, budget)
    for i: uint256 in range(len(entries), bound=MAX_CLIENTS):
        if amounts[i] > 0:
            extcall ICST(entries[i].token).mint(entries[i].account, amounts[i])
    self._log_round(RULE_MINT, clients, shares, budget, amounts, amounts)
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
    @dev Rule 2: spends `budget * share_i // SHARE_SCALE` treasury base tokens
         buying CST_i in pool i, then hands the CST to client i (`burn` false) or
         burns it (`burn` true). Client i's purchase must yield at least
         `min_outs[i]` CST, and the round must land by `deadline`. A part too
         small to buy a single CST unit is not spent (it stays in the treasury).
    @return The CST bought in each pool.
    """
    assert block.timestamp <= deadline, "federation: expired deadline"
    entries: DynArray[Client, MAX_CLIENTS] = self._check_round(clients, shares, budget)
    assert len(min_outs) == len(clients), "federation: length mismatch"
    assert budget <= staticcall base.balanceOf(self), "federation: budget exceeds treasury"
    amounts: DynArray[uint256, MAX_CLIENTS] = self._split(shares, budget)
    bought: DynArray[uint256, MAX_CLIENTS] = []
    for i: uint256 in range(len(entries), bound=MAX_CLIENTS):
        out: uint256 = 0
        if amounts[i] > 0:
            out = staticcall IPool(entries[i].pool).get_amount_out(base.address, amounts[i])
        assert out >= min_outs[i], "federation: buy-back below min_out"
        if out == 0:
            # dust that buys nothing stays in the treasury instead of failing the round
            amounts[i] = 0
        else:
            recipient: address = entries[i].account
            if burn:
                recipient = self
            extcall IPool(entries[i].pool).swap(base.address, amounts[i], out, recipient, deadline)
            if burn:
                extcall ICST(entries[i].token).burn(out)
        bought.append(out)
    rule: uint8 = RULE_BUYBACK_TO_CLIENT
    if burn:
        rule = RULE_BUYBACK_BURN
    self._log_round(rule, clients, shares, budget, amounts, bought)
    return bought


@external
@nonreentrant
def distribute_inject(
    clients: DynArray[address, MAX_CLIENTS], shares: DynArray[uint256, MAX_CLIENTS], budget: uint256
) -> DynArray[uint256, MAX_CLIENTS]:
    """
    @dev Rule 3: sends `budget * share_i // SHARE_SCALE` treasury base tokens
         to pool i and syncs its reserves, so no LP shares are minted and the
         value accrues to the pool's existing LPs.
    @return The base tokens added to each pool.
    """
    entries: DynArray[Client, MAX_CLIENTS] = self._check_round(clients, shares, budget)
    assert budget <= staticcall base.balanceOf(self), "federation: budget exceeds treasury"
    amounts: DynArray[uint256, MAX_CLIENTS] = self._split(shares, budget)
    zeros: DynArray[uint256, MAX_CLIENTS] = []
    for i: uint256 in range(len(entries), bound=MAX_CLIENTS):
        if amounts[i] > 0:
            assert extcall base.transfer(entries[i].pool, amounts[i]), "federation: transfer failed"
            extcall IPool(entries[i].pool).sync()
        zeros.append(0)
    self._log_round(RULE_INJECT, clients, shares, budget, amounts, zeros)
    return amounts


@internal
@view
def _check_operator():
    assert self.is_operator[msg.sender], "federation: caller is not an operator"


@internal
def _check_round(
    clients: DynArray[address, MAX_CLIENTS], shares: DynArray[uint256, MAX_CLIENTS], budget: uint256
) -> DynArray[Client, MAX_CLIENTS]:
    """
    @dev Validates a round's inputs shared by every rule and returns the
         clients' records. Clients must be listed in registration order, which
         also rules out listing a client twice.
    """
    self._check_operator()
    pausable._require_not_paused()
    assert len(clients) == len(shares), "federation: length mismatch"
    assert len(clients) > 0, "federation: no clients"
    assert budget > 0, "federation: zero budget"
    entries: DynArray[Client, MAX_CLIENTS] = []
    previous: uint256 = 0
    total: uint256 = 0
    for i: uint256 in range(len(clients), bound=MAX_CLIENTS):
        index: uint256 = self.client_index[clients[i]]
        assert index != 0, "federation: unknown client"
        assert index > previous, "federation: clients not in registration order"
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
    )
