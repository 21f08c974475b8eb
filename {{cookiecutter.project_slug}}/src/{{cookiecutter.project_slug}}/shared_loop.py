"""The asyncio pool's loop: one event loop per worker process, shared by all its tasks.

`SharedLoopRunner` is the third `LoopRunner` (loops.py). The pool (worker/asyncio_pool.py)
runs each task in a greenlet on this loop (greenlets.py), so a task's `run_async` waits
without holding a thread, and many tasks' coroutines run at once.
"""

import asyncio
import contextvars
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

from .greenlets import in_spawned_greenlet, wait_for
from .loops import (
    _inherit_resource_marks,
    _resource_tasks,
    _within,
    new_event_loop,
    started_by_call,
)

T = TypeVar("T")


class SharedLoopRunner:
    """One event loop for the whole process, in a thread of its own: the asyncio pool's.

    The pool starts the loop and runs every task in a greenlet on it; a call hands its
    coroutine to the loop and sleeps until it is done, while other tasks' calls run. A call
    from another thread blocks that thread instead. Each call runs as a task of its own, in
    a fresh copy of the context variables, and the tasks it leaves behind are cancelled when
    it returns. The loop is closed by `close()`, after the worker's shutdown has disposed the
    connections bound to it.
    """

    def __init__(self) -> None:
        self.loop = new_event_loop()
        self.loop.set_task_factory(_inherit_resource_marks)
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Run the loop in its own thread until `stop()`; nothing if it runs already."""
        if self._thread is None or not self._thread.is_alive():
            # A daemon, so that a worker failing before its shutdown still exits; the
            # shutdown itself stops and joins it.
            self._thread = threading.Thread(
                target=self.loop.run_forever, name="asyncio-pool", daemon=True
            )
            self._thread.start()

    def stop(self) -> None:
        """Stop the loop once what it is running now has yielded; it can still be closed."""
        if self._thread is not None and self.loop.is_running():
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join()

    def run(self, coro: Coroutine[Any, Any, T], *, time_limit: float | None = None) -> T:
        if in_spawned_greenlet():
            return wait_for(_isolated(_within(coro, time_limit)))
        if threading.current_thread() is self._thread or not self.loop.is_running():
            coro.close()
            raise RuntimeError("run() needs the shared loop running, from a task or another thread")
        call = _isolated(_within(coro, time_limit))
        return asyncio.run_coroutine_threadsafe(call, self.loop).result()

    def close(self) -> None:
        self.stop()
        if not self.loop.is_closed():
            self.loop.close()


async def _isolated(coro: Coroutine[Any, Any, T]) -> T:
    """Await `coro` as a task with fresh context variables; cancel what it leaves running."""
    started: set[asyncio.Task[Any]] = set()
    context = contextvars.copy_context()
    context.run(started_by_call.set, started)
    try:
        return await asyncio.get_running_loop().create_task(coro, context=context)
    finally:
        leftovers = {task for task in started if task not in _resource_tasks and not task.done()}
        for task in leftovers:
            task.cancel()
        if leftovers:
            await asyncio.gather(*leftovers, return_exceptions=True)
