"""The API's job message is the one Celery itself would send, down to where it lands in Redis.

The API builds it without kombu (worker/messages.py); if a Celery or kombu upgrade changes the
message, this says so field by field. The jobs-flow tests prove a real worker consumes it.
"""

import json
from collections.abc import Iterator
from typing import Any
from uuid import uuid4

import pytest
from redis import Redis

from {{ cookiecutter.project_slug }}.settings import Settings
from {{ cookiecutter.project_slug }}.worker.celery_app import create_celery_app, send_job_message
from {{ cookiecutter.project_slug }}.worker.messages import job_message, queue_key

#: Different in every message, by design.
FRESH = {("headers", "id"), ("headers", "root_id"), ("properties", "correlation_id"),
         ("properties", "delivery_tag")}  # fmt: skip


@pytest.fixture
def prefixed(services: Settings) -> Settings:
    # A prefix of its own: the message must land under the broker's key prefix.
    return services.model_copy(update={"broker_key_prefix": f"test-message-{uuid4().hex[:8]}:"})


@pytest.fixture
def redis(prefixed: Settings) -> Iterator[Redis]:
    client = Redis.from_url(prefixed.redis_url)
    yield client
    for key in client.scan_iter(f"{prefixed.broker_key_prefix}*"):
        client.delete(key)
    client.close()


def _fields(message: dict[str, Any]) -> dict[tuple[str, str], Any]:
    flat = {(k, ""): v for k, v in message.items() if not isinstance(v, dict)}
    for part in ("headers", "properties"):
        flat |= {(part, k): v for k, v in message[part].items()}
    return {key: value for key, value in flat.items() if key not in FRESH}


@pytest.mark.parametrize(
    "limits", [{}, {"soft_time_limit": 7.0, "time_limit": 37.0}], ids=["default", "kind-limits"]
)
def test_the_api_message_matches_what_send_task_writes(
    prefixed: Settings, redis: Redis, limits: dict[str, float]
) -> None:
    celery = create_celery_app(prefixed)
    queue, job_id = f"q{uuid4().hex[:8]}", uuid4()
    send_job_message(celery, queue, job_id, **limits)
    key = queue_key(celery, queue)
    assert key == f"{prefixed.broker_key_prefix}{queue}"
    popped = redis.rpop(key)
    assert isinstance(popped, bytes), f"send_task wrote nothing to {key}"
    sent_by_celery = json.loads(popped)
    ours = json.loads(job_message(celery, queue, job_id, **limits))
    assert _fields(ours) == _fields(sent_by_celery)
