"""Worker liveness: a heartbeat file, and `python -m <package>.worker.health` to check it.

A worker's consumer sends Celery's heartbeat every two seconds from its own event loop, and
only while it is connected to the broker: the consumer stops its heart when the connection
drops and starts it again once reconnected. Each beat touches a file here, so the file's age
says whether the consumer is alive and connected. The check reads one file's time stamp: no
broker round trip, no settings, cheap enough for a compose healthcheck or a Kubernetes
liveness probe every few seconds.

It cannot see a single task hung in a pool thread or child process while the consumer goes on:
the task time limits (settings.task_time_limit) handle those.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from celery import signals

#: Where the heartbeat goes. One worker per container, so one fixed path; set the variable
#: when several workers share a machine and each needs its own check.
HEARTBEAT_FILE_VARIABLE = "WORKER_HEARTBEAT_FILE"
#: Seconds without a heartbeat after which the worker counts as dead: several missed beats
#: (one every 2 s), so a busy moment is not a failure, yet well inside a probe's patience.
DEFAULT_MAX_AGE = 20.0
# __package__, not __name__: run with `python -m`, this module is called __main__.
_PACKAGE = (__package__ or __name__).split(".")[0]


def heartbeat_file() -> Path:
    """The heartbeat file this process writes or checks."""
    default = Path(tempfile.gettempdir()) / f"{_PACKAGE}-worker.heartbeat"
    return Path(os.environ.get(HEARTBEAT_FILE_VARIABLE) or default)


@signals.heartbeat_sent.connect
def _beat(**_: object) -> None:
    # Runs in the consumer's loop: touching a file is the cheapest durable mark it can leave.
    heartbeat_file().touch()


@signals.worker_shutdown.connect
def _forget(**_: object) -> None:
    # A stopped worker must not look alive to a check that runs before its file ages.
    heartbeat_file().unlink(missing_ok=True)


def age(path: Path, now: float | None = None) -> float | None:
    """Seconds since the last heartbeat in `path`, or None if there was none."""
    try:
        written = path.stat().st_mtime
    except FileNotFoundError:
        return None
    return (time.time() if now is None else now) - written


def main(argv: list[str] | None = None) -> int:
    """Exit 0 if the heartbeat is fresh, else 1 with one line saying why."""
    parser = argparse.ArgumentParser(description="Is this container's Celery worker alive?")
    parser.add_argument("--max-age", type=float, default=DEFAULT_MAX_AGE, help="seconds")
    arguments = parser.parse_args(argv)
    path = heartbeat_file()
    seconds = age(path)
    if seconds is None:
        print(f"unhealthy: no heartbeat yet ({path} is missing)", file=sys.stderr)
        return 1
    if seconds > arguments.max_age:
        print(
            f"unhealthy: last heartbeat {seconds:.0f}s ago (limit {arguments.max_age:g}s): "
            "the worker is hung or has lost the broker",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
