"""`make check` on a machine without Redis: `.ci/redis` starts one, or fails at once with one
line saying how; never four freshness tests failing on assertions."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
from pathlib import Path

import redis

SCRIPT = Path(__file__).resolve().parent.parent / ".ci" / "redis"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _run(port: int, path: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {"PATH": path, "REDIS_PORT": str(port), "TMPDIR": str(tmp_path)}
    return subprocess.run(  # noqa: S603 - our own script, fixed arguments
        ["/bin/bash", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=30, check=False
    )


def test_without_redis_server_it_fails_at_once_with_one_line_saying_how(tmp_path: Path) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()

    ran = _run(_free_port(), str(empty), tmp_path)

    assert ran.returncode == 1
    assert ran.stdout == ""
    assert len(ran.stderr.splitlines()) == 1
    assert "apt-get install redis-server" in ran.stderr


def test_with_redis_server_installed_it_starts_one_that_answers(tmp_path: Path) -> None:
    port = _free_port()

    ran = _run(port, os.environ["PATH"], tmp_path)

    pidfile = tmp_path / f"portal-gateway-redis-{port}" / "redis.pid"
    try:
        assert ran.returncode == 0, ran.stderr
        assert ran.stdout == f"starting redis-server on 127.0.0.1:{port}\n"
        with redis.Redis(host="127.0.0.1", port=port) as client:
            assert client.ping() is True
        assert _run(port, "", tmp_path).returncode == 0  # answering: nothing more to do
    finally:
        if pidfile.exists():
            os.kill(int(pidfile.read_text()), signal.SIGTERM)
