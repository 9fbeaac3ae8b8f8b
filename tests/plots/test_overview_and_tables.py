"""Chapter 1's system map and the Markdown tables reflect their arguments."""

from __future__ import annotations

import pytest
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from cst_ref.plots.overview import system_map
from cst_ref.plots.tables import markdown_table


@pytest.mark.parametrize("n_clients", [1, 4, 6])
def test_system_map_draws_a_client_and_a_pool_per_client(n_clients: int) -> None:
    (ax,) = system_map(n_clients).axes
    boxes = [p for p in ax.patches if isinstance(p, FancyBboxPatch)]
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    texts = [t.get_text() for t in ax.texts]
    assert len(boxes) == 2 + 2 * n_clients  # federation, investor, then client and pool each
    assert len(arrows) == 3 * n_clients  # update, reward, trade
    assert sum(t.startswith("Client ") for t in texts) == n_clients
    assert f"Pool {n_clients}\nCST$_{n_clients}$ / base" in texts


def test_markdown_table_formats_by_type() -> None:
    table = markdown_table(["name", "count", "share", "ok"], [("a", 12345, 0.125, True)])
    assert table.data.splitlines() == ["| name | count | share | ok |", "|---|---|---|---|", "| a | 12,345 | 0.12 | True |"]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: system_map(0), "between 1 and 6"),
        (lambda: system_map(7), "between 1 and 6"),
        (lambda: system_map(2.5), "n_clients must be an int"),
        (lambda: markdown_table(["a", "b"], [(1,)]), "one cell per column"),
        (lambda: markdown_table([], []), "columns must not be empty"),
    ],
)
def test_bad_input_raises_value_error(call, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()
