"""cst_ref: the reference implementation behind the WallStreetFeds book.

:data:`FLOW` is the one statement of how the package is layered: each unit names the units it
builds on, and may import those and, through them, everything below; nothing imports upwards.
Two stacks meet in ``protocol``: the learning one (``data`` → ``models`` → ``fl`` →
``valuation``) and the chain one (``amm`` → ``twins`` → ``chain`` → ``backends``); above them
the round (``protocol``), the markets (``scenarios``) and Flower (``flower``), then the
configured experiment, the figures, the files a run writes and the command line.
``tests/foundation/test_layers.py`` fails on any import against it.
"""

__version__ = "0.1.0"

FLOW: dict[str, tuple[str, ...]] = {
    "data": (),
    "models": ("data",),
    "fl": ("models",),
    "valuation": ("fl",),
    "amm": (),
    "twins": ("amm",),
    "chain": ("twins",),
    "backends": ("chain",),
    "protocol": ("valuation", "backends"),
    "scenarios": ("protocol",),
    "flower": ("protocol",),
    "experiment": ("scenarios",),
    "plots": ("experiment",),
    "outputs": ("plots",),
    "cli": ("outputs",),
}
"""Unit → the units it builds on directly (a unit is a subpackage or a top-level module)."""

FOUNDATION = ("checks", "versions", "sections")
"""Modules every unit may import: argument checks, the toolchain's versions, the config family."""
