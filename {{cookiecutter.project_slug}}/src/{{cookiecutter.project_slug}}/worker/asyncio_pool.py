"""`AsyncioPool`: a Celery pool that runs many I/O-bound tasks at once on one event loop.

`celery worker --pool=custom` starts it when CELERY_CUSTOM_WORKER_POOL names it (`POOL_ENV`,
as the compose files do: Celery reads it at import). Each task runs in a greenlet of its own
on the runtime's shared loop (shared_loop.py); its `run_async` hands the coroutine to that
loop and sleeps, so `--concurrency` jobs wait on the network at once on one thread, one loop
and one small connection pool, and a job holds a database connection only while one of its
statements runs (ADR 0003).

What it keeps, and how:
- acks_late, retries and failure handling: Celery's own trace runs each task, unchanged.
- Time limits and cancellation: inside `run_async`, at the coroutine's awaits, as on the
  threads pool. Synchronous code holds up every task of the process while it runs, so
  CPU-bound kinds belong on the prefork queue.
- Warm shutdown: `stop()` waits for the running tasks before it stops the loop.
- A killed process: its messages were never acknowledged, so they come back after the
  visibility timeout, as with any pool.
"""

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import Future, wait
from typing import Any

from celery.concurrency.base import BasePool, apply_target

from ..greenlets import spawn
from ..shared_loop import SharedLoopRunner
from . import runtime

log = logging.getLogger(__name__)

#: The environment under which `celery worker --pool=custom` starts this pool.
POOL_ENV = {"CELERY_CUSTOM_WORKER_POOL": f"{__name__}:AsyncioPool"}
#: Seconds a cold shutdown gives cancelled tasks to finish their clean-up.
CANCEL_GRACE_SECONDS = 10.0


class ApplyResult:
    """What Celery keeps of a task handed to the pool (the threads pool's shape)."""

    def __init__(self, future: "Future[Any]") -> None:
        self.future = future
        self.get = future.result

    def wait(self, timeout: float | None = None) -> None:
        wait([self.future], timeout)


class AsyncioPool(BasePool):
    """Every task of this worker process on the one event loop of its runtime."""

    #: Tells the worker's start-up (process_signals.py) to give this process a shared loop.
    shares_one_loop = True
    signal_safe = False
    body_can_be_buffer = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._loops: SharedLoopRunner | None = None
        self._running: set[Future[Any]] = set()

    def on_start(self) -> None:
        loops = runtime.current().loops
        if not isinstance(loops, SharedLoopRunner):
            raise RuntimeError(
                "the asyncio pool needs the worker runtime's shared loop; the worker's "
                "start-up (worker/process_signals.py) creates it for this pool"
            )
        self._loops = loops
        loops.start()

    def on_apply(  # type: ignore[override]  # celery-types has it take anything, return None
        self,
        target: Callable[..., Any],
        args: tuple[Any, ...] | None = None,
        kwargs: dict[str, Any] | None = None,
        callback: Callable[..., Any] | None = None,
        accept_callback: Callable[..., Any] | None = None,
        **_: Any,
    ) -> ApplyResult:
        if self._loops is None:
            raise RuntimeError("the asyncio pool was given a task before it started")
        run = spawn(apply_target, target, args, kwargs, callback, accept_callback)
        future = asyncio.run_coroutine_threadsafe(run, self._loops.loop)
        self._running.add(future)
        future.add_done_callback(self._running.discard)
        return ApplyResult(future)

    def on_stop(self) -> None:
        """Warm shutdown: let every running task finish, then stop the loop."""
        running = list(self._running)
        if running:
            log.info("waiting for %d running tasks to finish", len(running))
            wait(running)
        if self._loops is not None:
            self._loops.stop()

    def on_terminate(self) -> None:
        """Cold shutdown: cancel the running tasks at their awaits, then stop the loop.

        Their messages stay unacknowledged (acks_late), so another worker runs them again.
        """
        running = list(self._running)
        for future in running:
            future.cancel()
        if running:
            wait(running, CANCEL_GRACE_SECONDS)
        if self._loops is not None:
            self._loops.stop()
