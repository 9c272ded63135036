"""Run ``replylab serve`` in a child process: for the crash, shutdown and HTTPS tests and benchmarks.

The child is a real uvicorn server on a loopback port; :meth:`kill` sends
SIGKILL (no shutdown handlers run), :meth:`terminate` sends SIGTERM (the
server drains its requests in flight) without waiting, :meth:`start` can be
called again on the same database to simulate a restart.

>>> server = SurveyServerProcess("tilburg", "sqlite://", port=8123, extra_args=["--secure-cookies"])
>>> server.command()[3:]
['serve', 'tilburg', '--db', 'sqlite://', '--port', '8123', '--workers', '1', '--secure-cookies']
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def write_study_variant(study, out_dir, *, min_view_seconds: float) -> Path:
    """Copy ``study``'s YAML into ``out_dir`` with another minimum viewing time.

    Bots cannot wait 15 s on every vignette in a test; everything else in the
    study file stays as it is.
    """
    source = Path(study.path).read_text(encoding="utf-8")
    changed, n = re.subn(r"(?m)^(\s*min_view_seconds:\s*)[0-9.]+", rf"\g<1>{min_view_seconds}",
                         source)
    if n != 1:
        raise ValueError(f"{study.path}: expected one 'min_view_seconds:' line, found {n}")
    out = Path(out_dir) / "study.yaml"
    out.write_text(changed, encoding="utf-8")
    return out


class SurveyServerProcess:
    """``replylab serve STUDY --db URL --port PORT`` as a child process.

    Parameters
    ----------
    study : str or path
        What ``replylab serve`` accepts (a shipped name or a study file).
    db_url : str
        The database URL (kept across restarts).
    admin_token : str
        Passed as ``REPLYLAB_ADMIN_TOKEN``.
    port : int, optional
        A free loopback port by default.
    log_path : path, optional
        The child's output goes here (appended); discarded by default.
    workers : int
        ``--workers``.
    extra_args : list of str
        More options for ``replylab serve`` (``--secure-cookies``, ``--proxy-headers``, ...).
    """

    def __init__(self, study, db_url: str, *, admin_token: str = "bench", port: int | None = None,
                 log_path=None, workers: int = 1, extra_args=()):
        self.study = str(study)
        self.db_url = db_url
        self.admin_token = admin_token
        self.port = port or free_port()
        self.log_path = log_path
        self.workers = workers
        self.extra_args = list(extra_args)
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        """The child's command line."""
        return [sys.executable, "-m", "study.cli", "serve", self.study, "--db", self.db_url,
                "--port", str(self.port), "--workers", str(self.workers), *self.extra_args]

    def start(self, timeout: float = 30.0) -> None:
        """Start the server and wait until it accepts connections."""
        env = dict(os.environ, REPLYLAB_ADMIN_TOKEN=self.admin_token,
                   PYTHONPATH=os.pathsep.join(filter(None, [str(REPO_ROOT),
                                                            os.environ.get("PYTHONPATH")])))
        log = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL
        self.process = subprocess.Popen(self.command(), cwd=REPO_ROOT, env=env, stdout=log,
                                        stderr=log)
        if self.log_path:
            log.close()  # the child holds its own copy
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"replylab serve exited with code {self.process.returncode}"
                                   + (f"; see {self.log_path}" if self.log_path else ""))
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"replylab serve did not listen on port {self.port} within {timeout} s")

    def kill(self) -> None:
        """SIGKILL: the process dies at once, no cleanup runs."""
        if self.process and self.process.poll() is None:
            for pid in self._worker_pids():  # uvicorn's worker processes die too
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def terminate(self) -> None:
        """SIGTERM, without waiting: the server drains its requests in flight, then exits."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)

    def wait(self, timeout: float = 30.0) -> int:
        """Wait for the child to end and return its exit code (negative: killed by that signal)."""
        return self.process.wait(timeout=timeout)

    def _worker_pids(self) -> list[int]:
        """Child processes of the server (uvicorn workers), read from /proc."""
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == self.process.pid:
                pids.append(int(entry.name))
        return pids

    def stop(self) -> None:
        """Stop politely (SIGTERM), then by force."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()
