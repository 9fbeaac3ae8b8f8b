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
worker computes it or how many there are: the accuracies are the same bit for bit. The
workers are the batch path's parallelism: its kernels run on one torch thread, whatever the
caller set (:func:`cst_ref.fl.one_thread`), so the numbers do not depend on that either.
"""

from __future__ import annotations

import math
import os
import threading
import weakref
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeAlias, TypeVar, cast

import numpy as np
import torch
from torch import nn
from torch.func import functional_call

from cst_ref.fl import one_thread
from cst_ref.valuation.utility import member_bits

#: Target size of a chunk's first-layer outputs: small enough to stay in cache, large enough
#: to amortise per-chunk dispatch (measured on the digits MLP with two workers, n = 16: 64
#: coalitions, 6 MB, 0.86 s a round; 32 coalitions 0.92 s, 96 0.87 s, 128 0.99 s).
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
Job = TypeVar("Job")
State = TypeVar("State")

#: A later Linear layer's place in the flat parameter vector: (offset, shape) of its weight and
#: of its bias; None for a ReLU.
LayerSlots: TypeAlias = tuple[tuple[int, torch.Size], tuple[int, torch.Size]] | None
#: A chunk's views of one later layer: its weights, their scaled copy, its biases, their scaled copy.
LayerViews: TypeAlias = tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor] | None


#: What a coalition's model is scored by: validation accuracy, or the negative mean cross-entropy
#: (smooth where accuracy moves in steps of one validation image; see docs/decisions.md).
METRICS = ("accuracy", "loss")


def check_metric(metric: str) -> str:
    if metric not in METRICS:
        raise ValueError(f"unknown utility metric {metric!r}; expected one of {METRICS}")
    return metric


#: How a coalition's members are weighted in its model θ + Σ_{i∈S} w_i Δ_i: ``coalition``,
#: FedAvg among the members alone (w_i = n_i / Σ_{j∈S} n_j, Song et al. 2019); ``federation``,
#: each member keeps its weight in the whole round's average (w_i = n_i / Σ_j n_j), so the
#: coalition's model is its part of the round's step. Under ``federation`` a client that sends
#: the model back unchanged adds nothing to any coalition (a null player, valued 0); under
#: ``coalition`` it shortens every step it joins, which a round that overshoots rewards.
WEIGHTS = ("coalition", "federation")


def check_weights(weights: str) -> str:
    if weights not in WEIGHTS:
        raise ValueError(f"unknown coalition weights {weights!r}; expected one of {WEIGHTS}")
    return weights


def default_workers() -> int:
    """Threads for the per-coalition path of networks the batch path does not take: the cores
    that torch's own intra-op threads leave idle (one when torch already spreads each kernel)."""
    return max(1, cores() // torch.get_num_threads())


def cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _executor() -> ThreadPoolExecutor:
    """The batch path's worker threads, started on first use and shared by every evaluator."""
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=os.cpu_count() or 1, thread_name_prefix="cst-batch")
    return _pool


