"""cst_ref: the reference implementation behind the WallStreetFeds book.

Subpackages follow the data flow of the book: ``data`` → ``fl`` → ``valuation`` →
``protocol`` → ``scenarios`` → ``plots``; ``amm`` holds the exact integer maths and the
pure-Python twins of the contracts, ``chain`` deploys and wraps the Vyper contracts.
"""

__version__ = "0.1.0"
