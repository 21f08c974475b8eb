"""The real services the integration and fault suites use, and the jobs API as they drive it.

They are found on localhost's default ports unless REDIS_URL and the database's URL say
otherwise (tests/integration/db.py names the database's). A missing service fails the run
with one line saying how to start it; nothing is skipped.
"""

import os
import time
from typing import Any

import pytest
import redis
from fastapi.testclient import TestClient

from {{ cookiecutter.project_slug }}.api_keys import parse_api_keys
from {{ cookiecutter.project_slug }}.db import prepare_database
from {{ cookiecutter.project_slug }}.jobs.model import FINISHED
from {{ cookiecutter.project_slug }}.settings import Settings
from tests.integration.db import TEST_ENVIRONMENT, database_problem

for _name, _value in TEST_ENVIRONMENT.items():
    os.environ.setdefault(_name, _value)

_FIRST_KEY = parse_api_keys(os.environ["API_KEYS"])[0]
API_KEY = _FIRST_KEY.secret.get_secret_value()
#: The name jobs posted with API_KEY are recorded under; tests that store jobs directly use it.
OWNER = _FIRST_KEY.name
HEADERS = {"X-API-Key": API_KEY}


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings(_env_file=None)


@pytest.fixture(scope="session")
def services(settings: Settings) -> Settings:
    """Check Redis and the database answer, then bring the schema up to date."""
    problems = [p for p in (redis_problem(settings.redis_url), database_problem(settings)) if p]
    if problems:
        pytest.fail("; ".join(problems), pytrace=False)
    prepare_database(settings)
    return settings


def redis_problem(url: str) -> str | None:
    """None if Redis answers; otherwise one line saying how to start it."""
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        return (
            f"Redis is not reachable at {url} ({type(exc).__name__}): start it "
            "(redis-server, or docker compose up -d redis) or set REDIS_URL"
        )
    return None


def post_job(api: TestClient, payload: Any, tier: str | None = None, kind: str = "echo") -> str:
    body = {"kind": kind, "payload": payload} | ({"tier": tier} if tier else {})
    response = api.post("/jobs", json=body, headers=HEADERS)
    assert response.status_code == 202, response.text
    job_id: str = response.json()["id"]
    return job_id


def wait_for(api: TestClient, job_id: str, statuses: set[str], timeout: float) -> dict[str, Any]:
    """Poll the job until its status is one of `statuses`; return it (whatever it is) at timeout."""
    deadline = time.monotonic() + timeout
    while True:
        job: dict[str, Any] = api.get(f"/jobs/{job_id}", headers=HEADERS).json()
        if job["status"] in statuses or time.monotonic() > deadline:
            return job
        time.sleep(0.05)


def wait_finished(api: TestClient, job_id: str, timeout: float) -> dict[str, Any]:
    return wait_for(api, job_id, {str(status) for status in FINISHED}, timeout)


def wait_all_finished(api: TestClient, job_ids: list[str], timeout: float) -> list[dict[str, Any]]:
    """Poll the jobs until all are finished, within one deadline for all of them; return
    each as last seen (so a fault test can report the stuck ones rather than time out)."""
    deadline = time.monotonic() + timeout
    return [wait_finished(api, job_id, max(0.0, deadline - time.monotonic())) for job_id in job_ids]
