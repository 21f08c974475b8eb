"""The Celery app: `celery -A {{ cookiecutter.project_slug }}.worker.celery_app worker ...`.

The configuration is chosen so that no job is lost: a message is acknowledged only after its
task finished (`acks_late`), is given back if the worker dies (`reject_on_worker_lost`), and a
worker takes one message at a time per process or thread (prefetch 1), so a crash strands
nothing it had not started.
"""

import logging
from datetime import timedelta
from typing import Any
from uuid import UUID

from celery import Celery, signals
from kombu import Queue

from ..layout import DEFAULT_TIER, QUEUES
from ..settings import Settings, get_settings
from . import runtime

JOB_TASK_PREFIX = "jobs.process."
CLEANUP_TASK = "jobs.cleanup"
REQUEUE_TASK = "jobs.requeue_stale"


def job_task_name(queue: str) -> str:
    """The name of the task that runs jobs sent to `queue`; explicit, so renames break loudly."""
    return JOB_TASK_PREFIX + queue


def send_job(celery: Celery, queue: str, job_id: UUID, **options: Any) -> None:
    """Publish the message that runs job `job_id` from `queue` (the API and the sweep both do).

    By task name, so the sender needs no task code; `options` go to `send_task`.
    """
    celery.send_task(job_task_name(queue), args=[str(job_id)], queue=queue, **options)


def celery_config(settings: Settings) -> dict[str, Any]:
    """Celery settings derived from ours, in one place so tests can check them."""
    return {
        "broker_url": settings.redis_url,
        "broker_connection_retry_on_startup": True,
        "broker_transport_options": {"visibility_timeout": settings.broker_visibility_timeout}
        | ({"global_keyprefix": settings.broker_key_prefix} if settings.broker_key_prefix else {}),
        # JSON only: never unpickle what comes off the wire.
        "task_serializer": "json",
        "accept_content": ["json"],
        "result_serializer": "json",
        # Jobs keep their state in the database; Celery stores no results.
        "task_ignore_result": True,
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "task_queues": [Queue(name) for name in QUEUES],
        "task_default_queue": DEFAULT_TIER,
        "task_routes": {job_task_name(q): {"queue": q} for q in QUEUES}
        | {task: {"queue": DEFAULT_TIER} for task in (CLEANUP_TASK, REQUEUE_TASK)},
        # The soft limit is also what run_async enforces inside the loop on any pool; the hard
        # limit lets prefork kill a process stuck in CPU-bound code.
        "task_soft_time_limit": settings.task_time_limit,
        "task_time_limit": settings.hard_time_limit,
        # SIGTERM is a warm shutdown: running tasks finish (compose's stop_grace_period bounds
        # the wait). On a cold shutdown (SIGQUIT), tasks still get this long before they are
        # requeued, instead of waiting out the visibility timeout.
        "worker_soft_shutdown_timeout": 30.0,
        "worker_enable_soft_shutdown_on_idle": True,
        "worker_hijack_root_logger": False,
        "beat_schedule": {
            "clean-up-finished-jobs": {"task": CLEANUP_TASK, "schedule": timedelta(hours=1)},
            "requeue-stale-jobs": {"task": REQUEUE_TASK, "schedule": timedelta(minutes=5)},
        },
    }


def create_celery_app(settings: Settings | None = None) -> Celery:
    celery = Celery("{{ cookiecutter.project_slug }}")
    celery.conf.update(celery_config(settings or get_settings()))
    celery.conf.include = ["{{ cookiecutter.project_slug }}.worker.tasks"]
    return celery


app = create_celery_app()


@signals.worker_init.connect
@signals.worker_process_init.connect
def _start_runtime(**_: object) -> None:
    # worker_init: the worker's main process (threads and solo pools run tasks there).
    # worker_process_init: each prefork child, after the fork, so no loop or connection
    # crosses a fork.
    runtime.start()


#: Celery's loggers for its two INFO lines per task ("received", "succeeded in ...").
PER_TASK_LOGGERS = ("celery.app.trace", "celery.worker.strategy")


@signals.after_setup_logger.connect
def _quiet_per_task_lines(**_: object) -> None:
    # At --loglevel=INFO (the compose files') these two lines cost a threads worker about
    # 0.9 ms of CPU per job, a fifth of what it spends on a short job (benchmarks/README.md),
    # and say nothing the jobs table does not. INFO keeps the worker's own life (start,
    # connections, shutdown); DEBUG shows every task again. Failures and retries are
    # logged at WARNING and above, by Celery and by ProcessingTask.
    if logging.getLogger().getEffectiveLevel() == logging.INFO:
        for name in PER_TASK_LOGGERS:
            logging.getLogger(name).setLevel(logging.WARNING)


@signals.worker_shutdown.connect
@signals.worker_process_shutdown.connect
def _stop_runtime(**_: object) -> None:
    runtime.stop()
