"""For tests that run the real service in processes of its own (`gddt serve`, `gddt worker`): a free port, waiting
for a condition, and waiting for a server's health endpoint."""

import socket
import time
from collections.abc import Callable

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate: Callable[[], bool], seconds: float, interval: float = 0.2) -> bool:
    """True as soon as `predicate()` is; False when `seconds` pass first."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False


def is_healthy(base: str) -> bool:
    """The server at `base` answers its health check."""
    try:
        return httpx.get(f"{base}/api/v1/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False
