# pragma version ~=0.4.3
"""
@title Client-specific token (CST), also the base token's local stand-in
@notice One ERC-20 per federated-learning client. The deployer (the federation,
        when it creates the token from a blueprint) becomes owner and sole
        minter, so rewards can only be minted by the federation; any holder can
        burn its own tokens. The ERC-20 logic is snekmate's audited module,
        composed here rather than re-written.
@dev The same code is the mintable stand-in for a stablecoin that every CST
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

exports: erc20.__interface__

DECIMALS: constant(uint8) = 18
EIP712_VERSION: constant(String[20]) = "1"


@deploy
def __init__(name: String[25], symbol: String[5]):
    """
    @notice The deployer (the federation, or the issuer for the base token)
            becomes owner and the only minter; no tokens exist until it mints.
    @param name The token's name, also its EIP-712 domain name.
    @param symbol The token's ticker symbol.
    """
    ow.__init__()
    erc20.__init__(name, symbol, DECIMALS, name, EIP712_VERSION)
