"""What a worker process does as it starts and stops, through Celery's signals.

Imported by celery_app.py, so that loading the app (`celery -A ... worker`) registers them.
"""

import logging
import warnings

from celery import signals
from celery.concurrency import get_implementation
from celery.exceptions import CPendingDeprecationWarning

from ..settings import get_settings
from . import runtime
from .broker_checks import BrokerMisconfiguredError, require_noeviction


@signals.worker_init.connect
def _check_broker(**_: object) -> None:
    settings = get_settings()
    try:
        require_noeviction(settings.redis_url, settings.broker_socket_timeout)
    except BrokerMisconfiguredError as exc:
        # Celery logs and swallows a signal handler's exceptions; leaving is what refuses.
        logging.getLogger(__name__).critical("%s", exc)
        raise SystemExit(1) from exc


@signals.worker_ready.connect
def _quiet_the_connection_loss_warning(**_: object) -> None:
    # Celery warns at every connection loss that this setting's default changes in Celery 6;
    # celery_config() chooses it explicitly, so the warning says nothing new. Added once the
    # worker is ready: Celery's logging set-up puts its own "always" filter first.
    warnings.filterwarnings(
        "ignore",
        message=r"(?s).*worker_cancel_long_running_tasks_on_connection_loss",
        category=CPendingDeprecationWarning,
    )


@signals.worker_init.connect
def _start_runtime(sender: object = None, **_: object) -> None:
    # The worker's main process, where the threads, solo and asyncio pools run tasks; the
    # pool it is about to start decides whether its tasks share one loop.
    pool = get_implementation(getattr(sender, "pool_cls", None) or "prefork")
    runtime.start(shared_loop=getattr(pool, "shares_one_loop", False))


@signals.worker_process_init.connect
def _start_child_runtime(**_: object) -> None:
    # Each prefork child, after the fork, so no loop or connection crosses a fork.
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
