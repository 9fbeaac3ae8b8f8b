"""Fast utility of a coalition's reconstructed model (no retraining).

A coalition S's model in a round is θ_S = θ + Σ_{i∈S} w_i^S Δ_i with FedAvg weights
w_i^S = n_i / Σ_{j∈S} n_j (Song et al. 2019), or with ``weights="federation"`` each
member's weight in the whole round's average, w_i = n_i / Σ_j n_j (see
:data:`~cst_ref.valuation.batch.WEIGHTS`). Its utility is validation accuracy, or with
``metric="loss"`` the negative mean cross-entropy on the validation set.

Cost is dominated by the forward pass. The first layer is linear in its parameters, so
layer(x; θ + Σ w_i Δ_i) = layer(x; θ) + Σ w_i layer(x; Δ_i), where ``layer(x; Δ_i)``
applies the update's weights *and* bias. Those n per-client outputs are computed once per
round; each coalition then mixes them with its weights instead of re-running the layer.
That pays off only when the layer's fan-in is large compared with n (mixing costs n
multiply-adds per output, the layer fan-in of them) and the stacked outputs fit in memory;
otherwise the plain path (load θ_S, run the model) is used, so ``"auto"`` is never slower
than a plain loop. Loading θ_S is a single copy into a flat buffer the model's parameters
are views of. Image batches are stored channels-last: the convolutions then take a faster
CPU kernel (measured 2× on the small CNN) with identical logits, so it is pure speed.

:meth:`CoalitionEvaluator.utilities` is the batch path (see :mod:`cst_ref.valuation.batch`):
many coalitions of the round in one call, which is what exact methods use.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import cast

import numpy as np
import torch
from torch import nn
from torch.func import functional_call
from torch.nn.utils import vector_to_parameters

from cst_ref.data import Dataset
from cst_ref.fl import fedavg_weights, one_thread
from cst_ref.valuation.batch import (
    MEMORY_BYTES,
    BatchForward,
    check_metric,
    check_weights,
    default_workers,
    evaluation_form,
    linear_stack,
    share,
)
from cst_ref.valuation.utility import member_bits

#: Mix first-layer outputs only if n_clients × this factor ≤ the layer's fan-in (measured:
#: with n=10 the digits MLP, fan-in 64, is faster plain; so is the CNN, fan-in 75, with n=8) ...
MIX_FAN_IN_FACTOR = 16
#: ... and the stacked per-client outputs take at most this many bytes.
MIX_MEMORY_BYTES = 256 * 2**20


class CoalitionEvaluator:
    """``v(S)`` = accuracy (or −cross-entropy, ``metric="loss"``) on ``validation`` of
    θ_base + Σ_{i∈S} w_i^S Δ_i.

    ``strategy``: ``"mix"`` (precomputed first-layer outputs), ``"plain"`` (full forward
    pass) or ``"auto"`` (mix when the cost rule above says it is cheaper).
    Empty coalition → the base model. ``batch_memory`` bounds what the batch path allocates.
    """

    def __init__(
        self,
        model: nn.Module,
        base: torch.Tensor,
        updates: torch.Tensor,
        sample_counts: np.ndarray,
        validation: Dataset,
        strategy: str = "auto",
        batch_memory: int = MEMORY_BYTES,
        metric: str = "accuracy",
        weights: str = "coalition",
    ) -> None:
        self.metric = check_metric(metric)
        self.weights = check_weights(weights)
        if not isinstance(model, nn.Sequential) or not isinstance(model[0], (nn.Linear, nn.Conv2d)):
            raise ValueError("the evaluator needs an nn.Sequential starting with Linear or Conv2d")
        if updates.shape != (len(sample_counts), base.numel()):
            raise ValueError(f"updates of shape {tuple(updates.shape)} do not match {len(sample_counts)} clients")
        if strategy not in ("auto", "mix", "plain"):
            raise ValueError(f"unknown evaluator strategy {strategy!r}; expected 'auto', 'mix' or 'plain'")
        self.model = evaluation_form(copy.deepcopy(model).eval())  # same logits, ReLU after pooling
        self.base, self.updates = base, updates
        self.replicas = [self._replica(self.model)]
        self.counts = np.asarray(sample_counts, dtype=float)
        self.x, self.y = validation.x, validation.y
        if self.x.dim() == 4:
            self.x = self.x.contiguous(memory_format=torch.channels_last)
        self.strategy = self._choose(strategy)
        if self.strategy == "mix":
            self._prepare_mix()
        self.batch_memory = batch_memory
        self._batch: BatchForward | None = None

    def _replica(self, model: nn.Sequential) -> tuple[nn.Sequential, nn.Sequential, torch.Tensor]:
        """(model, its layers after the first, flat buffer): the model's parameters become views
        of one flat buffer, so loading θ_S is one copy. One per thread that evaluates."""
        flat = self.base.clone()
        vector_to_parameters(flat, model.parameters())
        return model, model[1:], flat

    @property
    def n_clients(self) -> int:
        return len(self.counts)

    def _choose(self, strategy: str) -> str:
        if strategy != "auto":
            return strategy
        first = cast(nn.Linear | nn.Conv2d, self.model[0])  # as __init__ checked
        fan_in = first.weight[0].numel()
        with torch.no_grad():
            out_numel = first(self.x[:1]).numel() * len(self.x)
        cheap = self.n_clients * MIX_FAN_IN_FACTOR <= fan_in
        fits = self.n_clients * out_numel * 4 <= MIX_MEMORY_BYTES
        return "mix" if cheap and fits else "plain"

    def _prepare_mix(self) -> None:
        first = self.model[0]
        names = [name for name, _ in first.named_parameters()]
        shapes = [p.shape for p in first.parameters()]
        self.n_first = sum(p.numel() for p in first.parameters())

        def first_layer(vector: torch.Tensor) -> torch.Tensor:
            chunks = vector[: self.n_first].split([s.numel() for s in shapes])
            params = {n: c.view(s) for n, c, s in zip(names, chunks, shapes)}
            return functional_call(first, params, (self.x,))

        with torch.no_grad():
            self.base_out = first_layer(self.base)
            self.client_out = torch.stack([first_layer(u) for u in self.updates]).flatten(1)

    def coalition_weights(self, coalition: Iterable[int]) -> torch.Tensor:
        """w_i for the members of ``coalition``, zero for everyone else."""
        members = sorted(coalition)
        if self.weights == "coalition":
            return fedavg_weights(self.counts, members)  # also refuses members outside 0..n−1
        in_coalition = fedavg_weights(np.ones(self.n_clients), members) > 0  # the same check
        return fedavg_weights(self.counts, range(self.n_clients)) * in_coalition

    def params(self, coalition: Iterable[int]) -> torch.Tensor:
        """θ_S, the coalition's reconstructed flat parameter vector."""
        return self.base + self.coalition_weights(coalition) @ self.updates

    def __call__(self, coalition: Iterable[int]) -> float:
        return self._utility(self.coalition_weights(coalition))

    def _utility(self, w: torch.Tensor, replica: int = 0) -> float:
        """Utility of θ_base + w @ updates: the per-coalition path, one model at a time."""
        model, rest, flat = self.replicas[replica]
        with torch.no_grad():
            torch.add(self.base, w @ self.updates, out=flat)
            if self.strategy == "mix":
                hidden = self.base_out + (w @ self.client_out).view_as(self.base_out)
                logits = rest(hidden)
            else:
                logits = model(self.x)
            if self.metric == "loss":
                return -float(nn.functional.cross_entropy(logits, self.y))
        return float((logits.argmax(1) == self.y).float().mean())

    def utilities(self, masks: np.ndarray) -> np.ndarray:
        """Utilities of the coalitions with these bitmasks (bit i ⇔ client i), batched.

        Linear/ReLU stacks go through :class:`BatchForward`. Other networks (convolutions) run
        the per-coalition path in a loop with the FedAvg weights of all coalitions computed at
        once: their cost is the arithmetic of the convolutions after the first layer, which
        batching does not reduce (measured on the small CNN: mixed first-layer outputs, tens of
        megabytes a coalition, made the batch path 20 % slower than this loop; ``torch.func.vmap``
        over grouped convolutions 1.7× slower), and the loop gives the per-coalition
        accuracies bit for bit. The loop's coalitions are shared among worker threads, each
        with its own copy of the model (:func:`~cst_ref.valuation.batch.share`).
        """
        masks = np.asarray(masks, dtype=np.int64)
        if masks.size and not 0 <= masks.min() <= masks.max() < 2**self.n_clients:
            raise ValueError(f"bitmasks must lie in 0..2^{self.n_clients} − 1")
        if not linear_stack(self.model):
            bits = member_bits(masks, self.n_clients) * self.counts
            totals = (
                bits.sum(1, keepdims=True)
                if self.weights == "coalition"
                else np.full((len(bits), 1), self.counts.sum())
            )
            weights = torch.tensor(
                np.divide(bits, totals, out=np.zeros_like(bits), where=totals > 0), dtype=torch.float32
            )
            workers = min(default_workers(), len(weights))
            while len(self.replicas) < workers:
                self.replicas.append(self._replica(copy.deepcopy(self.model)))
            result = np.empty(len(weights))

            def evaluate(k: int, replica: int) -> None:
                result[k] = self._utility(weights[k], replica)

            share(range(len(weights)), range(max(1, workers)), evaluate)
            return result
        with one_thread():  # its tables too: the same floats whatever the caller's threads
            if self._batch is None:  # built on first use: per-coalition callers never pay for it
                self._batch = BatchForward(
                    self.model,
                    self.base,
                    self.updates,
                    self.counts,
                    self.x,
                    self.y,
                    self.batch_memory,
                    metric=self.metric,
                    weights=self.weights,
                )
            return self._batch.utilities(masks)