def share(jobs: Iterable[Job], states: Sequence[State], work: Callable[[Job, State], None]) -> None:
    """``work(job, state)`` for every job: one thread per state, each taking the next job when it
    is free (inline when there is one state). Jobs must not depend on which state runs them."""
    pending, lock = iter(jobs), threading.Lock()

    def loop(state: State) -> None:
        with torch.no_grad():  # grad mode is per thread
            while True:
                with lock:
                    try:
                        job = next(pending)
                    except StopIteration:
                        return
                work(job, state)

    if len(states) == 1:
        loop(states[0])
        return
    for running in [_executor().submit(loop, state) for state in states]:
        running.result()


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
    return (
        isinstance(model, nn.Sequential)
        and isinstance(model[0], nn.Linear)
        and all(isinstance(m, nn.ReLU) or (isinstance(m, nn.Linear) and m.bias is not None) for m in model)
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
        self.shifts = np.cumsum([0, *widths[:-1]]).tolist()
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
        if len(rows) < 2:
            return out.copy_(rows[0]) if rows else out.zero_()
        torch.add(rows[0], rows[1], out=out)
        for row in rows[2:]:
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
    """One worker's buffers for a chunk: the rows [N_S × first-layer outputs | N_S × the other
    parameters] of up to ``chunk`` coalitions, the row of the high groups' sums they share, each
    later layer's scaled weights and biases, the logits and their maxima over classes.

    Views of them for a chunk of c coalitions are made once per c and kept (:meth:`views`):
    every torch call costs a few microseconds and, with two worker threads, a hand-over of the
    GIL, so a chunk makes as few calls as it can (measured at n = 16 with two workers: 16 more
    calls a chunk of 64 made a round 1.46 s instead of 1.00 s; these buffers and views took
    it from 0.97 s to 0.86 s).
    """

    def __init__(self, owner: BatchForward, rows: torch.Tensor) -> None:
        chunk = len(rows)
        self.rows, self.high = rows, torch.empty(rows.shape[1])
        self.layers = [
            None if layer is None else (torch.empty(chunk, *layer[0][1]), torch.empty(chunk, layer[1][1][0], 1))
            for layer in owner.layers
        ]
        self.logits = torch.empty(chunk, *owner.logits_shape)
        self.maxima = torch.empty(2, chunk, owner.logits_shape[1])
        self._views: dict[int, ChunkViews] = {}

    def views(self, owner: BatchForward, c: int) -> ChunkViews:
        """The views for ``c`` coalitions (``owner`` is passed, not kept: no reference cycle
        delays the evaluator's death, which hands its buffers to the next one)."""
        if c not in self._views:
            self._views[c] = ChunkViews(owner, self, c)
        return self._views[c]


class ChunkViews:
    """The views :meth:`BatchForward._chunk` reads and writes for a chunk of ``c`` coalitions."""

    def __init__(self, owner: BatchForward, space: Workspace, c: int) -> None:
        w = owner.width
        rows = space.rows[:c]
        self.rows, self.hidden_rows, self.params = rows, rows[:, :w], rows[:, w : w + owner.n_params]
        self.hidden = self.hidden_rows.view(c, *owner.out_shape)
        self.high = space.high
        self.high_hidden, self.high_params = space.high[:w], space.high[w:]
        self.layers: list[LayerViews] = []
        for layer, buffers in zip(owner.layers, space.layers):
            if layer is None or buffers is None:  # a ReLU (both are None together)
                self.layers.append(None)
                continue
            (w0, w_shape), (b0, b_shape) = layer
            self.layers.append(
                (
                    self.params[:, w0 : w0 + w_shape.numel()].view(c, *w_shape),
                    buffers[0][:c],
                    self.params[:, b0 : b0 + b_shape.numel()].view(c, -1, 1),
                    buffers[1][:c],
                )
            )
        self.logits, self.flat_logits = space.logits[:c], space.logits[:c].view(c, -1)
        self.top, self.earlier = space.maxima[0, :c], space.maxima[1, :c]
        self.top_images, self.earlier_images = self.top[:, : owner.images], self.earlier[:, : owner.images]


class BatchForward:
    """Validation accuracy (or loss) of many coalitions' models of a Linear/ReLU network, in chunks.

    The first layer's outputs and the other parameters, each scaled by N_S = Σ_{i∈S} n_i, come
    from :class:`SubsetTables`; the ReLU after the first layer is fused into their add; the
    later layers run as batched matrix products in a (features × images) layout (3× faster
    than (images × features), whose output dimension is only the 10 classes). A chunk is the
    2^b coalitions that differ only in the first b clients, sized to stay in cache, so
    enumerating coalitions in mask order reads one table row and makes one add per coalition.
    ``workers`` threads (default: one per core) take chunks in turn, their kernels on one torch
    thread each (:func:`cst_ref.fl.one_thread`). Peak memory
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
        metric: str = "accuracy",
        weights: str = "coalition",
    ) -> None:
        if not linear_stack(model):
            raise ValueError("the batch path evaluates Linear/ReLU stacks only")
        self.metric = check_metric(metric)
        self.weights = check_weights(weights)
        workers = cores() if workers is None else workers
        if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
            raise ValueError(f"workers must be a positive integer, got {workers!r}")
        # linear_stack checked that the first module is a Linear
        first, self.rest, self.y = cast(nn.Linear, model[0]), list(model[1:]), y
        self.counts = np.asarray(counts, dtype=float)
        n, images = len(self.counts), len(x)
        padded = -(-images // IMAGE_ALIGN) * IMAGE_ALIGN
        x = torch.cat([x, x[:1].expand(padded - images, *x.shape[1:])])
        n_first = sum(p.numel() for p in first.parameters())
        self.fused = bool(self.rest) and isinstance(self.rest[0], nn.ReLU)
        self.width = first.out_features * padded
        n_params = base.numel() - n_first
        self.row = self.width + -(-n_params // IMAGE_ALIGN) * IMAGE_ALIGN  # rows start on whole vector lanes
        names = [name for name, _ in first.named_parameters()]
        shapes = [p.shape for p in first.parameters()]

        def first_layer(vector: torch.Tensor) -> torch.Tensor:
            chunks = vector[:n_first].split([s.numel() for s in shapes])
            return functional_call(first, {k: c.view(s) for k, c, s in zip(names, chunks, shapes)}, (x,)).T.reshape(-1)

        activations = sum(m.out_features * padded for m in self.rest if isinstance(m, nn.Linear))
        # per coalition and worker: the activations, and the scaled copies of the later layers' parameters
        self.chunk, widths, workers = self._plan(
            n, 4 * self.row, 4 * (ACTIVATION_COPIES * activations + n_params), memory_bytes, workers
        )
        tables = SubsetTables.rows(widths) * self.row
        storage = _recycler.take(tables + workers * self.chunk * self.row)
        weakref.finalize(self, _recycler.give, storage)
        pad = torch.zeros(self.row - self.width - n_params)

        def row(hidden: torch.Tensor, params: torch.Tensor) -> torch.Tensor:
            return torch.cat([hidden, params, pad])

        with torch.no_grad():
            base_out = first_layer(base)
            self.tables = SubsetTables(self.row, widths, storage)
            federation = self.weights == "federation"
            if federation:  # every coalition's sum starts from N × θ: θ + Σ_{i∈S} (n_i / N) Δ_i after 1/N
                self.tables.tables[0][0] = row(base_out, base[n_first:]).mul_(float(self.counts.sum()))
            for i, update in enumerate(updates):  # one client's row at a time: no n × row stack
                count = float(self.counts[i])
                out = first_layer(update)  # linear in the layer's parameters: the update's part alone
                if federation:
                    term = row(out, update[n_first:])
                else:
                    term = row(out.add_(base_out), update[n_first:] + base[n_first:])
                self.tables.insert(i, term.mul_(count))
            self.empty_row = row(base_out.relu() if self.fused else base_out, base[n_first:])
            self.group_totals = [
                member_bits(np.arange(2**g), g) @ self.counts[s : s + g] for s, g in zip(self.tables.shifts, widths)
            ]
            self.low_totals = self.group_totals[0]
        classes = [m for m in model if isinstance(m, nn.Linear)][-1].out_features
        self.n_params, self.logits_shape = n_params, (classes, padded)
        self.images = images
        self.out_shape = (first.out_features, padded)
        self.label_index = y * padded + torch.arange(images)
        y = torch.cat([y, y[:1].expand(padded - images)])
        self.before = torch.where(torch.arange(classes)[:, None] < y, 0.0, -math.inf)  # see _correct
        offsets = np.cumsum([0] + [p.numel() for m in self.rest for p in m.parameters()])
        self.layers: list[LayerSlots] = []
        k = 0
        for m in self.rest[1:] if self.fused else self.rest:
            if isinstance(m, nn.ReLU):
                self.layers.append(None)
                continue
            linear = cast(nn.Linear, m)  # linear_stack: every module after the first is a ReLU or a Linear
            self.layers.append(((int(offsets[k]), linear.weight.shape), (int(offsets[k + 1]), linear.bias.shape)))
            k += 2
        self.last_linear = max((k for k, layer in enumerate(self.layers) if layer is not None), default=-1)
        self.workspaces = [Workspace(self, rows) for rows in storage[tables:].view(workers, self.chunk, self.row)]

    @staticmethod
    def _plan(
        n: int, row_bytes: int, activation_bytes: int, memory_bytes: int, workers: int
    ) -> tuple[int, list[int], int]:
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
        raise ValueError(
            f"batch memory bound of {memory_bytes} bytes is too small: the tables of the clients' "
            f"first-layer outputs and one worker's buffers need {need(0, group_widths(n, 0, 1), 1)}"
        )

    def utilities(self, masks: np.ndarray) -> np.ndarray:
        """Each coalition's validation accuracy (or negative mean cross-entropy, ``metric="loss"``),
        the workers taking chunks in turn."""
        result = np.empty(len(masks))
        workers = max(1, min(len(self.workspaces), -(-len(masks) // self.chunk)))
        with one_thread():
            share(
                range(0, len(masks), self.chunk),
                self.workspaces[:workers],
                lambda start, space: self._chunk(masks[start : start + self.chunk], space, result[start:]),
            )
        return result

    def _chunk(self, masks: np.ndarray, space: Workspace, out: np.ndarray) -> None:
        """The utilities of one chunk's coalitions into the start of ``out``."""
        views = space.views(self, len(masks))
        totals = self._mix(masks, views)
        logits = self._forward(views, totals)
        if self.metric == "loss":
            out[: len(masks)] = -self._loss(logits, views).numpy()
            return
        correct = self._correct(logits, views)
        out[: len(masks)] = correct.sum(-1, dtype=torch.float32).numpy() / np.float32(self.images)

    def _mix(self, masks: np.ndarray, views: ChunkViews) -> np.ndarray:
        """N_S for each coalition (1 for the empty one; N for all under ``federation`` weights);
        into ``views.rows``, each coalition's row [N_S × first-layer outputs (after the fused
        ReLU) | N_S × other parameters]."""
        c, tables, bits, w = len(masks), self.tables, self.tables.widths[0], self.width
        first, last = int(masks[0]), int(masks[-1])
        if last - first == c - 1 and first >> bits == last >> bits and (np.diff(masks) == 1).all():
            # consecutive masks sharing their high clients (enumeration): one row of the high groups
            index = [(first >> s) & (2**g - 1) for s, g in zip(tables.shifts, tables.widths)]
            low = tables.tables[0][index[0] : index[0] + c]
            high, high_hidden, high_params = tables.high(index, views.high), views.high_hidden, views.high_params
            totals = self.low_totals[index[0] : index[0] + c] + sum(
                t[i] for t, i in zip(self.group_totals[1:], index[1:])
            )
        else:
            index = tables.indices(masks)
            low, high = tables.tables[0][torch.from_numpy(index[0])], tables.high_rows(index)
            high_hidden, high_params = high[:, :w], high[:, w:]
            totals = member_bits(masks, len(self.counts)) @ self.counts
        if self.fused and _add_relu is not None:
            _add_relu.out(low[:, :w], high_hidden, out=views.hidden_rows)
            torch.add(low[:, w:], high_params, out=views.rows[:, w:])
        else:
            torch.add(low, high, out=views.rows)
            if self.fused:
                views.hidden_rows.relu_()
        if self.weights == "federation":
            totals = np.full(c, self.counts.sum())
        empty = totals == 0
        if empty.any():
            views.rows[torch.from_numpy(empty)] = self.empty_row
            totals = np.where(empty, 1.0, totals)
        return np.asarray(totals, dtype=np.float32)

    def _forward(self, views: ChunkViews, totals: np.ndarray) -> torch.Tensor:
        """Logits (coalitions, classes, images) of the layers after the first, W_S h + b_S each,
        the last layer's into ``views.logits``.

        The rows hold N_S × the coalition's values; ReLU commutes with a positive scale, so 1/N_S
        is applied to the small weights and biases instead of to h (the scales are float32
        products formed in numpy: a torch call costs more than they do).
        """
        inverse = (np.float32(1) / totals).reshape(-1, 1, 1)
        scale = torch.from_numpy(inverse)
        h_scale = torch.from_numpy(inverse * inverse)  # h is N_S × its value until the next Linear
        h = views.hidden
        for k, layer in enumerate(views.layers):
            if layer is None:
                h = h.relu_()
                continue
            weight, weight_out, bias, bias_out = layer
            torch.mul(weight, h_scale, out=weight_out)
            torch.mul(bias, scale, out=bias_out)
            h = torch.baddbmm(bias_out, weight_out, h, out=views.logits if k == self.last_linear else None)
            h_scale = scale
        return h if h_scale is scale else h * scale

    def _loss(self, logits: torch.Tensor, views: ChunkViews) -> torch.Tensor:
        """(coalitions,): mean cross-entropy over the real images (the padding left out)."""
        label = torch.index_select(views.flat_logits, 1, self.label_index)
        return (torch.logsumexp(logits, 1)[:, : self.images] - label).mean(1)

    def _correct(self, logits: torch.Tensor, views: ChunkViews) -> torch.Tensor:
        """(coalitions, images): does ``argmax`` over classes (dim 1) give the label?

        ``argmax`` takes the first maximum, so the label wins iff its logit is the maximum and
        no earlier class reaches it (``before`` is 0 for classes below the label, −∞ else).
        Built from ``amax``: this torch build's ``argmax`` is 100× slower on this layout. The
        padding images at the end are left out.
        """
        label = torch.index_select(views.flat_logits, 1, self.label_index)
        top, earlier = views.top_images, views.earlier_images
        torch.amax(logits, 1, out=views.top)
        torch.amax(logits.add_(self.before), 1, out=views.earlier)
        return (label == top) & (earlier < top)
