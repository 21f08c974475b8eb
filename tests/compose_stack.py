"""A compose stack of a rendered project on a container engine: up, inspect, wait, down."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from container_engine import Engine, EngineError

API = "http://127.0.0.1:8000"


class Project(Protocol):
    @property
    def path(self) -> Path: ...


def wait_until(
    check: Callable[[], Any], timeout: float, what: str, diagnose: Callable[[], str]
) -> Any:
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = check()
        except EngineError as exc:
            last = exc
        else:
            if last:
                return last
        time.sleep(1)
    raise AssertionError(f"{what} within {timeout:g}s (last: {last!r})\n{diagnose()}")


class Stack:
    """One compose stack of a project: up, inspect, down."""

    def __init__(self, engine: Engine, project: Project, files: list[str]) -> None:
        self.engine, self.project, self.files = engine, project, files

    def compose(self, *args: str, **kwargs: Any) -> str:
        return self.engine.compose(self.project.path, self.files, *args, **kwargs).stdout

    def containers(self) -> list[dict[str, Any]]:
        out = self.compose("ps", "-a", "--format", "json")
        rows = [json.loads(line) for line in out.splitlines() if line.strip().startswith("{")]
        if len(rows) == 1 and isinstance(rows[0], list):  # older compose: one JSON array
            rows = rows[0]
        return rows

    def of(self, service: str) -> list[dict[str, Any]]:
        return [row for row in self.containers() if row.get("Service") == service]

    def inspect(self, container: str) -> dict[str, Any]:
        return json.loads(self.engine.docker("inspect", container).stdout)[0]

    def diagnose(self) -> str:
        try:
            ps = self.compose("ps", "-a", check=False)
            logs = self.compose("logs", "--no-color", "--tail", "25", check=False)
        except Exception as exc:  # diagnostics must not hide the real failure
            return f"(no diagnostics: {exc!r})"
        return f"--- compose ps ---\n{ps}\n--- compose logs ---\n{logs[-12000:]}"

    def up(self, *extra: str) -> float:
        started = time.monotonic()
        self.compose("up", "-d", "--pull", "never", *extra, timeout=300)
        return time.monotonic() - started

    def down(self) -> None:
        # -t: podman 4.3 gives compose-created containers a stop timeout of 0 (shared README).
        self.compose("down", "-v", "-t", "10", check=False, timeout=180)

    def wait_ready(self, timeout: float = 150) -> float:
        started = time.monotonic()

        def ready() -> bool:
            status, _ = self.engine.http("GET", f"{API}/health/ready")
            return status == 200

        wait_until(ready, timeout, "the api did not answer /health/ready", self.diagnose)
        return time.monotonic() - started

    def wait_healthy(self, services: list[str], timeout: float = 120) -> None:
        def healthy() -> bool:
            rows = [row for row in self.containers() if row.get("Service") in services]
            return len(rows) >= len(services) and all(
                row.get("Health") == "healthy" for row in rows
            )

        wait_until(healthy, timeout, f"{services} were not all healthy", self.diagnose)


def parse_time(text: str) -> datetime:
    """A Docker or podman time stamp (nanoseconds, Z or an offset) as an aware datetime."""
    match = re.match(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:?\d\d)?", text.strip())
    assert match, f"not a time stamp: {text!r}"
    fraction = (match[2] or ".0")[:7]
    zone = "+00:00" if match[3] in (None, "Z") else match[3]
    return datetime.fromisoformat(f"{match[1]}{fraction}{zone}")
