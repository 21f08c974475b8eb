"""The MongoDB package without a server: documents, settings, client options, retryable errors."""

import asyncio
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from bson.binary import UuidRepresentation
from pymongo.errors import (
    AutoReconnect,
    ConfigurationError,
    ConnectionFailure,
    DuplicateKeyError,
    NetworkTimeout,
    NotPrimaryError,
    OperationFailure,
    ServerSelectionTimeoutError,
)

from {{ cookiecutter.project_slug }}.db import TRANSIENT_ERRORS
from {{ cookiecutter.project_slug }}.db.clients import api_client, task_client, thread_client
from {{ cookiecutter.project_slug }}.db.documents import key_bound, order_key, to_document, to_job
from {{ cookiecutter.project_slug }}.db.settings import url_password
from {{ cookiecutter.project_slug }}.jobs.model import Job, JobStatus
from {{ cookiecutter.project_slug }}.settings import Settings


def test_a_job_survives_the_round_trip_through_its_document() -> None:
    now = datetime.now(UTC).replace(microsecond=123_000)  # BSON dates keep milliseconds
    parent = uuid4()
    job = Job(
        id=uuid4(),
        kind="echo",
        queue="high",
        status=JobStatus.QUEUED,
        payload={"a": [1, None, "x"]},
        parent_id=parent,
    )
    document = to_document(job, now)
    assert document["_id"] == str(job.id)
    assert document["status"] == "queued"
    back = to_job(document)
    assert back == Job(
        id=job.id,
        kind="echo",
        queue="high",
        status=JobStatus.QUEUED,
        payload={"a": [1, None, "x"]},
        parent_id=parent,
        created_at=now,
        updated_at=now,
    )


def test_a_finished_document_reads_back_with_its_outcome() -> None:
    job_id = uuid4()
    document = {
        "_id": str(job_id),
        "queue": "low",
        "status": "failed",
        "payload": 3,
        "error": "invalid payload: nope",
        "attempts": 2,
    }
    job = to_job(document)
    assert (job.id, job.status, job.error, job.attempts) == (
        job_id,
        JobStatus.FAILED,
        "invalid payload: nope",
        2,
    )
    assert job.result is None
    assert job.kind == "echo", "a document from before kinds gets its queue's old kind"


@pytest.mark.parametrize(
    "error",
    [
        ConnectionError,
        TimeoutError,
        OSError,
        ConnectionFailure,
        AutoReconnect,
        NetworkTimeout,
        ServerSelectionTimeoutError,
        NotPrimaryError,
    ],
)
def test_network_errors_are_retried(error: type[Exception]) -> None:
    assert issubclass(error, TRANSIENT_ERRORS)


@pytest.mark.parametrize("error", [DuplicateKeyError, OperationFailure, ConfigurationError])
def test_errors_a_retry_cannot_fix_are_not_retried(error: type[Exception]) -> None:
    assert not issubclass(error, TRANSIENT_ERRORS)


@pytest.mark.parametrize(
    ("url", "password"),
    [
        ("mongodb://127.0.0.1:27017", ""),
        ("mongodb://app:s3cret@mongo:27017/jobs?authSource=admin", "s3cret"),
        ("mongodb://app:p%40ss%3Aword@a:27017,b:27017,c:27017/?replicaSet=rs0", "p@ss:word"),
        ("mongodb+srv://app:srv-secret@cluster0.example.net/", "srv-secret"),
    ],
)
def test_the_password_is_read_from_the_url(url: str, password: str) -> None:
    assert url_password(url) == password


def test_settings_report_the_url_password_as_a_secret() -> None:
    settings = Settings(_env_file=None, mongo_url="mongodb://app:hunter2@mongo:27017")
    assert ("MONGO_URL password", "hunter2") in settings.secrets()


def test_the_database_is_named_after_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MONGO_DB", raising=False)
    assert Settings(_env_file=None).mongo_db == "{{ cookiecutter.project_slug }}"


def test_clients_are_sized_by_settings_and_decode_aware_datetimes() -> None:
    settings = Settings(
        _env_file=None, api_pool_size=7, api_pool_overflow=3, worker_thread_pool_size=2
    )

    async def options() -> list[tuple[float, bool, int]]:
        # Made and closed inside a loop, as the service does; no connection is opened.
        clients = [api_client(settings), task_client(settings), thread_client(settings)]
        try:
            return [
                (
                    client.options.pool_options.max_pool_size,
                    client.codec_options.tz_aware,
                    client.codec_options.uuid_representation,
                )
                for client in clients
            ]
        finally:
            for client in clients:
                await client.close()

    api, task, thread = asyncio.run(options())
    assert api[0] == 10, "API_POOL_SIZE + API_POOL_OVERFLOW"
    assert thread[0] == 2, "WORKER_THREAD_POOL_SIZE"
    assert all(tz_aware for _, tz_aware, _ in (api, task, thread))
    assert {uuids for _, _, uuids in (api, task, thread)} == {UuidRepresentation.STANDARD}


def test_created_after_and_before_become_bounds_on_the_order_key() -> None:
    job_id = uuid4()
    at = datetime(2026, 1, 2, 3, 4, 5, 678_000, tzinfo=UTC)
    key = order_key(at, job_id)
    assert key == f"20260102030405678/{job_id}"
    millisecond = timedelta(milliseconds=1)
    assert key > key_bound(at - millisecond, after=True)
    assert not key > key_bound(at, after=True)
    assert key < key_bound(at + millisecond, after=False)
    assert not key < key_bound(at, after=False)
    # Between two milliseconds: after the lower one, before the higher one.
    assert key < key_bound(at + timedelta(microseconds=500), after=False)
    assert not key > key_bound(at + timedelta(microseconds=500), after=True)
