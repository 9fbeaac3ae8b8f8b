"""What a federation's clients are worth by construction: the order of merit a config builds in."""

from __future__ import annotations

import numpy as np

from .config import ExperimentConfig


def constructed_quality(config: ExperimentConfig) -> np.ndarray:
    """Each client's merit by construction: 1 honest, 1 − fraction for a label flipper, 0 for a
    free rider, 1 / (1 + σ) for noisy features. Only its order is used (Spearman)."""
    quality = np.ones(config.data.n_clients)
    for spec in config.behaviours:
        quality[spec.client] = {
            "honest": 1.0,
            "label_flip": 1.0 - spec.fraction,
            "free_rider": 0.0,
            "noisy": 1.0 / (1.0 + spec.sigma),
        }[spec.kind]
    return quality
