"""The shared argument checks: what they accept, convert, and how they name a refusal."""

from __future__ import annotations

import numpy as np
import pytest

from cst_ref.checks import (
    MAX_SEED,
    check_bool,
    check_length,
    check_nonempty,
    check_options,
    check_real,
    check_seed,
    check_vector,
)


def test_accepted_values_come_back_as_python_types() -> None:
    assert check_seed("seed", np.int64(7)) == 7 and check_seed("seed", MAX_SEED) == MAX_SEED
    assert check_real("lr", 3) == 3.0 and type(check_real("lr", np.float32(0.5))) is float
    assert check_real("bar", float("inf"), finite=False) == float("inf")
    assert check_real("p", 0.0, minimum=0.0, maximum=1.0) == 0.0  # bounds are inclusive by default
    assert check_bool("burn", np.bool_(True)) is True
    np.testing.assert_array_equal(check_vector("w", [1, 2.5]), [1.0, 2.5])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: check_seed("seed", -1), "seed must be non-negative, got -1"),
        (lambda: check_seed("seed", 1.5), "seed must be an int, got float"),
        (lambda: check_seed("seed", True), "seed must be an int, got bool"),
        (lambda: check_seed("seed", MAX_SEED + 1), "seed must be at most"),
        (lambda: check_real("tolerance", "0.1"), "tolerance must be a real number, got str"),
        (lambda: check_real("lr", True), "lr must be a real number, got bool"),
        (lambda: check_real("lr", None), "lr must be a real number, got NoneType"),
        (lambda: check_real("lr", float("inf")), "lr must be finite, got inf"),
        (lambda: check_real("bar", float("nan"), finite=False), "bar must be a number, got nan"),
        (lambda: check_real("lr", 0, positive=True), "lr must be > 0, got 0.0"),
        (lambda: check_real("p", 1.5, maximum=1.0), "p must be ≤ 1.0, got 1.5"),
        (lambda: check_real("p", -0.5, minimum=0.0), "p must be ≥ 0.0, got -0.5"),
        (lambda: check_real("f", 1.0, minimum=0.0, maximum=1.0, exclusive=True), "f must be < 1.0"),
        (lambda: check_real("f", 0.0, minimum=0.0, maximum=1.0, exclusive=True), "f must be > 0.0"),
        (lambda: check_bool("burn", "yes"), "burn must be True or False, got 'yes'"),
        (lambda: check_bool("burn", 1), "burn must be True or False, got 1"),
        (lambda: check_vector("w", []), "w must be a non-empty list"),
        (lambda: check_vector("w", [[1.0]]), "w must be a non-empty list"),
        (lambda: check_vector("w", ["x"]), "w must be a list of numbers"),
        (lambda: check_vector("w", [np.nan]), "w must be finite"),
        (lambda: check_nonempty("series", {}), "series must not be empty"),
        (lambda: check_length("labels", [1], 2, "clients"), "labels has 1 values for 2 clients"),
        (lambda: check_options("method 'f'", lambda a, b=0: None, 1, c=2), "method 'f'.*'c'"),
    ],
)
def test_refusals_name_the_argument(call, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()
