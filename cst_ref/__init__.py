"""cst_ref: the reference implementation behind the WallStreetFeds book.

Subpackages follow the data flow of the book: ``data`` → ``fl`` → ``valuation`` →
``protocol`` → ``plots``. ``amm`` holds the exact integer maths, ``twins`` the pure-Python
twins of the contracts and their constants, and ``chain`` deploys and wraps the Vyper
contracts (taking its constants from ``twins``).
"""

__version__ = "0.1.0"
