"""Fault-test fixtures: an isolated broker namespace per test, and an API for its settings."""

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import pytest
from fastapi.testclient import TestClient

from {{ cookiecutter.project_slug }}.api.app import create_app
from {{ cookiecutter.project_slug }}.settings import Settings

Env = dict[str, str]


@pytest.fixture
def fault_env(services: Settings) -> Callable[..., Env]:
    """Environment for one test's processes: its own Redis key prefix, plus any overrides.

    The prefix keeps this test's queues apart from every other worker on the same Redis.
    """
    # Under the run's own prefix (tests/conftest.py), so the run's clean-up removes it too.
    prefix = f"{os.environ['BROKER_KEY_PREFIX']}faults-{uuid.uuid4().hex[:8]}:"

    def make(**overrides: str) -> Env:
        return {"BROKER_KEY_PREFIX": prefix, "WORKER_DB_MODE": services.worker_db_mode} | overrides

    return make


def settings_for(env: Env) -> Settings:
    values: dict[str, Any] = {name.lower(): value for name, value in env.items()}
    return Settings(_env_file=None, **values)


@pytest.fixture
def api_for() -> Callable[[Env], AbstractContextManager[TestClient]]:
    @contextmanager
    def start(env: Env) -> Iterator[TestClient]:
        with TestClient(create_app(settings_for(env))) as client:
            yield client

    return start
