# pragma version ~=0.4.3
"""
@title Client-specific token (CST), also the base token's local stand-in
@notice One ERC-20 per federated-learning client. Its owner (the federation)
        is its sole minter, so rewards can only be minted by the federation;
        any holder can burn its own tokens. The ERC-20 logic is snekmate's
        audited module, composed here rather than re-written.
@dev The federation does not deploy this code for each client: it clones one
     deployed copy (the implementation) with an EIP-1167 minimal proxy and
     calls `initialize` in the same transaction, which sets the clone's name,
     symbol, owner and minter. A clone cannot run a constructor or hold
     immutables of its own, so name and symbol live in storage here instead
     of snekmate's immutables, and `initialize` runs once per contract (the
     constructor initialises a contract deployed directly, the implementation
     included). A clone's EIP-712 domain (`permit`) carries the
     implementation's name and the clone's own address, so a signature for
     one clone is worthless on another.

     The same code is the mintable stand-in for a stablecoin that every CST
     pool trades against (`cst_ref.chain.deploy.deploy_base_token`): there it
     is deployed directly, and its deployer is owner and minter, the issuer
     that funds the treasury and investors in local runs. It has 18 decimals
     (not the 6 of USDC) so that CST and base amounts share one scale. On a
     real chain the base token is any ERC-20 and this contract is not used
     for it.
"""

from snekmate.auth import ownable as ow
from snekmate.tokens import erc20

initializes: ow
initializes: erc20[ownable := ow]

# everything but snekmate's immutable name, symbol and decimals
exports: (
    erc20.totalSupply,
    erc20.balanceOf,
    erc20.allowance,
    erc20.transfer,
    erc20.transferFrom,
    erc20.approve,
    erc20.burn,
    erc20.burn_from,
    erc20.mint,
    erc20.set_minter,
    erc20.is_minter,
    erc20.permit,
    erc20.nonces,
    erc20.DOMAIN_SEPARATOR,
    erc20.eip712Domain,
    erc20.owner,
    erc20.transfer_ownership,
    erc20.renounce_ownership,
)

decimals: public(constant(uint8)) = 18
EIP712_VERSION: constant(String[20]) = "1"

name: public(String[25])
symbol: public(String[5])
# set once, by the constructor or by `initialize`
initialized: public(bool)


@deploy
def __init__(name_: String[25], symbol_: String[5]):
    """
    @notice The deployer (the issuer of the base token, or whoever deploys the
            implementation the federation clones) becomes owner and the only
            minter; no tokens exist until it mints.
    @param name_ The token's name, also its EIP-712 domain name.
    @param symbol_ The token's ticker symbol.
    """
    ow.__init__()
    erc20.__init__(name_, symbol_, decimals, name_, EIP712_VERSION)
    self._initialize(name_, symbol_, msg.sender)


@external
def initialize(name_: String[25], symbol_: String[5], owner_: address):
    """
    @notice Give a fresh clone its name, symbol, owner and minter; it runs
            once. The federation creates a clone and initialises it in one
            transaction, so nobody can initialise its clones first.
    @param name_ The token's name.
    @param symbol_ The token's ticker symbol.
    @param owner_ The owner and only minter (the federation).
    """
    assert owner_ != empty(address), "cst: zero address"
    self._initialize(name_, symbol_, owner_)


@internal
def _initialize(name_: String[25], symbol_: String[5], owner_: address):
    """
    @notice Set the name and symbol, and make `owner_` owner and sole minter.
    @dev snekmate's constructor makes the deployer a minter; a clone has no
         constructor, so the minter role is granted here through the module's
         state, with the module's event.
    @param name_ The token's name.
    @param symbol_ The token's ticker symbol.
    @param owner_ The owner and only minter.
    """
    assert not self.initialized, "cst: already initialized"
    assert len(name_) > 0 and len(symbol_) > 0, "cst: empty name or symbol"
    self.initialized = True
    self.name = name_
    self.symbol = symbol_
    if ow.owner != owner_:
        ow._transfer_ownership(owner_)
    if not erc20.is_minter[owner_]:
        erc20.is_minter[owner_] = True
        log erc20.RoleMinterChanged(minter=owner_, status=True)
