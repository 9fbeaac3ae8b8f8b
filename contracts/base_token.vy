# pragma version ~=0.4.3
"""
@title Base token: a mintable stand-in for a stablecoin
@notice Every CST pool trades against this token. It has 18 decimals (not the
        6 of USDC) so that CST and base amounts share one scale and the book's
        numbers read without conversion. The deployer is owner and minter: in
        local runs it plays the issuer that funds the treasury and investors.
"""

from snekmate.auth import ownable as ow
from snekmate.tokens import erc20

initializes: ow
initializes: erc20[ownable := ow]

exports: erc20.__interface__

DECIMALS: constant(uint8) = 18
EIP712_VERSION: constant(String[20]) = "1"


@deploy
def __init__(name: String[25], symbol: String[5]):
    """
    @notice The deployer becomes owner and the only minter (the issuer).
    @param name The token's name, also its EIP-712 domain name.
    @param symbol The token's ticker symbol.
    """
    ow.__init__()
    erc20.__init__(name, symbol, DECIMALS, name, EIP712_VERSION)
