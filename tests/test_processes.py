"""The compose `command:` lines are the real way to start each process, outside Docker too.

For a few combinations: run the migrate job, start the API, every worker (and beat and Flower
when chosen) from their compose commands as separate processes against the local services,
post a job to every queue, and see each one succeed. The only change made to a command is
the listening port, so parallel runs do not collide.
"""

from __future__ import annotations

import base64
import os
import re
import shlex
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from combinations import EXAMPLE_PAYLOADS, SUPPORTED
from project_fixtures import Rendering, _free_port
from rendering import project_env, run

pytestmark = [
    pytest.mark.integration,
    pytest.mark.parametrize(
        "combination_id",
        [pytest.param(c.id, marks=pytest.mark.xdist_group(c.id)) for c in SUPPORTED if c.processes],
    ),
]

FLOWER_AUTH = ("flower", "template-test-password")


def compose_commands(project: Path) -> dict[str, list[str]]:
    compose = yaml.safe_load((project / "compose.yaml").read_text())
    app_image = compose["services"]["api"]["image"]
    commands = {}
    for name, service in compose["services"].items():
        command = service.get("command")
        # The service's own processes: the image built from this repository, not Redis or
        # the database.
        if command and service.get("image") == app_image:
            commands[name] = shlex.split(command) if isinstance(command, str) else list(command)
    return commands


def with_port(command: list[str], port: int) -> list[str]:
    """The same command listening on `port` (--port N or --port=N)."""
    replaced, skip = [], False
    for index, arg in enumerate(command):
        if skip:
            skip = False
            continue
        if arg == "--port":
            replaced += ["--port", str(port)]
            skip = index + 1 < len(command)
        elif arg.startswith("--port="):
            replaced.append(f"--port={port}")
        else:
            replaced.append(arg)
    if "--port" not in replaced and not any(a.startswith("--port=") for a in replaced):
        replaced.append(f"--port={port}")
    return replaced


@contextmanager
def started(
    command: list[str], cwd: Path, env: dict[str, str], log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        process = subprocess.Popen(
            [os.path.expandvars(arg) for arg in command],
            cwd=cwd,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def wait_until(check: Any, timeout: float, what: str, logs: Path) -> Any:
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = check()
            if last:
                return last
        except (httpx.HTTPError, OSError) as exc:
            last = exc
        time.sleep(0.2)
    tails = "\n".join(
        f"--- {p.name} ---\n{p.read_text()[-3000:]}" for p in sorted(logs.glob("*.log"))
    )
    raise AssertionError(f"{what} did not happen within {timeout:g}s (last: {last!r})\n{tails}")


def test_compose_commands_process_a_job_on_every_queue_and_of_every_kind(
    rendering: Rendering, combination_id: str, services: dict[str, str], tmp_path: Path
) -> None:
    combination = rendering.combination
    variables = dict(services)
    variables["FLOWER_BASIC_AUTH"] = ":".join(FLOWER_AUTH)
    env = project_env(rendering.env, rendering.path, **variables)
    commands = compose_commands(rendering.path)

    if "migrate" in commands:
        run(commands["migrate"], cwd=rendering.path, env=env, timeout=120)

    api_port = _free_port()
    long_running = {name: cmd for name, cmd in commands.items() if name != "migrate"}
    queues = combination.tiers + (["cpu"] if combination.split else [])
    assert {f"worker-{q}" for q in queues} <= set(long_running), sorted(long_running)

    with ExitStack() as stack:
        processes = {}
        for name, command in long_running.items():
            if name == "api":
                command = with_port(command, api_port)
            elif name == "flower":
                flower_port = _free_port()
                command = with_port(command, flower_port)
            processes[name] = stack.enter_context(
                started(command, rendering.path, env, tmp_path / f"{name}.log")
            )
        api = stack.enter_context(httpx.Client(base_url=f"http://127.0.0.1:{api_port}", timeout=5))
        headers = {"X-API-Key": variables["API_KEYS"]}

        wait_until(lambda: api.get("/health/ready").status_code == 200, 60, "API ready", tmp_path)
        kinds = {kind["name"] for kind in api.get("/kinds", headers=headers).json()}
        assert kinds == set(EXAMPLE_PAYLOADS), "every example kind needs an example payload here"
        bodies = {
            f"tier {q}": {"kind": "digest" if q == "cpu" else "echo", "payload": {}, "tier": q}
            for q in queues
        }
        bodies |= {f"kind {k}": {"kind": k, "payload": EXAMPLE_PAYLOADS[k]} for k in kinds}
        job_ids = {}
        for name, body in bodies.items():
            response = api.post("/jobs", json=body, headers=headers)
            assert response.status_code == 202, response.text
            job_ids[name] = response.json()["id"]

        def all_finished() -> dict[str, Any] | None:
            jobs = {q: api.get(f"/jobs/{i}", headers=headers).json() for q, i in job_ids.items()}
            done = all(job["status"] in ("succeeded", "failed") for job in jobs.values())
            return jobs if done else None

        jobs = wait_until(all_finished, 90, "every queue's and kind's job finishing", tmp_path)
        assert {n: j["status"] for n, j in jobs.items()} == dict.fromkeys(bodies, "succeeded")

        if "flower" in processes:
            url = f"http://127.0.0.1:{flower_port}/"
            wait_until(lambda: _status(url) in (200, 401), 30, "Flower answering", tmp_path)
            assert _status(url) == 401, "Flower must refuse requests without basic auth"
            assert _status(url, FLOWER_AUTH) == 200

        for name, process in processes.items():
            assert process.poll() is None, (
                f"{name} exited early:\n{(tmp_path / f'{name}.log').read_text()[-3000:]}"
            )

    # Stopped with SIGTERM: a warm shutdown that finishes what is running and exits cleanly.
    exits = {name: process.returncode for name, process in processes.items()}
    assert all(code in (0, -signal.SIGTERM) for code in exits.values()), exits
    worker_logs = " ".join(
        (tmp_path / f"{n}.log").read_text() for n in processes if n.startswith("worker")
    )
    assert not re.search(
        r"attached to a different loop|Event loop is closed|another operation is in progress",
        worker_logs,
    )


def _status(url: str, auth: tuple[str, str] | None = None) -> int:
    request = urllib.request.Request(url)
    if auth:
        token = base64.b64encode(":".join(auth).encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
