"""Model shapes and seeded initialisation."""

from __future__ import annotations

import pytest
import torch

from cst_ref.data import Dataset, load_digits
from cst_ref.models import mlp, model_for, small_cnn


@pytest.mark.parametrize(("channels", "side"), [(3, 32), (1, 28), (1, 8 * 4)])
def test_cnn_maps_images_to_class_logits(channels: int, side: int) -> None:
    model = small_cnn(channels, side, n_classes=10)
    assert model(torch.zeros(2, channels, side, side)).shape == (2, 10)


def test_models_are_seeded_and_start_with_a_linear_layer() -> None:
    a, b, c = mlp(seed=3), mlp(seed=3), mlp(seed=4)
    assert torch.equal(a[0].weight, b[0].weight) and not torch.equal(a[0].weight, c[0].weight)
    assert isinstance(small_cnn()[0], torch.nn.Conv2d)


def test_model_for_picks_by_input_shape() -> None:
    assert isinstance(model_for(load_digits())[0], torch.nn.Linear)
    images = Dataset(torch.zeros(2, 3, 32, 32), torch.zeros(2, dtype=torch.int64), 10, "cifar")
    assert isinstance(model_for(images)[0], torch.nn.Conv2d)
    with pytest.raises(ValueError, match="too small"):
        small_cnn(1, 8)
    with pytest.raises(ValueError, match="no default model"):
        model_for(Dataset(torch.zeros(2, 3, 4), torch.zeros(2, dtype=torch.int64), 10, "odd"))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: mlp(hidden=2.5), "hidden"),
        (lambda: mlp(in_features=0), "in_features"),
        (lambda: small_cnn(in_channels=0), "in_channels"),
        (lambda: small_cnn(n_classes=True), "n_classes"),
        (lambda: mlp(seed=-1), "seed must be non-negative"),
        (lambda: small_cnn(seed=1.5), "seed must be an int"),
        (lambda: model_for(load_digits(), seed="0"), "seed must be an int"),
    ],
)
def test_bad_model_arguments_are_named(call, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()


def test_building_a_model_leaves_torch_global_random_state_alone() -> None:
    """What a notebook samples after building a model must not depend on the model count."""
    state = torch.get_rng_state()
    mlp(seed=0), small_cnn(seed=0)
    assert torch.equal(torch.get_rng_state(), state)
