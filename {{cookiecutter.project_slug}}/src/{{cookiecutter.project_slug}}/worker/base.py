"""`ProcessingTask`: the base class that lets a synchronous Celery task run async code safely."""

import logging
from collections.abc import Coroutine
from typing import Any, TypeVar

from celery import Task
from celery.exceptions import SoftTimeLimitExceeded

from ..db import TRANSIENT_ERRORS
from ..loops import TimeLimitExceededError
from . import runtime

T = TypeVar("T")
log = logging.getLogger(__name__)


class ProcessingTask(Task):  # type: ignore[type-arg]
    """Run coroutines from a sync task, with retries for transient failures.

    `run_async` is the one door from a Celery thread into asyncio: it uses the worker's loop
    runner (a fresh loop per call, or this thread's persistent loop) and enforces the task's
    time limit inside the loop, because the threads pool ignores Celery's own.
    """

    abstract = True
    # Transient failures (the database or broker went away) retry with exponential backoff
    # and jitter, so a fleet of workers does not return all at once. Bad input is not here.
    autoretry_for = TRANSIENT_ERRORS
    retry_backoff = 1
    retry_backoff_max = 60
    retry_jitter = True
    acks_late = True
    reject_on_worker_lost = True

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
