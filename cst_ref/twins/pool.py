"""Pure-Python twin of ``contracts/pool.vy``, equal to it bit for bit.

It applies the same checks in the same order (so a contract revert is a twin
``Revert`` with the same reason), moves tokens on ``Ledger`` twins, and keeps
the same reserves, LP ledger, timestamp and TWAP accumulators. Its methods take the
contract functions' arguments with ``sender=`` and read the block time from a shared
``Clock``, as the contract reads ``block.timestamp``. The maths comes from ``cst_ref.amm``
(``math`` and ``oracle``); only the bookkeeping is here.
"""

from __future__ import annotations

from cst_ref import amm
from cst_ref.amm import oracle
from cst_ref.amm.math import MAX_RESERVE

from .clock import ClockLike
from .inputs import check_address, check_uint256
from .ledger import ZERO_ADDRESS, Ledger
from .revert import Revert, atomic, require_uint256

LP_NAME = "WallStreetFeds CST LP"
LP_SYMBOL = "WSFLP"


class PoolTwin:
    """A constant-product pool of ``token`` (a CST) against ``base``.

    ``address`` is the pool's own address: the holder of its reserves on the
    two ledgers; ``clock`` tells it the block time (the clock of the system it belongs to).
    Mutating methods take the contract function's arguments and the caller as ``sender=``,
    and are all-or-nothing; a number the contract's ABI could not take (negative, float,
    above uint256) is a ``ValueError``.
    """

    def __init__(self, token: Ledger, base: Ledger, address: str, fee_bps: int = 30, *, clock: ClockLike) -> None:
        check_uint256(fee_bps=fee_bps)
        if token.address == ZERO_ADDRESS or base.address == ZERO_ADDRESS:
            raise Revert("pool: zero address")
        if token.address == base.address:
            raise Revert("pool: identical tokens")
        if fee_bps >= amm.FEE_DENOMINATOR:
            raise Revert("pool: fee out of range")
        self.token = token
        self.base = base
        self.address = check_address("address", address)
        self.fee_bps = fee_bps
        self.clock = clock
        self.lp = Ledger(LP_NAME, LP_SYMBOL, owner=self.address, address=self.address)
        self.reserve_token = 0
        self.reserve_base = 0
        self.block_timestamp_last = 0
        self.price_token_cumulative_last = 0
        self.price_base_cumulative_last = 0

    def __repr__(self) -> str:
        return (
            f"PoolTwin({self.token.symbol}/{self.base.symbol}, reserves=({self.reserve_token}, "
            f"{self.reserve_base}), shares={self.lp.total_supply})"
        )

    # --- views -----------------------------------------------------------------
    def get_reserves(self) -> tuple[int, int, int]:
        return self.reserve_token, self.reserve_base, self.block_timestamp_last

    def get_amount_out(self, token_in: str, amount_in: int) -> int:
        check_uint256(amount_in=amount_in)
        return self._quote_swap(check_address("token_in", token_in), amount_in)[0]

    # --- external functions ------------------------------------------------------
    def swap(self, token_in: str, amount_in: int, min_out: int, recipient: str, deadline: int, *, sender: str) -> int:
        """Sell ``amount_in`` of ``token_in`` (pulled from ``sender``); pay ``recipient``."""
        check_uint256(amount_in=amount_in, min_out=min_out, deadline=deadline)
        sender, token_in = check_address("sender", sender), check_address("token_in", token_in)
        recipient = check_address("recipient", recipient)
        self._check_deadline(deadline)
        amount_out, sell_token = self._quote_swap(token_in, amount_in)
        if amount_out == 0:
            raise Revert("pool: insufficient output amount")
        if amount_out < min_out:
            raise Revert("pool: output below min_out")
        ledger_in, ledger_out = (self.token, self.base) if sell_token else (self.base, self.token)
        with atomic(self):
            if sell_token:
                self._update(self.reserve_token + amount_in, self.reserve_base - amount_out)
            else:
                self._update(self.reserve_token - amount_out, self.reserve_base + amount_in)
            ledger_in.transfer_from(sender, self.address, amount_in, sender=self.address)
            ledger_out.transfer(recipient, amount_out, sender=self.address)
        return amount_out

    def add_liquidity(
        self,
        amount_token_desired: int,
        amount_base_desired: int,
        amount_token_min: int,
        amount_base_min: int,
        recipient: str,
        deadline: int,
        *,
        sender: str,
    ) -> tuple[int, int, int]:
        """Deposit at the pool's ratio; return ``(amount_token, amount_base, shares)``."""
        check_uint256(
            amount_token_desired=amount_token_desired,
            amount_base_desired=amount_base_desired,
            amount_token_min=amount_token_min,
            amount_base_min=amount_base_min,
            deadline=deadline,
        )
        sender, recipient = check_address("sender", sender), check_address("recipient", recipient)
        self._check_deadline(deadline)
        if amount_token_desired == 0 or amount_base_desired == 0:
            raise Revert("pool: zero amount")
        supply = self.lp.total_supply
        with atomic(self):
            if supply == 0:
                amount_token, amount_base = amount_token_desired, amount_base_desired
                require_uint256(amount_token * amount_base)
                try:
                    shares = amm.first_mint_shares(amount_token, amount_base)
                except ValueError:
                    raise Revert("pool: insufficient liquidity minted") from None
                self.lp._mint(self.address, amm.MINIMUM_LIQUIDITY)
            else:
                require_uint256(amount_token_desired * self.reserve_base)
                amount_token, amount_base = amm.deposit_amounts(
                    amount_token_desired, amount_base_desired, self.reserve_token, self.reserve_base
                )
                require_uint256(amount_token * supply, amount_base * supply)
                shares = amm.mint_shares(amount_token, amount_base, self.reserve_token, self.reserve_base, supply)
                if shares == 0:
                    raise Revert("pool: insufficient liquidity minted")
            if amount_token < amount_token_min:
                raise Revert("pool: token amount below minimum")
            if amount_base < amount_base_min:
                raise Revert("pool: base amount below minimum")
            self.lp._mint(recipient, shares)
            self._update(self.reserve_token + amount_token, self.reserve_base + amount_base)
            self.token.transfer_from(sender, self.address, amount_token, sender=self.address)
            self.base.transfer_from(sender, self.address, amount_base, sender=self.address)
        return amount_token, amount_base, shares

    def remove_liquidity(
        self,
        shares: int,
        amount_token_min: int,
        amount_base_min: int,
        recipient: str,
        deadline: int,
        *,
        sender: str,
    ) -> tuple[int, int]:
        """Burn ``sender``'s shares; pay the pro-rata reserves to ``recipient``."""
        check_uint256(
            shares=shares,
            amount_token_min=amount_token_min,
            amount_base_min=amount_base_min,
            deadline=deadline,
        )
        sender, recipient = check_address("sender", sender), check_address("recipient", recipient)
        self._check_deadline(deadline)
        if shares == 0:
            raise Revert("pool: zero amount")
        supply = self.lp.total_supply
        with atomic(self):
            self.lp._burn(sender, shares)
            amount_token, amount_base = amm.burn_amounts(shares, self.reserve_token, self.reserve_base, supply)
            if amount_token == 0 or amount_base == 0:
                raise Revert("pool: insufficient liquidity burned")
            if amount_token < amount_token_min:
                raise Revert("pool: token amount below minimum")
            if amount_base < amount_base_min:
                raise Revert("pool: base amount below minimum")
            self._update(self.reserve_token - amount_token, self.reserve_base - amount_base)
            self.token.transfer(recipient, amount_token, sender=self.address)
            self.base.transfer(recipient, amount_base, sender=self.address)
        return amount_token, amount_base

    def sync(self, *, sender: str | None = None) -> None:
        """Reserves := balances, e.g. after the federation injected base tokens. Anyone may
        call: ``sender`` is only checked."""
        if sender is not None:
            check_address("sender", sender)
        with atomic(self):
            self._update(self.token.balance_of(self.address), self.base.balance_of(self.address))

    def donate(self, amount: int, *, sender: str) -> None:
        """Pull ``amount`` base tokens from ``sender`` into the base reserve, minting no LP
        shares: the federation's inject, in one call that a callback cannot split. The base
        reserve becomes the base balance and the CST reserve stays: the price only rises."""
        check_uint256(amount=amount)
        sender = check_address("sender", sender)
        if amount == 0:
            raise Revert("pool: zero amount")
        with atomic(self):
            self.base.transfer_from(sender, self.address, amount, sender=self.address)
            self._update(self.reserve_token, self.base.balance_of(self.address))

    def skim(self, recipient: str, *, sender: str | None = None) -> None:
        """Send the balances in excess of the reserves, and LP shares the pool holds beyond
        the locked ``MINIMUM_LIQUIDITY``, to ``recipient``. Anyone may call: ``sender`` is
        only checked."""
        if sender is not None:
            check_address("sender", sender)
        with atomic(self):
            self.token.transfer(
                recipient, self.token.balance_of(self.address) - self.reserve_token, sender=self.address
            )
            self.base.transfer(recipient, self.base.balance_of(self.address) - self.reserve_base, sender=self.address)
            stray = self.lp.balance_of(self.address)
            if stray > amm.MINIMUM_LIQUIDITY:
                self.lp._transfer(self.address, check_address("recipient", recipient), stray - amm.MINIMUM_LIQUIDITY)

    # --- internals -------------------------------------------------------------------
    def _check_deadline(self, deadline: int) -> None:
        if self.clock.now > deadline:
            raise Revert("pool: expired deadline")

    def _quote_swap(self, token_in: str, amount_in: int) -> tuple[int, bool]:
        if amount_in == 0:
            raise Revert("pool: zero amount")
        sell_token = token_in == self.token.address
        if not sell_token and token_in != self.base.address:
            raise Revert("pool: unknown token")
        if self.reserve_token == 0 or self.reserve_base == 0:
            raise Revert("pool: empty pool")
        reserve_in, reserve_out = (
            (self.reserve_token, self.reserve_base) if sell_token else (self.reserve_base, self.reserve_token)
        )
        in_with_fee = amount_in * (amm.FEE_DENOMINATOR - self.fee_bps)
        require_uint256(in_with_fee * reserve_out, reserve_in * amm.FEE_DENOMINATOR + in_with_fee)
        return amm.get_amount_out(amount_in, reserve_in, reserve_out, self.fee_bps), sell_token

    def _update(self, reserve_token: int, reserve_base: int) -> None:
        if reserve_token > MAX_RESERVE or reserve_base > MAX_RESERVE:
            raise Revert("pool: reserve overflow")
        timestamp = self.clock.now
        elapsed = oracle.elapsed_seconds(timestamp, self.block_timestamp_last)
        if elapsed and self.reserve_token and self.reserve_base:
            self.price_token_cumulative_last = oracle.accumulate(
                self.price_token_cumulative_last, oracle.encode_price(self.reserve_base, self.reserve_token), elapsed
            )
            self.price_base_cumulative_last = oracle.accumulate(
                self.price_base_cumulative_last, oracle.encode_price(self.reserve_token, self.reserve_base), elapsed
            )
        self.reserve_token, self.reserve_base = reserve_token, reserve_base
        self.block_timestamp_last = timestamp % oracle.TIMESTAMP_MODULUS

    # --- revert support ------------------------------------------------------------
    _FIELDS = (
        "reserve_token",
        "reserve_base",
        "block_timestamp_last",
        "price_token_cumulative_last",
        "price_base_cumulative_last",
    )

    def snapshot(self) -> tuple:
        return (
            self.token.snapshot(),
            self.base.snapshot(),
            self.lp.snapshot(),
            tuple(getattr(self, name) for name in self._FIELDS),
        )

    def restore(self, state: tuple) -> None:
        token, base, lp, fields = state
        self.token.restore(token)
        self.base.restore(base)
        self.lp.restore(lp)
        for name, value in zip(self._FIELDS, fields):
            setattr(self, name, value)
