"""Datasets as in-memory tensors: digits offline, CIFAR-10 and MNIST through torchvision.

Everything downstream (partitioners, FedAvg, valuation) works on one small container,
:class:`Dataset`, so the choice of data never leaks into the algorithms.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from sklearn.datasets import load_digits as _sk_load_digits

from cst_ref.checks import check_bool, check_real, check_seed, positive_int

#: Per-channel statistics of the CIFAR-10 training set, the usual normalisation.
CIFAR10_MEAN = (0.4914, 0.4822, 0.4465)
CIFAR10_STD = (0.2470, 0.2435, 0.2616)
MNIST_MEAN, MNIST_STD = 0.1307, 0.3081


@dataclass(frozen=True)
class Dataset:
    """Features ``x`` (float32) and integer labels ``y`` held as torch tensors."""

    x: torch.Tensor
    y: torch.Tensor
    n_classes: int
    name: str

    def __post_init__(self) -> None:
        if len(self.x) != len(self.y):
            raise ValueError(f"x has {len(self.x)} rows but y has {len(self.y)} labels")
        positive_int("n_classes", self.n_classes)

    def __len__(self) -> int:
        return len(self.y)

    @property
    def labels(self) -> np.ndarray:
        """Labels as a numpy array, the form the partitioners take."""
        return self.y.numpy()

    def subset(self, indices: np.ndarray) -> Dataset:
        index = torch.as_tensor(np.asarray(indices, dtype=np.int64))
        return Dataset(self.x[index], self.y[index], self.n_classes, self.name)


def load_digits(image: bool = False) -> Dataset:
    """scikit-learn's bundled 8×8 digits (1,797 images, 10 classes): no download needed.

    ``image=False`` gives 64 flat features for an MLP; ``image=True`` gives ``(1, 8, 8)``
    tensors for a CNN. Pixel values 0..16 are scaled to [0, 1].
    """
    check_bool("image", image)
    bunch = _sk_load_digits()
    x = torch.tensor(bunch.data / 16.0, dtype=torch.float32)
    if image:
        x = x.reshape(-1, 1, 8, 8)
    return Dataset(x, torch.tensor(bunch.target, dtype=torch.int64), 10, "digits")


def _check_flags(**flags: object) -> None:
    """torchvision reads any truthy ``download="no"`` as yes; refuse anything but a bool."""
    for name, value in flags.items():
        check_bool(name, value)


def _checksum_free(cls: type[Any]) -> type[Any]:
    """A torchvision CIFAR class that checks that files exist but not their MD5 sums.

    torchvision verifies every CIFAR batch against the official checksums, so small files in
    the real format (what the tests write) would be rejected; reading stays torchvision's own.
    """
    return type(
        f"Unverified{cls.__name__}",
        (cls,),
        {
            "train_list": [(name, None) for name, _ in cls.train_list],
            "test_list": [(name, None) for name, _ in cls.test_list],
            "meta": {**cls.meta, "md5": None},
        },
    )


def load_cifar10(root: str | Path, train: bool = True, download: bool = False, verify: bool = True) -> Dataset:
    """CIFAR-10 from ``root/cifar-10-batches-py`` via ``torchvision.datasets.CIFAR10``.

    ``download=True`` fetches the archive (works on Binder, not offline). ``verify=False``
    skips torchvision's MD5 check of the batch files, for test files in the real format.
    Images become normalised ``(3, 32, 32)`` float tensors.
    """
    from torchvision.datasets import CIFAR10

    _check_flags(train=train, download=download, verify=verify)
    cls = CIFAR10 if verify else _checksum_free(CIFAR10)
    raw = cls(root=str(root), train=train, download=download)
    x = torch.tensor(raw.data, dtype=torch.float32).permute(0, 3, 1, 2) / 255.0
    mean = torch.tensor(CIFAR10_MEAN).view(1, 3, 1, 1)
    std = torch.tensor(CIFAR10_STD).view(1, 3, 1, 1)
    y = torch.tensor(raw.targets, dtype=torch.int64)
    return Dataset((x - mean) / std, y, len(raw.classes), "cifar10")


def load_mnist(root: str | Path, train: bool = True, download: bool = False) -> Dataset:
    """MNIST from the idx files in ``root/MNIST/raw`` via ``torchvision.datasets.MNIST``."""
    from torchvision.datasets import MNIST

    _check_flags(train=train, download=download)
    raw = MNIST(root=str(root), train=train, download=download)
    x = raw.data.to(torch.float32).unsqueeze(1) / 255.0
    return Dataset((x - MNIST_MEAN) / MNIST_STD, raw.targets.to(torch.int64), 10, "mnist")


def load_dataset(name: str, root: str | Path | None = None, download: bool = False, train: bool = True) -> Dataset:
    """Load ``"digits"``, ``"digits-image"``, ``"cifar10"`` or ``"mnist"`` by name."""
    if name == "digits":
        return load_digits()
    if name == "digits-image":
        return load_digits(image=True)
    if name in ("cifar10", "mnist"):
        if root is None:
            raise ValueError(f"dataset {name!r} needs a root directory")
        loader = load_cifar10 if name == "cifar10" else load_mnist
        return loader(root, train=train, download=download)
    raise ValueError(f"unknown dataset {name!r}; expected 'digits', 'digits-image', 'cifar10' or 'mnist'")


def split_holdout(dataset: Dataset, fraction: float = 0.2, seed: int = 0) -> tuple[Dataset, Dataset]:
    """Split off a stratified held-out set that the federation keeps for validation.

    Clients never see it; every utility ``v(S)`` in valuation is measured on it.
    """
    fraction = check_real("fraction", fraction, minimum=0.0, maximum=1.0, exclusive=True)
    check_seed("seed", seed)
    rng = np.random.default_rng(seed)
    labels = dataset.labels
    held: list[np.ndarray] = []
    for label in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == label))
        held.append(members[: round(fraction * len(members))])
    holdout = np.sort(np.concatenate(held))
    keep = np.setdiff1d(np.arange(len(dataset)), holdout)
    return dataset.subset(keep), dataset.subset(holdout)
