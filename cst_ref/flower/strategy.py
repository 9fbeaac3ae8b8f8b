"""Flower's FedAvg, recording every round into the :class:`cst_ref.fl.History` valuation reads.

Aggregation stays Flower's own (the weighted mean of the replies' updates); the subclass
only looks at the replies first: who delivered, their Δ_i and n_i. A client that failed
(Flower hands its error reply to the strategy) or never answered is *left out* of the round:
its row of the round's updates is zero and the round's participants omit it, so valuation
and payout see only the clients whose updates are in the global model.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np
import torch
from flwr.app import ArrayRecord, Message, MetricRecord
from flwr.serverapp.strategy import FedAvg
from torch import nn
from torch.nn.utils import parameters_to_vector

from cst_ref.data import Dataset
from cst_ref.fl import History, evaluate

from .client import CLIENT_KEY, UPDATE_KEY, record_int

RoundHook = Callable[[History, int, tuple[int, ...]], object]
"""Called after each round with the history, the round (0-based) and its participants."""


class RecordingFedAvg(FedAvg):
    """FedAvg over all ``n_clients`` nodes every round, keeping ``history`` and ``participants``."""

    def __init__(
        self, model: nn.Module, n_clients: int, validation: Dataset, on_round: RoundHook | None = None
    ) -> None:
        super().__init__(
            fraction_train=1.0, fraction_evaluate=0.0, min_train_nodes=n_clients, min_available_nodes=n_clients
        )
        theta = parameters_to_vector(model.parameters()).detach().clone()
        self.history = History(model, [theta], [], np.zeros(n_clients, dtype=np.int64))
        self.validation = validation
        self.on_round = on_round
        self.participants: list[tuple[int, ...]] = []

    def initial_arrays(self) -> ArrayRecord:
        """θ_0 as the ArrayRecord ``start`` sends out first."""
        return ArrayRecord([self.history.global_params[0].numpy()])

    @staticmethod
    def _client_of(reply: Message) -> int:
        """The partition a reply names (-1 for an error, which carries none)."""
        return -1 if reply.has_error() else record_int(reply.content.config_records[CLIENT_KEY], "partition-id")

    def aggregate_train(
        self, server_round: int, replies: Iterable[Message]
    ) -> tuple[ArrayRecord | None, MetricRecord | None]:
        # Flower sums the updates in the order given, and float sums depend on the order: in client
        # order, not arrival order, the model (and so its payout) does not depend on network timing
        replies = sorted(replies, key=self._client_of)
        mean_update, metrics = super().aggregate_train(server_round, replies)
        history = self.history
        theta = history.global_params[-1]
        updates = torch.zeros(history.n_clients, len(theta))
        delivered = []
        for reply in replies:
            if reply.has_error():
                continue
            client = record_int(reply.content.config_records[CLIENT_KEY], "partition-id")
            updates[client] = torch.from_numpy(reply.content.array_records[UPDATE_KEY].to_numpy_ndarrays()[0])
            history.sample_counts[client] = record_int(reply.content.metric_records["metrics"], self.weighted_by_key)
            delivered.append(client)
        if mean_update is not None:
            theta = theta + torch.from_numpy(mean_update.to_numpy_ndarrays()[0])
        accuracy, loss = evaluate(history.model_with(theta), self.validation)
        history.updates.append(updates)
        history.global_params.append(theta)
        history.metrics.append({"round": server_round, "accuracy": accuracy, "loss": loss})
        self.participants.append(tuple(sorted(delivered)))
        if self.on_round is not None:
            self.on_round(history, server_round - 1, self.participants[-1])
        return ArrayRecord([theta.numpy()]), metrics
