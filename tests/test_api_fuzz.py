"""schemathesis against the running API of a postgres and a mongo rendering finds nothing.

The API is started from its compose `command:` line (as in test_processes.py), with no
workers: jobs stay queued, which is all the API's contract needs. schemathesis reads the
OpenAPI document, so this test follows the API whatever its request models become. Its own
database and a broker key prefix of its own keep its jobs out of every other test's way,
and the prefix's keys are deleted afterwards.
"""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest
from combinations import SUPPORTED
from project_fixtures import Rendering, _free_port
from rendering import project_env, run
from test_processes import compose_commands, started, wait_until, with_port

#: One rendering per database: the first one started as processes.
FUZZED = [
    next(c for c in SUPPORTED if c.processes and c.database == database)
    for database in ("postgres", "mongo")
]

pytestmark = [
    pytest.mark.integration,
    pytest.mark.parametrize(
        "combination_id", [pytest.param(c.id, marks=pytest.mark.xdist_group(c.id)) for c in FUZZED]
    ),
]

#: Bounded, and seeded so a failure can be replayed; `st run --seed` with another seed explores.
MAX_EXAMPLES = "40"
SEED = "20261202"
API_KEY = "template-test-key"

DELETE_PREFIXED_KEYS = """
import sys, redis
client = redis.Redis.from_url(sys.argv[1])
keys = list(client.scan_iter(match=sys.argv[2] + "*"))
if keys:
    client.delete(*keys)
print(len(list(client.scan_iter(match=sys.argv[2] + "*"))))
"""


def test_schemathesis_finds_nothing(
    rendering: Rendering, combination_id: str, services: dict[str, str], tmp_path: Path
) -> None:
    prefix = f"fuzz-{uuid.uuid4().hex[:8]}:"
    variables = dict(services) | {"BROKER_KEY_PREFIX": prefix, "API_KEYS": f"fuzz:{API_KEY}"}
    if rendering.combination.database == "postgres":
        variables["DATABASE_URL"] += "_fuzz"
    else:
        variables["MONGO_DB"] += "_fuzz"
    env = project_env(rendering.env, rendering.path, **variables)
    commands = compose_commands(rendering.path)
    if "migrate" in commands:
        run(commands["migrate"], cwd=rendering.path, env=env, timeout=120)

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    try:
        with started(with_port(commands["api"], port), rendering.path, env, tmp_path / "api.log"):
            wait_until(
                lambda: httpx.get(f"{url}/health/ready", timeout=5).status_code == 200,
                60,
                "API ready",
                tmp_path,
            )
            result = subprocess.run(
                [
                    str(Path(sys.executable).parent / "st"),
                    "run",
                    f"{url}/openapi.json",
                    "--checks=all",
                    f"--header=X-API-Key: {API_KEY}",
                    f"--max-examples={MAX_EXAMPLES}",
                    f"--seed={SEED}",
                ],
                # Its caches (.schemathesis/, .hypothesis/) go with the test's files.
                cwd=tmp_path,
                capture_output=True,
                text=True,
                timeout=600,
                check=False,
            )
    finally:
        left = rendering.python("-c", DELETE_PREFIXED_KEYS, services["REDIS_URL"], prefix)
    report = result.stdout[-8000:] + result.stderr[-2000:]
    assert result.returncode == 0, report
    assert "No issues found" in result.stdout, report
    assert "Traceback" not in (tmp_path / "api.log").read_text()
    assert left.strip() == "0"
