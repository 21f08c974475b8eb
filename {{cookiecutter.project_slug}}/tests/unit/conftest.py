"""The unit suite's API under test: the real app, with an in-memory store and a recording queue."""

from typing import Any
from uuid import UUID

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from {{ cookiecutter.project_slug }}.api.app import create_app
from {{ cookiecutter.project_slug }}.api.deps import get_enqueuer
from {{ cookiecutter.project_slug }}.jobs.model import Job
from {{ cookiecutter.project_slug }}.settings import Settings
from tests.fakes import MemoryJobStore

ECHO = {"kind": "echo", "payload": {"message": "hi"}}

#: The unit suite's API key, and the name its jobs are recorded under.
KEY = {"X-API-Key": "unit-key"}
OWNER = "unit"
#: Another client's key: it must not see the first one's jobs.
OTHER_KEY = {"X-API-Key": "other-key"}


class FakeRedis:
    def __init__(self) -> None:
        self.reachable = True

    async def ping(self) -> bool:
        if not self.reachable:
            raise ConnectionError("redis is down")
        return True


class RecordingQueue:
    def __init__(self) -> None:
        self.sent: list[tuple[str, UUID]] = []
        self.broken = False

    async def __call__(self, job: Job) -> None:
        if self.broken:
            raise ConnectionError("broker is down")
        self.sent.append((job.queue, job.id))


@pytest.fixture
def app() -> FastAPI:
    settings = Settings(
        _env_file=None, api_keys=f"{OWNER}:unit-key,other:other-key", max_request_bytes=2048
    )
    app = create_app(settings)
    # No lifespan here: the unit suite wires fakes in place of the database and Redis.
    app.state.store = MemoryJobStore()
    app.state.redis = FakeRedis()
    app.dependency_overrides[get_enqueuer] = lambda: app.state.queue
    app.state.queue = RecordingQueue()
    return app


@pytest.fixture
def client(app: FastAPI) -> TestClient:
    return TestClient(app)


def post(client: TestClient, body: Any, headers: dict[str, str] = KEY) -> Any:
    return client.post("/jobs", json=body, headers=headers)
