"""A Docker-compatible engine for the container tests: real Docker where it runs, else the
private podman engine from `../shared/containers` (see its README).

Both give the same three things: build a rendered project's Dockerfile unchanged, run
`compose` on its unchanged compose files, and reach the ports the stack publishes. With the
shared engine those ports exist only inside its network namespace, so HTTP goes through
`engine exec curl`; with Docker they are on the host's 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TEMPLATE_DIR = Path(__file__).resolve().parent.parent
SHARED_ENGINE = Path(
    os.environ.get("CONTAINERS_ENGINE", TEMPLATE_DIR.parent / "shared" / "containers" / "engine")
)
#: Set by .ci/run when it prepares the shared engine in the background: a file that holds
#: `engine up`'s exit status once it has finished.
ENGINE_STATUS_FILE = os.environ.get("TEMPLATE_TEST_ENGINE_STATUS")
HOW_TO_GET_ONE = (
    "no container engine: install Docker (with its compose plugin), or put the shared engine at "
    f"{SHARED_ENGINE} and run `{SHARED_ENGINE} up` as root (.ci/run does)"
)


def host_env() -> dict[str, str]:
    """This environment without the test run's virtual environment.

    The engine script runs the host's `python3` (with pip), which the venv's would shadow.
    """
    env = dict(os.environ)
    venv = env.pop("VIRTUAL_ENV", None)
    if venv:
        venv_bin = str(Path(venv) / "bin")
        env["PATH"] = os.pathsep.join(
            p for p in env.get("PATH", "").split(os.pathsep) if p != venv_bin
        )
    return env


class EngineError(AssertionError):
    """A command against the engine failed; the message carries its output."""


def _run(command: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    timeout = kwargs.pop("timeout", 600)
    check = kwargs.pop("check", True)
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=timeout, check=False, **kwargs
    )
    if check and result.returncode != 0:
        raise EngineError(
            f"`{' '.join(command)}` exited {result.returncode}\n"
            f"--- stdout ---\n{result.stdout[-5000:]}\n--- stderr ---\n{result.stderr[-5000:]}"
        )
    return result


@dataclass
class Engine:
    """How to build, run compose, and reach published ports on one engine."""

    name: str
    env: dict[str, str]
    #: Prefix that runs a host command where the stack's published ports are.
    net_prefix: list[str] = field(default_factory=list)
    build_command: list[str] = field(default_factory=list)

    def run(self, command: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
        return _run(command, env=self.env, **kwargs)

    def docker(self, *args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
        return self.run(["docker", *args], **kwargs)

    def build(self, project: Path) -> float:
        """Build the project's Dockerfile as `<dir name>:latest`; seconds taken."""
        started = time.monotonic()
        self.run([*self.build_command, str(project)], timeout=900)
        return time.monotonic() - started

    def compose(
        self, project: Path, files: list[str], *args: str, **kwargs: Any
    ) -> subprocess.CompletedProcess[str]:
        file_args = [arg for name in files for arg in ("-f", name)]
        return self.run(["docker", "compose", *file_args, *args], cwd=project, **kwargs)

    def http(
        self, method: str, url: str, body: Any = None, key: str | None = None
    ) -> tuple[int, Any]:
        """One HTTP request to a published port: (status, parsed JSON or text); 0 if refused."""
        command = [*self.net_prefix, "curl", "-s", "-m", "10", "-X", method, "-w", "\n%{http_code}"]
        command += ["-H", "Content-Type: application/json"]
        if key is not None:
            command += ["-H", f"X-API-Key: {key}"]
        if body is not None:
            command += ["--data-binary", json.dumps(body)]
        result = self.run([*command, url], check=False, timeout=30)
        text, _, code = result.stdout.rpartition("\n")
        try:
            return int(code or 0), json.loads(text) if text else None
        except ValueError:
            return int(code or 0), text

    def layers(self, image: str) -> list[str]:
        """The image's layer digests, bottom first."""
        out = self.docker("image", "inspect", "--format", "{{json .RootFS.Layers}}", image).stdout
        return list(json.loads(out))

    def layer_sizes(self, image: str) -> list[tuple[str, str]]:
        """(size, instruction) per history entry, newest first, as `docker history` shows."""
        out = self.docker(
            "history", "--no-trunc", "--format", "{{.Size}}\t{{.CreatedBy}}", image
        ).stdout
        return [tuple(line.split("\t", 1)) for line in out.splitlines() if "\t" in line]  # type: ignore[misc]


def _docker_works() -> bool:
    if shutil.which("docker") is None:
        return False
    probes = (["docker", "info"], ["docker", "compose", "version"])
    return all(_run(probe, check=False, timeout=60).returncode == 0 for probe in probes)


def _wait_for_background_up(status_file: Path, log_hint: str) -> None:
    deadline = time.monotonic() + 20 * 60
    while not status_file.exists() or not status_file.read_text().strip():
        if time.monotonic() > deadline:
            raise EngineError(f"the engine was not up after 20 minutes ({log_hint})")
        time.sleep(2)
    if status_file.read_text().strip() != "0":
        raise EngineError(f"`engine up` failed ({log_hint})")


def shared_engine() -> Engine:
    """The shared podman engine, brought up if needed (idempotent, ~10 s when cached)."""
    if ENGINE_STATUS_FILE:
        _wait_for_background_up(Path(ENGINE_STATUS_FILE), f"status in {ENGINE_STATUS_FILE}")
    else:
        _run([str(SHARED_ENGINE), "up"], env=host_env(), timeout=20 * 60)
    # What `eval "$(engine env)"` gives a shell: DOCKER_HOST, PATH with docker and compose.
    script = f'eval "$({SHARED_ENGINE} env)" && env -0'
    dump = _run(["bash", "-c", script], env=host_env()).stdout
    env = dict(item.split("=", 1) for item in dump.split("\0") if "=" in item)
    return Engine(
        name="shared podman engine",
        env=env,
        net_prefix=[str(SHARED_ENGINE), "exec"],
        build_command=[str(SHARED_ENGINE), "build"],
    )


def docker_engine() -> Engine:
    """Docker with BuildKit; builds tag the image `<dir name>:latest` like compose does."""

    class Docker(Engine):
        def build(self, project: Path) -> float:
            started = time.monotonic()
            self.docker("build", "-t", f"{project.name}:latest", str(project), timeout=900)
            return time.monotonic() - started

    return Docker(name="docker", env=dict(os.environ))


def find_engine() -> Engine:
    """Docker if it answers, else the shared engine; neither: fail with how to get one."""
    if _docker_works():
        return docker_engine()
    if SHARED_ENGINE.is_file() and os.access(SHARED_ENGINE, os.X_OK):
        return shared_engine()
    raise EngineError(HOW_TO_GET_ONE)
