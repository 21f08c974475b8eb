"""The broker transport's one fix (worker/broker_transport.py), against a real Redis.

A channel holding an unacknowledged message (a running task's, with acks_late) is closed
after its connection was detached from the transport, as Celery's consumer does when Redis
goes away. kombu's own transport raises there, which stops the worker; ours hands the message
back. If the first test starts failing, kombu has fixed it and broker_transport.py can go.
"""

import uuid
from typing import Any

import pytest
from kombu import Connection
from kombu.transport import redis as kombu_redis

from {{ cookiecutter.project_slug }}.settings import Settings
from {{ cookiecutter.project_slug }}.worker.broker_transport import Transport
from {{ cookiecutter.project_slug }}.worker.celery_app import broker_transport_options


def close_after_detach(settings: Settings, transport: type[kombu_redis.Transport]) -> bool:
    """Whether the message was queued again. Its keys are under the run's BROKER_KEY_PREFIX,
    which the session removes."""
    queue = f"transport-test-{uuid.uuid4().hex[:8]}"
    options = broker_transport_options(settings)
    with Connection(settings.redis_url, transport=transport, transport_options=options) as conn:
        channel: Any = conn.channel()  # the Redis channel; kombu's stubs know only the base
        channel.queue_declare(queue)
        channel.basic_publish(channel.prepare_message("job"), exchange="", routing_key=queue)
        assert channel.basic_get(queue, no_ack=False) is not None  # delivered, not acked
        client, conn.transport.client = conn.transport.client, None  # as collect() does
        try:
            channel.close()
        finally:
            conn.transport.client = client
    with Connection(settings.redis_url, transport_options=options) as check:
        again: Any = check.default_channel
        return again.basic_get(queue, no_ack=True) is not None


def test_kombus_own_transport_still_crashes_there(services: Settings) -> None:
    with pytest.raises(AttributeError, match="hostname"):
        close_after_detach(services, kombu_redis.Transport)


def test_ours_hands_the_message_back(services: Settings) -> None:
    assert close_after_detach(services, Transport)
