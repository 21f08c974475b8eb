"""The HTTP contract, with an in-memory store and a recording queue: no services needed."""

import asyncio
from typing import Any
from uuid import UUID, uuid4

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from {{ cookiecutter.project_slug }}.jobs.kinds import KINDS
from {{ cookiecutter.project_slug }}.jobs.model import Job, JobStatus
from {{ cookiecutter.project_slug }}.layout import CPU_QUEUE, DEFAULT_TIER, TIERS
from tests.fakes import MemoryJobStore
from tests.unit.conftest import ECHO, KEY, OWNER, post


@pytest.mark.parametrize("tier", TIERS)
def test_post_job_stores_and_queues_it_on_its_tier(
    client: TestClient, app: FastAPI, tier: str
) -> None:
    response = post(client, ECHO | {"tier": tier})
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "queued"
    assert app.state.queue.sent == [(tier, UUID(body["id"]))]


#: A valid payload for each example kind.
EXAMPLES: dict[str, Any] = {
    "echo": {},
    "summarize": {"text": "a"},
    "digest": {},
    "report": {"sections": ["a"]},
}


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_each_kind_goes_to_its_default_tier(client: TestClient, app: FastAPI, name: str) -> None:
    assert post(client, {"kind": name, "payload": EXAMPLES[name]}).status_code == 202
    assert app.state.queue.sent[0][0] == KINDS[name].default_tier


def test_cpu_work_goes_to_the_cpu_queue_where_there_is_one(
    client: TestClient, app: FastAPI
) -> None:
    assert post(client, {"kind": "digest", "payload": {}}).status_code == 202
    assert app.state.queue.sent[0][0] == (CPU_QUEUE or DEFAULT_TIER)


def test_get_job_reports_it(client: TestClient) -> None:
    job_id = post(client, ECHO).json()["id"]
    response = client.get(f"/jobs/{job_id}", headers=KEY)
    assert response.status_code == 200
    assert response.json() | {"created_at": None, "updated_at": None} == {
        "id": job_id,
        "kind": "echo",
        "tier": DEFAULT_TIER,
        "status": "queued",
        "result": None,
        "error": None,
        "attempts": 0,
        "progress": None,
        "progress_message": None,
        "cancel_requested": False,
        "parent_id": None,
        "owner": OWNER,
        "children": None,
        "created_at": None,
        "updated_at": None,
    }


def test_a_parent_shows_how_far_its_children_are(client: TestClient, app: FastAPI) -> None:
    store: MemoryJobStore = app.state.store
    parent = Job(
        id=uuid4(),
        kind="report",
        queue=DEFAULT_TIER,
        status=JobStatus.WAITING,
        payload={},
        children_total=3,
        owner=OWNER,
    )
    asyncio.run(store.add(parent))
    for status in (JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.RUNNING):
        child = Job(
            id=uuid4(),
            kind="summarize",
            queue=DEFAULT_TIER,
            status=status,
            payload={},
            parent_id=parent.id,
        )
        asyncio.run(store.add(child))
    body = client.get(f"/jobs/{parent.id}", headers=KEY).json()
    assert body["status"] == "waiting"
    assert body["children"] == {"total": 3, "finished": 2, "succeeded": 1, "failed": 1}


def test_unknown_job_is_404(client: TestClient) -> None:
    assert client.get(f"/jobs/{uuid4()}", headers=KEY).status_code == 404


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"kind": "echo"}, ["body", "echo", "payload"]),
        ({"kind": "echo", "payload": {"sleep": -1}}, ["body", "echo", "payload", "sleep"]),
        ({"kind": "echo", "payload": {"typo": 1}}, ["body", "echo", "payload", "typo"]),
        ({"kind": "summarize", "payload": {}}, ["body", "summarize", "payload", "text"]),
        (ECHO | {"tier": "nope"}, ["body", "echo", "tier"]),
        (ECHO | {"priority": 9}, ["body", "echo", "priority"]),
        ({"payload": {}}, ["body"]),
    ],
)
def test_bad_input_is_422_naming_the_field(client: TestClient, body: Any, loc: list[str]) -> None:
    response = post(client, body)
    assert response.status_code == 422
    assert [error["loc"] for error in response.json()["detail"]] == [loc]


def test_an_unknown_kind_is_422_listing_the_known_ones(client: TestClient) -> None:
    response = post(client, {"kind": "nope", "payload": {}})
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert "kind" in error["msg"]
    assert all(f"'{name}'" in error["msg"] for name in KINDS)


def test_a_tier_the_kind_may_not_run_on_is_422(client: TestClient) -> None:
    # The CPU queue, on the split layout; elsewhere every queue is a tier echo may use.
    response = post(client, ECHO | {"tier": CPU_QUEUE or "not-a-tier"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "echo", "tier"]


def test_openapi_documents_every_kind_as_a_discriminated_union(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    body = spec["paths"]["/jobs"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body["discriminator"]["propertyName"] == "kind"
    assert set(body["discriminator"]["mapping"]) == set(KINDS)


def test_kinds_lists_every_kind_with_its_payload_schema(client: TestClient) -> None:
    kinds = {kind["name"]: kind for kind in client.get("/kinds", headers=KEY).json()}
    assert set(kinds) == set(KINDS)
    assert "text" in kinds["summarize"]["payload_schema"]["properties"]
    assert kinds["report"]["fans_out"] is True


def test_malformed_job_id_is_422(client: TestClient) -> None:
    assert client.get("/jobs/not-a-uuid", headers=KEY).status_code == 422


@pytest.mark.parametrize("headers", [{}, {"X-API-Key": "wrong"}, {"X-API-Key": ""}])
def test_jobs_require_a_valid_api_key(client: TestClient, headers: dict[str, str]) -> None:
    assert post(client, ECHO, headers).status_code == 401
    assert client.get(f"/jobs/{uuid4()}", headers=headers).status_code == 401


def test_oversized_body_is_413(client: TestClient) -> None:
    assert post(client, {"kind": "echo", "payload": {"message": "x" * 4096}}).status_code == 413


def test_broker_down_answers_503_and_fails_the_job(client: TestClient, app: FastAPI) -> None:
    app.state.queue.broken = True
    response = post(client, ECHO)
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

    async def add(self, job: Job) -> Job | None:
        raise ConnectionRefusedError("connection refused")

    async def get(self, job_id: UUID, visible_to: str | None = None) -> Job | None:
        raise ConnectionRefusedError("connection refused")


def test_database_down_answers_503_naming_the_database(client: TestClient, app: FastAPI) -> None:
    app.state.store = UnreachableStore()
    posted = post(client, ECHO)
    read = client.get(f"/jobs/{uuid4()}", headers=KEY)
    for response in (posted, read):
        assert response.status_code == 503, response.text
        assert response.json() == {"detail": "the database is unavailable; retry later"}
        assert response.headers["retry-after"] == "5"
    assert app.state.queue.sent == [], "nothing is queued for a job that was not stored"


def test_an_error_that_is_not_an_outage_is_still_a_500(app: FastAPI) -> None:
    class BrokenStore(MemoryJobStore):
        async def get(self, job_id: UUID, visible_to: str | None = None) -> Job | None:
            raise ZeroDivisionError("a bug")

    app.state.store = BrokenStore()
    client = TestClient(app, raise_server_exceptions=False)
    assert client.get(f"/jobs/{uuid4()}", headers=KEY).status_code == 500
