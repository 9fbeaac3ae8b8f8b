# pragma version ~=0.4.3
"""
@title Client-specific token (CST)
@notice One ERC-20 per federated-learning client. The deployer (the federation,
        when it creates the token from a blueprint) becomes owner and sole
        minter, so rewards can only be minted by the federation; any holder can
        burn its own tokens. The ERC-20 logic is snekmate's audited module,
        composed here rather than re-written.
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
    @notice The deployer (the federation) becomes owner and the only minter;
            no tokens exist until it mints.
    @param name The token's name, also its EIP-712 domain name.
    @param symbol The token's ticker symbol.
    """
    ow.__init__()
    erc20.__init__(name, symbol, DECIMALS, name, EIP712_VERSION)
