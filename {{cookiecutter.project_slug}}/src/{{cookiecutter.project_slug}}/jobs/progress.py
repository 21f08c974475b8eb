"""Progress a job's work reports, and how a cancel reaches it: the small API every kind has.

    from ..progress import report_progress

    async def work(payload: MyPayload) -> MyResult:
        for index, part in enumerate(parts):
            await handle(part)
            report_progress((index + 1) / len(parts), f"part {index + 1} of {len(parts)}")

`report_progress` only notes the latest value; the job's watcher (`watch`) writes it to the
store at most once per WATCH_INTERVAL_SECONDS, so a tight loop cannot flood the database, and
reads back in the same statement whether a cancel was asked for. A cancel then cancels the work
at its current `await`: `asyncio.CancelledError` is raised there, so `try/finally` and
`async with` blocks clean up as usual.
"""

import asyncio
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")

#: How often a running job's progress is written and its cancel flag read (a statement each).
WATCH_INTERVAL_SECONDS = 0.5
MESSAGE_LIMIT = 200


@dataclass
class Progress:
    fraction: float | None = None
    message: str | None = None
    changed: bool = False


_current: ContextVar[Progress | None] = ContextVar("job_progress", default=None)


def report_progress(fraction: float, message: str = "") -> None:
    """Note how far the running job is: `fraction` from 0 to 1, and a short message."""
    if not 0 <= fraction <= 1:
        raise ValueError(f"progress must be between 0 and 1, not {fraction!r}")
    progress = _current.get()
    if progress is None:  # called outside a job (a test, a script): nothing to report to
        return
    progress.fraction, progress.message = fraction, message[:MESSAGE_LIMIT]
    progress.changed = True


class JobCancelledError(Exception):
    """A cancel was asked for, and the work was stopped at its current await."""


#: Writes progress (when changed) and answers whether a cancel was asked for.
Heartbeat = Callable[[Progress], Awaitable[bool]]


async def watch(work: Awaitable[T], heartbeat: Heartbeat) -> T:
    """Run `work`, beating every WATCH_INTERVAL_SECONDS until it ends; cancel it on request.

    Work shorter than one interval costs no statement at all.
    """
    progress = Progress()
    token = _current.set(progress)
    try:
        task = asyncio.ensure_future(work)  # copies the context: the work sees `progress`
    finally:
        _current.reset(token)
    try:
        while True:
            done, _ = await asyncio.wait({task}, timeout=WATCH_INTERVAL_SECONDS)
            if done:
                return task.result()
            if await heartbeat(progress):
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
                raise JobCancelledError("cancelled while it ran")
    finally:
        if not task.done():  # our own caller was cancelled (the time limit): so is the work
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
