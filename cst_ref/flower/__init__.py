"""Many clients on Flower: a ClientApp over cst_ref's data and models, and a FedAvg that pays.

Flower is an optional extra (``pip install '.[flower]'``): importing this package without it
raises a ``ModuleNotFoundError`` that names the install command, instead of failing deep
inside a submodule.
"""

from importlib.util import find_spec

INSTALL_HINT = "pip install '.[flower]'  (or: pip install 'cst-ref[flower]')"

if find_spec("flwr") is None or find_spec("ray") is None:
    raise ModuleNotFoundError(
        f"cst_ref.flower needs Flower's simulation engine (flwr[simulation]); install the extra: {INSTALL_HINT}",
        name="flwr",
    )

from cst_ref.flower.client import make_client_app, train  # noqa: E402
from cst_ref.flower.payer import RoundPayer  # noqa: E402
from cst_ref.flower.server import FlowerRun, make_server_app, simulate  # noqa: E402
from cst_ref.flower.spec import FlowerSetup, federation  # noqa: E402
from cst_ref.flower.strategy import RecordingFedAvg  # noqa: E402

__all__ = [
    "INSTALL_HINT",
    "FlowerRun",
    "FlowerSetup",
    "RecordingFedAvg",
    "RoundPayer",
    "federation",
    "make_client_app",
    "make_server_app",
    "simulate",
    "train",
]
