"""Servers a fault test owns, so it can kill and restart them for real.

The shared Redis and PostgreSQL are never touched: each test starts its own `redis-server`
(and, for PostgreSQL, its own cluster) on a free port, in a temporary directory that is
removed afterwards. Tests that need them are marked `restarts`; CI jobs whose services are
containers (nothing to restart, often no server binaries) leave them out with
`-m "not restarts"` and keep the proxy-based tests in test_outages.py.
"""

import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        time.sleep(0.05)
    raise AssertionError(f"nothing listened on port {port} within {timeout:g}s")


def _binary(name: str, hint: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed ({hint}); or deselect with -m 'not restarts'")
    return found


class RedisServer:
    """A redis-server of this test's own: `kill9()` it, `start()` it again on the same port."""

    def __init__(self, directory: Path, *, persistent: bool, maxmemory_policy: str = "") -> None:
        self.binary = _binary("redis-server", "apt-get install redis-server")
        self.directory = directory
        self.port = free_port()
        self.persistent = persistent
        self.maxmemory_policy = maxmemory_policy
        self.process: subprocess.Popen[bytes] | None = None
        self.start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        # With persistence: an append-only file fsynced every write, as a broker that must
        # not lose acknowledged messages would run. Without: nothing survives a restart.
        persistence = ["--appendonly", "yes", "--appendfsync", "always"] if self.persistent else []
        policy = ["--maxmemory-policy", self.maxmemory_policy] if self.maxmemory_policy else []
        command = [
            self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
            "--dir", str(self.directory), *persistence, *policy,
        ]  # fmt: skip
        with (self.directory / "redis.log").open("ab") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        wait_for_port(self.port, timeout=10)

    def kill9(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)

    def pause(self) -> None:
        """SIGSTOP: the server keeps its connections but answers nothing, as a hung host."""
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill9()


@contextlib.contextmanager
def redis_server(
    directory: Path, *, persistent: bool, maxmemory_policy: str = ""
) -> Iterator[RedisServer]:
    server = RedisServer(directory, persistent=persistent, maxmemory_policy=maxmemory_policy)
    try:
        yield server
    finally:
        server.stop()


class PostgresCluster:
    """A PostgreSQL cluster of this test's own, in a temporary directory, on a free port.

    initdb and the server refuse to run as root, so they run as the `postgres` user (through
    runuser, which needs root); the data directory is that user's and is removed afterwards.
    """

    def __init__(self) -> None:
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
        if not bins:
            pytest.fail("PostgreSQL's server binaries are not installed (pg_ctl); or deselect "
                        "with -m 'not restarts'")  # fmt: skip
        runuser = shutil.which("runuser")
        if os.geteuid() != 0 or runuser is None:
            pytest.fail("starting a PostgreSQL cluster needs root (runuser -u postgres); "
                        "or deselect with -m 'not restarts'")  # fmt: skip
        self.runuser = runuser
        self.bin = Path(bins[-1]).parent
        # Not pytest's tmp_path: its parents are private to root, and the server runs as postgres.
        self.directory = Path(tempfile.mkdtemp(prefix="fault-pg-"))
        self.directory.chmod(0o700)
        shutil.chown(self.directory, "postgres", "postgres")
        self.data = self.directory / "data"
        self.port = free_port()
        self._as_postgres(
            str(self.bin / "initdb"), "--auth=trust", "--username=postgres", "--no-sync",
            "-D", str(self.data),
        )  # fmt: skip
        self.start()

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/faults"

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.directory} -c fsync=off"
        self._pg_ctl("start", "-w", "-t", "30", "-o", options, "-l", str(self.directory / "log"))

    def stop(self) -> None:
        """A fast shutdown: sessions are cut, as a restart or a failover cuts them."""
        self._pg_ctl("stop", "-m", "fast", "-w", "-t", "30")

    def remove(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self._pg_ctl("stop", "-m", "immediate", "-w", "-t", "30")
        shutil.rmtree(self.directory, ignore_errors=True)

    def _pg_ctl(self, *args: str) -> None:
        self._as_postgres(str(self.bin / "pg_ctl"), "-D", str(self.data), *args)

    def _as_postgres(self, *command: str) -> None:
        subprocess.run(
            [self.runuser, "-u", "postgres", "--", *command],
            check=True, capture_output=True, timeout=60, cwd=self.directory,
        )  # fmt: skip


@contextlib.contextmanager
def postgres_cluster() -> Iterator[PostgresCluster]:
    cluster = PostgresCluster()
    try:
        yield cluster
    finally:
        cluster.remove()
