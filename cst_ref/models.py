"""Small torch models: an MLP for flat digits and a LeNet-style CNN for images.

Both are ``nn.Sequential`` whose first module is linear in its parameters (``Linear`` or
``Conv2d``). Valuation relies on that: a coalition's first-layer output is the weighted sum
of per-client first-layer outputs, so it can be computed once per round and mixed.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

from cst_ref.checks import check_seed, positive_int
from cst_ref.data import Dataset


def _check_sizes(**sizes: object) -> None:
    """Layer sizes are counts ≥ 1: torch's own error for ``hidden=2.5`` names no argument."""
    for name, value in sizes.items():
        positive_int(name, value)


def _seeded(build: Callable[[], nn.Sequential], seed: int) -> nn.Sequential:
    """Build and initialise a model from ``seed`` alone, leaving torch's global RNG as it was.

    Constructing ``nn.Linear``/``nn.Conv2d`` draws a default init from the global RNG; that
    draw is overwritten below and the global state restored, so that what a caller samples
    next does not depend on how many models it built before.
    """
    check_seed("seed", seed)
    with torch.random.fork_rng(devices=[]):
        model = build()
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for module in model:
            if isinstance(module, (nn.Linear, nn.Conv2d)):
                fan_in = module.weight[0].numel()
                bound = 1.0 / fan_in**0.5
                module.weight.uniform_(-bound, bound, generator=generator)
                assert module.bias is not None  # mlp() and cnn() build every layer with a bias
                module.bias.uniform_(-bound, bound, generator=generator)
    return model


def mlp(in_features: int = 64, n_classes: int = 10, hidden: int = 64, seed: int = 0) -> nn.Sequential:
    """One hidden ReLU layer: enough for 8×8 digits (~95 % accuracy centrally)."""
    _check_sizes(in_features=in_features, n_classes=n_classes, hidden=hidden)
    return _seeded(lambda: nn.Sequential(nn.Linear(in_features, hidden), nn.ReLU(), nn.Linear(hidden, n_classes)), seed)


def small_cnn(in_channels: int = 3, image_size: int = 32, n_classes: int = 10, seed: int = 0) -> nn.Sequential:
    """LeNet-style CNN (conv5-pool-conv5-pool-fc-fc) for CIFAR-10 (3×32×32) or MNIST (1×28×28)."""
    _check_sizes(in_channels=in_channels, image_size=image_size, n_classes=n_classes)
    side = ((image_size - 4) // 2 - 4) // 2
    if side < 1:
        raise ValueError(f"images of side {image_size} are too small for two 5×5 convolutions")
    return _seeded(
        lambda: nn.Sequential(
            nn.Conv2d(in_channels, 16, 5),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 5),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Linear(32 * side * side, 64),
            nn.ReLU(),
            nn.Linear(64, n_classes),
        ),
        seed,
    )


def model_for(dataset: Dataset, seed: int = 0) -> nn.Sequential:
    """The default model for a dataset: MLP for flat features, CNN for square images."""
    shape = tuple(dataset.x.shape[1:])
    if len(shape) == 1:
        return mlp(shape[0], dataset.n_classes, seed=seed)
    if len(shape) == 3 and shape[1] == shape[2]:
        return small_cnn(shape[0], shape[1], dataset.n_classes, seed=seed)
    raise ValueError(f"no default model for inputs of shape {shape}")
