"""Synchronous code that waits on coroutines without blocking its event loop.

The asyncio pool (worker/asyncio_pool.py) runs each Celery task, which is synchronous code, in
a greenlet of its own on the pool's event-loop thread. When the task needs a coroutine's
result (`ProcessingTask.run_async`), `wait_for` switches back to the loop, which awaits the
coroutine beside every other task's, and switches the task back in with the result. This is
the technique SQLAlchemy's asyncio extension is built on (`greenlet_spawn`), on its own.
"""

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, cast

from greenlet import getcurrent, greenlet

T = TypeVar("T")


class _SpawnedGreenlet(greenlet):
    """A greenlet started by `spawn`: the only kind that `wait_for` may switch out of."""


async def spawn(function: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """Run `function(*args, **kwargs)` in a new greenlet, awaiting what it waits for."""
    child = _SpawnedGreenlet(function, getcurrent())
    request = child.switch(*args, **kwargs)
    while not child.dead:
        try:
            value = await request
        except BaseException as exc:  # raised where the function waits, whatever it is
            request = child.throw(exc)
        else:
            request = child.switch(value)
    return cast(T, request)  # a finished greenlet's last switch hands back its return value


def in_spawned_greenlet() -> bool:
    """Whether `wait_for` can be called here."""
    return isinstance(getcurrent(), _SpawnedGreenlet)


def wait_for(awaitable: Awaitable[T]) -> T:
    """The result of `awaitable`, awaited by the event loop that runs this greenlet."""
    current = getcurrent()
    if not isinstance(current, _SpawnedGreenlet) or current.parent is None:
        raise RuntimeError(
            "wait_for() runs only inside spawn(): on the asyncio pool, call run_async from a "
            "task the pool is running"
        )
    return cast(T, current.parent.switch(awaitable))
