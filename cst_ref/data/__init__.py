"""Datasets, partitions and client behaviours: everything a federation starts from."""

from cst_ref.data.behaviours import Behaviour, FreeRider, Honest, LabelFlip, Noisy, SybilSplit, sybil_split
from cst_ref.data.clients import ClientData, build_clients
from cst_ref.data.datasets import Dataset, load_cifar10, load_dataset, load_digits, load_mnist, split_holdout
from cst_ref.data.partition import (
    PARTITIONERS,
    dirichlet,
    iid,
    k_classes,
    label_histogram,
    partition,
    quantity_skew,
)

__all__ = [
    "PARTITIONERS",
    "Behaviour",
    "ClientData",
    "Dataset",
    "FreeRider",
    "Honest",
    "LabelFlip",
    "Noisy",
    "SybilSplit",
    "build_clients",
    "dirichlet",
    "iid",
    "k_classes",
    "label_histogram",
    "load_cifar10",
    "load_dataset",
    "load_digits",
    "load_mnist",
    "partition",
    "quantity_skew",
    "split_holdout",
    "sybil_split",
]
