"""The HTTP contract, with an in-memory store and a recording queue: no services needed."""

from typing import Any
from uuid import UUID, uuid4

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from {{ cookiecutter.project_slug }}.api.app import create_app
from {{ cookiecutter.project_slug }}.api.deps import get_enqueuer
from {{ cookiecutter.project_slug }}.jobs.model import Job
from {{ cookiecutter.project_slug }}.layout import DEFAULT_TIER, QUEUES
from {{ cookiecutter.project_slug }}.settings import Settings
from tests.fakes import MemoryJobStore

KEY = {"X-API-Key": "unit-key"}


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

    async def __call__(self, queue: str, job_id: UUID) -> None:
        if self.broken:
            raise ConnectionError("broker is down")
        self.sent.append((queue, job_id))


@pytest.fixture
def app() -> FastAPI:
    settings = Settings(_env_file=None, api_keys="unit-key", max_request_bytes=2048)
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


@pytest.mark.parametrize("tier", QUEUES)
def test_post_job_stores_and_queues_it_on_its_tier(
    client: TestClient, app: FastAPI, tier: str
) -> None:
    response = post(client, {"payload": {"n": 1}, "tier": tier})
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "queued"
    assert app.state.queue.sent == [(tier, UUID(body["id"]))]


def test_tier_defaults_to_the_default_tier(client: TestClient, app: FastAPI) -> None:
    assert post(client, {"payload": 1}).status_code == 202
    assert app.state.queue.sent[0][0] == DEFAULT_TIER


def test_get_job_reports_it(client: TestClient) -> None:
    job_id = post(client, {"payload": [1, 2]}).json()["id"]
    response = client.get(f"/jobs/{job_id}", headers=KEY)
    assert response.status_code == 200
    assert response.json() | {"created_at": None, "updated_at": None} == {
        "id": job_id,
        "tier": DEFAULT_TIER,
        "status": "queued",
        "result": None,
        "error": None,
        "attempts": 0,
        "created_at": None,
        "updated_at": None,
    }


def test_unknown_job_is_404(client: TestClient) -> None:
    assert client.get(f"/jobs/{uuid4()}", headers=KEY).status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"tier": DEFAULT_TIER}, "payload"),
        ({"payload": 1, "tier": "nope"}, "tier"),
        ({"payload": 1, "priority": 9}, "priority"),
        ({"payload": {"n": [1, 2**64]}}, "payload"),
    ],
)
def test_bad_input_is_422_naming_the_field(client: TestClient, body: Any, field: str) -> None:
    response = post(client, body)
    assert response.status_code == 422
    assert [error["loc"][-1] for error in response.json()["detail"]] == [field]


def test_malformed_job_id_is_422(client: TestClient) -> None:
    assert client.get("/jobs/not-a-uuid", headers=KEY).status_code == 422


@pytest.mark.parametrize("headers", [{}, {"X-API-Key": "wrong"}, {"X-API-Key": ""}])
def test_jobs_require_a_valid_api_key(client: TestClient, headers: dict[str, str]) -> None:
    assert post(client, {"payload": 1}, headers).status_code == 401
    assert client.get(f"/jobs/{uuid4()}", headers=headers).status_code == 401


def test_oversized_body_is_413(client: TestClient) -> None:
    assert post(client, {"payload": "x" * 4096}).status_code == 413


def test_broker_down_answers_503_and_fails_the_job(client: TestClient, app: FastAPI) -> None:
    app.state.queue.broken = True
    response = post(client, {"payload": 1})
    assert response.status_code == 503
    [job] = app.state.store.jobs.values()
    assert (job.status, job.error) == ("failed", "could not be queued: ConnectionError")


def test_health_endpoints_need_no_key(client: TestClient) -> None:
    assert client.get("/health/live").json() == {"status": "ok", "checks": {}}
    ready = client.get("/health/ready")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "broker": "ok"}


@pytest.mark.parametrize("down", ["database", "broker"])
def test_ready_is_503_while_a_dependency_is_down(
    client: TestClient, app: FastAPI, down: str
) -> None:
    (app.state.store if down == "database" else app.state.redis).reachable = False
    response = client.get("/health/ready")
    assert response.status_code == 503
    assert response.json()["checks"][down].startswith("unavailable")


class UnreachableStore(MemoryJobStore):
    """Every call fails as a database that went away does: a refused connection."""

    async def add(self, job: Job) -> None:
        raise ConnectionRefusedError("connection refused")

    async def get(self, job_id: UUID) -> Job | None:
        raise ConnectionRefusedError("connection refused")


def test_database_down_answers_503_naming_the_database(client: TestClient, app: FastAPI) -> None:
    app.state.store = UnreachableStore()
    posted = post(client, {"payload": {}})
    read = client.get(f"/jobs/{uuid4()}", headers=KEY)
    for response in (posted, read):
        assert response.status_code == 503, response.text
        assert response.json() == {"detail": "the database is unavailable; retry later"}
        assert response.headers["retry-after"] == "5"
    assert app.state.queue.sent == [], "nothing is queued for a job that was not stored"


def test_an_error_that_is_not_an_outage_is_still_a_500(app: FastAPI) -> None:
    class BrokenStore(MemoryJobStore):
        async def get(self, job_id: UUID) -> Job | None:
            raise ZeroDivisionError("a bug")

    app.state.store = BrokenStore()
    client = TestClient(app, raise_server_exceptions=False)
    assert client.get(f"/jobs/{uuid4()}", headers=KEY).status_code == 500
