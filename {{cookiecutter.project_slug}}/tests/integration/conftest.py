"""Integration fixtures: real Redis, the real database, and a real Celery worker in-process.

Services are found on localhost's default ports unless REDIS_URL and the database URL say
otherwise. A missing service fails the run with one line saying how to start it.
"""

import os
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis
from celery import Celery
from celery.worker import WorkController
from fastapi.testclient import TestClient

from {{ cookiecutter.project_slug }}.api.app import create_app
from {{ cookiecutter.project_slug }}.db import prepare_database
from {{ cookiecutter.project_slug }}.jobs.model import FINISHED
from {{ cookiecutter.project_slug }}.layout import QUEUES
from {{ cookiecutter.project_slug }}.settings import Settings
from {{ cookiecutter.project_slug }}.worker import runtime
from {{ cookiecutter.project_slug }}.worker.celery_app import app as real_celery_app

from .db import TEST_ENVIRONMENT, database_problem

for _name, _value in TEST_ENVIRONMENT.items():
    os.environ.setdefault(_name, _value)

API_KEY = os.environ["API_KEYS"].split(",")[0]
HEADERS = {"X-API-Key": API_KEY}
WORKER_CONCURRENCY = 8


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "integration" in item.path.parts:
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings(_env_file=None)


@pytest.fixture(scope="session")
def services(settings: Settings) -> Settings:
    """Check Redis and the database answer, then bring the schema up to date."""
    problems = [p for p in (_redis_problem(settings.redis_url), database_problem(settings)) if p]
    if problems:
        pytest.fail("; ".join(problems), pytrace=False)
    prepare_database(settings)
    return settings


def _redis_problem(url: str) -> str | None:
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        return (
            f"Redis is not reachable at {url} ({type(exc).__name__}): start it "
            "(redis-server, or docker compose up -d redis) or set REDIS_URL"
        )
    return None


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
        deadline = time.monotonic() + timeout
        while True:
            body: dict[str, Any] = api.get(f"/jobs/{job_id}", headers=HEADERS).json()
            if body["status"] in FINISHED or time.monotonic() > deadline:
                return body
            time.sleep(0.05)

    return wait
