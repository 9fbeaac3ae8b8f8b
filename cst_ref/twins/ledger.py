"""Pure-Python twin of a snekmate ERC-20: the same state, the same revert reasons.

Addresses are normalised to the EVM's checksummed hex strings (what titanoboa returns):
a lower-case address is the same account, anything else is a ``ValueError``, so a
twin's dictionaries compare directly with the chain's ``balanceOf`` values.
"""

from __future__ import annotations

from .inputs import check_address, check_uint256
from .revert import MAX_UINT256, Revert, atomic, require_uint256

ZERO_ADDRESS = "0x" + "0" * 40


class Ledger:
    """Balances, allowances and supply of one token; methods mirror the contract.

    Each public method takes the contract function's arguments, in the ABI's order, and the
    caller as the keyword ``sender=`` (the EVM's ``msg.sender``), as a titanoboa contract does;
    it either applies all its effects or raises ``Revert`` and applies none; an
    amount the ABI could not encode (negative, float, above uint256) is a ``ValueError``.
    The deployer becomes owner and the only minter, as in snekmate's ``erc20``.
    """

    def __init__(self, name: str, symbol: str, owner: str, address: str = ZERO_ADDRESS, decimals: int = 18) -> None:
        self.name = name
        self.symbol = symbol
        self.decimals = decimals
        self.address = check_address("address", address)
        self.owner = check_address("owner", owner)
        self.minters = {self.owner}
        self.balances: dict[str, int] = {}
        self.allowances: dict[tuple[str, str], int] = {}
        self.total_supply = 0

    def __repr__(self) -> str:
        return f"Ledger({self.symbol!r}, total_supply={self.total_supply}, holders={len(self.balances)})"

    # --- views -------------------------------------------------------------
    def balance_of(self, account: str) -> int:
        return self.balances.get(check_address("account", account), 0)

    def allowance(self, owner: str, spender: str) -> int:
        return self.allowances.get((check_address("owner", owner), check_address("spender", spender)), 0)

    # --- external functions --------------------------------------------------
    # transfer, approve and transfer_from return True like the ERC-20 functions
    def transfer(self, to: str, amount: int, *, sender: str) -> bool:
        check_uint256(amount=amount)
        with atomic(self):
            self._transfer(check_address("sender", sender), check_address("to", to), amount)
        return True

    def approve(self, spender: str, amount: int, *, sender: str) -> bool:
        check_uint256(amount=amount)
        with atomic(self):
            self._approve(check_address("sender", sender), check_address("spender", spender), amount)
        return True

    def transfer_from(self, owner: str, to: str, amount: int, *, sender: str) -> bool:
        check_uint256(amount=amount)
        with atomic(self):
            self._spend_allowance(check_address("owner", owner), check_address("sender", sender), amount)
            self._transfer(check_address("owner", owner), check_address("to", to), amount)
        return True

    def mint(self, to: str, amount: int, *, sender: str) -> None:
        check_uint256(amount=amount)
        if check_address("sender", sender) not in self.minters:
            raise Revert("erc20: access is denied")
        with atomic(self):
            self._mint(check_address("to", to), amount)

    def burn(self, amount: int, *, sender: str) -> None:
        check_uint256(amount=amount)
        with atomic(self):
            self._burn(check_address("sender", sender), amount)

    def burn_from(self, owner: str, amount: int, *, sender: str) -> None:
        check_uint256(amount=amount)
        with atomic(self):
            self._spend_allowance(check_address("owner", owner), check_address("sender", sender), amount)
            self._burn(check_address("owner", owner), amount)

    # --- internal functions, used by contracts that embed the token ----------
    def _transfer(self, owner: str, to: str, amount: int) -> None:
        if owner == ZERO_ADDRESS:
            raise Revert("erc20: transfer from the zero address")
        if to == ZERO_ADDRESS:
            raise Revert("erc20: transfer to the zero address")
        if self.balance_of(owner) < amount:
            raise Revert("erc20: transfer amount exceeds balance")
        self._set_balance(owner, self.balance_of(owner) - amount)
        self._set_balance(to, self.balance_of(to) + amount)

    def _approve(self, owner: str, spender: str, amount: int) -> None:
        if owner == ZERO_ADDRESS:
            raise Revert("erc20: approve from the zero address")
        if spender == ZERO_ADDRESS:
            raise Revert("erc20: approve to the zero address")
        self.allowances[(owner, spender)] = amount

    def _spend_allowance(self, owner: str, spender: str, amount: int) -> None:
        current = self.allowance(owner, spender)
        if current < MAX_UINT256:  # an allowance of 2**256-1 is infinite
            if current < amount:
                raise Revert("erc20: insufficient allowance")
            self._approve(owner, spender, current - amount)

    def _mint(self, to: str, amount: int) -> None:
        if to == ZERO_ADDRESS:
            raise Revert("erc20: mint to the zero address")
        require_uint256(self.total_supply + amount)
        self.total_supply += amount
        self._set_balance(to, self.balance_of(to) + amount)

    def _burn(self, owner: str, amount: int) -> None:
        if owner == ZERO_ADDRESS:
            raise Revert("erc20: burn from the zero address")
        if self.balance_of(owner) < amount:
            raise Revert("erc20: burn amount exceeds balance")
        self._set_balance(owner, self.balance_of(owner) - amount)
        self.total_supply -= amount

    def _set_balance(self, account: str, amount: int) -> None:
        # zero balances are dropped so two ledgers with equal state compare equal
        if amount:
            self.balances[account] = amount
        else:
            self.balances.pop(account, None)

    # --- revert support --------------------------------------------------------
    def snapshot(self) -> tuple:
        return dict(self.balances), dict(self.allowances), self.total_supply, self.owner, set(self.minters)

    def restore(self, state: tuple) -> None:
        balances, allowances, self.total_supply, self.owner, minters = state
        self.balances, self.allowances, self.minters = dict(balances), dict(allowances), set(minters)
