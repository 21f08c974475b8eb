"""The real services the integration and fault suites use, checked once per run.

They are found on localhost's default ports unless REDIS_URL and the database's URL say
otherwise (tests/integration/db.py names the database's). A missing service fails the run
with one line saying how to start it; nothing is skipped.
"""

import os

import pytest
import redis

from {{ cookiecutter.project_slug }}.db import prepare_database
from {{ cookiecutter.project_slug }}.settings import Settings
from tests.integration.db import TEST_ENVIRONMENT, database_problem

for _name, _value in TEST_ENVIRONMENT.items():
    os.environ.setdefault(_name, _value)

API_KEY = os.environ["API_KEYS"].split(",")[0]
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
