"""The loop runners: time limits, isolation between calls, and many threads at once."""

import asyncio
import contextvars
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from {{ cookiecutter.project_slug }}.loops import (
    FreshLoopRunner,
    LoopRunner,
    ThreadLoopRunner,
    TimeLimitExceededError,
    keep_background_tasks,
)
from {{ cookiecutter.project_slug }}.shared_loop import SharedLoopRunner

# The shared loop runs here as the asyncio pool runs it, in its own thread; these tests call
# it from other threads (tests/unit/test_shared_loop.py calls it from the pool's greenlets).
RUNNERS = [FreshLoopRunner, ThreadLoopRunner, SharedLoopRunner]
request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="unset")


@pytest.fixture(params=RUNNERS, ids=lambda cls: cls.__name__)
def runner(request: pytest.FixtureRequest) -> Iterator[LoopRunner]:
    runner: LoopRunner = request.param()
    if isinstance(runner, SharedLoopRunner):
        runner.start()
    yield runner
    runner.close()


async def loop_id() -> int:
    return id(asyncio.get_running_loop())


def test_returns_the_result(runner: LoopRunner) -> None:
    async def answer() -> int:
        await asyncio.sleep(0)
        return 42

    assert runner.run(answer()) == 42


def test_time_limit_is_enforced_inside_the_loop(runner: LoopRunner) -> None:
    with pytest.raises(TimeLimitExceededError, match=r"time limit of 0\.05s exceeded"):
        runner.run(asyncio.sleep(5), time_limit=0.05)


def test_a_timeout_raised_by_the_code_itself_is_not_a_time_limit(runner: LoopRunner) -> None:
    async def driver_timeout() -> None:
        raise TimeoutError("connect timed out")

    with pytest.raises(TimeoutError, match="connect timed out") as raised:
        runner.run(driver_timeout(), time_limit=10)
    assert not isinstance(raised.value, TimeLimitExceededError)


def test_context_variables_do_not_leak_between_calls(runner: LoopRunner) -> None:
    async def set_and_read() -> str:
        before = request_id.get()
        request_id.set("job-1")
        return before

    assert runner.run(set_and_read()) == "unset"
    assert runner.run(set_and_read()) == "unset"


def test_fresh_runner_closes_its_loop_when_the_call_returns() -> None:
    async def current_loop() -> asyncio.AbstractEventLoop:
        return asyncio.get_running_loop()

    runner = FreshLoopRunner()
    first, second = runner.run(current_loop()), runner.run(current_loop())
    assert first is not second
    assert first.is_closed()
    assert second.is_closed()


def test_thread_runner_keeps_one_loop_per_thread() -> None:
    runner = ThreadLoopRunner()
    try:
        here = {runner.run(loop_id()) for _ in range(3)}
        with ThreadPoolExecutor(max_workers=1) as pool:
            there = {pool.submit(runner.run, loop_id()).result() for _ in range(3)}
        assert len(here) == 1
        assert len(there) == 1
        assert here != there
    finally:
        runner.close()


def test_thread_runner_cancels_tasks_a_call_leaves_behind() -> None:
    runner = ThreadLoopRunner()
    cancelled = threading.Event()

    async def forever() -> None:
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    async def leave_a_task_behind() -> None:
        asyncio.get_running_loop().create_task(forever())
        await asyncio.sleep(0)

    try:
        runner.run(leave_a_task_behind())
        assert cancelled.is_set(), "the stray task survived the call that started it"
        assert runner.run(asyncio.sleep(0, result="next call runs")) == "next call runs"
    finally:
        runner.close()


def test_thread_runner_keeps_tasks_a_resource_starts_after_the_call_that_made_it() -> None:
    """A resource's task may start another later (a driver's monitor, once the server
    answers): that one is the resource's too, not a leftover of the call it began in."""
    runner = ThreadLoopRunner()
    tasks: dict[str, asyncio.Task[None]] = {}
    answered: list[asyncio.Event] = []

    async def monitor() -> None:
        await answered[0].wait()
        tasks["started later"] = asyncio.get_running_loop().create_task(asyncio.sleep(3600))
        await asyncio.sleep(3600)

    async def open_resource() -> None:
        before = asyncio.all_tasks()
        answered.append(asyncio.Event())
        tasks["monitor"] = asyncio.get_running_loop().create_task(monitor())
        keep_background_tasks(before)

    async def use_resource() -> None:
        answered[0].set()
        await asyncio.sleep(0.01)  # the monitor starts its second task during this call

    try:
        runner.run(open_resource())
        runner.run(use_resource())
        assert set(tasks) == {"monitor", "started later"}
        assert not any(task.done() for task in tasks.values()), "a resource's task was cancelled"
    finally:
        runner.close()


def test_many_threads_starting_at_once_each_get_a_working_loop(runner: LoopRunner) -> None:
    threads = 16
    barrier = threading.Barrier(threads)

    async def current_loop() -> asyncio.AbstractEventLoop:
        return asyncio.get_running_loop()

    def call() -> asyncio.AbstractEventLoop:
        barrier.wait()  # every thread enters run() at the same moment
        return runner.run(current_loop())

    with ThreadPoolExecutor(max_workers=threads) as pool:
        # The loops themselves are kept, so no two can share an id by being freed and reused.
        loops = list(pool.map(lambda _: call(), range(threads)))
    distinct = len({id(loop) for loop in loops})
    if isinstance(runner, SharedLoopRunner):
        assert distinct == 1, f"{threads} threads ran on {distinct} loops, not the shared one"
    else:
        assert distinct == threads, f"{threads} threads shared {distinct} loops"
