"""Every function of every contract says what it does and why, with a tag per argument.

The Vyper compiler checks the NatSpec of external functions only; this reads the docstrings of
all of them, internal ones included, from the parsed source (no compilation): each has a
``@notice`` or ``@dev``, an ``@param`` for each argument and, when it returns, an ``@return``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from vyper.ast import nodes, parse_to_ast

CONTRACTS = Path(__file__).resolve().parents[2] / "contracts"

#: a tag and its text, as vyper's own NatSpec parser splits a docstring
TAG = re.compile(r"(?:^|\n)\s*@(\S+)\s*([\s\S]*?)(?=\n\s*@\S|\s*$)")


def functions(path: Path) -> list[nodes.FunctionDef]:
    return list(parse_to_ast(path.read_text(), source_id=0).get_children(nodes.FunctionDef))


def missing_natspec(function: nodes.FunctionDef) -> list[str]:
    """What the function's docstring lacks; empty when it is complete."""
    docstring = function.get("doc_string.value") or ""
    tags = [(tag, text.split()) for tag, text in TAG.findall(docstring)]
    missing = [] if any(tag in ("notice", "dev") and words for tag, words in tags) else ["@notice or @dev"]
    documented = {words[0] for tag, words in tags if tag == "param" and len(words) > 1}
    missing += [f"@param {arg.arg}" for arg in function.args.args if arg.arg not in documented]
    if function.returns is not None and not any(tag == "return" and words for tag, words in tags):
        missing.append("@return")
    return missing


@pytest.mark.parametrize("contract", sorted(CONTRACTS.glob("*.vy")), ids=lambda p: p.name)
def test_every_function_has_its_natspec(contract):
    gaps = {f.name: gaps for f in functions(contract) if (gaps := missing_natspec(f))}
    assert not gaps, f"{contract.name}: NatSpec missing {gaps}"


def test_the_check_sees_internal_functions():
    """The parse finds the internal helpers (the compiler's own check would skip them)."""
    names = {f.name for f in functions(CONTRACTS / "guards.vy")}
    assert {"_check_due", "_observe", "_pool_now", "_spot", "_set_guards"} <= names
    undocumented = parse_to_ast("@internal\ndef _f(x: uint256) -> uint256:\n    return x\n", source_id=0)
    (function,) = undocumented.get_children(nodes.FunctionDef)
    assert missing_natspec(function) == ["@notice or @dev", "@param x", "@return"]
