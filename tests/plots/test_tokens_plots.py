"""Chapter 4's figure: ERC-20 operation gas as bars, drawn from numbers the caller measured."""

from __future__ import annotations

import pytest
from matplotlib.colors import to_hex

from cst_ref.plots.tokens import CHANGED_SLOT_COLOUR, NEW_SLOT_COLOUR, erc20_gas_bars

GAS = {"transfer to a holder": 27_000, "transfer to a new holder": 44_100, "burn": 12_000}


def test_one_bar_per_operation_in_order_and_coloured_by_new_slot() -> None:
    fig = erc20_gas_bars(GAS, creates_balance={"transfer to a new holder"})
    (ax,) = fig.axes
    bars = ax.patches[: len(GAS)]
    assert [b.get_width() for b in bars] == list(GAS.values())
    assert [t.get_text() for t in ax.get_yticklabels()] == list(GAS)
    assert [to_hex(b.get_facecolor()) for b in bars] == [CHANGED_SLOT_COLOUR, NEW_SLOT_COLOUR, CHANGED_SLOT_COLOUR]
    assert [t.get_text() for t in ax.texts] == ["27,000", "44,100", "12,000"]  # each bar labelled
    assert ax.yaxis_inverted()  # the first operation is drawn on top


def test_marks_the_intrinsic_gas_and_fits_the_text_column() -> None:
    fig = erc20_gas_bars(GAS, intrinsic=21_000)
    (ax,) = fig.axes
    assert [line.get_xdata()[0] for line in ax.lines] == [21_000]
    assert "21,000 intrinsic gas per transaction" in " ".join(t.get_text() for t in fig.legends[0].get_texts())
    width, height = fig.get_size_inches()
    assert width * fig.dpi <= 700 and height < width  # no wider than the book's text column


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: erc20_gas_bars({}), "gas must not be empty"),
        (lambda: erc20_gas_bars({"transfer": 1.5}), "must be an int"),
        (lambda: erc20_gas_bars({"transfer": -1}), "must be non-negative"),
        (lambda: erc20_gas_bars(GAS, creates_balance={"approve"}), "not measured: \\['approve'\\]"),
        (lambda: erc20_gas_bars(GAS, intrinsic=True), "intrinsic must be an int"),
    ],
)
def test_bad_input_raises_value_error(call, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()
