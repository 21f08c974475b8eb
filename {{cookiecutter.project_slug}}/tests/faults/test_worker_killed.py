"""kill -9 a worker mid-job: the broker hands the job to the next worker, and it runs once.

Redis keeps an unacknowledged message aside until the visibility timeout passes; a worker
returns overdue ones to their queue when it starts, and in a scan every tenth of the timeout
(1 to 10 s) after. The test starts the next worker once the timeout has passed, as a
supervisor would restart the killed one.
"""

import re
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

from fastapi.testclient import TestClient

from tests.services import post_job, wait_finished, wait_for

from .conftest import Env
from .workers import KILL_SETTINGS, KILL_VISIBILITY_TIMEOUT, running_worker


def test_a_job_whose_worker_is_killed_completes_exactly_once(
    fault_env: Callable[..., Env],
    api_for: Callable[[Env], AbstractContextManager[TestClient]],
    tmp_path: Path,
) -> None:
    env = fault_env(**KILL_SETTINGS)
    with api_for(env) as api:
        with running_worker(env, tmp_path / "first.log") as first:
            job_id = post_job(api, {"sleep": 2})
            running = wait_for(api, job_id, {"running"}, timeout=20)
            assert running["status"] == "running", running
            first.kill9()
        killed_at = time.monotonic()
        time.sleep(KILL_VISIBILITY_TIMEOUT + 0.5)
        with running_worker(env, tmp_path / "second.log") as second:
            job = wait_finished(api, job_id, timeout=30 + KILL_VISIBILITY_TIMEOUT)
        recovered_in = time.monotonic() - killed_at

    runs_finished = [
        len(re.findall(r"succeeded in", worker.output())) for worker in (first, second)
    ]
    assert (job["status"], job["attempts"], runs_finished) == ("succeeded", 2, [0, 1]), (
        f"after kill -9 and a restart: status {job['status']}, {job['attempts']} attempts, "
        f"finished runs per worker {runs_finished}, {recovered_in:.1f}s to recover "
        f"(visibility timeout {KILL_VISIBILITY_TIMEOUT}s)"
    )
    assert job["result"] == {"message": "", "data": None}
