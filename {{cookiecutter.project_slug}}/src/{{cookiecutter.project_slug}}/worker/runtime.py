"""What a worker process holds while it runs: its settings, its database access, its loops.

The worker's start-up creates it (Celery's `worker_init`, and `worker_process_init` in each
prefork child, after the fork) and its shutdown closes it. Tasks reach it through `current()`,
so no task ever decides for itself which engine or loop it gets. How it reaches the database
(`access`) is WORKER_DB_MODE on the threads and prefork pools; the asyncio pool's processes
get `shared-loop`, whatever the setting says.
"""

import logging
import os
import threading
from dataclasses import dataclass

from ..db import WorkerDatabase
from ..loops import FreshLoopRunner, LoopRunner, ThreadLoopRunner
from ..settings import DbAccess, Settings, get_settings
from ..shared_loop import SharedLoopRunner

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WorkerRuntime:
    settings: Settings
    database: WorkerDatabase
    loops: LoopRunner
    access: DbAccess
    pid: int


_lock = threading.Lock()
_runtime: WorkerRuntime | None = None


def start(settings: Settings | None = None, *, shared_loop: bool = False) -> WorkerRuntime:
    """Create this process's runtime, once. A forked child replaces its parent's copy.

    `shared_loop`: this process runs the asyncio pool, whose tasks all share one loop.
    """
    global _runtime  # noqa: PLW0603 - one runtime per process is the point
    with _lock:
        if _runtime is not None and _runtime.pid == os.getpid():
            return _runtime
        settings = settings or get_settings()
        access: DbAccess = "shared-loop" if shared_loop else settings.worker_db_mode
        loops: LoopRunner = _RUNNERS[access]()
        database = WorkerDatabase(settings, access)
        _runtime = WorkerRuntime(settings, database, loops, access, os.getpid())
        log.info("worker runtime started (pid %s, %s mode)", _runtime.pid, access)
        return _runtime


_RUNNERS: dict[DbAccess, type[LoopRunner]] = {
    "per-task": FreshLoopRunner,
    "per-thread": ThreadLoopRunner,
    "shared-loop": SharedLoopRunner,
}


def stop() -> None:
    """Dispose this process's engines or clients and close its loops."""
    global _runtime
    with _lock:
        runtime, _runtime = _runtime, None
    if runtime is None or runtime.pid != os.getpid():
        return
    try:
        runtime.database.close()
    finally:
        runtime.loops.close()


def current() -> WorkerRuntime:
    """The runtime of this process; an error if the worker's start-up did not create it."""
    runtime = _runtime
    if runtime is None or runtime.pid != os.getpid():
        raise RuntimeError(
            "the worker runtime is not started in this process: start the worker with "
            "`celery -A <package>.worker.celery_app worker`, or call runtime.start() first"
        )
    return runtime
