"""What a worker checks about its Redis before it takes jobs.

Redis as a broker must never evict keys: under `allkeys-lru` (or any policy but
`noeviction`) a full Redis silently drops whole queues and the unacknowledged-message
index, and nothing reports it. So a worker refuses to start on such a Redis. Managed Redis
services often disable CONFIG; then the worker says it could not check, and starts.
"""

import logging

import redis

log = logging.getLogger(__name__)

REQUIRED_POLICY = "noeviction"


class BrokerMisconfiguredError(RuntimeError):
    """The broker would lose jobs as configured."""


def eviction_problem(url: str, timeout: float) -> str | None:
    """One line saying why this Redis is unfit as a broker, or None if it is fine (or unknown)."""
    try:
        with redis.Redis.from_url(
            url, socket_timeout=timeout, socket_connect_timeout=timeout
        ) as client:
            policy = client.config_get("maxmemory-policy").get("maxmemory-policy")
    except redis.ResponseError as exc:  # CONFIG disabled or renamed, as on managed services
        log.warning(
            "could not read Redis's maxmemory-policy (%s); it must be %s", exc, REQUIRED_POLICY
        )
        return None
    except (redis.RedisError, ValueError) as exc:  # not up yet, or a URL redis-py cannot open
        # (sentinel://); Celery still waits for the broker, and jobs wait in it.
        log.warning(
            "could not check Redis's maxmemory-policy (%s); it must be %s", exc, REQUIRED_POLICY
        )
        return None
    if policy in (None, REQUIRED_POLICY):
        return None
    return (
        f"Redis's maxmemory-policy is {policy!r}: a full Redis would evict queued jobs "
        f"without a trace; set it to {REQUIRED_POLICY!r} "
        f"(redis-server --maxmemory-policy {REQUIRED_POLICY})"
    )


def require_noeviction(url: str, timeout: float) -> None:
    problem = eviction_problem(url, timeout)
    if problem is not None:
        raise BrokerMisconfiguredError(problem)
