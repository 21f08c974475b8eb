"""Run coroutines from synchronous code: the bridge between Celery's threads and asyncio.

Three ways, one interface:

* `FreshLoopRunner` gives every call its own event loop (`asyncio.run`). Nothing outlives the
  call, so nothing can be shared by mistake: the safe default.
* `ThreadLoopRunner` keeps one loop per thread for the thread's lifetime, so connection pools
  bound to that loop survive between calls: the fast mode. Each call still gets a fresh copy
  of the context variables, and tasks a call leaves behind are cancelled when it returns.
* `SharedLoopRunner` (shared_loop.py) is the asyncio pool's: one loop for the whole process,
  on which every task's calls run at once, with the same fresh context and clean-up per call.

All enforce a time limit inside the loop, because Celery's threads pool ignores its own.
"""

import asyncio
import contextvars
import threading
import weakref
from collections.abc import Coroutine
from typing import Any, Protocol, TypeVar

T = TypeVar("T")

#: Background tasks that belong to a loop-bound resource (a Mongo client's monitors, say),
#: which must outlive the call that happened to start them.
_resource_tasks: "weakref.WeakSet[asyncio.Task[Any]]" = weakref.WeakSet()


def keep_background_tasks(started_before: set[asyncio.Task[Any]]) -> None:
    """Mark the tasks started on this loop since `started_before` as a resource's, not a leak.

    Call it right after creating a resource that runs tasks of its own, passing
    `asyncio.all_tasks()` as it was just before. Tasks that those tasks start later (a
    monitor that starts another once the server answers) are the resource's too.
    """
    _resource_tasks.update(asyncio.all_tasks() - started_before)


#: On the shared loop, the tasks started so far by the call running in this context.
started_by_call: contextvars.ContextVar[set["asyncio.Task[Any]"] | None] = contextvars.ContextVar(
    "started_by_call", default=None
)


def _inherit_resource_marks(
    loop: asyncio.AbstractEventLoop, coro: Any, /, **kwargs: Any
) -> "asyncio.Task[Any]":
    """The task factory of a persistent loop: a task started by a resource's task is its too,
    and one started by a call on the shared loop is that call's."""
    task = asyncio.Task(coro, loop=loop, **kwargs)
    creator = asyncio.current_task(loop)
    if creator is not None and creator in _resource_tasks:
        _resource_tasks.add(task)
    elif (started := started_by_call.get()) is not None:
        started.add(task)
    return task


def new_event_loop() -> asyncio.AbstractEventLoop:
    """A new event loop: uvloop's where it is installed (uvicorn[standard] brings it, and the
    API runs on it too), else asyncio's own. Every runner makes its loops here."""
    try:
        import uvloop  # noqa: PLC0415 - optional: not built for every platform
    except ImportError:
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


def finish_on(loop: asyncio.AbstractEventLoop, coro: Coroutine[Any, Any, T]) -> T:
    """Run `coro` on `loop`, the one its connections belong to, from outside that loop: here
    if the loop is idle (a thread's), on the loop's own thread if it runs (the shared one)."""
    if loop.is_running():
        return asyncio.run_coroutine_threadsafe(coro, loop).result()
    return loop.run_until_complete(coro)


class TimeLimitExceededError(TimeoutError):
    """The coroutine ran past the time limit given to the runner."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"time limit of {seconds:g}s exceeded")
        self.seconds = seconds


class LoopRunner(Protocol):
    def run(self, coro: Coroutine[Any, Any, T], *, time_limit: float | None = None) -> T:
        """Run `coro` to completion on this thread and return its result."""
        ...

    def close(self) -> None:
        """Release every loop this runner still holds."""
        ...


async def _within(coro: Coroutine[Any, Any, T], time_limit: float | None) -> T:
    deadline = asyncio.timeout(time_limit)
    try:
        async with deadline:
            return await coro
    except TimeoutError:
        # Only our own deadline becomes a time-limit error; a timeout raised by the code
        # itself (a driver's connect timeout, say) stays what it is.
        if time_limit is not None and deadline.expired():
            raise TimeLimitExceededError(time_limit) from None
        raise


class FreshLoopRunner:
    """A new event loop for every call, closed when the call returns."""

    def run(self, coro: Coroutine[Any, Any, T], *, time_limit: float | None = None) -> T:
        with asyncio.Runner(loop_factory=new_event_loop) as runner:
            return runner.run(_within(coro, time_limit))

    def close(self) -> None:
        """Nothing is held between calls."""


class ThreadLoopRunner:
    """One persistent event loop per thread, reused by every call made on that thread."""

    def __init__(self) -> None:
        self._local = threading.local()
        self._lock = threading.Lock()
        self._runners: list[asyncio.Runner] = []

    def run(self, coro: Coroutine[Any, Any, T], *, time_limit: float | None = None) -> T:
        runner = self._thread_runner()
        loop = runner.get_loop()
        before = asyncio.all_tasks(loop)
        try:
            # A fresh context per call: context variables set by one task never reach the next.
            return runner.run(_within(coro, time_limit), context=contextvars.copy_context())
        finally:
            self._cancel_leftovers(runner, before)

    def close(self) -> None:
        with self._lock:
            runners, self._runners = self._runners, []
        for runner in runners:
            runner.close()

    def _thread_runner(self) -> asyncio.Runner:
        runner: asyncio.Runner | None = getattr(self._local, "runner", None)
        if runner is None:
            runner = asyncio.Runner(loop_factory=new_event_loop)
            runner.get_loop().set_task_factory(_inherit_resource_marks)
            self._local.runner = runner
            with self._lock:
                self._runners.append(runner)
        return runner

    def _cancel_leftovers(self, runner: asyncio.Runner, before: set[asyncio.Task[Any]]) -> None:
        started = asyncio.all_tasks(runner.get_loop()) - before
        leftovers = {task for task in started if task not in _resource_tasks and not task.done()}
        if not leftovers:
            return
        for task in leftovers:
            task.cancel()

        async def settle() -> None:
            await asyncio.gather(*leftovers, return_exceptions=True)

        runner.run(settle())
