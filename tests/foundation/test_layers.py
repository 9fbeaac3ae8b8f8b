"""The package's imports follow ``cst_ref.FLOW``: nothing imports a unit above it or beside it.

Every import is read, also those inside functions and under ``TYPE_CHECKING``: a late import
against the flow is still a dependency against it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import cst_ref
from cst_ref import FLOW, FOUNDATION

PACKAGE = Path(cst_ref.__file__).parent


def unit_of(module: str) -> str:
    """``cst_ref.backends.rpc`` → ``backends``; ``cst_ref`` itself → ``cst_ref``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "cst_ref"


def imported_modules(path: Path) -> set[str]:
    """Every ``cst_ref`` module ``path`` imports, relative imports resolved."""
    module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    package = package.removesuffix(".__init__")
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                found.add(".".join(base + ([node.module] if node.module else [])))
            elif node.module:
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name == "cst_ref" or name.startswith("cst_ref.")}


def allowed(unit: str, flow: dict[str, tuple[str, ...]]) -> set[str]:
    """The units ``unit`` may import: its own, those it builds on, transitively, and the foundation."""
    reached, todo = {unit}, [unit]
    while todo:
        for below in flow.get(todo.pop(), ()):
            if below not in reached:
                reached.add(below)
                todo.append(below)
    return reached | set(FOUNDATION)


def violations(edges: dict[str, set[str]], flow: dict[str, tuple[str, ...]]) -> list[str]:
    """``source file → imported module`` for each import against ``flow``."""
    found = []
    for source, modules in sorted(edges.items()):
        unit = unit_of(source)
        for module in sorted(modules):
            target = unit_of(module)
            if unit != "cst_ref" and target != "cst_ref" and target not in allowed(unit, flow):
                found.append(f"{source} imports {module}: {unit} does not build on {target}")
    return found


def package_edges() -> dict[str, set[str]]:
    return {".".join(p.relative_to(PACKAGE.parent).with_suffix("").parts): imported_modules(p)
            for p in sorted(PACKAGE.rglob("*.py"))}


def test_every_unit_of_the_package_has_its_place_in_the_flow():
    units = {p.stem for p in PACKAGE.iterdir() if (p.is_dir() and (p / "__init__.py").exists()) or p.suffix == ".py"}
    units -= {"__init__", "__main__"}
    assert units == set(FLOW) | set(FOUNDATION), "name each new unit in cst_ref.FLOW"
    for unit, below in FLOW.items():
        assert set(below) <= set(FLOW), unit


def test_no_import_goes_against_the_flow():
    assert violations(package_edges(), FLOW) == []


def test_the_flow_has_no_cycle():
    for unit in FLOW:
        assert all(unit not in allowed(below, FLOW) for below in FLOW[unit]), unit


@pytest.mark.parametrize(
    ("source", "module", "problem"),
    [
        ("cst_ref.experiment.runner", "cst_ref.plots.report", "experiment does not build on plots"),
        ("cst_ref.twins.pool", "cst_ref.chain.deploy", "twins does not build on chain"),
        ("cst_ref.fl", "cst_ref.backends", "fl does not build on backends"),
        ("cst_ref.backends.rpc", "cst_ref.protocol.round_loop", "backends does not build on protocol"),
    ],
)
def test_the_check_catches_an_import_against_the_flow(source, module, problem):
    (found,) = violations({source: {module}}, FLOW)
    assert found.endswith(problem)


def test_relative_imports_are_resolved(tmp_path):
    assert {"cst_ref.backends.base", "cst_ref.backends.state"} <= imported_modules(PACKAGE / "backends" / "twin.py")
    assert "cst_ref.experiment.runner" in imported_modules(PACKAGE / "experiment" / "__init__.py")
