"""Loaded into the benchmark's worker with `--include`: a no-op task and completion times.

The worker is started with the project's own command line; this module only adds

* `bench.noop`, a task that does nothing, registered on the project's own Celery `app` (same
  configuration: acks_late, prefetch 1, JSON, ignored results), so it measures what Celery
  itself costs per task on this worker;
* a `task_postrun` receiver that notes the `time.perf_counter()` (and the process's CPU time)
  of every finished task (two clock reads and an append under a lock: about a microsecond,
  the same for every scenario). When
  BENCH_EXPECT tasks have finished it writes their times to BENCH_OUT (JSON), which is how
  the benchmark learns that the run is over without polling any service.

Environment: BENCH_PACKAGE (the rendered package), BENCH_EXPECT, BENCH_OUT.
"""

import importlib
import json
import os
import threading
import time
from pathlib import Path
from typing import Any

from celery import signals

app = importlib.import_module(os.environ["BENCH_PACKAGE"] + ".worker.celery_app").app


@app.task(name="bench.noop")
def noop(job_id: str) -> None:
    """Do nothing; takes the same argument as a job task, so the messages are alike."""


_expect = int(os.environ.get("BENCH_EXPECT", "0"))
_out = os.environ.get("BENCH_OUT", "")
_lock = threading.Lock()
_finished: list[float] = []
_cpu: list[float] = []


def _write(stamps: list[float], cpu: list[float], states: dict[str, int]) -> None:
    path = Path(_out)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"finished": stamps, "cpu": cpu, "states": states}))
    tmp.replace(path)  # the benchmark sees the whole file or none of it


_states: dict[str, int] = {}


@signals.task_postrun.connect(weak=False)
def _record(state: str | None = None, **_: Any) -> None:
    now, cpu = time.perf_counter(), time.process_time()  # wall clock; the worker's CPU time
    with _lock:
        _finished.append(now)
        _cpu.append(cpu)
        _states[str(state)] = _states.get(str(state), 0) + 1
        if len(_finished) != _expect:
            return
        stamps, cpus, states = list(_finished), list(_cpu), dict(_states)
    if _out:
        _write(stamps, cpus, states)
