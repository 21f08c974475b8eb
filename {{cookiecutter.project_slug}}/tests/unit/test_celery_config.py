"""The Celery configuration that keeps jobs from being lost, and the routes from the tiers."""

from typing import Any
from uuid import uuid4

import pytest

from {{ cookiecutter.project_slug }}.jobs import kinds
from {{ cookiecutter.project_slug }}.jobs.kind import JobKind, Payload
from {{ cookiecutter.project_slug }}.jobs.kinds import KINDS
from {{ cookiecutter.project_slug }}.jobs.model import Job, JobStatus
from {{ cookiecutter.project_slug }}.layout import DEFAULT_TIER, QUEUES, TIERS
from {{ cookiecutter.project_slug }}.settings import Settings
from {{ cookiecutter.project_slug }}.worker import tasks
from {{ cookiecutter.project_slug }}.worker.celery_app import (
    app,
    celery_config,
    check_kind_limits,
    job_task_name,
    send_job,
)

#: The registry's own dict, behind the read-only KINDS view, for tests that add a kind.
KINDS_BY_NAME: dict[str, Any] = kinds._registry


def config() -> dict[str, object]:
    return celery_config(Settings(_env_file=None))


def test_delivery_defaults_lose_nothing() -> None:
    conf = config()
    assert conf["task_acks_late"] is True
    assert conf["task_reject_on_worker_lost"] is True
    assert conf["worker_prefetch_multiplier"] == 1
    assert conf["accept_content"] == ["json"]
    assert conf["task_serializer"] == "json"


def test_visibility_timeout_comes_from_settings() -> None:
    conf = celery_config(Settings(_env_file=None, broker_visibility_timeout=5400))
    options = conf["broker_transport_options"]
    assert isinstance(options, dict)
    assert options["visibility_timeout"] == 5400


def test_every_redis_key_takes_the_prefix() -> None:
    conf = celery_config(Settings(_env_file=None, broker_key_prefix="team-a:"))
    options = conf["broker_transport_options"]
    assert isinstance(options, dict)
    assert options["global_keyprefix"] == "team-a:"


def test_overdue_messages_are_scanned_for_every_few_seconds() -> None:
    # Kombu's default scans every 10 x 10 s: redelivery would lag the timeout by 100 s.
    for timeout, interval in [(3600, 10), (50, 5), (5, 1)]:
        options = celery_config(
            Settings(
                _env_file=None,
                task_time_limit=1,
                task_hard_limit_margin=1,
                task_retry_backoff_max=1,
                broker_visibility_timeout=timeout,
                job_requeue_after=timeout + 20,
            )
        )["broker_transport_options"]
        assert isinstance(options, dict)
        assert (options["unacked_restore_interval"], options["unacked_restore_throttle"]) == (
            interval,
            1,
        )


def test_broker_commands_are_bounded_by_the_socket_timeout() -> None:
    options = celery_config(Settings(_env_file=None, broker_socket_timeout=2.5))[
        "broker_transport_options"
    ]
    assert isinstance(options, dict)
    assert options["socket_timeout"] == options["socket_connect_timeout"] == 2.5


def test_every_queue_has_a_named_job_task_routed_to_it() -> None:
    routes = config()["task_routes"]
    assert isinstance(routes, dict)
    for queue in QUEUES:
        assert routes[job_task_name(queue)] == {"queue": queue}
        assert job_task_name(queue) in app.tasks
        assert tasks.JOB_TASKS[queue].name == job_task_name(queue)


def test_tiers_and_default() -> None:
    assert TIERS
    assert DEFAULT_TIER in TIERS
    assert set(TIERS) <= set(QUEUES)
    assert config()["task_default_queue"] == DEFAULT_TIER


def test_every_kind_runs_on_a_served_queue() -> None:
    for kind in KINDS.values():
        assert kind.default_tier in kind.tiers
        assert set(kind.tiers) <= set(QUEUES)


def test_a_kind_limit_reaching_the_visibility_timeout_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    slow = JobKind(name="slow", payload=Payload, work=_noop, time_limit=3000)
    monkeypatch.setitem(KINDS_BY_NAME, "slow", slow)
    with pytest.raises(ValueError, match=r"job kind 'slow'.*BROKER_VISIBILITY_TIMEOUT"):
        check_kind_limits(Settings(_env_file=None, broker_visibility_timeout=3010))


def test_a_kind_time_limit_travels_with_its_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(
        KINDS_BY_NAME, "slow", JobKind(name="slow", payload=Payload, work=_noop, time_limit=7)
    )
    sent: list[dict[str, Any]] = []
    monkeypatch.setattr(app, "send_task", lambda name, **options: sent.append(options))
    job = Job(id=uuid4(), kind="slow", queue=DEFAULT_TIER, status=JobStatus.QUEUED, payload={})
    send_job(app, job)
    margin = app.conf.task_time_limit - app.conf.task_soft_time_limit
    assert (sent[0]["soft_time_limit"], sent[0]["time_limit"]) == (7, 7 + margin)


def test_result_backend_is_off_unless_chosen_and_then_prefixed() -> None:
    assert "result_backend" not in celery_config(Settings(_env_file=None, result_backend_url=""))
    chosen = celery_config(
        Settings(
            _env_file=None,
            result_backend_url="redis://127.0.0.1:6379/3",
            broker_key_prefix="acme:",
            result_expires=60,
        )
    )
    assert chosen["result_backend"] == "redis://127.0.0.1:6379/3"
    assert chosen["result_expires"] == 60
    assert chosen["result_backend_transport_options"] == {"global_keyprefix": "acme:"}


async def _noop(payload: Payload) -> None:
    return None
