"""Real worker processes for fault tests, started with the same command line as compose's."""

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from {{ cookiecutter.project_slug }}.layout import IO_POOL, QUEUES
from {{ cookiecutter.project_slug }}.worker.asyncio_pool import POOL_ENV

PACKAGE = "{{ cookiecutter.project_slug }}"

#: What async code behind Celery says when loops or connections are shared where they must
#: not be: the failures this service is built to avoid.
LOOP_ERRORS = (
    "attached to a different loop",
    "bound to a different event loop",
    "Event loop is closed",
    "another operation is in progress",
)


#: Seconds Redis waits before it hands an unacknowledged job to another worker, in the tests
#: that kill a worker: short, so they need not wait an hour for the redelivery.
KILL_VISIBILITY_TIMEOUT = 5
#: Settings for those tests: the time limit plus the longest retry wait stays below it.
KILL_SETTINGS = {
    "BROKER_VISIBILITY_TIMEOUT": str(KILL_VISIBILITY_TIMEOUT),
    "TASK_TIME_LIMIT": "2.5",
    "TASK_HARD_LIMIT_MARGIN": "1",
    "TASK_RETRY_BACKOFF_MAX": "1",
}


class WorkerProcess:
    """A worker; with `restart`, started again whenever it exits, as compose's
    `restart: unless-stopped` does (`restarts` counts how often)."""

    def __init__(
        self,
        env: dict[str, str],
        log: Path,
        concurrency: int = 4,
        *,
        restart: bool = False,
        pool: str = IO_POOL,
    ) -> None:
        self.log = log
        # `--pool=custom` is the asyncio pool, as the compose command line names it.
        self.env = os.environ | (POOL_ENV if pool == "custom" else {}) | env
        self.command = [
            sys.executable, "-m", "celery", "-A", f"{PACKAGE}.worker.celery_app", "worker",
            f"--queues={','.join(QUEUES)}", f"--hostname=faults-{uuid.uuid4().hex[:8]}@%h",
            f"--pool={pool}",
            # DEBUG: the tests count Celery's per-task lines, which INFO leaves out.
            f"--concurrency={concurrency}", "--loglevel=DEBUG",
        ]  # fmt: skip
        self.restarts = 0
        self._stopping = threading.Event()
        self.process = self._start()
        self._wait_ready(timeout=60)
        self._supervisor: threading.Thread | None = None
        if restart:
            self._supervisor = threading.Thread(target=self._supervise, daemon=True)
            self._supervisor.start()

    def kill9(self) -> None:
        """SIGKILL the whole worker, mid-task: no warm shutdown, no acknowledgement."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> int:
        """SIGTERM: the warm shutdown compose and Kubernetes use."""
        self._stopping.set()
        if self._supervisor is not None:
            self._supervisor.join(timeout=10)
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.kill9()
        return self.process.returncode

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def loop_errors(self) -> list[str]:
        """Which of LOOP_ERRORS the worker has logged."""
        output = self.output()
        return [error for error in LOOP_ERRORS if error in output]

    def _start(self) -> "subprocess.Popen[bytes]":
        with self.log.open("ab") as out:
            return subprocess.Popen(
                self.command,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: kill -9 takes prefork children too
            )

    def _supervise(self) -> None:
        while not self._stopping.wait(0.2):
            if self.process.poll() is not None:
                self.restarts += 1
                self.process = self._start()

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if " ready." in self.output():
                return
            if self.process.poll() is not None:
                raise AssertionError(
                    f"worker exited with {self.process.returncode}:\n{self.output()[-3000:]}"
                )
            time.sleep(0.1)
        self.kill9()
        raise AssertionError(f"worker not ready within {timeout:g}s:\n{self.output()[-3000:]}")


@contextlib.contextmanager
def running_worker(
    env: dict[str, str],
    log: Path,
    concurrency: int = 4,
    *,
    restart: bool = False,
    pool: str = IO_POOL,
) -> Iterator[WorkerProcess]:
    worker = WorkerProcess(env, log, concurrency, restart=restart, pool=pool)
    try:
        yield worker
    finally:
        worker.stop()
