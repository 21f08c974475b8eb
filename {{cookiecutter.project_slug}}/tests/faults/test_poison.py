"""A malformed job message is acknowledged and dropped: it never comes back after a restart."""

import time
from collections.abc import Callable
from pathlib import Path

import redis

from {{ cookiecutter.project_slug }}.layout import DEFAULT_TIER
from {{ cookiecutter.project_slug }}.settings import Settings
from {{ cookiecutter.project_slug }}.worker.celery_app import create_celery_app, job_task_name

from .conftest import Env, settings_for
from .figures import report
from .workers import running_worker


def test_a_message_without_a_valid_job_id_is_dropped_for_good(
    services: Settings, fault_env: Callable[..., Env], tmp_path: Path
) -> None:
    env = fault_env()
    prefix = env["BROKER_KEY_PREFIX"]
    broker = redis.Redis.from_url(services.redis_url)
    celery = create_celery_app(settings_for(env))
    poison: list[list[str | None]] = [["not-a-uuid"], [], [None]]
    with running_worker(env, tmp_path / "first.log") as first:
        for args in poison:
            celery.send_task(job_task_name(DEFAULT_TIER), args=args, queue=DEFAULT_TIER)
        deadline = time.monotonic() + 20
        while first.output().count("names no valid job") < len(poison):
            assert time.monotonic() < deadline, first.output()[-3000:]
            time.sleep(0.1)
    # A second start is where a message that was never acknowledged would come back.
    with running_worker(env, tmp_path / "second.log") as second:
        time.sleep(2)
    celery.close()
    left = broker.llen(prefix + DEFAULT_TIER) + broker.hlen(prefix + "unacked")
    redelivered = second.output().count("names no valid job")
    dropped = first.output().count("names no valid job")
    report(
        "poison",
        f"sent {len(poison)}, dropped {dropped}, left in Redis {left}, "
        f"redelivered after a restart {redelivered}",
    )
    assert (left, redelivered) == (0, 0)
