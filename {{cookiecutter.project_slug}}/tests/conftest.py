"""Test-wide set-up: the suite never reads a developer's `.env`, only the environment."""

import os

import pytest

from tests.broker_keys import remove_keys_under, take_own_prefix

# Set before the package is imported: the Celery app reads its broker URL at import time.
# Each can be overridden from the environment (CI points them at its service containers).
os.environ.setdefault("ENVIRONMENT", "development")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
os.environ.setdefault("TASK_TIME_LIMIT", "60")
os.environ.setdefault("API_KEYS", "test-key")
# The example plain task returns a result; its test reads it back (worker/internal.py).
os.environ.setdefault("RESULT_BACKEND_URL", os.environ["REDIS_URL"])
#: Under the environment's BROKER_KEY_PREFIX, if any: this run's keys, and only this run's.
BROKER_KEY_PREFIX = take_own_prefix()

pytest_plugins = ["tests.services"]

#: Test directories whose tests need the real services, and the markers they get.
_SERVICE_SUITES = {"integration": ("integration",), "faults": ("integration", "faults")}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        for directory, markers in _SERVICE_SUITES.items():
            if directory in item.path.parts:
                for marker in markers:
                    item.add_marker(marker)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Leave nothing in Redis: the run's queues, bindings and unacknowledged messages."""
    remove_keys_under(os.environ["REDIS_URL"], BROKER_KEY_PREFIX)
