"""The Celery configuration that keeps jobs from being lost, and the routes from the tiers."""

from {{ cookiecutter.project_slug }}.layout import CPU_QUEUE, DEFAULT_TIER, QUEUES, TIERS
from {{ cookiecutter.project_slug }}.settings import Settings
from {{ cookiecutter.project_slug }}.worker import tasks
from {{ cookiecutter.project_slug }}.worker.celery_app import app, celery_config, job_task_name


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
    assert "global_keyprefix" not in options


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


def test_cpu_queue_digests_and_tiers_echo() -> None:
    for tier in TIERS:
        assert tasks.work_for(tier).__name__ == "echo"
    cpu_queue: str | None = CPU_QUEUE
    if cpu_queue is not None:
        assert tasks.work_for(cpu_queue).__name__ == "digest"
