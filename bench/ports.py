"""A free TCP port on the loopback interface."""

from __future__ import annotations

import socket

LOOPBACK = "127.0.0.1"


def free_port() -> int:
    # The port is free when we look; the gateway binds it a moment later. Nothing else on a
    # bench machine races for ephemeral ports in that window often enough to matter.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        port: int = probe.getsockname()[1]
        return port
