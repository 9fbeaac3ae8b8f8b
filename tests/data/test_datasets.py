"""Loaders: digits offline, and CIFAR-10 / MNIST from small files in their real formats."""

from __future__ import annotations

import pickle
import struct
from pathlib import Path

import numpy as np
import pytest
import torch

from cst_ref.data import Dataset, load_cifar10, load_dataset, load_digits, load_mnist, split_holdout
from cst_ref.data.datasets import CIFAR10_MEAN, CIFAR10_STD, MNIST_MEAN, MNIST_STD


def test_digits_load_offline_flat_and_as_images() -> None:
    flat, image = load_digits(), load_digits(image=True)
    assert flat.x.shape == (1797, 64) and image.x.shape == (1797, 1, 8, 8)
    assert float(flat.x.min()) == 0.0 and float(flat.x.max()) == 1.0
    assert flat.n_classes == 10 and flat.y.dtype == torch.int64


def test_holdout_partitions_the_data_stratified_and_seeded() -> None:
    digits = load_digits()
    train, held = split_holdout(digits, 0.2, seed=0)
    assert len(train) + len(held) == len(digits)
    counts = np.bincount(held.labels, minlength=10) / np.bincount(digits.labels, minlength=10)
    np.testing.assert_allclose(counts, 0.2, atol=0.01)
    again, _ = split_holdout(digits, 0.2, seed=0)
    assert torch.equal(train.x, again.x)


def write_cifar10(root: Path, per_batch: int = 3) -> np.ndarray:
    """CIFAR-10's python layout: pickled dicts with b'data' (N×3072 uint8) and b'labels'."""
    folder = root / "cifar-10-batches-py"
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    train_images = []
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        data = rng.integers(0, 256, (per_batch, 3072), dtype=np.uint8)
        labels = rng.integers(0, 10, per_batch).tolist()
        with open(folder / name, "wb") as f:
            pickle.dump({"batch_label": name, "data": data, "labels": labels, "filenames": []}, f)
        if name != "test_batch":
            train_images.append(data)
    names = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
    with open(folder / "batches.meta", "wb") as f:
        pickle.dump({"label_names": names, "num_cases_per_batch": per_batch, "num_vis": 3072}, f)
    return np.vstack(train_images)


def test_cifar10_loader_reads_the_real_pickle_format(tmp_path: Path) -> None:
    raw = write_cifar10(tmp_path)
    train = load_cifar10(tmp_path, train=True, verify=False)
    test = load_cifar10(tmp_path, train=False, verify=False)
    assert train.x.shape == (15, 3, 32, 32) and len(test) == 3 and train.n_classes == 10
    mean = torch.tensor(CIFAR10_MEAN).view(1, 3, 1, 1)
    std = torch.tensor(CIFAR10_STD).view(1, 3, 1, 1)
    pixels = (train.x * std + mean) * 255
    np.testing.assert_allclose(pixels.numpy().reshape(15, 3072), raw, atol=1e-3)


def test_cifar10_loader_checks_checksums_by_default(tmp_path: Path) -> None:
    write_cifar10(tmp_path)
    with pytest.raises(RuntimeError, match="corrupted"):
        load_cifar10(tmp_path)


def write_idx(path: Path, array: np.ndarray) -> None:
    """The idx format: magic (0, 0, type 0x08 = uint8, ndim), big-endian dims, raw bytes."""
    header = struct.pack(">BBBB", 0, 0, 0x08, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    path.write_bytes(header + array.astype(np.uint8).tobytes())


def test_mnist_loader_reads_idx_files(tmp_path: Path) -> None:
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    rng = np.random.default_rng(1)
    images = rng.integers(0, 256, (5, 28, 28))
    labels = np.array([3, 1, 4, 1, 5])
    for prefix in ("train", "t10k"):
        write_idx(raw / f"{prefix}-images-idx3-ubyte", images)
        write_idx(raw / f"{prefix}-labels-idx1-ubyte", labels)
    mnist = load_mnist(tmp_path)
    assert mnist.x.shape == (5, 1, 28, 28)
    assert mnist.y.tolist() == labels.tolist()
    np.testing.assert_allclose((mnist.x[:, 0] * MNIST_STD + MNIST_MEAN) * 255, images, atol=1e-3)
    assert load_dataset("mnist", tmp_path, train=False).y.tolist() == labels.tolist()


def test_missing_files_and_unknown_names_fail_clearly(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="not found"):
        load_mnist(tmp_path)
    with pytest.raises(ValueError, match="unknown dataset"):
        load_dataset("imagenet")
    with pytest.raises(ValueError, match="needs a root"):
        load_dataset("cifar10")
    with pytest.raises(ValueError, match="fraction"):
        split_holdout(load_digits(), 1.5)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: split_holdout(load_digits(), 1.0), "fraction must be < 1.0"),
        (lambda: split_holdout(load_digits(), 0.0), "fraction must be > 0.0"),
        (lambda: split_holdout(load_digits(), "0.2"), "fraction must be a real number"),
        (lambda: split_holdout(load_digits(), 0.2, seed=-1), "seed must be non-negative"),
        (lambda: split_holdout(load_digits(), 0.2, seed=1.5), "seed must be an int"),
        (lambda: load_digits(image="yes"), "image must be True or False"),
        (lambda: load_cifar10("/nonexistent", download="no"), "download must be True or False"),
        (lambda: load_mnist("/nonexistent", train=1), "train must be True or False"),
        (lambda: load_dataset("cifar10", "/nonexistent", download="no"), "download"),
        (lambda: Dataset(torch.zeros(2, 3), torch.zeros(2, dtype=torch.int64), 0, "empty"), "n_classes"),
    ],
)
def test_bad_arguments_are_named(call, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()
