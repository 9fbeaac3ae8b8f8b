"""Sphinx extension: the kernels that execute the chapters talk to the build over encrypted ZMQ.

ipykernel warns on every start that its TCP traffic is plain text unless the kernel manager
provisions CurveZMQ keys, which jupyter_client does only when asked (policy ``auto``, honoured
for kernelspecs that declare ``supported_encryption: curve``, as ipykernel's does). The build
creates its kernel managers deep inside myst-nb → jupyter-cache → nbclient with no way to pass
configuration, so this sets the policy's default before any is created.
"""

from __future__ import annotations

from typing import Any

from jupyter_client.manager import KernelManager


def setup(app: Any) -> dict[str, Any]:
    KernelManager.class_traits()["transport_encryption"].default_value = "auto"
    return {"parallel_read_safe": True, "parallel_write_safe": True}
