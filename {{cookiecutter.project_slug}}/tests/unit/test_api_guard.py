"""Every request is answered below 500: the key before the body, then strict JSON, sizes, types."""

from collections.abc import Iterator
from typing import Any
from uuid import uuid4

import anyio
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.types import Message

from {{ cookiecutter.project_slug }}.api.deps import CallerDep
from {{ cookiecutter.project_slug }}.api.routing import keyed_router
from {{ cookiecutter.project_slug }}.settings import Settings
from tests.unit.conftest import KEY

HOSTILE_BODIES = [
    rb'{"kind": "echo", "payload": {"text": "a\u0000b"}}',
    rb'{"kind": "echo", "payload": {"a\u0000": 1}}',
    rb'{"kind": "echo", "payload": "\ud800"}',
    b'{"kind": "echo", "payload": NaN}',
    b'{"kind": "echo", "payload": [1e400]}',
    b'{"kind": "echo", "payload": 18446744073709551616}',
    b'{"kind": "echo", "payload": {"$ref": "jobs", "$id": 1}}',
    b'{"kind": "echo", "payload": ' + b"[" * 300 + b"]" * 300 + b"}",
]


@pytest.mark.parametrize("body", HOSTILE_BODIES)
def test_hostile_json_is_422_and_nothing_is_stored_or_queued(
    client: TestClient, app: FastAPI, body: bytes
) -> None:
    headers = KEY | {"Content-Type": "application/json"}
    response = client.post("/jobs", content=body, headers=headers)
    assert response.status_code == 422, response.text
    [error, *_] = response.json()["detail"]
    assert error["loc"][:2] == ["body", "payload"]
    assert (app.state.store.jobs, app.state.queue.sent) == ({}, [])


def test_the_text_field_is_named(client: TestClient) -> None:
    body = rb'{"kind": "echo", "payload": {"text": "\u0000"}}'
    response = client.post(
        "/jobs", content=body, headers=KEY | {"Content-Type": "application/json"}
    )
    assert response.json()["detail"][0]["loc"] == ["body", "payload", "text"]


MALFORMED: Message = {"type": "http.request", "body": b"{not json", "more_body": False}


def call_without_reading_the_body(
    app: FastAPI, headers: dict[str, str], message: Message = MALFORMED
) -> tuple[int, bool]:
    """POST /jobs straight through ASGI; the status, and whether the app asked for the body."""
    read = False
    answer: dict[str, Any] = {}

    async def receive() -> Message:
        nonlocal read
        read = True
        return message

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/jobs",
        "raw_path": b"/jobs",
        "root_path": "",
        "query_string": b"",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 1),
        "server": ("testserver", 80),
        "app": app,
    }
    anyio.run(app, scope, receive, send)
    return answer["status"], read


@pytest.mark.parametrize("key", [None, "wrong", ""])
def test_no_valid_key_is_401_before_the_body_is_read(app: FastAPI, key: str | None) -> None:
    headers = {"content-type": "application/json"} | ({"x-api-key": key} if key is not None else {})
    assert call_without_reading_the_body(app, headers) == (401, False)


def test_with_a_valid_key_the_same_body_is_read_and_refused(app: FastAPI) -> None:
    headers = {"content-type": "application/json", "x-api-key": KEY["X-API-Key"]}
    assert call_without_reading_the_body(app, headers) == (422, True)


def test_a_client_that_leaves_mid_body_is_no_server_error(app: FastAPI) -> None:
    headers = {"content-type": "application/json", "x-api-key": KEY["X-API-Key"]}
    gone: Message = {"type": "http.disconnect"}
    assert call_without_reading_the_body(app, headers, gone) == (400, True)


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data", None]
)
def test_a_body_that_is_not_json_by_its_type_is_415(
    client: TestClient, content_type: str | None
) -> None:
    headers = KEY | ({"Content-Type": content_type} if content_type else {})
    response = client.post("/jobs", content=b'{"kind": "echo", "payload": {}}', headers=headers)
    assert response.status_code == 415
    assert "application/json" in response.json()["detail"]


@pytest.mark.parametrize(
    "content_type", ["application/json; charset=utf-8", "application/vnd.jobs+json"]
)
def test_json_content_types_are_accepted(client: TestClient, content_type: str) -> None:
    response = client.post(
        "/jobs",
        content=b'{"kind": "echo", "payload": {}}',
        headers=KEY | {"Content-Type": content_type},
    )
    assert response.status_code == 202


def test_a_chunked_body_over_the_limit_is_413(client: TestClient, app: FastAPI) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"kind": "echo", "payload": "'
        for _ in range(10):
            yield b"x" * 1000
        yield b'"}'

    headers = KEY | {"Content-Type": "application/json"}
    response = client.post("/jobs", content=chunks(), headers=headers)
    assert response.status_code == 413
    assert app.state.store.jobs == {}


def test_a_database_that_cannot_be_reached_is_503(client: TestClient, app: FastAPI) -> None:
    async def refused(*_: object) -> None:
        raise ConnectionRefusedError("database is down")

    app.state.store.get = refused
    response = client.get(f"/jobs/{uuid4()}", headers=KEY)
    assert (response.status_code, response.headers["Retry-After"]) == (503, "5")


def test_a_nul_in_the_query_is_422_naming_it(client: TestClient) -> None:
    response = client.get(f"/jobs/{uuid4()}?note=a%00b", headers=KEY)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "note"]


def test_the_caller_is_known_by_the_name_of_their_key() -> None:
    router = keyed_router(prefix="/whoami")

    @router.get("")
    async def whoami(caller: CallerDep) -> dict[str, Any]:
        return {"name": caller.name, "operator": caller.operator}

    app = FastAPI()
    app.state.settings = Settings(_env_file=None, api_keys="app:k1,ops:k2,k3", api_operators="ops")
    app.include_router(router)
    client = TestClient(app)
    answers = [
        client.get("/whoami", headers={"X-API-Key": key}).json() for key in ("k1", "k2", "k3")
    ]
    assert answers == [
        {"name": "app", "operator": False},
        {"name": "ops", "operator": True},
        {"name": "key3", "operator": False},
    ]
    assert client.get("/whoami", headers={"X-API-Key": "app"}).status_code == 401
