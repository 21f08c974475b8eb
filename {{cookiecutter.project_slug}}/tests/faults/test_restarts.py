"""Redis killed and restarted for real, with jobs in flight; Redis hung during POSTs.

Each test runs its own redis-server (servers.py), and the worker with the README's own
command line and no supervisor: it must keep serving by itself.
"""

import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.services import HEADERS, post_job, wait_all_finished, wait_finished

from .conftest import Env
from .figures import job_figures, report
from .servers import redis_server
from .test_outages import SWEEP_ENV, sweeping
from .workers import running_worker

pytestmark = pytest.mark.restarts

JOBS = 16
CONCURRENCY = 4
ECHO = {"kind": "echo", "payload": {}}
DOWN_SECONDS = 1.0


@pytest.mark.parametrize("persistent", [False, True], ids=["no-persistence", "append-only"])
def test_every_job_finishes_once_after_redis_is_killed_and_restarted(
    fault_env: Callable[..., Env],
    api_for: Callable[[Env], AbstractContextManager[TestClient]],
    tmp_path: Path,
    persistent: bool,
) -> None:
    with redis_server(tmp_path, persistent=persistent) as redis:
        env = fault_env(**SWEEP_ENV, REDIS_URL=redis.url)
        with (
            api_for(env) as api,
            running_worker(env, tmp_path / "worker.log", CONCURRENCY) as worker,
        ):
            ids = [post_job(api, {"sleep": 0.5, "message": str(n)}) for n in range(JOBS)]
            time.sleep(1.0)  # jobs in flight, more queued behind them
            redis.kill9()
            time.sleep(DOWN_SECONDS)
            redis.start()
            restarted = time.monotonic()
            # Beat's sweep, every 2 s: without persistence, Redis lost every queued message.
            with sweeping(env):
                jobs = wait_all_finished(api, ids, timeout=60)
            recovered_in = time.monotonic() - restarted
            alive = worker.process.poll() is None
            # Still serving: a job posted now runs too.
            after = (
                wait_finished(api, post_job(api, {"message": "after"}), timeout=30) if alive else {}
            )
    figures = report(
        "redis killed",
        job_figures(
            jobs,
            persistence=persistent,
            worker_alive=alive,
            recovered_in=f"{recovered_in:.1f}s",
        ),
    )
    log_tail = worker.output()[-4000:]
    assert alive, f"the worker exited ({worker.process.returncode}): {figures}\n{log_tail}"
    assert after.get("status") == "succeeded", f"posted after the restart: {after}; {figures}"
    assert all(job["status"] == "succeeded" for job in jobs), f"{figures}\n{log_tail}"
    # A claim is a run: more than one means a job ran twice.
    assert all(job["attempts"] == 1 for job in jobs), figures
    assert not worker.loop_errors(), worker.loop_errors()
    assert "PendingDeprecationWarning" not in worker.output(), "item 11's warning is back"


def test_a_worker_refuses_a_redis_that_may_evict_jobs(
    fault_env: Callable[..., Env], tmp_path: Path
) -> None:
    with redis_server(tmp_path, persistent=False, maxmemory_policy="allkeys-lru") as redis:
        env = fault_env(REDIS_URL=redis.url)
        with pytest.raises(AssertionError, match="worker exited with 1") as refused:
            running_worker(env, tmp_path / "worker.log").__enter__()
    report("eviction policy", str(refused.value).splitlines()[0])
    assert "maxmemory-policy is 'allkeys-lru'" in str(refused.value)


def test_post_answers_503_quickly_while_redis_hangs(
    fault_env: Callable[..., Env],
    api_for: Callable[[Env], AbstractContextManager[TestClient]],
    tmp_path: Path,
) -> None:
    timeout = 1.0
    with redis_server(tmp_path, persistent=False) as redis:
        env = fault_env(REDIS_URL=redis.url, BROKER_SOCKET_TIMEOUT=str(timeout))
        with api_for(env) as api:
            assert api.post("/jobs", json=ECHO, headers=HEADERS).status_code == 202
            redis.pause()
            answers: list[tuple[int, float, str]] = []
            try:
                for _ in range(3):
                    started = time.monotonic()
                    response = api.post("/jobs", json=ECHO, headers=HEADERS)
                    answers.append(
                        (
                            response.status_code,
                            time.monotonic() - started,
                            response.json()["id"] if response.status_code == 202 else "",
                        )
                    )
            finally:
                redis.resume()
            back = api.post("/jobs", json=ECHO, headers=HEADERS)
    slowest = max(seconds for _, seconds, _ in answers)
    figures = report(
        "redis hung",
        f"answers {[code for code, _, _ in answers]}, slowest {slowest:.1f}s "
        f"(socket timeout {timeout:g}s), after SIGCONT {back.status_code}",
    )
    assert [code for code, _, _ in answers] == [503] * 3, figures
    # Two publish attempts, each bounded by the socket timeout (connecting, then the command).
    assert slowest < 3 * timeout + 2, figures
    assert back.status_code == 202, figures
