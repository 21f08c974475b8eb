"""Integration fixtures: a real Celery worker in-process, and the API with its lifespan.

The services themselves (`settings`, `services`) come from tests/services.py.
"""

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from celery import Celery
from celery.worker import WorkController
from fastapi.testclient import TestClient

from {{ cookiecutter.project_slug }}.api.app import create_app
from {{ cookiecutter.project_slug }}.layout import IO_POOL, QUEUES
from {{ cookiecutter.project_slug }}.settings import Settings
from {{ cookiecutter.project_slug }}.shared_loop import SharedLoopRunner
from {{ cookiecutter.project_slug }}.worker import asyncio_pool, runtime
from {{ cookiecutter.project_slug }}.worker.celery_app import app as real_celery_app
from tests.services import wait_finished

WORKER_CONCURRENCY = 8


# celery.contrib.pytest: run the project's own app, consuming every queue, on the threads pool
# (prefork cannot run in-process) or on the asyncio pool where the I/O tiers use it.
@pytest.fixture(scope="session")
def celery_session_app(services: Settings) -> Celery:
    return real_celery_app


@pytest.fixture(scope="session")
def celery_worker_pool() -> str:
    return asyncio_pool.POOL_ENV["CELERY_CUSTOM_WORKER_POOL"] if IO_POOL == "custom" else "threads"


@pytest.fixture(scope="session")
def celery_worker_parameters() -> dict[str, Any]:
    return {
        "queues": QUEUES,
        "concurrency": WORKER_CONCURRENCY,
        "perform_ping_check": False,
        "shutdown_timeout": 30,
    }


@pytest.fixture(scope="session")
def worker_runtime(services: Settings) -> Iterator[runtime.WorkerRuntime]:
    """What the worker's start-up signal creates; the embedded test worker does not send it.

    On the asyncio pool, its shared loop runs from here on, so tests can use it before the
    worker starts (the pool's start finds it running) and after it stops."""
    started = runtime.start(services, shared_loop=IO_POOL == "custom")
    if isinstance(started.loops, SharedLoopRunner):
        started.loops.start()
    yield started
    runtime.stop()


@pytest.fixture(scope="session")
def worker(
    worker_runtime: runtime.WorkerRuntime, celery_session_worker: WorkController
) -> WorkController:
    return celery_session_worker


@pytest.fixture(scope="session")
def api(services: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(services)) as client:
        yield client


@pytest.fixture
def wait_for_job(api: TestClient) -> Callable[..., dict[str, Any]]:
    def wait(job_id: str, timeout: float = 30.0) -> dict[str, Any]:
        return wait_finished(api, job_id, timeout)

    return wait
