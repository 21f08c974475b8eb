"""The promise "a job kind is one file": a new kind, written as one module (and its test), in a
rendered project, passes ruff and mypy --strict, shows in the API, and runs on a real worker.

If this needs a second file of the project's to change, the design of job kinds is wrong.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from project_fixtures import CACHE_DIR, DB_PREFIX, REDIS_SERVER
from rendering import environment, project_env, render, run

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("new-kind")]

KIND = '''\
"""`word_count`: how many words a text has, counted after a pretend call to a service."""

import asyncio

from pydantic import BaseModel, Field

from ..kind import JobKind, Payload


class WordCountPayload(Payload):
    text: str = Field(min_length=1, max_length=10_000)


class WordCount(BaseModel):
    words: int


async def count_words(payload: WordCountPayload) -> WordCount:
    """Count the words of a text."""
    await asyncio.sleep(0.01)
    return WordCount(words=len(payload.text.split()))


KIND = JobKind(
    name="word_count", payload=WordCountPayload, work=count_words, time_limit=30, max_retries=2
)
'''

TEST = '''\
"""The word_count kind through the API and a real worker."""

from celery.worker import WorkController
from fastapi.testclient import TestClient

from tests.services import HEADERS, post_job, wait_finished


def test_a_word_count_job_runs(api: TestClient, worker: WorkController) -> None:
    job = wait_finished(api, post_job(api, {"text": "one two three"}, kind="word_count"), 30)
    assert job["status"] == "succeeded", job
    assert (job["kind"], job["result"]) == ("word_count", {"words": 3})


def test_a_word_count_without_text_is_refused(api: TestClient) -> None:
    response = api.post("/jobs", json={"kind": "word_count", "payload": {}}, headers=HEADERS)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "word_count", "payload", "text"]
'''


def test_a_new_kind_is_one_file(tmp_path: Path) -> None:
    project = render({}, tmp_path)
    package = project / "src" / project.name
    before = {p.relative_to(project) for p in project.rglob("*") if p.is_file()}
    (package / "jobs" / "kinds" / "word_count.py").write_text(KIND)
    (project / "tests" / "integration" / "test_word_count.py").write_text(TEST)
    after = {p.relative_to(project) for p in project.rglob("*") if p.is_file()}
    assert len(after - before) == 2

    env = environment(project, CACHE_DIR / "envs")
    variables = project_env(
        env,
        project,
        REDIS_URL=f"{REDIS_SERVER}/14",
        DATABASE_URL=f"postgresql+asyncpg://postgres@127.0.0.1:5432/{DB_PREFIX}new_kind",
        API_KEYS="template-test-key",
        ENVIRONMENT="development",
    )

    def tool(*command: str) -> str:
        return run([str(env / "bin" / command[0]), *command[1:]], cwd=project, env=variables).stdout

    tool("ruff", "check", "--no-cache", ".")
    tool("ruff", "format", "--check", "--no-cache", ".")
    tool("mypy", "--cache-dir", str(project / ".mypy_cache"))
    # The unit suite sees the new kind in the OpenAPI and GET /kinds; the new test runs it.
    output = tool(
        "python", "-m", "pytest", "-q", "-p", "no:cacheprovider",
        "tests/unit", "tests/integration/test_word_count.py",
    )  # fmt: skip
    assert re.search(r"\d+ passed", output), output
    assert not re.search(r"\d+ (failed|error|skipped)", output), output
