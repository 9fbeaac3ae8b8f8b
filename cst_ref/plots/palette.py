"""One colour per distribution rule, the same in every chapter's figures.

Okabe–Ito colours: distinct for readers with the common colour-vision deficiencies.
"""

from __future__ import annotations

from cst_ref.twins import Rule

RULE_COLOURS = {
    Rule.MINT: "#0072B2",
    Rule.BUYBACK_TO_CLIENT: "#E69F00",
    Rule.BUYBACK_BURN: "#009E73",
    Rule.INJECT: "#CC79A7",
}


def rule_colour(rule: int | str, position: int) -> str:
    """The colour of ``rule`` (an id, a key such as ``"buyback"`` or a label such as
    ``"buy-back to client"``); a name that is no rule takes the ``position``-th colour."""
    for known in Rule:
        if rule in (known, known.key, known.label):
            return RULE_COLOURS[known]
    return tuple(RULE_COLOURS.values())[position % len(RULE_COLOURS)]
