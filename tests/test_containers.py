"""The rendered Dockerfile and compose files, run for real on a container engine.

For a postgres rendering (threads pool) and a mongo one (the asyncio pool): build the image
from the Dockerfile unchanged (as a non-root image without secrets, whose source-only rebuild
touches only small layers), bring the stack up from compose.yaml unchanged and again with
compose.override.yaml, wait for the healthchecks and the start order, process a job on every
tier, scale a worker to three, and stop the stack with a job running without losing it.

The engine is Docker where it runs, else the shared podman engine (container_engine.py).
These tests are marked `containers`: `uv run pytest -m "not containers"` leaves them out.
One stack at a time (the api publishes port 8000): see one_stack_at_a_time.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from combinations import EXAMPLE_PAYLOADS
from compose_stack import API, Stack, parse_time, wait_until
from container_engine import Engine, EngineError, find_engine
from filelock import FileLock
from rendering import render

pytestmark = [pytest.mark.containers, pytest.mark.xdist_group("containers")]

PRODUCTION = ["compose.yaml"]
DEVELOPMENT = ["compose.yaml", "compose.override.yaml"]
APP_USER_ID = "10001"
DATABASES = ["postgres", "mongo"]


@dataclass
class Project:
    path: Path
    database: str
    tiers: list[str]

    @property
    def slug(self) -> str:
        return self.path.name

    @property
    def image(self) -> str:
        return f"{self.slug}:latest"

    def env_value(self, key: str) -> str:
        for line in (self.path / ".env").read_text().splitlines():
            if line.startswith(f"{key}="):
                return line.split("=", 1)[1]
        raise KeyError(key)

    @property
    def api_key(self) -> str:
        # API_KEYS=name:key,...: the key part of the first entry.
        return self.env_value("API_KEYS").split(",")[0].split(":", 1)[-1]

    @property
    def secrets(self) -> list[str]:
        keys = ("API_KEYS", "POSTGRES_PASSWORD", "MONGO_PASSWORD", "FLOWER_PASSWORD")
        values = []
        for key in keys:
            try:
                values.append(self.env_value(key).split(",")[0])
            except KeyError:
                continue
        return values


# --- jobs: one helper decides what "a job on every tier" is --------------------------------


def job_requests(project: Project) -> dict[str, dict[str, Any]]:
    """A request body per tier (and the CPU queue), and one of every example kind, by label."""
    bodies: dict[str, dict[str, Any]] = {
        tier: {"kind": "echo", "payload": {"message": tier, "sleep": 0.2}, "tier": tier}
        for tier in project.tiers
    }
    bodies["cpu"] = {"kind": "digest", "payload": {"rounds": 20000}, "tier": "cpu"}
    bodies |= {
        f"kind {kind}": {"kind": kind, "payload": payload}
        for kind, payload in EXAMPLE_PAYLOADS.items()
    }
    return bodies


def post_jobs(
    engine: Engine, project: Project, bodies: dict[str, dict[str, Any]]
) -> dict[str, str]:
    ids = {}
    for label, body in bodies.items():
        status, answer = engine.http("POST", f"{API}/jobs", body, project.api_key)
        assert status == 202, f"POST /jobs {body} -> {status} {answer}"
        ids[label] = answer["id"]
    return ids


def wait_for_jobs(
    engine: Engine, project: Project, ids: dict[str, str], timeout: float = 90
) -> dict[str, Any]:
    """Wait until every job has finished; return their last answers by label."""
    deadline = time.monotonic() + timeout
    finished: dict[str, Any] = {}
    while len(finished) < len(ids) and time.monotonic() < deadline:
        for label, job_id in ids.items():
            if label in finished:
                continue
            status, answer = engine.http("GET", f"{API}/jobs/{job_id}", key=project.api_key)
            if status == 200 and answer["status"] in ("succeeded", "failed"):
                finished[label] = answer
        time.sleep(0.5)
    missing = sorted(set(ids) - set(finished))
    assert not missing, f"jobs not finished after {timeout:g}s: {missing}"
    return finished


def assert_all_succeeded(answers: dict[str, Any]) -> None:
    failed = {label: a for label, a in answers.items() if a["status"] != "succeeded"}
    assert not failed, f"jobs failed: {failed}"


@pytest.fixture(scope="module", autouse=True)
def one_stack_at_a_time() -> Iterator[None]:
    """Hold the machine's container-test lock while this module runs on this test worker.

    Every stack publishes port 8000 in the engine, so two at once collide. The module is also
    an xdist_group, but pytest-xdist 3.8 cannot group on pytest 9 (it rewrites `_nodeid`, which
    pytest 9 no longer reads), so test workers may split the module: they take turns here.
    """
    with FileLock(str(Path(tempfile.gettempdir()) / "template-container-tests.lock")):
        yield


@pytest.fixture(scope="module")
def engine(one_stack_at_a_time: None) -> Engine:
    try:
        return find_engine()
    except EngineError as exc:
        pytest.fail(str(exc).splitlines()[0], pytrace=False)


#: Both worker pools that serve I/O tiers run in a container: threads (the default layout) with
#: PostgreSQL, the asyncio pool (`env CELERY_CUSTOM_WORKER_POOL=... --pool=custom`) with MongoDB.
LAYOUTS: dict[str, dict[str, str]] = {"postgres": {}, "mongo": {"worker_pool_layout": "asyncio"}}


@pytest.fixture(scope="module", params=DATABASES)
def project(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Project:
    database = request.param
    slug = f"ct_{database}"
    answers = {"database": database, "project_slug": slug, **LAYOUTS[database]}
    path = render(answers, tmp_path_factory.mktemp(slug))
    return Project(path, database, ["high", "default", "low"])


@pytest.fixture(scope="module")
def timings() -> Iterator[dict[str, float]]:
    measured: dict[str, float] = {}
    yield measured
    print("\ncontainer timings (s):", json.dumps({k: round(v, 1) for k, v in measured.items()}))


@pytest.fixture(scope="module")
def image(engine: Engine, project: Project, timings: dict[str, float]) -> str:
    """The project's image, built once from its Dockerfile as rendered."""
    timings[f"{project.database} build"] = engine.build(project.path)
    return project.image


