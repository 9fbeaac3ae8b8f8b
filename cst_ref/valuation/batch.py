"""Many coalitions of one round in a few batched tensor operations.

FedAvg mixes linearly: θ_S = θ + Σ_{i∈S} w_i^S Δ_i with w_i^S = n_i / Σ_{j∈S} n_j. So what is
linear in the parameters, the parameters themselves and the first layer's output
layer(x; θ_S) = layer(x; θ) + Σ_{i∈S} w_i^S layer(x; Δ_i), is a weighted sum of n per-client
rows for every coalition. :class:`SubsetMixer` forms these sums for a chunk of coalitions at
once, and :class:`BatchForward` runs the rest of the network with each coalition's own
parameters, as batched matrix products where it can: the time goes to arithmetic, not to
per-call dispatch.
"""

from __future__ import annotations

import copy
import math

import numpy as np
import torch
from torch import nn
from torch.func import functional_call
from torch.nn.utils import vector_to_parameters

#: Target size of a chunk's first-layer outputs: small enough to stay in cache, large enough
#: to amortise per-chunk dispatch (measured on the digits MLP: 32 coalitions, 3 MB, is fastest;
#: 2,048-coalition chunks are 2× slower).
CACHE_BYTES = 3 * 2**20
#: Default bound on what the batch path allocates for one round.
MEMORY_BYTES = 2 * 2**30
#: Intermediate tensors per activation counted in the memory estimate (ReLU and pooling write
#: new tensors, convolutions take a workspace).
ACTIVATION_COPIES = 2


def member_bits(masks: np.ndarray, n: int) -> np.ndarray:
    """(len(masks), n) 0/1 matrix: row r has bit i set ⇔ client i is in coalition masks[r]."""
    return (masks[:, None] >> np.arange(n)) & 1


class SubsetMixer:
    """For a chunk of coalitions S: N_S·(base + Σ_{i∈S} w_i^S r_i) = Σ_{i∈S} n_i (base + r_i) and
    N_S = Σ_{i∈S} n_i, so that the caller divides by N_S or folds 1/N_S into a smaller tensor.

    The sums of the first ``low_bits`` = k clients' terms are tabled for all 2^k subsets; the
    other clients' sum is one small matrix product per distinct set of them. The 2^k
    coalitions that share their high clients (how enumeration in mask order visits them)
    then cost one add each instead of n multiply-adds: the saving of a Gray-code walk,
    without its sequential loop. The empty coalition gets (base, 1).
    """

    def __init__(self, base: torch.Tensor, rows: torch.Tensor, counts: np.ndarray, low_bits: int) -> None:
        """``rows`` (n × D) is consumed: it is overwritten in place."""
        self.base, self.counts, self.low_bits = base, np.asarray(counts, dtype=float), low_bits
        terms = rows.add_(base).mul_(torch.tensor(self.counts, dtype=rows.dtype)[:, None])  # in place: no copy
        self.high = terms[low_bits:]
        self.table = torch.zeros(2**low_bits, base.numel(), dtype=rows.dtype)
        for i in range(low_bits):
            torch.add(self.table[: 2**i], terms[i], out=self.table[2**i : 2 ** (i + 1)])
        self.low_totals = member_bits(np.arange(2**low_bits), low_bits) @ self.counts[:low_bits]

    def mix(self, masks: np.ndarray, out: torch.Tensor) -> torch.Tensor:
        """N_S for each coalition; the sums are written into ``out[:len(masks)]``.

        A reused buffer matters: a fresh multi-megabyte tensor per chunk is a fresh memory
        mapping, and its page faults cost more than the additions (measured 3×).
        """
        out = out[: len(masks)]
        low = masks & (2**self.low_bits - 1)
        high, inverse = np.unique(masks >> self.low_bits, return_inverse=True)
        high_bits = member_bits(high, len(self.high))
        totals = self.low_totals[low] + (high_bits @ self.counts[self.low_bits :])[inverse]
        high_sums = torch.from_numpy(high_bits.astype(np.float32)) @ self.high
        if len(high) == 1 and low[-1] - low[0] == len(low) - 1:  # consecutive masks: no gather
            torch.add(self.table[low[0] : low[-1] + 1], high_sums[0], out=out)
        else:
            torch.index_select(self.table, 0, torch.from_numpy(low), out=out)
            out += high_sums[torch.from_numpy(inverse)]
        empty = totals == 0
        if empty.any():
            out[torch.from_numpy(empty)] = self.base
            totals[empty] = 1.0
        return torch.from_numpy(totals.astype(np.float32))


