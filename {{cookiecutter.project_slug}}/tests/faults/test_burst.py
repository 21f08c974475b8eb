"""A burst of jobs at full worker concurrency: every job succeeds, with no event-loop or
connection errors, and the workers never hold more database connections than configured."""

import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

from fastapi.testclient import TestClient

from {{ cookiecutter.project_slug }}.settings import Settings
from tests.integration.db import count_worker_connections, worker_connection_bound
from tests.services import post_job, wait_finished

from .conftest import Env
from .workers import running_worker

BURST = 120
CONCURRENCY = 8


class PeakSampler:
    """Samples a count in a background thread and keeps the highest value seen."""

    def __init__(self, sample: Callable[[], int]) -> None:
        self.peak = 0
        self.samples = 0
        self._sample = sample
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> "PeakSampler":
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._sample())
            self.samples += 1
            time.sleep(0.02)


def test_a_burst_at_full_concurrency_stays_within_the_connection_bound(
    services: Settings,
    fault_env: Callable[..., Env],
    api_for: Callable[[Env], AbstractContextManager[TestClient]],
    tmp_path: Path,
) -> None:
    env = fault_env()
    bound = worker_connection_bound(services, CONCURRENCY)
    with api_for(env) as api:
        # What is open before the worker starts is not the worker's (it is 0 on PostgreSQL,
        # which counts by process; MongoDB counts the whole server).
        before = count_worker_connections(services)
        with (
            running_worker(env, tmp_path / "worker.log", CONCURRENCY) as worker,
            PeakSampler(lambda: count_worker_connections(services) - before) as connections,
        ):
            started = time.monotonic()
            ids = [post_job(api, {"sleep": 0.02, "message": str(n)}) for n in range(BURST)]
            jobs = [wait_finished(api, job_id, timeout=120) for job_id in ids]
            elapsed = time.monotonic() - started

    succeeded = sum(job["status"] == "succeeded" for job in jobs)
    assert succeeded == BURST, f"{succeeded} of {BURST} jobs succeeded in {elapsed:.1f}s"
    assert 0 < connections.peak <= bound, (
        f"workers held up to {connections.peak} database connections "
        f"(bound {bound}, {services.worker_db_mode} mode, {connections.samples} samples)"
    )
    errors = worker.loop_errors()
    assert not errors, f"the worker logged {errors} during a burst of {BURST} jobs"
