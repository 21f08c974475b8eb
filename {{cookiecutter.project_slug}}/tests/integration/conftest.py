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
from {{ cookiecutter.project_slug }}.layout import QUEUES
from {{ cookiecutter.project_slug }}.settings import Settings
from {{ cookiecutter.project_slug }}.worker import runtime
from {{ cookiecutter.project_slug }}.worker.celery_app import app as real_celery_app
from tests.services import wait_finished

WORKER_CONCURRENCY = 8


# celery.contrib.pytest: run the project's own app, on the threads pool, consuming every queue.
@pytest.fixture(scope="session")
def celery_session_app(services: Settings) -> Celery:
    return real_celery_app


@pytest.fixture(scope="session")
def celery_worker_pool() -> str:
    return "threads"


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
    """What the worker's start-up signal creates; the embedded test worker does not send it."""
    started = runtime.start(services)
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
