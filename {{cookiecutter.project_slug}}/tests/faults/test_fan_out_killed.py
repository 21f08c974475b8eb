"""kill -9 a worker in the middle of a fan-out: no child is lost, the completion runs once.

The parent has fanned out and waits; its three children are running when the worker dies.
Their messages come back after the visibility timeout, a new worker runs them, and the last
to finish queues the parent's completion step, which runs exactly once.
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

CHILD_SECONDS = 1.0  # well inside the 2.5 s limit, even on a loaded machine
SECTIONS = ["alpha one", "beta two", "gamma three"]


def test_a_fan_out_whose_worker_is_killed_completes_exactly_once(
    fault_env: Callable[..., Env],
    api_for: Callable[[Env], AbstractContextManager[TestClient]],
    tmp_path: Path,
) -> None:
    env = fault_env(**KILL_SETTINGS)
    payload = {"sections": SECTIONS, "max_words": 1, "latency": CHILD_SECONDS}
    with api_for(env) as api:
        with running_worker(env, tmp_path / "first.log") as first:
            parent_id = post_job(api, payload, kind="report")
            waiting = wait_for(api, parent_id, {"waiting"}, timeout=20)
            assert waiting["status"] == "waiting", waiting
            time.sleep(0.3)  # the children are claimed and running
            first.kill9()
        killed_at = time.monotonic()
        time.sleep(KILL_VISIBILITY_TIMEOUT + 0.5)
        with running_worker(env, tmp_path / "second.log") as second:
            parent = wait_finished(api, parent_id, timeout=30 + KILL_VISIBILITY_TIMEOUT)
        recovered_in = time.monotonic() - killed_at

    logs = [worker.output() for worker in (first, second)]
    completions = sum(len(re.findall(r"running its completion step", log)) for log in logs)
    children_done = [len(re.findall(r"succeeded in [^:]*: 'succeeded'", log)) for log in logs]
    figures = (
        f"parent {parent['status']} after {parent['attempts']} attempts, children "
        f"{parent['children']}, completion runs {completions}, finished runs per worker "
        f"{children_done} (children and completion), {recovered_in:.1f}s to recover"
    )
    print(figures)
    assert parent["status"] == "succeeded", figures
    assert parent["children"] == {"total": 3, "finished": 3, "succeeded": 3, "failed": 0}, figures
    assert parent["result"] == {"summaries": ["alpha", "beta", "gamma"], "failed": 0}, figures
    assert completions == 1, figures
    # Three children and one completion finished, each once, on whichever worker ran them.
    assert sum(children_done) == 4, figures
