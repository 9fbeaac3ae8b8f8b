"""The Flower app as ``flwr run`` loads it (``[tool.flwr.app.components]`` in pyproject.toml).

Both apps read their setup from Flower's run config (``[tool.flwr.app.config]``, overridden
with ``flwr run --run-config``); the ServerApp pays each round by GTG-Shapley on the twins.
"""

from cst_ref.flower.client import make_client_app
from cst_ref.flower.server import make_server_app

client_app = make_client_app()
server_app = make_server_app()
