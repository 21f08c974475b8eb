"""The Celery app: `celery -A {{ cookiecutter.project_slug }}.worker.celery_app worker ...`.

The configuration is chosen so that no job is lost: a message is acknowledged only after its
task finished (`acks_late`), is given back if the worker dies (`reject_on_worker_lost`), and a
worker takes one message at a time per process or thread (prefetch 1), so a crash strands
nothing it had not started.
"""

from datetime import timedelta
from typing import Any
from uuid import UUID

from celery import Celery
from kombu import Queue

from ..jobs.kinds import KINDS
from ..jobs.model import Job
from ..layout import DEFAULT_TIER, QUEUES
from ..settings import Settings, get_settings
from . import health  # noqa: F401  (every worker keeps a heartbeat)

JOB_TASK_PREFIX = "jobs.process."
CLEANUP_TASK = "jobs.cleanup"
REQUEUE_TASK = "jobs.requeue_stale"
#: Plain tasks that are not jobs (worker/internal.py) are named under this prefix.
INTERNAL_TASK_PREFIX = "internal."


def job_task_name(queue: str) -> str:
    """The name of the task that runs jobs sent to `queue`; explicit, so renames break loudly."""
    return JOB_TASK_PREFIX + queue


def send_job(celery: Celery, job: Job, **options: Any) -> None:
    """Publish the message that runs `job` from its queue (the API, fan-outs and the sweep do).

    By task name, so the sender needs no task code. A kind with a time limit of its own sends
    it with the message, so that prefork's hard limit follows it too. `options` go to
    `send_task`.
    """
    send_job_message(celery, job.queue, job.id, **(message_limits(celery, job) | options))


def message_limits(celery: Celery, job: Job) -> dict[str, float]:
    """The time limits a job's message carries: its kind's own, if it has one."""
    kind = KINDS.get(job.kind)
    if kind is None or kind.time_limit is None:
        return {}
    margin = celery.conf.task_time_limit - celery.conf.task_soft_time_limit
    return {"soft_time_limit": kind.time_limit, "time_limit": kind.time_limit + margin}


def send_job_message(celery: Celery, queue: str, job_id: UUID, **options: Any) -> None:
    """Publish the message that runs job `job_id` from `queue`; `options` go to `send_task`.

    `send_job` is the one to call with a job at hand; this is for a task that knows only the
    job's id and queue (worker/failures.py), and passes on its own message's limits.
    """
    celery.send_task(job_task_name(queue), args=[str(job_id)], queue=queue, **options)


def check_kind_limits(settings: Settings) -> None:
    """Refuse a kind whose messages can stay unacknowledged past the visibility timeout: the
    settings' own check (settings.py), applied to the kind's time limit. It would run twice."""
    for kind in KINDS.values():
        if kind.time_limit is None:
            continue
        longest = settings.unacknowledged_for(kind.time_limit)
        if longest >= settings.broker_visibility_timeout:
            raise ValueError(
                f"job kind {kind.name!r}: TASK_RETRY_BACKOFF_MAX + time_limit + "
                f"TASK_HARD_LIMIT_MARGIN ({longest:g}s) must stay below "
                f"BROKER_VISIBILITY_TIMEOUT ({settings.broker_visibility_timeout}s), "
                "or a running job is delivered twice"
            )


def result_backend_config(settings: Settings) -> dict[str, Any]:
    """Where tasks that opt in (`ignore_result=False`) keep their results: nowhere by default.

    Jobs keep their state in the job store and never need this. A plain task whose caller
    waits on `.get()`, or a chord, does: set RESULT_BACKEND_URL (a Redis URL). Its keys get the
    broker's key prefix and expire after RESULT_EXPIRES seconds.
    """
    if not settings.result_backend_url:
        return {}
    prefix = {"global_keyprefix": settings.broker_key_prefix} if settings.broker_key_prefix else {}
    return {
        "result_backend": settings.result_backend_url,
        "result_expires": settings.result_expires,
        "result_backend_transport_options": prefix,
    }


