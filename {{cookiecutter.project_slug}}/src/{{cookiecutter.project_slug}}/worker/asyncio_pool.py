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
- Warm shutdown: `on_stop()` waits for the running tasks before it stops the loop.
- A killed process: its messages were never acknowledged, so they come back after the
  visibility timeout, as with any pool.
"""

import asyncio
import logging
from collections.abc import Callable, Coroutine
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


class AsyncioPool(BasePool):
    """Every task of this worker process on the one event loop of its runtime."""

    #: Tells the worker's start-up (process_signals.py) to give this process a shared loop.
    shares_one_loop = True
    signal_safe = False
    body_can_be_buffer = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._loops: SharedLoopRunner | None = None
        # The running tasks, touched only on the loop's own thread.
        self._running: set[asyncio.Task[Any]] = set()

    def on_start(self) -> None:
        loops = runtime.current().loops
        if not isinstance(loops, SharedLoopRunner):
            raise RuntimeError(
                "the asyncio pool needs the worker runtime's shared loop; the worker's "
                "start-up (worker/process_signals.py) creates it for this pool"
            )
        self._loops = loops
        loops.start()

    def on_apply(
        self,
        target: Callable[..., Any],
        args: tuple[Any, ...] | None = None,
        kwargs: dict[str, Any] | None = None,
        callback: Callable[..., Any] | None = None,
        accept_callback: Callable[..., Any] | None = None,
        **_: Any,
    ) -> None:
        if self._loops is None:
            raise RuntimeError("the asyncio pool was given a task before it started")
        # Called on the consumer's thread; the task starts on the loop's. Nothing is handed
        # back: Celery keeps no handle to a task on this pool, as on the threads pool.
        run = (target, args, kwargs, callback, accept_callback)
        self._loops.loop.call_soon_threadsafe(self._start, run)

    def _start(self, run: tuple[Any, ...]) -> None:
        task = asyncio.get_running_loop().create_task(spawn(_contained, *run))
        self._running.add(task)
        task.add_done_callback(self._running.discard)

    def on_stop(self) -> None:
        """Warm shutdown: let every running task finish, then stop the loop."""
        self._on_loop(self._settle(cancel=False))

    def on_terminate(self) -> None:
        """Cold shutdown: cancel the running tasks at their awaits, then stop the loop.

        Their messages stay unacknowledged (acks_late), so another worker runs them again.
        """
        self._on_loop(self._settle(cancel=True), timeout=CANCEL_GRACE_SECONDS)

    async def _settle(self, *, cancel: bool) -> None:
        # Tasks handed over before this call started before it (the loop runs callbacks in
        # order), so every one of them is in `_running` by now.
        while self._running:
            running = set(self._running)
            log.info("waiting for %d running tasks to finish", len(running))
            if cancel:
                for task in running:
                    task.cancel()
            await asyncio.wait(running)

    def _on_loop(self, settle: Coroutine[Any, Any, None], timeout: float | None = None) -> None:
        """Run `settle` on the loop from this (the worker's) thread, then stop the loop."""
        if self._loops is None or not self._loops.loop.is_running():
            settle.close()
            return
        try:
            asyncio.run_coroutine_threadsafe(settle, self._loops.loop).result(timeout)
        except TimeoutError:
            log.warning("tasks still running after %ss; stopping their loop anyway", timeout)
        finally:
            self._loops.stop()


def _contained(*run: Any) -> None:
    """Celery's apply_target, with what it lets through stopped here.

    It reports a task's own errors through Celery's callback, but lets WorkerShutdown and
    WorkerTerminate through, and those are SystemExit: raised into the event loop, they would
    stop it under every other running task. The threads pool drops them too (in a future).
    """
    try:
        apply_target(*run)
    except BaseException as exc:  # the loop must outlive any one task
        log.error("a task left the asyncio pool with %r", exc)
