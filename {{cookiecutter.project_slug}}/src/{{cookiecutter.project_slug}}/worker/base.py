"""`ProcessingTask`: the base class that lets a synchronous Celery task run async code safely."""

import logging
import random
from collections.abc import Coroutine
from typing import Any, TypeVar

from celery import Task
from celery.exceptions import SoftTimeLimitExceeded

from ..db import is_transient
from ..loops import TimeLimitExceededError
from . import runtime

T = TypeVar("T")
log = logging.getLogger(__name__)

RETRY_BACKOFF_SECONDS = 1.0
RETRY_BACKOFF_MAX_SECONDS = 60.0


def retry_countdown(retries: int, cap: float = RETRY_BACKOFF_MAX_SECONDS) -> float:
    """Seconds before retry number `retries + 1`: exponential, with "equal jitter".

    Between half and all of the exponential step (capped at `cap`: TASK_RETRY_BACKOFF_MAX), so
    a fleet of workers does not come back
    at once, yet no retry is immediate (Celery's own jitter can draw 0 and spend every retry
    within the first seconds of an outage).
    """
    step = min(cap, RETRY_BACKOFF_SECONDS * 2**retries)
    return random.uniform(step / 2, step)  # noqa: S311 - spreading load, not a secret


class TransientError(Exception):
    """Something the task needs went away (the database, the network); retrying may work.

    `max_retries` overrides the task's own, for a task whose runs differ (a job's kind).
    """

    def __init__(self, message: str, max_retries: int | None = None) -> None:
        super().__init__(message)
        self.max_retries = max_retries


class ProcessingTask(Task):  # type: ignore[type-arg]
    """Run coroutines from a sync task, with retries for transient failures.

    `run_async` is the one door from a Celery thread into asyncio: it uses the worker's loop
    runner (a fresh loop per call, or this thread's persistent loop) and enforces the task's
    time limit inside the loop, because the threads pool ignores Celery's own.
    """

    abstract = True
    acks_late = True
    reject_on_worker_lost = True

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        # Transient failures (run_async decides which errors those are) are retried, up to
        # max_retries, after retry_countdown(); then the task fails. Bad input never retries.
        try:
            return super().__call__(*args, **kwargs)
        except TransientError as exc:
            cap = runtime.current().settings.task_retry_backoff_max
            countdown = retry_countdown(self.request.retries, cap)
            limit = self.max_retries if exc.max_retries is None else exc.max_retries
            if limit is None or self.request.retries < limit:
                # Celery logs its retry line at INFO, which workers leave out (celery_app.py).
                log.warning("%s retries in %.1fs: %s", self.request.id, countdown, exc)
            raise self.retry(exc=exc, countdown=countdown, max_retries=exc.max_retries) from exc

    def run_async(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run `coro` to completion on this worker thread's event loop and return its result."""
        # A limit given for this call (apply_async(soft_time_limit=...)) wins over the task's,
        # which wins over the app's.
        _, call_limit = self.request.timelimit or (None, None)
        time_limit = call_limit or self.soft_time_limit or self.app.conf.task_soft_time_limit
        try:
            return runtime.current().loops.run(coro, time_limit=time_limit)
        except TimeLimitExceededError as exc:
            # The same exception Celery raises for its soft limit on prefork, so callers and
            # `on_failure` handle both pools alike.
            raise SoftTimeLimitExceeded(str(exc)) from exc
        except Exception as exc:
            if is_transient(exc):
                raise TransientError(f"{type(exc).__name__}: {exc}") from exc
            raise