def broker_transport_options(settings: Settings) -> dict[str, Any]:
    """Kombu's Redis transport options: redelivery, key prefix, and bounded waits."""
    options: dict[str, Any] = {
        "visibility_timeout": settings.broker_visibility_timeout,
        # Scan for messages past the visibility timeout every few seconds (kombu's default
        # is every 10 x 10 s), so a dead worker's job comes back soon after the timeout.
        "unacked_restore_interval": settings.broker_restore_interval,
        "unacked_restore_throttle": 1,
        # A Redis that hangs (stopped, a dead failover, a lost NAT entry) fails a command
        # after this long instead of never: a publish then answers 503, a worker reconnects.
        "socket_timeout": settings.broker_socket_timeout,
        "socket_connect_timeout": settings.broker_socket_timeout,
    }
    if settings.broker_key_prefix:
        options["global_keyprefix"] = settings.broker_key_prefix
    return options


def celery_config(settings: Settings) -> dict[str, Any]:
    """Celery settings derived from ours, in one place so tests can check them."""
    return result_backend_config(settings) | {
        "broker_url": settings.redis_url,
        # Kombu's Redis transport, less a crash on a lost connection (broker_transport.py).
        "broker_transport": f"{__package__}.broker_transport:Transport",
        "broker_connection_retry_on_startup": True,
        "broker_transport_options": broker_transport_options(settings),
        # JSON only: never unpickle what comes off the wire.
        "task_serializer": "json",
        "accept_content": ["json"],
        "result_serializer": "json",
        # Jobs keep their state in the database; Celery stores no results unless a task
        # opts in (see result_backend_config).
        "task_ignore_result": True,
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "task_queues": [Queue(name) for name in QUEUES],
        "task_default_queue": DEFAULT_TIER,
        "task_routes": {job_task_name(q): {"queue": q} for q in QUEUES}
        | {task: {"queue": DEFAULT_TIER} for task in (CLEANUP_TASK, REQUEUE_TASK)}
        | {f"{INTERNAL_TASK_PREFIX}*": {"queue": DEFAULT_TIER}},
        # The soft limit is also what run_async enforces inside the loop on any pool; the hard
        # limit lets prefork kill a process stuck in CPU-bound code.
        "task_soft_time_limit": settings.task_time_limit,
        "task_time_limit": settings.hard_time_limit,
        # SIGTERM is a warm shutdown: running tasks finish (compose's stop_grace_period bounds
        # the wait). On a cold shutdown (SIGQUIT), tasks still get this long before they are
        # requeued, instead of waiting out the visibility timeout.
        "worker_soft_shutdown_timeout": 30.0,
        "worker_enable_soft_shutdown_on_idle": True,
        # When the broker connection drops, running tasks go on and record their result in
        # the database. Cancelling them (Celery 6's default) would, after a Redis that lost
        # its data, leave those jobs to the sweep, and the threads pool cannot cancel anyway.
        # Explicit, so that upgrading to Celery 6 does not change it.
        "worker_cancel_long_running_tasks_on_connection_loss": False,
        "worker_hijack_root_logger": False,
        "beat_schedule": {
            "clean-up-finished-jobs": {"task": CLEANUP_TASK, "schedule": timedelta(hours=1)},
            "requeue-stale-jobs": {"task": REQUEUE_TASK, "schedule": timedelta(minutes=5)},
        },
    }


def create_celery_app(settings: Settings | None = None) -> Celery:
    settings = settings or get_settings()
    check_kind_limits(settings)
    celery = Celery("{{ cookiecutter.project_slug }}")
    celery.conf.update(celery_config(settings))
    celery.conf.include = [
        "{{ cookiecutter.project_slug }}.worker.tasks",
        "{{ cookiecutter.project_slug }}.worker.internal",
    ]
    return celery


app = create_celery_app()

# What a worker process does as it starts and stops: registered with Celery on import.
from . import process_signals  # noqa: E402, F401
