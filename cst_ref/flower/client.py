"""The ClientApp: local SGD on this node's partition, replying with the update and its weight.

A client replies with its update Δ_i = θ_i − θ_t rather than θ_i, so the server records
exactly the Δ_i that ``cst_ref.fl`` records, and Flower's FedAvg averages updates (the same
weighted mean, shifted by θ_t). Training is ``cst_ref.fl.local_update`` with the seed
``fedavg_rounds`` would use, so a Flower round and a ``cst_ref.fl`` round do the same work.
"""

from __future__ import annotations

import copy
from typing import cast

import torch
from flwr.app import ArrayRecord, ConfigRecord, Context, Message, MetricRecord, RecordDict
from flwr.clientapp import ClientApp

from cst_ref.fl import local_update

from .spec import FlowerSetup, client_seed, federation

UPDATE_KEY = "arrays"
"""The reply's update record: FedAvg's ``arrayrecord_key``, so Flower averages it."""
CLIENT_KEY = "client"
"""The reply's ConfigRecord naming the partition, so the server can say who delivered."""


def record_int(record: ConfigRecord | MetricRecord, key: str) -> int:
    """The integer ``record`` carries under ``key`` (an integer this app or Flower's FedAvg put
    there; Flower types record values as any scalar or list)."""
    return int(cast(int, record[key]))


def train(msg: Message, context: Context, setup: FlowerSetup) -> Message:
    """One round of local training for the partition this node holds."""
    torch.set_num_threads(1)  # float sums depend on the thread count; one thread replays exactly
    partition_id = int(context.node_config["partition-id"])
    n_partitions = int(context.node_config["num-partitions"])
    if n_partitions != setup.n_clients:
        raise ValueError(f"num-partitions is {n_partitions} but the setup has n_clients = {setup.n_clients}")
    fed = federation(setup)
    theta = torch.from_numpy(msg.content.array_records[UPDATE_KEY].to_numpy_ndarrays()[0].copy())
    t = record_int(msg.content.config_records["config"], "server-round") - 1
    seed = client_seed(setup.fedavg.seed, t, setup.n_clients, partition_id)
    client = fed.clients[partition_id]
    delta = local_update(copy.deepcopy(fed.model), theta, client, setup.fedavg, seed)
    content = RecordDict(
        {
            UPDATE_KEY: ArrayRecord([delta.numpy()]),
            "metrics": MetricRecord({"num-examples": len(client)}),
            CLIENT_KEY: ConfigRecord({"partition-id": partition_id}),
        }
    )
    return Message(content=content, reply_to=msg)


def make_client_app(setup: FlowerSetup | None = None) -> ClientApp:
    """A ClientApp training ``setup``'s federation; ``None`` reads the setup from Flower's run config."""
    app = ClientApp()

    @app.train()
    def _train(msg: Message, context: Context) -> Message:
        return train(msg, context, setup or FlowerSetup.from_run_config(context.run_config))

    return app
