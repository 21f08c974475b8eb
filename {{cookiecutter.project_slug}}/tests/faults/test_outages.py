"""Redis or the database goes away mid-run and comes back: no queued job is lost.

Each outage is a proxy the test cuts (every connection reset, new ones refused) and then
restores, so the shared servers are never touched.
"""

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from {{ cookiecutter.project_slug }}.settings import Settings
from {{ cookiecutter.project_slug }}.worker.celery_app import REQUEUE_TASK, create_celery_app
from tests.integration.db import database_address, environment_via
from tests.services import post_job, wait_finished

from .conftest import Env, settings_for
from .proxy import TcpProxy
from .workers import running_worker

JOBS = 16
OUTAGE_SECONDS = 3.0
#: Limits short enough for the sweep to act within the test. A message that Redis had just
#: handed over when the connection was cut is gone, and only the sweep brings its job back.
SWEEP_ENV = {
    "TASK_TIME_LIMIT": "2.5",
    "TASK_HARD_LIMIT_MARGIN": "1",
    "TASK_RETRY_BACKOFF_MAX": "1",
    # Above the 1 + 2.5 + 1 s a message can stay unacknowledged; the sweep's delay above it
    # plus the 1 s redelivery scan (the settings refuse anything less).
    "BROKER_VISIBILITY_TIMEOUT": "5",
    "JOB_REQUEUE_AFTER": "7",
}
SWEEP_EVERY_SECONDS = 2.0


@contextmanager
def sweeping(env: Env) -> Iterator[None]:
    """Send the sweep task every SWEEP_EVERY_SECONDS, as beat would, until the block ends."""
    celery = create_celery_app(settings_for(env))
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(SWEEP_EVERY_SECONDS):
            celery.send_task(REQUEUE_TASK)

    thread = threading.Thread(target=beat, name="test-beat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=10)
        celery.close()


def redis_via(settings: Settings, proxy: TcpProxy) -> str:
    """The Redis URL with its host and port replaced by the proxy's."""
    url = urlsplit(settings.redis_url)
    credentials = url.netloc.rpartition("@")[0]
    address = f"127.0.0.1:{proxy.port}"
    return url._replace(netloc=f"{credentials}@{address}" if credentials else address).geturl()


def redis_proxy(settings: Settings) -> TcpProxy:
    url = urlsplit(settings.redis_url)
    return TcpProxy(url.hostname or "127.0.0.1", url.port or 6379)


def run_through_outage(
    api: TestClient, proxy: TcpProxy, payload: dict[str, float]
) -> tuple[list[dict[str, object]], float]:
    """Post JOBS jobs, cut the proxy while they run, restore it, wait for all of them."""
    ids = [post_job(api, payload) for _ in range(JOBS)]
    time.sleep(0.5)  # some are running, most are queued
    with proxy.outage():
        time.sleep(OUTAGE_SECONDS)
    restored = time.monotonic()
    jobs = [wait_finished(api, job_id, timeout=90) for job_id in ids]
    return jobs, time.monotonic() - restored


def summary(jobs: list[dict[str, object]]) -> dict[str, object]:
    """Jobs counted by status, with the distinct reasons of any failures."""
    statuses: dict[str, object] = {}
    for job in jobs:
        statuses[str(job["status"])] = int(str(statuses.get(str(job["status"]), 0))) + 1
    errors = sorted({str(job["error"]) for job in jobs if job["error"]})
    return statuses | ({"errors": errors} if errors else {})


def test_queued_jobs_complete_after_redis_restarts(
    services: Settings,
    fault_env: Callable[..., Env],
    api_for: Callable[[Env], AbstractContextManager[TestClient]],
    tmp_path: Path,
) -> None:
    with redis_proxy(services) as proxy:
        # The API (and the test's beat) publish straight to Redis; the worker's broker
        # connection goes through the proxy, so the worker is the one that loses Redis mid-run.
        env = fault_env(**SWEEP_ENV)
        worker_env = env | {"REDIS_URL": redis_via(services, proxy)}
        with (
            api_for(env) as api,
            # Restarted if it exits: a threads-pool worker can stop with "Unrecoverable error"
            # when the cut lands mid-acknowledgement (a kombu race, seen under load), and
            # compose's restart policy brings it back the same way.
            running_worker(worker_env, tmp_path / "worker.log", restart=True) as worker,
            sweeping(env),
        ):
            jobs, recovered_in = run_through_outage(api, proxy, {"sleep": 0.2})
    statuses = summary(jobs)
    assert statuses == {"succeeded": JOBS}, (
        f"after a {OUTAGE_SECONDS:g}s Redis outage: {statuses} of {JOBS} jobs, "
        f"{recovered_in:.1f}s after Redis came back (swept every {SWEEP_EVERY_SECONDS:g}s, "
        f"worker restarted {worker.restarts} times)"
    )
    assert not worker.loop_errors(), worker.loop_errors()


def test_queued_jobs_complete_after_the_database_comes_back(
    services: Settings,
    fault_env: Callable[..., Env],
    api_for: Callable[[Env], AbstractContextManager[TestClient]],
    tmp_path: Path,
) -> None:
    with TcpProxy(*database_address(services)) as proxy:
        env = fault_env()
        worker_env = env | environment_via(services, proxy.port)
        with api_for(env) as api, running_worker(worker_env, tmp_path / "worker.log") as worker:
            jobs, recovered_in = run_through_outage(api, proxy, {"sleep": 0.2})
    statuses = summary(jobs)
    retried = sum(1 for job in jobs if int(str(job["attempts"])) > 1)
    assert statuses == {"succeeded": JOBS}, (
        f"after a {OUTAGE_SECONDS:g}s database outage: {statuses} of {JOBS} jobs "
        f"({retried} retried), {recovered_in:.1f}s after the database came back"
    )
    assert not worker.loop_errors(), worker.loop_errors()


@pytest.mark.parametrize("dependency", ["database", "broker"])
def test_ready_is_503_while_a_dependency_is_down_and_200_once_back(
    services: Settings,
    fault_env: Callable[..., Env],
    api_for: Callable[[Env], AbstractContextManager[TestClient]],
    dependency: str,
) -> None:
    if dependency == "database":
        proxy = TcpProxy(*database_address(services))
        env = fault_env() | environment_via(services, proxy.port)
    else:
        proxy = redis_proxy(services)
        env = fault_env(REDIS_URL=redis_via(services, proxy))
    with proxy, api_for(env) as api:
        assert api.get("/health/ready").status_code == 200
        with proxy.outage():
            down = api.get("/health/ready")
        started = time.monotonic()
        while (
            up := api.get("/health/ready")
        ).status_code != 200 and time.monotonic() - started < 15:
            time.sleep(0.1)
    assert down.status_code == 503, down.text
    assert down.json()["checks"][dependency].startswith("unavailable"), down.json()
    waited = time.monotonic() - started
    assert up.status_code == 200, f"{up.status_code} {waited:.1f}s after {dependency} came back"