@pytest.fixture
def stack_factory(engine: Engine, project: Project) -> Iterator[Callable[[list[str]], Stack]]:
    stacks: list[Stack] = []

    def make(files: list[str]) -> Stack:
        stack = Stack(engine, project, files)
        stacks.append(stack)
        return stack

    yield make
    for stack in stacks:
        stack.down()


# --- the image ------------------------------------------------------------------------------


def test_image_builds_unchanged_runs_as_non_root_and_holds_no_secrets(
    engine: Engine, project: Project, image: str
) -> None:
    config = engine.docker("image", "inspect", "--format", "{{json .Config}}", project.image)
    assert json.loads(config.stdout)["User"].split(":")[0] == APP_USER_ID
    uid = engine.docker("run", "--rm", "--entrypoint", "id", project.image, "-u").stdout.strip()
    assert uid == APP_USER_ID

    # Neither .env nor any secret value it holds is in the image: not in a file, not in the
    # configuration or the history.
    patterns = [arg for secret in project.secrets for arg in ("-e", secret)]
    search = engine.docker(
        "run", "--rm", "--user", "0", "--entrypoint", "grep", project.image,
        "-rlsF", *patterns, "/app", "/etc", "/tmp", "/root", "/home", check=False,
    )  # fmt: skip
    # -l prints each file that matches; exit status 2 only reports unreadable files.
    assert search.returncode in (1, 2) and not search.stdout, f"secrets in: {search.stdout}"
    listing = engine.docker("run", "--rm", "--entrypoint", "ls", project.image, "-a", "/app")
    assert ".env" not in listing.stdout.split()
    history = engine.docker("history", "--no-trunc", project.image).stdout
    described = json.dumps(engine.docker("image", "inspect", project.image).stdout)
    for secret in project.secrets:
        assert secret not in history and secret not in described


