"""SIGTERM with every slot busy: the worker finishes what it runs, then exits, and loses nothing.

This is how compose and Kubernetes stop a worker. Every job it had started must finish on
that run (no second attempt), and the jobs it had not started stay queued for the next worker.
On the asyncio pool the running jobs are coroutines on one loop, which must not be stopped
under them.
"""

from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

from fastapi.testclient import TestClient

from tests.services import HEADERS, post_job, wait_finished, wait_for

from .conftest import Env
from .workers import running_worker

CONCURRENCY = 4
JOBS = 8  # twice the slots: half run when the worker is told to stop, half wait


def test_sigterm_lets_every_running_job_finish_and_leaves_the_rest_queued(
    fault_env: Callable[..., Env],
    api_for: Callable[[Env], AbstractContextManager[TestClient]],
    tmp_path: Path,
) -> None:
    env = fault_env()
    with api_for(env) as api:
        with running_worker(env, tmp_path / "first.log", CONCURRENCY) as first:
            ids = [post_job(api, {"sleep": 1.5, "message": str(n)}) for n in range(JOBS)]
            wait_for(api, ids[0], {"running"}, timeout=20)
            exit_code = first.stop()
        after_stop = [api.get(f"/jobs/{job_id}", headers=HEADERS).json() for job_id in ids]
        with running_worker(env, tmp_path / "second.log", CONCURRENCY):
            jobs = [wait_finished(api, job_id, timeout=60) for job_id in ids]

    assert exit_code == 0, f"the worker exited {exit_code} on SIGTERM:\n{first.output()[-2000:]}"
    states = sorted(job["status"] for job in after_stop)
    assert "running" not in states, f"SIGTERM left jobs running, cut off: {states}"
    assert states.count("succeeded") >= 1, f"no running job finished before the exit: {states}"
    assert [job["status"] for job in jobs] == ["succeeded"] * JOBS
    assert [job["attempts"] for job in jobs] == [1] * JOBS, "a job ran twice"
    assert not first.loop_errors(), first.loop_errors()
