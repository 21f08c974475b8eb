"""The asyncio pool's machinery: tasks in greenlets, waiting at once on one shared loop."""

import asyncio
import contextvars
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from typing import Any

import pytest
from celery import Celery

from {{ cookiecutter.project_slug }}.greenlets import spawn, wait_for
from {{ cookiecutter.project_slug }}.loops import TimeLimitExceededError
from {{ cookiecutter.project_slug }}.shared_loop import SharedLoopRunner

TASKS = 20
job_name: contextvars.ContextVar[str] = contextvars.ContextVar("job_name", default="unset")


@pytest.fixture
def shared() -> Iterator[SharedLoopRunner]:
    runner = SharedLoopRunner()
    runner.start()
    yield runner
    runner.close()


def in_greenlets(
    shared: SharedLoopRunner, function: Callable[..., Any], *args_each: tuple[Any, ...]
) -> list[Any]:
    """Run `function(*args)` for each args, each in a greenlet on the shared loop, as the asyncio
    pool runs tasks; their results in order (an exception is raised here)."""
    futures: list[Future[Any]] = [
        asyncio.run_coroutine_threadsafe(spawn(function, *args), shared.loop) for args in args_each
    ]
    return [future.result(timeout=30) for future in futures]


class Gathering:
    """Lets each caller through only once `size` callers are waiting: it completes only if they
    all wait at the same time, so a runner that ran them one after the other would time out."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.waiting = 0
        self.everyone = asyncio.Event()

    async def arrive(self) -> None:
        self.waiting += 1
        if self.waiting == self.size:
            self.everyone.set()
        async with asyncio.timeout(10):
            await self.everyone.wait()


def test_many_tasks_wait_at_once_on_one_loop(shared: SharedLoopRunner) -> None:
    gathering = Gathering(TASKS)

    async def wait_for_the_others() -> asyncio.AbstractEventLoop:
        await gathering.arrive()
        return asyncio.get_running_loop()

    def task(_: int) -> asyncio.AbstractEventLoop:  # synchronous, as a Celery task is
        return shared.run(wait_for_the_others())

    loops = in_greenlets(shared, task, *((n,) for n in range(TASKS)))
    assert {id(loop) for loop in loops} == {id(shared.loop)}


def test_an_error_in_the_coroutine_is_raised_in_the_task(shared: SharedLoopRunner) -> None:
    async def fail() -> None:
        await asyncio.sleep(0)
        raise LookupError("no such job")

    def task() -> str:
        try:
            shared.run(fail())
        except LookupError as exc:
            return f"caught {exc}"
        return "not raised"

    assert in_greenlets(shared, task, ()) == ["caught no such job"]


def test_the_time_limit_holds_while_other_tasks_run(shared: SharedLoopRunner) -> None:
    def slow() -> str:
        try:
            shared.run(asyncio.sleep(30), time_limit=0.05)
        except TimeLimitExceededError:
            return "stopped"
        return "ran to the end"

    def quick() -> int:
        return shared.run(asyncio.sleep(0, 7))

    assert in_greenlets(shared, slow, ()) + in_greenlets(shared, quick, ()) == ["stopped", 7]


def test_each_call_gets_fresh_context_variables(shared: SharedLoopRunner) -> None:
    async def set_and_read(name: str) -> str:
        before = job_name.get()
        job_name.set(name)
        await asyncio.sleep(0.01)  # the other tasks set theirs meanwhile
        return f"{before}->{job_name.get()}"

    def task(name: str) -> list[str]:
        return [shared.run(set_and_read(name)), shared.run(set_and_read(name))]

    results = in_greenlets(shared, task, ("a",), ("b",))
    assert results == [["unset->a", "unset->a"], ["unset->b", "unset->b"]]


def test_tasks_a_call_leaves_behind_are_cancelled_and_only_its_own(
    shared: SharedLoopRunner,
) -> None:
    started: dict[str, asyncio.Task[None]] = {}
    gathering = Gathering(2)

    async def leave_a_task(name: str) -> None:
        started[name] = asyncio.create_task(asyncio.sleep(30))
        await gathering.arrive()
        if name == "long":
            await asyncio.sleep(0.2)  # still running when "short" returns

    def task(name: str) -> bool:
        shared.run(leave_a_task(name))
        return started["long"].cancelled() or started["long"].done()

    long_done_after_short, long_done_after_long = in_greenlets(shared, task, ("short",), ("long",))
    assert long_done_after_short is False, "one call's return cancelled another call's task"
    assert long_done_after_long is True
    assert started["short"].cancelled()


def test_celery_keeps_each_greenlets_own_request() -> None:
    """Celery's request stack is greenlet-local when greenlet is installed: each task on the
    shared loop sees its own `self.request`, however their awaits interleave."""
    app = Celery(set_as_current=False)
    shared = SharedLoopRunner()
    shared.start()
    gathering = Gathering(TASKS)

    @app.task(bind=True)
    def which(self: Any, job: str) -> str:
        self.push_request(id=job)
        try:
            shared.run(gathering.arrive())
            return str(self.request.id)
        finally:
            self.pop_request()

    try:
        jobs = [f"job-{n}" for n in range(TASKS)]
        assert in_greenlets(shared, which, *((job,) for job in jobs)) == jobs
    finally:
        shared.close()


def test_wait_for_outside_a_spawned_greenlet_is_refused() -> None:
    async def nothing() -> None:
        return None

    coro = nothing()
    with pytest.raises(RuntimeError, match="only inside spawn"):
        wait_for(coro)
    coro.close()


def test_run_is_refused_before_the_loop_starts() -> None:
    runner = SharedLoopRunner()
    try:
        with pytest.raises(RuntimeError, match="shared loop running"):
            runner.run(asyncio.sleep(0))
    finally:
        runner.close()