def test_a_source_only_edit_rebuilds_only_small_layers(
    engine: Engine, project: Project, image: str, timings: dict[str, float]
) -> None:
    before = engine.layers(project.image)
    source = project.path / "src" / project.slug / "__init__.py"
    original = source.read_text()
    source.write_text(original + "\n# a one-line source edit\n")
    try:
        timings[f"{project.database} rebuild after a source edit"] = engine.build(project.path)
    finally:
        source.write_text(original)
    after = engine.layers(project.image)
    kept = [layer for layer in after if layer in before]
    changed = after[len(kept) :]
    assert after[: len(kept)] == kept, "only the top layers may change"
    assert changed and len(changed) <= 2, f"{len(changed)} layers changed: {changed}"

    sizes = engine.layer_sizes(project.image)
    print(f"\n{project.image} layers after a source edit (newest first):")
    for size, created_by in sizes[:12]:
        print(f"  {size:>10}  {created_by[:90]}")
    venv = [
        size for size, created_by in sizes if "/app/.venv" in created_by and "COPY" in created_by
    ]
    assert venv, "the dependencies must be a layer of their own (COPY --from=builder /app/.venv)"
    # The rebuilt layers are the source and its bytecode: kilobytes, not megabytes.
    rebuilt_sizes = [
        size for size, by in sizes if "src" in by and ("COPY" in by or "compileall" in by)
    ]
    assert all(not s.endswith(("MB", "GB")) for s in rebuilt_sizes), rebuilt_sizes


# --- the stacks -----------------------------------------------------------------------------


def assert_started_after_dependencies(stack: Stack, service: str, project: Project) -> None:
    """`service` started only once Redis and the database were healthy (and migrate done)."""
    (row,) = stack.of(service)[:1]
    started = parse_time(stack.inspect(row["Name"])["State"]["StartedAt"])
    for dependency in ("redis", project.database):
        (dep,) = stack.of(dependency)[:1]
        health = stack.inspect(dep["Name"])["State"].get("Health") or {}
        passes = [parse_time(e["End"]) for e in health.get("Log") or [] if e.get("ExitCode") == 0]
        assert passes, f"{dependency} has no passing healthcheck on record"
        # Health logs keep the last few runs only; the earliest kept pass bounds the first.
        assert min(passes) <= started or len(health.get("Log") or []) >= 5, (
            f"{service} started at {started}, before {dependency} was healthy ({min(passes)})"
        )
    if project.database == "postgres":
        (migrate,) = stack.of("migrate")[:1]
        state = stack.inspect(migrate["Name"])["State"]
        assert state["ExitCode"] == 0, f"migrate exited {state['ExitCode']}"
        assert parse_time(state["FinishedAt"]) <= started, "started before the migrations ended"


