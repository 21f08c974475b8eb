"""The test run's own Redis key prefix, and removing what the run left under it.

Every key the suite's Celery apps write (queues, bindings, unacknowledged messages) starts
with BROKER_KEY_PREFIX. The run nests a prefix of its own under whatever the environment set,
so parallel runs on one Redis never take each other's jobs, and the run can delete exactly its
own keys at the end, never anyone else's.
"""

import os
import re
import uuid

import redis


def take_own_prefix() -> str:
    """Set BROKER_KEY_PREFIX to `<the environment's prefix>tests-<random>:` and return it."""
    prefix = f"{os.environ.get('BROKER_KEY_PREFIX', '')}tests-{uuid.uuid4().hex[:8]}:"
    os.environ["BROKER_KEY_PREFIX"] = prefix
    return prefix


def _glob_escaped(text: str) -> str:
    return re.sub(r"([\\*?\[\]])", r"\\\1", text)


def keys_under(url: str, prefix: str) -> list[bytes]:
    """The keys starting with `prefix`; [] if Redis does not answer (the unit suite needs none)."""
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=5)
        return list(client.scan_iter(match=f"{_glob_escaped(prefix)}*", count=1000))
    except redis.RedisError:
        return []


def remove_keys_under(url: str, prefix: str) -> int:
    """Delete the keys starting with `prefix`; how many there were."""
    keys = keys_under(url, prefix)
    if keys:
        redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=5).delete(*keys)
    return len(keys)
