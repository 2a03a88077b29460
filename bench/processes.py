"""Child processes of the bench: started with their output in a file, stopped by their own
pid only, and asked for their peak resident memory."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

STOP_TIMEOUT_S = 10.0


class ChildProcess:
    """One process the bench started; its stdout and stderr go to `log_path`."""

    def __init__(self, argv: Sequence[str], env: Mapping[str, str], log_path: Path) -> None:
        self.log_path = log_path
        with log_path.open("wb") as log:
            self._popen = subprocess.Popen(  # noqa: S603 - our own console script
                list(argv), env=dict(env), stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )  # fmt: skip

    @property
    def pid(self) -> int:
        return self._popen.pid

    def exited(self) -> int | None:
        return self._popen.poll()

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self._popen.poll() is not None:
            return
        self._popen.terminate()
        try:
            self._popen.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self._popen.kill()
            self._popen.wait(timeout=STOP_TIMEOUT_S)

    def cpu_seconds(self) -> float | None:
        """User + system CPU time the live process has used."""
        try:
            stat = Path(f"/proc/{self.pid}/stat").read_text()
        except OSError:
            return None
        # Fields after the parenthesised command name; utime and stime are the 12th and 13th.
        fields = stat.rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def peak_rss_kib(self) -> int | None:
        """VmHWM of the live process, in KiB (None once it has exited)."""
        try:
            status = Path(f"/proc/{self.pid}/status").read_text()
        except OSError:
            return None
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
        return None


class ChildFailed(RuntimeError):
    def __init__(self, what: str, child: ChildProcess) -> None:
        tail = "\n".join(child.output().splitlines()[-20:])
        super().__init__(f"{what} (exit {child.exited()}); last output:\n{tail}")
