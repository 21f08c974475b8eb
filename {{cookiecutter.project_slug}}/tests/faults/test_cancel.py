"""Cancel a running job on a real worker process, on the threads and the prefork pool.

Not Celery's revoke, which the threads pool cannot honour: the job's own watcher reads the
cancel flag with its progress and cancels the work at its current await.
"""

import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.services import HEADERS, post_job, wait_finished, wait_for

from .conftest import Env
from .workers import running_worker


@pytest.mark.parametrize("pool", ["threads", "prefork"])
def test_a_running_job_is_cancelled_within_about_a_second(
    fault_env: Callable[..., Env],
    api_for: Callable[[Env], AbstractContextManager[TestClient]],
    tmp_path: Path,
    pool: str,
) -> None:
    env = fault_env()
    with api_for(env) as api, running_worker(env, tmp_path / "worker.log", 2, pool=pool):
        job_id = post_job(api, {"sleep": 30})
        wait_for(api, job_id, {"running"}, timeout=30)
        time.sleep(0.3)  # well inside the work
        asked = time.monotonic()
        assert api.post(f"/jobs/{job_id}/cancel", headers=HEADERS).status_code == 202
        job = wait_finished(api, job_id, timeout=10)
        took = time.monotonic() - asked
    print(f"{pool}: cancel landed in {took:.2f}s; job {job['status']}, {job['attempts']} attempt")
    assert (job["status"], job["attempts"]) == ("cancelled", 1), job
    assert took < 5, f"{pool}: the cancel took {took:.1f}s"
