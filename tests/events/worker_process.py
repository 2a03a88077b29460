"""`portal-gateway worker` as its own OS process, configured like the gateway under test."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from config import Settings

REPO = Path(__file__).resolve().parents[2]


def worker_env(settings: Settings) -> dict[str, str]:
    """The environment that makes `Settings.from_env()` in the worker equal these settings
    where the worker reads them."""
    values = {
        "REDIS_URL": settings.redis_url,
        "PORTAL_EVENTS_REDIS_URL": settings.events_redis_url,
        "REDIS_KEY_PREFIX": settings.redis_key_prefix,
        "HUBSPOT_BASE_URL": settings.hubspot_base_url,
        "HUBSPOT_ACCESS_TOKEN": settings.hubspot_access_token,
        "PORTAL_SECRET_KEY": settings.secret_key,
        "PORTAL_PUBLIC_URL": settings.public_url,
        "PORTAL_OUTBOX_DIR": str(settings.outbox_dir),
        "PORTAL_WEBHOOK_RETRY_SCALE": str(settings.webhook_retry_scale),
        "PORTAL_WEBHOOK_DISABLE_AFTER": str(settings.webhook_disable_after),
        "PORTAL_WEBHOOK_TIMEOUT_S": str(settings.webhook_timeout_s),
        "PORTAL_WEBHOOK_ALLOW_LOOPBACK": str(settings.webhook_allow_loopback),
        "PORTAL_WORKER_SWEEP_S": str(settings.worker_sweep_s),
        "PORTAL_WORKER_CONCURRENCY": str(settings.worker_concurrency),
        "TWILIO_BASE_URL": settings.twilio_base_url,
        "TWILIO_ACCOUNT_SID": settings.twilio_account_sid,
        "TWILIO_AUTH_TOKEN": settings.twilio_auth_token,
        "TWILIO_FROM_NUMBER": settings.twilio_from_number,
    }
    return {**os.environ, **values}


class WorkerProcess:
    def __init__(self, settings: Settings, log: Path) -> None:
        self.settings = settings
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> WorkerProcess:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-c", "import cli; cli.main(['worker', '--no-sandbox'])"],
                env=worker_env(self.settings),
                cwd=REPO,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self._wait_started()
        return self

    def _wait_started(self) -> None:
        for _ in range(200):
            if b"worker started" in self.log.read_bytes():
                return
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError("the worker exited:\n" + self.log.read_text())
            time.sleep(0.05)
        raise RuntimeError("the worker did not start:\n" + self.log.read_text())

    def kill(self) -> None:
        """SIGKILL: no chance to finish or give back what it holds."""
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None

    def stop(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None
