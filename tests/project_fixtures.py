"""Fixtures that render supported combinations once and run things inside them."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from combinations import BY_ID, Combination
from rendering import TEMPLATE_DIR, environment, project_env, render, run

#: Virtual environments outlive a run (keyed by their dependency set), so reruns are quick.
CACHE_DIR = Path(os.environ.get("TEMPLATE_TEST_CACHE", TEMPLATE_DIR / ".cache"))

#: The Redis server and database-name prefix the renderings use. Two runs of the suite at once
#: (two clones on one machine) each set their own, or they consume each other's jobs.
REDIS_SERVER = os.environ.get("TEMPLATE_TEST_REDIS", "redis://127.0.0.1:6379")
DB_PREFIX = os.environ.get("TEMPLATE_TEST_DB_PREFIX", "tpl_")


@dataclass(frozen=True)
class Rendering:
    combination: Combination
    path: Path
    env: Path

    @property
    def package(self) -> str:
        return self.path.name

    def run(self, *command: str, timeout: float = 600, **variables: str) -> str:
        """Run a command from the rendering's environment, in the project root."""
        result = run(
            list(command),
            cwd=self.path,
            env=project_env(self.env, self.path, **variables),
            timeout=timeout,
        )
        return result.stdout

    def python(self, *args: str, timeout: float = 600, **variables: str) -> str:
        return self.run(str(self.env / "bin" / "python"), *args, timeout=timeout, **variables)


@pytest.fixture(scope="session")
def renderings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Rendering]]:
    """A per-process cache: each combination is rendered at most once per test worker."""
    cache: dict[str, Rendering] = {}
    yield cache


@pytest.fixture
def services(request: pytest.FixtureRequest, rendering: Rendering) -> dict[str, str]:
    """Environment variables pointing the rendering at local services of its own."""
    combination = rendering.combination
    mongo = request.getfixturevalue("mongo_url") if combination.database == "mongo" else ""
    return service_variables(combination, mongo)


@pytest.fixture
def rendering(
    request: pytest.FixtureRequest,
    renderings: dict[str, Rendering],
    tmp_path_factory: pytest.TempPathFactory,
) -> Rendering:
    """The rendering of the combination named by the test's `combination_id` parameter."""
    combination_id: str = request.getfixturevalue("combination_id")
    if combination_id not in renderings:
        combination = BY_ID[combination_id]
        path = render(combination.answers, tmp_path_factory.mktemp(combination_id))
        env = environment(path, CACHE_DIR / "envs")
        renderings[combination_id] = Rendering(combination, path, env)
    return renderings[combination_id]


def service_variables(combination: Combination, mongo_url: str) -> dict[str, str]:
    """Local services for one combination, isolated from every other one running at once."""
    index = list(BY_ID).index(combination.id) + 1  # Redis databases 1..N; 0 is for people
    name = DB_PREFIX + combination.id.replace("-", "_")
    variables = {
        "REDIS_URL": f"{REDIS_SERVER}/{index}",
        "API_KEYS": "template-test-key",
        "ENVIRONMENT": "development",
    }
    if combination.database == "postgres":
        variables["DATABASE_URL"] = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
    else:
        variables |= {"MONGO_URL": mongo_url, "MONGO_DB": name}
    return variables


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for_port(port: int, process: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"nx-27017 exited with {process.returncode} before listening")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nx-27017 did not listen on port {port} within {timeout:g}s")


@pytest.fixture(scope="session")
def mongo_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """MONGO_URL if set; otherwise a MongoDB wire server of our own for this test process."""
    if os.environ.get("MONGO_URL"):
        yield os.environ["MONGO_URL"]
        return
    server = shutil.which("nx-27017") or str(Path(sys.executable).parent / "nx-27017")
    port = _free_port()
    run_dir = tmp_path_factory.mktemp("nx-27017")
    process = subprocess.Popen(
        # Its own pid and log files (the defaults in /tmp are shared by every instance), and
        # one in-memory database per logical database, so combinations cannot see each other.
        [
            server,
            "--data-dir",
            "memory",
            "-p",
            str(port),
            "--pid-file",
            str(run_dir / "pid"),
            "--log-file",
            str(run_dir / "log"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for_port(port, process, timeout=30)
        yield f"mongodb://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
