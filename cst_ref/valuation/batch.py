"""Many coalitions of one round in a few batched tensor operations.

FedAvg mixes linearly: θ_S = θ + Σ_{i∈S} w_i^S Δ_i with w_i^S = n_i / Σ_{j∈S} n_j. So what is
linear in the parameters, the parameters themselves and the first layer's output
layer(x; θ_S) = layer(x; θ) + Σ_{i∈S} w_i^S layer(x; Δ_i), is a weighted sum of n per-client
rows for every coalition. :class:`SubsetTables` forms these sums by table look-up (one add
per coalition, the saving of a Gray-code walk without its sequential loop), and
:class:`BatchForward` runs the rest of a Linear/ReLU network with each coalition's own
parameters as batched matrix products: the time goes to arithmetic, not to per-call dispatch.

Measured on the digits MLP (64-64-10, 359 validation images), one core: of the time per
coalition, the output layer's batched product is about half; the mixing add with the ReLU
fused into it, and the argmax test, share the rest.

Chunks are independent, so worker threads evaluate them side by side, each with its own
buffers (torch releases the GIL in its kernels). A chunk's numbers do not depend on which
worker computes it or how many there are: the accuracies are the same bit for bit.
"""

from __future__ import annotations

import math
import os
import threading
import weakref
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import numpy as np
import torch
from torch import nn
from torch.func import functional_call

#: Target size of a chunk's first-layer outputs: small enough to stay in cache, large enough
#: to amortise per-chunk dispatch (measured on the digits MLP with two workers, n = 16: 64
#: coalitions, 6 MB, 0.92 s a round; 32 coalitions 1.12 s, 128 coalitions 1.0–1.2 s).
CACHE_BYTES = 6 * 2**20
#: Default bound on what the batch path allocates for one round.
MEMORY_BYTES = 2 * 2**30
#: Intermediate tensors per activation counted in the memory estimate (logits, comparisons).
ACTIVATION_COPIES = 2
#: Allowance per worker thread for what its kernels keep (matrix-packing buffers, stack):
#: measured 1–4 MB more peak memory with two workers than the buffers alone.
WORKER_BYTES = 4 * 2**20
#: Widest group of clients whose subset sums are tabled (2^8 rows per table).
MAX_GROUP_BITS = 8
#: Images are padded to a multiple of this (repeating the first): the batched products then
#: run on whole vector lanes (measured on the digits MLP: 359 → 360 images, 15 % faster).
IMAGE_ALIGN = 8

_add_relu = getattr(torch.ops.aten, "_add_relu", None)
_pool: ThreadPoolExecutor | None = None
Job, State = TypeVar("Job"), TypeVar("State")


def default_workers() -> int:
    """Threads for the batch path: the cores that torch's own intra-op threads leave idle (two
    at the book's one torch thread on two cores; one when torch already spreads each kernel)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, cores // torch.get_num_threads())


def _executor() -> ThreadPoolExecutor:
    """The batch path's worker threads, started on first use and shared by every evaluator."""
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=os.cpu_count() or 1, thread_name_prefix="cst-batch")
    return _pool


def share(jobs: Iterable[Job], states: Sequence[State], work: Callable[[Job, State], None]) -> None:
    """``work(job, state)`` for every job: one thread per state, each taking the next job when it
    is free (inline when there is one state). Jobs must not depend on which state runs them."""
    pending, lock, done = iter(jobs), threading.Lock(), object()

    def loop(state: State) -> None:
        with torch.no_grad():  # grad mode is per thread
            while True:
                with lock:
                    job = next(pending, done)
                if job is done:
                    return
                work(job, state)

    if len(states) == 1:
        loop(states[0])
        return
    for running in [_executor().submit(loop, state) for state in states]:
        running.result()


def member_bits(masks: np.ndarray, n: int) -> np.ndarray:
    """(len(masks), n) 0/1 matrix: row r has bit i set ⇔ client i is in coalition masks[r]."""
    return (masks[:, None] >> np.arange(n)) & 1