def test_production_stack(
    engine: Engine,
    project: Project,
    image: str,
    stack_factory: Callable[[list[str]], Stack],
    timings: dict[str, float],
) -> None:
    stack = stack_factory(PRODUCTION)
    timings[f"{project.database} production up"] = stack.up()
    # At once, while the health logs still hold the first passing checks.
    assert_started_after_dependencies(stack, "api", project)
    timings[f"{project.database} production ready"] = stack.wait_ready()

    ids = post_jobs(engine, project, job_requests(project))
    assert_all_succeeded(wait_for_jobs(engine, project, ids))

    # Workers report healthy through their heartbeat, not `healthcheck: disable`.
    workers = [f"worker-{queue}" for queue in [*project.tiers, "cpu"]]
    stack.wait_healthy(["redis", project.database, *workers], timeout=120)

    # One worker scaled to three: three healthy containers, and the tier still works.
    scaled = f"worker-{project.tiers[-1]}"
    stack.compose("up", "-d", "--pull", "never", "--no-recreate", "--scale", f"{scaled}=3", scaled)
    wait_until(
        lambda: len([r for r in stack.of(scaled) if r.get("State") == "running"]) == 3,
        90, f"{scaled} did not reach 3 running containers", stack.diagnose,
    )  # fmt: skip
    stack.wait_healthy([scaled], timeout=120)
    bodies = {
        f"{scaled}-{n}": {
            "kind": "echo",
            "payload": {"message": str(n), "sleep": 0.5},
            "tier": project.tiers[-1],
        }
        for n in range(6)
    }
    assert_all_succeeded(wait_for_jobs(engine, project, post_jobs(engine, project, bodies)))

    # Stop the whole stack while a job runs: SIGTERM is a warm shutdown, compose stops the
    # workers before the database, so the job finishes; after a restart, none is lost.
    tier = project.tiers[0]
    running = post_jobs(
        engine, project, {"long": {"kind": "echo", "payload": {"sleep": 6}, "tier": tier}}
    )
    queued = post_jobs(
        engine,
        project,
        {
            f"short-{n}": {"kind": "echo", "payload": {"message": str(n)}, "tier": tier}
            for n in range(3)
        },
    )

    def is_running() -> bool:
        _, answer = engine.http("GET", f"{API}/jobs/{running['long']}", key=project.api_key)
        return isinstance(answer, dict) and answer.get("status") in ("running", "succeeded")

    wait_until(is_running, 60, "the long job never started", stack.diagnose)
    started = time.monotonic()
    stack.compose("stop", "-t", "30", timeout=240)
    timings[f"{project.database} stop with a job running"] = time.monotonic() - started
    stack.up()
    stack.wait_ready()
    answers = wait_for_jobs(engine, project, {**running, **queued}, timeout=120)
    assert_all_succeeded(answers)
    assert answers["long"]["attempts"] == 1, "the running job was cut off and run again"


def test_development_stack(
    engine: Engine,
    project: Project,
    image: str,
    stack_factory: Callable[[list[str]], Stack],
    timings: dict[str, float],
) -> None:
    stack = stack_factory(DEVELOPMENT)
    timings[f"{project.database} development up"] = stack.up()
    timings[f"{project.database} development ready"] = stack.wait_ready()
    ids = post_jobs(engine, project, job_requests(project))
    assert_all_succeeded(wait_for_jobs(engine, project, ids))

    # Published on 127.0.0.1 on ports that leave a local Redis and database alone.
    redis_port = stack.compose("port", "redis", "6379").strip()
    assert redis_port == "127.0.0.1:16379", redis_port
    database_port = "5432" if project.database == "postgres" else "27017"
    published = stack.compose("port", project.database, database_port).strip()
    assert published in ("127.0.0.1:15432", "127.0.0.1:17017"), published

    # A code change restarts the workers (watchfiles) and reloads the api, and jobs still run
    # afterwards. The rendering is this module's own, so the edit stays.
    worker = f"worker-{project.tiers[0]}"

    def logs(service: str) -> str:
        return stack.compose("logs", "--no-color", service)

    api_starts = logs("api").count("Application startup complete")
    source = project.path / "src" / project.slug / "__init__.py"
    source.write_text(source.read_text() + "\n# edited while the stack runs\n")
    wait_until(
        lambda: "change detected" in logs(worker)
        and logs("api").count("Application startup complete") > api_starts,
        90, f"{worker} and the api did not restart after the edit", stack.diagnose,
    )  # fmt: skip
    stack.wait_ready()
    again = post_jobs(engine, project, {"after-reload": job_requests(project)[project.tiers[0]]})
    assert_all_succeeded(wait_for_jobs(engine, project, again))
