"""Statistics over repeated runs: every random figure is a mean with a confidence interval."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

from cst_ref.checks import check_real


@dataclass(frozen=True)
class Interval:
    """A mean over runs and the half-width of its confidence interval (Student's t)."""

    mean: float
    half_width: float
    runs: int

    def __str__(self) -> str:
        return f"{self.mean:.2f} ± {self.half_width:.2f}"


def confidence_interval(values: Sequence[float], confidence: float = 0.95) -> Interval:
    """Mean of ``values`` with a ``confidence`` interval; one value has a zero-width interval."""
    data = np.asarray(values, dtype=float)
    if data.ndim != 1 or len(data) == 0 or not np.all(np.isfinite(data)):
        raise ValueError(f"values must be a non-empty list of finite numbers, got {values!r}")
    check_real("confidence", confidence, minimum=0.0, maximum=1.0, exclusive=True)
    if len(data) == 1:
        return Interval(float(data[0]), 0.0, 1)
    half = stats.t.ppf((1 + confidence) / 2, len(data) - 1) * data.std(ddof=1) / np.sqrt(len(data))
    return Interval(float(data.mean()), float(half), len(data))