def evaluation_form(model: nn.Sequential) -> nn.Sequential:
    """``model`` with every ReLU → MaxPool2d pair swapped to MaxPool2d → ReLU (in place).

    ReLU is monotone, so max(relu(a), relu(b)) = relu(max(a, b)) bit for bit: the logits do not
    change, but the ReLU then reads a quarter of the data (measured on the small CNN: the
    first ReLU + pooling 5× faster). The modules are shared with ``model``, not copied.
    """
    modules = list(model)
    for i in range(len(modules) - 1):
        if isinstance(modules[i], nn.ReLU) and isinstance(modules[i + 1], nn.MaxPool2d):
            modules[i], modules[i + 1] = modules[i + 1], nn.ReLU(inplace=True)
    return nn.Sequential(*modules)


def linear_stack(model: nn.Module) -> bool:
    """Is ``model`` a Linear/ReLU stack, which :class:`BatchForward` evaluates in batches?"""
    return isinstance(model, nn.Sequential) and isinstance(model[0], nn.Linear) and all(
        isinstance(m, nn.ReLU) or (isinstance(m, nn.Linear) and m.bias is not None) for m in model
    )


def group_widths(n: int, low_bits: int, width: int) -> list[int]:
    """Bit widths of the client groups: ``low_bits`` first (the coalitions of one chunk), then
    the other clients in near-equal groups of at most ``width``."""
    rest = n - low_bits
    count = -(-rest // width) if rest else 0
    return [low_bits] + [rest // count + (k < rest % count) for k in range(count)]


class Recycler:
    """The first-layer buffers of the last batch evaluator to die, kept for the next one.

    Fresh memory costs a page fault per 4 kB the first time it is written: measured on exact
    MR (n = 10, 10 rounds), 19 MB of tables and chunk buffers a round, 48,000 faults, a third
    of the run. A federation's rounds ask for the same size one after another, so one spare
    buffer, the latest, is enough and caps what is held.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.spare: torch.Tensor | None = None

    def take(self, numel: int) -> torch.Tensor:
        """A float32 buffer of ``numel`` elements, undefined contents: the spare if it fits."""
        with self.lock:
            spare, self.spare = self.spare, None
        return spare if spare is not None and spare.numel() == numel else torch.empty(numel)

    def give(self, buffer: torch.Tensor) -> None:
        with self.lock:
            self.spare = buffer


_recycler = Recycler()


class SubsetTables:
    """Σ_{i∈S} t_i for any coalition S of n clients, by looking up one row per group of clients.

    Clients are split into groups of consecutive bits; each group has a table of the sums over
    all its 2^g subsets. A coalition's sum is the sum of one row per group, added in a fixed
    order (the other groups' rows first, then the first group's), so every path through this
    class rounds a coalition's sum the same way.
    """

    def __init__(self, width: int, widths: list[int], storage: torch.Tensor | None = None) -> None:
        """``storage``: at least ``rows(widths) × width`` elements to hold the tables (fresh if None)."""
        self.widths = widths
        self.shifts = np.cumsum([0] + widths[:-1]).tolist()
        size = self.rows(widths) * width
        storage = torch.empty(size) if storage is None else storage[:size]
        self.tables = list(storage.view(-1, width).split([2**g for g in widths]))
        for table in self.tables:  # the other rows are written by insert
            table[0].zero_()

    @staticmethod
    def rows(widths: list[int]) -> int:
        return sum(2**g for g in widths)

    def insert(self, client: int, term: torch.Tensor) -> None:
        """Add client ``client``'s row ``term`` to its group's table (clients in any order
        within a group would round differently; callers go 0, 1, …, n − 1)."""
        group = int(np.searchsorted(np.cumsum(self.widths), client, side="right"))
        bit, table = client - self.shifts[group], self.tables[group]
        torch.add(table[: 2**bit], term, out=table[2**bit : 2 ** (bit + 1)])

    def indices(self, masks: np.ndarray) -> list[np.ndarray]:
        return [(masks >> s) & (2**g - 1) for s, g in zip(self.shifts, self.widths)]

    def high(self, index: list[int] | list[np.ndarray], out: torch.Tensor) -> torch.Tensor:
        """Σ over groups 1, 2, … of their rows, into ``out`` (zero if there is only one group)."""
        rows = [table[i] for table, i in zip(self.tables[1:], index[1:])]
        if not rows:
            return out.zero_()
        out.copy_(rows[0])
        for row in rows[1:]:
            out += row
        return out

    def high_rows(self, index: list[np.ndarray]) -> torch.Tensor:
        """The sums of groups 1, 2, … for many coalitions, one row each."""
        if len(self.tables) == 1:
            return torch.zeros(1, self.tables[0].shape[1])
        out = self.tables[1][torch.from_numpy(index[1])]
        for table, i in zip(self.tables[2:], index[2:]):
            out += table[torch.from_numpy(i)]
        return out


class Workspace:
    """One worker's chunk buffers: N_S × first-layer outputs and N_S × the other parameters of
    up to ``chunk`` coalitions, and the row of the high groups' sums they share."""

    def __init__(self, hidden: torch.Tensor, n_params: int) -> None:
        chunk, width = hidden.shape
        self.hidden, self.params = hidden, torch.empty(chunk, n_params)
        self.high_hidden, self.high_params = torch.empty(width), torch.empty(n_params)


class BatchForward:
    """Validation accuracy of many coalitions' models of a Linear/ReLU network, in chunks.

    The first layer's outputs and the other parameters, each scaled by N_S = Σ_{i∈S} n_i, come
    from :class:`SubsetTables`; the ReLU after the first layer is fused into their add; the
    later layers run as batched matrix products in a (features × images) layout (3× faster
    than (images × features), whose output dimension is only the 10 classes). A chunk is the
    2^b coalitions that differ only in the first b clients, sized to stay in cache, so
    enumerating coalitions in mask order reads one table row and makes one add per coalition.
    ``workers`` threads (default :func:`default_workers`) take chunks in turn. Peak memory
    stays under ``memory_bytes`` (tables and every worker's buffers and activations counted).
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
        workers: int | None = None,
    ) -> None:
        if not linear_stack(model):
            raise ValueError("the batch path evaluates Linear/ReLU stacks only")
        workers = default_workers() if workers is None else workers
        if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
            raise ValueError(f"workers must be a positive integer, got {workers!r}")
        first, self.rest, self.y = model[0], list(model[1:]), y
        self.counts = np.asarray(counts, dtype=float)
        n, images = len(self.counts), len(x)
        padded = -(-images // IMAGE_ALIGN) * IMAGE_ALIGN
        x = torch.cat([x, x[:1].expand(padded - images, *x.shape[1:])])
        n_first = sum(p.numel() for p in first.parameters())
        self.fused = bool(self.rest) and isinstance(self.rest[0], nn.ReLU)
        self.width = first.out_features * padded
        n_params = base.numel() - n_first
        names = [name for name, _ in first.named_parameters()]
        shapes = [p.shape for p in first.parameters()]

        def first_layer(vector: torch.Tensor) -> torch.Tensor:
            chunks = vector[:n_first].split([s.numel() for s in shapes])
            return functional_call(first, {k: c.view(s) for k, c, s in zip(names, chunks, shapes)}, (x,)).T.reshape(-1)

        activations = sum(m.out_features * padded for m in self.rest if isinstance(m, nn.Linear))
        self.chunk, widths, workers = self._plan(n, 4 * (self.width + n_params),
                                                 4 * ACTIVATION_COPIES * activations, memory_bytes, workers)
        tables = SubsetTables.rows(widths) * self.width
        storage = _recycler.take(tables + workers * self.chunk * self.width)
        weakref.finalize(self, _recycler.give, storage)
        with torch.no_grad():
            base_out = first_layer(base)
            self.hidden = SubsetTables(self.width, widths, storage)
            self.params = SubsetTables(n_params, widths)
            for i, update in enumerate(updates):  # one client's row at a time: no n × row stack
                self.hidden.insert(i, first_layer(update).add_(base_out).mul_(float(self.counts[i])))
                self.params.insert(i, (update[n_first:] + base[n_first:]).mul_(float(self.counts[i])))
            self.empty_hidden = base_out.relu() if self.fused else base_out
            self.empty_params = base[n_first:].clone()
            self.group_totals = [member_bits(np.arange(2**g), g) @ self.counts[s : s + g]
                                 for s, g in zip(self.hidden.shifts, widths)]
            self.low_totals = self.group_totals[0]
        buffers = storage[tables:].view(workers, self.chunk, self.width)
        self.workspaces = [Workspace(buffer, n_params) for buffer in buffers]
        self.images = images
        self.out_shape = (first.out_features, padded)
        self.label_index = y * padded + torch.arange(images)
        classes = [m for m in model if isinstance(m, nn.Linear)][-1].out_features
        self.before = torch.where(torch.arange(classes)[:, None] < y, 0.0, -math.inf)  # see _correct
        offsets = np.cumsum([0] + [p.numel() for m in self.rest for p in m.parameters()])
        self.layers, k = [], 0
        for m in self.rest[1:] if self.fused else self.rest:
            if isinstance(m, nn.ReLU):
                self.layers.append(None)
                continue
            self.layers.append(((int(offsets[k]), m.weight.shape), (int(offsets[k + 1]), m.bias.shape)))
            k += 2

    @staticmethod
    def _plan(n: int, row_bytes: int, activation_bytes: int, memory_bytes: int,
              workers: int) -> tuple[int, list[int], int]:
        """(chunk size, group widths, workers): the largest chunk under the cache target whose
        tables and every worker's buffers and activations fit ``memory_bytes``, with the widest
        groups that then fit; fewer workers only if none fits with ``workers``."""

        def need(bits: int, widths: list[int], workers: int) -> int:
            # tables; the padded images, the empty row and a client's term with its transposed
            # copy; per worker, the chunk buffer, a gathered chunk's two summands and the high row
            rows = SubsetTables.rows(widths) + 4 + workers * (3 * 2**bits + 1)
            return rows * row_bytes + workers * (2**bits * activation_bytes + WORKER_BYTES)

        largest = max(1, CACHE_BYTES // row_bytes)
        for count in range(workers, 0, -1):
            for bits in range(min(n, int(math.log2(largest))), -1, -1):
                for width in range(MAX_GROUP_BITS, 0, -1):
                    widths = group_widths(n, bits, width)
                    if need(bits, widths, count) <= memory_bytes:
                        return 2**bits, widths, count
        raise ValueError(f"batch memory bound of {memory_bytes} bytes is too small: the tables of the clients' "
                         f"first-layer outputs and one worker's buffers need {need(0, group_widths(n, 0, 1), 1)}")

    def accuracies(self, masks: np.ndarray) -> np.ndarray:
        """Validation accuracy of each coalition's model, the workers taking chunks in turn."""
        result = np.empty(len(masks))
        workers = max(1, min(len(self.workspaces), -(-len(masks) // self.chunk)))
        share(range(0, len(masks), self.chunk), self.workspaces[:workers],
              lambda start, space: self._chunk(masks[start : start + self.chunk], space, result[start:]))
        return result

    def _chunk(self, masks: np.ndarray, space: Workspace, out: np.ndarray) -> None:
        """The accuracies of one chunk's coalitions into the start of ``out``."""
        totals = self._mix(masks, space)
        c = len(masks)
        correct = self._correct(self._forward(space.hidden[:c], space.params[:c], totals))
        out[:c] = correct.sum(-1, dtype=torch.float32).numpy() / np.float32(self.images)

    def _mix(self, masks: np.ndarray, space: Workspace) -> np.ndarray:
        """N_S for each coalition (1 for the empty one); N_S × its first-layer outputs (after the
        fused ReLU) and N_S × its other parameters into ``space``'s buffers."""
        c, low_mask = len(masks), 2**self.hidden.widths[0] - 1
        hidden, params = space.hidden[:c], space.params[:c]
        first, last, bits = int(masks[0]), int(masks[-1]), self.hidden.widths[0]
        if last - first == c - 1 and first >> bits == last >> bits:
            # consecutive masks sharing their high clients (enumeration): one row of the high groups
            high = [(first >> s) & (2**g - 1) for s, g in zip(self.hidden.shifts, self.hidden.widths)]
            lo = first & low_mask
            self._add(self.hidden.tables[0][lo : lo + c], self.hidden.high(high, space.high_hidden), hidden, self.fused)
            self._add(self.params.tables[0][lo : lo + c], self.params.high(high, space.high_params), params, False)
            totals = self.low_totals[lo : lo + c] + sum(t[i] for t, i in zip(self.group_totals[1:], high[1:]))
        else:
            index = self.hidden.indices(masks)
            low = torch.from_numpy(index[0])
            self._add(self.hidden.tables[0][low], self.hidden.high_rows(index), hidden, self.fused)
            self._add(self.params.tables[0][low], self.params.high_rows(index), params, False)
            totals = member_bits(masks, len(self.counts)) @ self.counts
        empty = totals == 0
        if empty.any():
            rows = torch.from_numpy(empty)
            hidden[rows], params[rows] = self.empty_hidden, self.empty_params
            totals = np.where(empty, 1.0, totals)
        return np.asarray(totals, dtype=np.float32)

    @staticmethod
    def _add(low: torch.Tensor, high: torch.Tensor, out: torch.Tensor, relu: bool) -> None:
        """out = low + high (rows broadcast), ReLU'd if ``relu``: one pass when torch offers it."""
        if relu and _add_relu is not None:
            _add_relu.out(low, high, out=out)
        else:
            torch.add(low, high, out=out)
            if relu:
                out.relu_()

    def _forward(self, hidden: torch.Tensor, params: torch.Tensor, totals: np.ndarray) -> torch.Tensor:
        """Logits (coalitions, classes, images) of the layers after the first: W_S h + b_S each.

        ``hidden`` and ``params`` hold N_S × the coalition's values; ReLU commutes with a
        positive scale, so 1/N_S is applied to the small weights and biases instead of to h
        (the scales are float32 products formed in numpy: a torch call costs more than they do).
        """
        c, inverse = len(hidden), np.float32(1) / totals
        scale = torch.from_numpy(inverse).view(-1, 1, 1)
        h_scale = torch.from_numpy(inverse * inverse).view(-1, 1, 1)  # h is N_S × its value until the next Linear
        h = hidden.view(c, *self.out_shape)
        for layer in self.layers:
            if layer is None:
                h = h.relu_()
                continue
            (w0, w_shape), (b0, b_shape) = layer
            weight = params[:, w0 : w0 + w_shape.numel()].view(c, *w_shape) * h_scale
            bias = params[:, b0 : b0 + b_shape.numel()].view(c, -1, 1) * scale
            h, h_scale = torch.baddbmm(bias, weight, h), scale
        return h if h_scale is scale else h * scale

    def _correct(self, logits: torch.Tensor) -> torch.Tensor:
        """(coalitions, images): does ``argmax`` over classes (dim 1) give the label?

        ``argmax`` takes the first maximum, so the label wins iff its logit is the maximum and
        no earlier class reaches it (``before`` is 0 for classes below the label, −∞ else).
        Built from ``amax``: this torch build's ``argmax`` is 100× slower on this layout. The
        padding images at the end are left out.
        """
        label = torch.index_select(logits.view(len(logits), -1), 1, self.label_index)
        logits = logits[..., : self.images]
        top = logits.amax(1)
        earlier = (logits + self.before).amax(1)
        return (label == top) & (earlier < top)