class BatchForward:
    """Validation accuracy of many coalitions' models, in chunks under a memory bound.

    Each chunk mixes the clients' first-layer outputs (computed once) together with the
    remaining parameters in one :class:`SubsetMixer`, then runs the rest of the network:
    for Linear/ReLU stacks on all its coalitions at once, as batched matrix products in a
    (features × images) layout (3× faster than (images × features), whose output dimension is
    only the 10 classes); for anything else one coalition at a time, with channels-last
    images. A convolutional network's chunks hold a single coalition anyway (its first-layer
    outputs are tens of megabytes), and its cost is the arithmetic of the later layers, which
    batching does not reduce (measured on the small CNN: ``torch.func.vmap`` over grouped
    convolutions 1.7× slower than this loop, which is within 25 % of the per-coalition path).
    """

    def __init__(
        self,
        model: nn.Sequential,
        base: torch.Tensor,
        updates: torch.Tensor,
        counts: np.ndarray,
        x: torch.Tensor,
        y: torch.Tensor,
        memory_bytes: int = MEMORY_BYTES,
    ) -> None:
        first, self.rest, self.y = model[0], model[1:], y
        names = [name for name, _ in first.named_parameters()]
        shapes = [p.shape for p in first.parameters()]
        n_first = sum(p.numel() for p in first.parameters())
        self.transposed = all(isinstance(m, (nn.Linear, nn.ReLU)) for m in model)

        def first_layer(vector: torch.Tensor) -> torch.Tensor:
            chunks = vector[:n_first].split([s.numel() for s in shapes])
            out = functional_call(first, {n: c.view(s) for n, c, s in zip(names, chunks, shapes)}, (x,))
            if out.dim() == 4:  # stored channels-last: the convolutions after it then read it without a copy
                out = out.permute(0, 2, 3, 1)
            return (out.T if self.transposed else out).reshape(-1)

        with torch.no_grad():
            base_out = first_layer(base)
            sample = first(x[:1]).shape
            if len(sample) == 4:
                sample = (sample[0], sample[2], sample[3], sample[1])
            self.out_shape = (sample[1], len(x)) if self.transposed else (len(x), *sample[1:])
            self.width = base_out.numel()
            row = self.width + base.numel() - n_first
            per_coalition = 4 * (row + ACTIVATION_COPIES * self._activations(base_out))
            self.chunk = self._chunk_size(len(counts), 4 * self.width, per_coalition, 4 * (len(counts) + 2) * row,
                                          memory_bytes)
            rows = torch.empty(len(counts), row)  # filled in place: building it needs no second copy
            for i, update in enumerate(updates):
                rows[i, : self.width] = first_layer(update)
            rows[:, self.width :] = updates[:, n_first:]
            self.mixer = SubsetMixer(torch.cat([base_out, base[n_first:]]), rows, counts, int(math.log2(self.chunk)))
            self.buffer = torch.empty(self.chunk, row)
        self._layers()

    def _activations(self, base_out: torch.Tensor) -> int:
        """Elements of every intermediate tensor of the rest of the network, one coalition."""
        h, total = self._as_input(base_out.view(self.out_shape)), 0
        for module in self.rest:
            h = module(h.T).T if self.transposed and isinstance(module, nn.Linear) else module(h)
            total += h.numel()
        return total

    @staticmethod
    def _chunk_size(n: int, first_bytes: int, per_coalition: int, fixed: int, memory_bytes: int) -> int:
        """Largest power of two ≤ 2^n that meets the cache target and, with the mixer's table
        (one row per coalition of a chunk) and the clients' rows, the memory bound."""
        fits = (memory_bytes - fixed) // (2 * per_coalition)
        if fits < 1:
            raise ValueError(f"batch memory bound of {memory_bytes} bytes is too small: the clients' first-layer "
                             f"outputs and one coalition need {fixed + 2 * per_coalition}")
        chunk = min(fits, max(1, CACHE_BYTES // first_bytes), 2**n)
        return 2 ** int(math.log2(chunk))

    def _layers(self) -> None:
        """Offsets of each Linear's weight and bias in the mixed parameters, or a copy of the
        rest of the network whose parameters are views of one flat buffer (loading is a copy)."""
        shapes = [p.shape for p in self.rest.parameters()]
        if self.transposed:
            offsets = iter(zip(np.cumsum([0] + [s.numel() for s in shapes]) + self.width, shapes))
            self.linear = [None if isinstance(m, nn.ReLU) else (next(offsets), next(offsets)) for m in self.rest]
            return
        self.rest = copy.deepcopy(self.rest)
        self.rest_flat = torch.empty(sum(s.numel() for s in shapes))
        vector_to_parameters(self.rest_flat, self.rest.parameters())

    def accuracies(self, masks: np.ndarray) -> np.ndarray:
        """Validation accuracy of each coalition's model, one chunk at a time."""
        result = np.empty(len(masks))
        before = torch.where(torch.arange(int(self.y.max()) + 1)[:, None] < self.y, 0.0, -math.inf)
        with torch.no_grad():
            for start in range(0, len(masks), self.chunk):
                chunk = masks[start : start + self.chunk]
                totals = self.mixer.mix(chunk, self.buffer)
                mixed = self.buffer[: len(chunk)]
                hidden = mixed[:, : self.width].view(len(chunk), *self.out_shape)
                if self.transposed:
                    logits = self._transposed(hidden, mixed, totals)
                else:
                    mixed /= totals[:, None]
                    logits = torch.stack([self._one(h, p) for h, p in zip(hidden, mixed[:, self.width :])])
                result[start : start + len(chunk)] = self._correct(logits, before).float().mean(-1).numpy()
        return result

    def _one(self, hidden: torch.Tensor, params: torch.Tensor) -> torch.Tensor:
        """(classes, images) logits of one coalition through the rest of the network."""
        self.rest_flat.copy_(params)
        return self.rest(self._as_input(hidden)).T

    @staticmethod
    def _as_input(hidden: torch.Tensor) -> torch.Tensor:
        """Images stored (images, height, width, channels) as an NCHW view in channels-last layout."""
        return hidden.permute(0, 3, 1, 2) if hidden.dim() == 4 else hidden

    def _correct(self, logits: torch.Tensor, before: torch.Tensor) -> torch.Tensor:
        """(coalitions, images): does ``argmax`` over classes (dim 1) give the label?

        ``argmax`` takes the first maximum, so the label wins iff its logit is the maximum and
        no earlier class reaches it (``before`` is 0 for classes below the label, −∞ else).
        Built from ``amax``: this torch build's ``argmax`` is 100× slower on this layout.
        """
        top = logits.amax(1)
        label = logits.gather(1, self.y.expand(len(logits), 1, -1)).squeeze(1)
        earlier = (logits[:, : len(before)] + before).amax(1)
        return (label == top) & (earlier < top)

    def _transposed(self, h: torch.Tensor, mixed: torch.Tensor, totals: torch.Tensor) -> torch.Tensor:
        """Linear/ReLU stack on (coalitions, features, images): W_S h + b_S per coalition.

        ``h`` and ``mixed`` hold N_S × the coalition's values; ReLU commutes with a positive
        scale, so 1/N_S is applied to the small weights and biases instead of to ``h``.
        """
        c, inverse = len(h), 1.0 / totals.view(-1, 1, 1)
        h_scale = inverse  # h is N_S × its value until the first Linear after the first layer
        for layer in self.linear:
            if layer is None:
                h = h.relu_()
                continue
            (w0, w_shape), (b0, b_shape) = layer
            weight = mixed[:, w0 : w0 + w_shape.numel()].view(c, *w_shape) * (inverse * h_scale)
            bias = mixed[:, b0 : b0 + b_shape.numel()].view(c, -1, 1) * inverse
            h, h_scale = torch.baddbmm(bias, weight, h), 1.0
        return h
