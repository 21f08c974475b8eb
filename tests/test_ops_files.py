"""The rendered project's operations files: Dockerfile, compose files, CI, pre-commit.

There is no Docker engine where these tests run, so the files are validated, not run: against
the schemas vendored in check-jsonschema (the Compose Specification, GitHub workflows, GitLab
CI), then by reference checks no schema can express: depends_on targets exist, named volumes
are declared, one worker per tier with the command docs/CONTRACT.md fixes, secrets required.

Each combination is rendered once for this module. Only the files listed in OPS_FILES are read:
the Python code and the hooks are tested elsewhere.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import check_jsonschema
import pytest
import yaml
from click.testing import CliRunner
from cookiecutter.exceptions import FailedHookException
from cookiecutter.main import cookiecutter

TEMPLATE_DIR = Path(__file__).resolve().parent.parent
DEFAULTS = {
    key: value[0] if isinstance(value, list) else value
    for key, value in json.loads((TEMPLATE_DIR / "cookiecutter.json").read_text()).items()
    if not key.startswith("_")
}

GITHUB_WORKFLOW = ".github/workflows/ci.yml"
GITLAB_CI = ".gitlab-ci.yml"
OPS_FILES = (
    "Dockerfile",
    ".dockerignore",
    "compose.yaml",
    "compose.override.yaml",
    ".pre-commit-config.yaml",
    GITHUB_WORKFLOW,
    GITLAB_CI,
)

#: worker_soft_shutdown_timeout in the rendered worker/celery_app.py. Docker must wait longer
#: than this before SIGKILL, or the soft shutdown never gets to finish running tasks.
SOFT_SHUTDOWN_SECONDS = 30
SECRETS = ("API_KEYS", "POSTGRES_PASSWORD", "MONGO_PASSWORD", "FLOWER_PASSWORD")
APP_USER_ID = "10001"

# One xdist worker takes the whole module, so each combination is rendered exactly once.
pytestmark = pytest.mark.xdist_group("ops-files")

# Each database x each layout; both tier lists, beat and Flower on and off, and every CI
# provider appear with both databases. Spaces in queue_tiers exercise `__tiers`.
COMBINATIONS = {
    "pg-split-defaults": {"ci_provider": "github"},
    "pg-threads-custom-gitlab": {
        "worker_pool_layout": "threads",
        "queue_tiers": "critical,bulk",
        "use_beat": False,
        "ci_provider": "gitlab",
        "python_version": "3.13",
        "project_name": "Billing Events",
    },
    "pg-prefork-bare-none": {
        "worker_pool_layout": "prefork",
        "use_beat": False,
        "use_flower": False,
        "ci_provider": "none",
        "io_worker_concurrency": "3",
    },
    "pg-split-custom-bare-gitlab": {
        "queue_tiers": "critical, bulk",
        "use_beat": False,
        "use_flower": False,
        "ci_provider": "gitlab",
        "cpu_worker_concurrency": 4,
    },
    "mongo-split-defaults-gitlab": {"database": "mongo", "ci_provider": "gitlab"},
    "mongo-threads-custom-github": {
        "database": "mongo",
        "worker_pool_layout": "threads",
        "queue_tiers": "critical,bulk",
        "use_flower": False,
        "ci_provider": "github",
        "python_version": "3.12",
        "project_name": "Ledger Sync",
    },
    "mongo-prefork-custom-none": {
        "database": "mongo",
        "worker_pool_layout": "prefork",
        "queue_tiers": "critical,bulk",
        "use_beat": False,
        "ci_provider": "none",
    },
    "pg-asyncio-gitlab": {"worker_pool_layout": "asyncio", "ci_provider": "gitlab"},
    "mongo-asyncio-custom-none": {
        "database": "mongo",
        "worker_pool_layout": "asyncio",
        "queue_tiers": "critical,bulk",
        "io_worker_concurrency": "16",
        "ci_provider": "none",
    },
    "mongo-split-bare-github": {
        "database": "mongo",
        "use_beat": False,
        "use_flower": False,
        "ci_provider": "github",
    },
}


def truthy(value: object) -> bool:
    """How the templates read a yes/no answer: a bool, or 'y'/'n' from an old replay."""
    return str(value).strip().lower() in {"true", "y", "yes", "1", "on"}


@dataclass
class Project:
    path: Path
    answers: dict[str, Any]

    @property
    def slug(self) -> str:
        return self.path.name

    @property
    def postgres(self) -> bool:
        return self.answers["database"] == "postgres"

    @property
    def db_service(self) -> str:
        return "postgres" if self.postgres else "mongo"

    @property
    def tiers(self) -> list[str]:
        return self.answers["queue_tiers"].replace(" ", "").split(",")

    @property
    def split(self) -> bool:
        """Whether the layout adds a prefork `cpu` queue beside the I/O tiers."""
        return self.answers["worker_pool_layout"] in ("split", "asyncio")

    @property
    def worker_services(self) -> set[str]:
        return {f"worker-{q}" for q in self.tiers + (["cpu"] if self.split else [])}

    def text(self, name: str) -> str:
        return (self.path / name).read_text()

    def yaml(self, name: str) -> Any:
        return yaml.safe_load(self.text(name))

    @cached_property
    def compose(self) -> dict[str, Any]:
        return self.yaml("compose.yaml")

    @cached_property
    def override(self) -> dict[str, Any]:
        return self.yaml("compose.override.yaml")

    # The process commands, exactly as docs/CONTRACT.md writes them.
    @property
    def api_command(self) -> str:
        return f"uvicorn {self.slug}.api.app:create_app --factory --host 0.0.0.0 --port 8000"

    def celery(self, *args: str) -> str:
        return " ".join(("celery", "-A", f"{self.slug}.worker.celery_app", *args))

    def worker_command(self, queue: str) -> str:
        layout = self.answers["worker_pool_layout"]
        if queue == "cpu":
            pool, concurrency = "prefork", self.answers["cpu_worker_concurrency"]
        else:
            pool = {"prefork": "prefork", "asyncio": "custom"}.get(layout, "threads")
            concurrency = self.answers["io_worker_concurrency"]
        if pool == "custom":  # the asyncio pool, which Celery finds through this variable
            pool_env = f"CELERY_CUSTOM_WORKER_POOL={self.slug}.worker.asyncio_pool:AsyncioPool"
            return f"env {pool_env} " + self.worker_command_with(queue, pool, concurrency)
        return self.worker_command_with(queue, pool, concurrency)

    def worker_command_with(self, queue: str, pool: str, concurrency: object) -> str:
        return self.celery(
            "worker",
            f"--queues={queue}",
            f"--hostname={queue}@%h",
            f"--pool={pool}",
            f"--concurrency={concurrency}",
            "--loglevel=INFO",
        )


@pytest.fixture(scope="module", params=list(COMBINATIONS), ids=list(COMBINATIONS))
def project(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Project:
    answers = {**DEFAULTS, **COMBINATIONS[request.param]}
    if "io_worker_concurrency" not in COMBINATIONS[request.param]:
        # cookiecutter.json derives this default from the layout: prefork processes cost far
        # more memory than threads, and a job waiting on one loop costs far less than either.
        defaults = {"prefork": 2, "asyncio": 64}
        answers["io_worker_concurrency"] = defaults.get(answers["worker_pool_layout"], 8)
    output_dir = tmp_path_factory.mktemp(request.param)
    try:
        path = cookiecutter(
            str(TEMPLATE_DIR),
            no_input=True,
            extra_context=COMBINATIONS[request.param],
            output_dir=str(output_dir),
        )
    except FailedHookException as exc:
        pytest.fail(f"rendering {request.param} failed in a template hook: {exc}", pytrace=False)
    return Project(Path(path), answers)


# --- helpers --------------------------------------------------------------------------------


def check_schema(schema: str, *paths: Path) -> None:
    """Run check-jsonschema with one of its vendored schemas, in-process (no start-up cost)."""
    result = CliRunner().invoke(
        check_jsonschema.main, ["--builtin-schema", schema, *map(str, paths)]
    )
    assert result.exit_code == 0, f"{schema}:\n{result.output}"


def strings(node: Any) -> Iterator[str]:
    """Every string in a parsed YAML document, keys included."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from strings(key)
            yield from strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from strings(item)


def depends_on(service: dict[str, Any]) -> dict[str, str | None]:
    """Target -> condition, for both the list and the mapping syntax."""
    deps = service.get("depends_on") or {}
    if isinstance(deps, list):
        return dict.fromkeys(deps)
    return {name: (spec or {}).get("condition") for name, spec in deps.items()}


def named_volumes(service: dict[str, Any]) -> set[str]:
    """Named volumes a service mounts (bind mounts start with '/', '.' or '~')."""
    names = set()
    for volume in service.get("volumes") or []:
        if isinstance(volume, dict):
            if volume.get("type", "volume") == "volume" and volume.get("source"):
                names.add(volume["source"])
        elif ":" in volume and not volume.startswith(("/", ".", "~", "$")):
            names.add(volume.split(":", 1)[0])
    return names


def seconds(duration: str | int) -> float:
    """A compose duration ('1m30s', '45s', 10) in seconds."""
    if isinstance(duration, int | float):
        return float(duration)
    units = {"h": 3600, "m": 60, "s": 1, "ms": 0.001, "us": 1e-6}
    parts = re.findall(r"(\d+(?:\.\d+)?)(h|ms|us|m|s)", duration)
    assert parts and "".join(n + u for n, u in parts) == duration, duration
    return sum(float(n) * units[u] for n, u in parts)


def published_targets(service: dict[str, Any]) -> set[int]:
    """Container ports a service publishes, from short ('127.0.0.1:5432:5432') or long syntax."""
    targets = set()
    for port in service.get("ports") or []:
        if isinstance(port, dict):
            targets.add(int(port["target"]))
        else:
            targets.add(int(str(port).rsplit(":", 1)[-1].split("/")[0]))
    return targets


def dockerfile_instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    instructions, pending = [], ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue  # blank lines and comments, inside a continued instruction too
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        keyword, _, rest = (pending + line).partition(" ")
        instructions.append((keyword.upper(), " ".join(rest.split())))
        pending = ""
    assert not pending, "the Dockerfile ends inside a continued line"
    return instructions


def stages(instructions: list[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    """The instructions split at each FROM; stage 0 is what comes before the first FROM."""
    result: list[list[tuple[str, str]]] = [[]]
    for instruction in instructions:
        if instruction[0] == "FROM":
            result.append([])
        result[-1].append(instruction)
    return result


def workflow_commands(steps: list[dict[str, Any]]) -> list[str]:
    """Every shell line the steps run."""
    return [line.strip() for step in steps for line in step.get("run", "").splitlines()]


# --- compose.yaml ----------------------------------------------------------------------------


def test_compose_files_match_the_compose_specification(project: Project) -> None:
    check_schema(
        "vendor.compose-spec",
        project.path / "compose.yaml",
        project.path / "compose.override.yaml",
    )


def test_compose_references_resolve(project: Project) -> None:
    services = project.compose["services"]
    declared = set(project.compose.get("volumes") or {})
    for document in (project.compose, project.override):
        for name, service in document["services"].items():
            assert set(depends_on(service)) <= set(services), f"{name} depends on a non-service"
            assert named_volumes(service) <= declared, f"{name} mounts an undeclared volume"
    # An override entry for a service compose.yaml lacks would be a service with no image.
    assert set(project.override["services"]) <= set(services)


def test_compose_services_follow_the_answers(project: Project) -> None:
    services = project.compose["services"]
    expected = {"api", "redis", project.db_service} | project.worker_services
    expected |= {"migrate"} if project.postgres else set()
    expected |= {"beat"} if truthy(project.answers["use_beat"]) else set()
    expected |= {"flower"} if truthy(project.answers["use_flower"]) else set()
    assert set(services) == expected


def test_compose_commands_are_the_contract_ones(project: Project) -> None:
    services = project.compose["services"]
    assert services["api"]["command"] == project.api_command
    for queue in project.tiers + (["cpu"] if project.split else []):
        command = services[f"worker-{queue}"]["command"]
        assert f"--queues={queue}" in shlex.split(command)
        assert command == project.worker_command(queue)
    if "beat" in services:
        schedule = f"--schedule=/tmp/{project.slug}-celerybeat-schedule"  # one per project
        expected = project.celery("beat", "--loglevel=INFO", schedule)
        assert services["beat"]["command"] == expected
    if "flower" in services:
        assert services["flower"]["command"] == project.celery("flower", "--port=5555")
    if project.postgres:
        assert services["migrate"]["command"] == "alembic upgrade head"
        assert services["migrate"]["restart"] == "no"


def test_every_app_container_has_a_command(project: Project) -> None:
    services = project.compose["services"]
    app_image = services["api"]["image"]
    app = {name for name, s in services.items() if s.get("image") == app_image or "build" in s}
    assert app == set(services) - {"redis", project.db_service}
    for name in app:
        assert services[name].get("command"), f"{name} would run the image's default (the api)"
        assert services[name].get("image") == app_image, f"{name} must run the one image"
    # Built once, by the api; compose does not pull an image another service builds.
    assert {name for name in app if "build" in services[name]} == {"api"}
    assert services["api"]["build"] == "."


def test_no_service_gets_the_whole_env_file(project: Project) -> None:
    for document in (project.compose, project.override):
        for name, service in document["services"].items():
            assert "env_file" not in service, f"{name} would get every secret in .env"


def test_workers_have_a_liveness_check(project: Project) -> None:
    services = project.compose["services"]
    for name in project.worker_services:
        check = services[name]["healthcheck"]
        assert not check.get("disable"), name
        assert check["test"] == ["CMD", "python", "-m", f"{project.slug}.worker.health"], name


def test_workers_share_one_definition(project: Project) -> None:
    # Merged from the x-worker anchor, not copied per tier.
    text = project.text("compose.yaml")
    assert "x-worker: &worker" in text
    assert text.count("<<: *worker") >= len(project.worker_services)
    for name in project.worker_services:
        worker = project.compose["services"][name]
        assert seconds(worker["stop_grace_period"]) > SOFT_SHUTDOWN_SECONDS
        assert worker["restart"] == "unless-stopped"


def test_only_the_api_publishes_a_port(project: Project) -> None:
    services = project.compose["services"]
    assert {name for name, s in services.items() if s.get("ports")} == {"api"}
    assert published_targets(services["api"]) == {8000}


def test_start_order_waits_for_healthy_services(project: Project) -> None:
    services = project.compose["services"]
    needed = {"redis": "service_healthy", project.db_service: "service_healthy"}
    if project.postgres:
        needed["migrate"] = "service_completed_successfully"
    for name in {"api"} | project.worker_services:
        assert depends_on(services[name]) == needed, name
    for name, service in services.items():
        for target, condition in depends_on(service).items():
            if condition == "service_healthy":
                check = services[target].get("healthcheck") or {}
                assert check.get("test") and not check.get("disable"), f"{name} -> {target}"
            elif condition == "service_completed_successfully":
                assert services[target].get("restart") == "no", f"{target} must run once"


def test_api_redis_and_database_have_healthchecks(project: Project) -> None:
    services = project.compose["services"]
    api_check = services["api"]["healthcheck"]["test"]
    assert api_check[0] == "CMD"
    assert "urllib" in " ".join(api_check)
    assert "http://127.0.0.1:8000/health/live" in " ".join(api_check)
    assert services["redis"]["image"] == "redis:7-alpine"
    assert "redis-cli" in services["redis"]["healthcheck"]["test"]
    database = services[project.db_service]
    if project.postgres:
        assert database["image"] == "postgres:16-alpine"
        assert "pg_isready" in database["healthcheck"]["test"]
        assert database["environment"]["POSTGRES_DB"] == project.slug
    else:
        assert database["image"] == "mongo:8"
        test = database["healthcheck"]["test"]
        assert test[:2] == ["CMD", "mongosh"] and "db.adminCommand('ping')" in test[-1]
        # Not the first-start init server on 127.0.0.1: the container's own address, with auth.
        assert "hostname()" in test[-1] and "MONGO_INITDB_ROOT_PASSWORD" in test[-1]
        assert "127.0.0.1" not in test[-1] and "localhost" not in test[-1]
        assert database["environment"]["MONGO_INITDB_ROOT_USERNAME"] == "root"
    assert named_volumes(database), "the database must keep its data in a named volume"


def test_containers_reach_the_services_by_name(project: Project) -> None:
    services = project.compose["services"]
    app = {"api", *project.worker_services} | ({"migrate"} if project.postgres else set())
    for name in app:
        env = services[name]["environment"]
        assert env["ENVIRONMENT"] == "production"
        assert env["REDIS_URL"] == "redis://redis:6379/0"
        # Only the api checks API keys; the others never see them.
        assert ("API_KEYS" in env) == (name == "api"), name
        assert "FLOWER_PASSWORD" not in env and "FLOWER_BASIC_AUTH" not in env, name
        if name == "api":
            assert env["API_KEYS"].startswith("${API_KEYS:?")
        if project.postgres:
            assert re.fullmatch(
                rf"postgresql\+asyncpg://postgres:\$\{{POSTGRES_PASSWORD:\?[^}}]+\}}"
                rf"@postgres:5432/{project.slug}",
                env["DATABASE_URL"],
            ), env["DATABASE_URL"]
        else:
            assert re.fullmatch(
                r"mongodb://root:\$\{MONGO_PASSWORD:\?[^}]+\}@mongo:27017/\?authSource=admin",
                env["MONGO_URL"],
            ), env["MONGO_URL"]
            assert env["MONGO_DB"] == project.slug
    for name in {"beat", "flower"} & set(services):
        env = services[name]["environment"]
        assert env["REDIS_URL"] == "redis://redis:6379/0"
        assert not {"API_KEYS", "DATABASE_URL", "MONGO_URL"} & set(env), f"{name}: {set(env)}"
    if "flower" in services:
        auth = services["flower"]["environment"]["FLOWER_BASIC_AUTH"]
        assert re.fullmatch(r"\$\{FLOWER_USER:-\w+\}:\$\{FLOWER_PASSWORD:\?[^}]+\}", auth), auth


def test_compose_settings_default_to_the_example_values(project: Project) -> None:
    # Containers get .env's tunables through compose interpolation; without .env, the same
    # values .env.example documents.
    example = dict(
        line.split("=", 1)
        for line in project.text(".env.example").splitlines()
        if "=" in line and not line.startswith("#")
    )
    settings = project.compose["x-settings"]
    for key, value in settings.items():
        match = re.fullmatch(r"\$\{(\w+):-(.*)\}", str(value))
        if match:
            assert match[1] == key and match[2] == example[key], f"{key}: {value}"
    passed = {key for key, value in settings.items() if str(value).startswith("${")}
    local_only = {"ENVIRONMENT", "REDIS_URL", "DATABASE_URL", "MONGO_URL", "MONGO_DB"}
    assert set(example) - set(SECRETS) - local_only - {"FLOWER_USER"} <= passed


@pytest.mark.parametrize("name", ["compose.yaml", "compose.override.yaml"])
def test_compose_variables_have_a_default_or_are_required(project: Project, name: str) -> None:
    for value in strings(project.yaml(name)):
        value = value.replace("$$", "")  # an escaped, literal dollar
        assert not re.search(r"\$[A-Za-z_]", value), f"bare variable in {value!r}"
        for expression in re.findall(r"\$\{([^}]*)\}", value):
            match = re.fullmatch(r"([A-Za-z_]\w*)(:?[-?])(.*)", expression)
            assert match, f"${{{expression}}} has neither a default nor a required message"
            variable, operator, argument = match.groups()
            if variable in SECRETS:
                assert operator == ":?" and argument, f"secret {variable} must be required"


# --- compose.override.yaml -------------------------------------------------------------------


def test_override_is_the_development_setup(project: Project) -> None:
    services = project.override["services"]
    api = services["api"]
    assert api["command"].startswith(project.api_command + " ")
    assert "--reload" in shlex.split(api["command"])
    app = {"api", *project.worker_services}
    app |= {"beat"} if truthy(project.answers["use_beat"]) else set()
    app |= {"flower"} if truthy(project.answers["use_flower"]) else set()
    for name in app:
        assert services[name]["environment"]["ENVIRONMENT"] == "development", name
        assert "./src:/app/src" in services[name]["volumes"], name
    # Workers restart on code changes: the compose command, under watchfiles.
    for name in project.worker_services:
        command = shlex.split(services[name]["command"])
        assert command[:3] == ["watchfiles", "--filter", "python"], name
        assert command[3] == project.compose["services"][name]["command"], name
        assert command[4:] == ["/app/src"], name
    db_port = 5432 if project.postgres else 27017
    assert published_targets(services["redis"]) == {6379}
    assert published_targets(services[project.db_service]) == {db_port}
    # On 127.0.0.1, on host ports that leave a local Redis and database alone.
    host_ports = {
        "redis": "127.0.0.1:${REDIS_PORT:-16379}:6379",
        "postgres": "127.0.0.1:${POSTGRES_PORT:-15432}:5432",
        "mongo": "127.0.0.1:${MONGO_PORT:-17017}:27017",
    }
    for name in ("redis", project.db_service):
        assert services[name]["ports"] == [host_ports[name]], name
    if truthy(project.answers["use_flower"]):
        assert published_targets(services["flower"]) == {5555}
    publishing = {name for name, s in services.items() if s.get("ports")}
    assert publishing <= {"redis", project.db_service, "flower"}


# --- CI --------------------------------------------------------------------------------------


def test_ci_files_match_the_provider(project: Project) -> None:
    # The post-generation hook removes the unchosen providers' files.
    provider = project.answers["ci_provider"]
    assert (project.path / ".github").exists() == (provider == "github")
    assert (project.path / GITLAB_CI).exists() == (provider == "gitlab")
    assert (project.path / "renovate.json").exists() == (provider == "gitlab")


def test_ci_configuration(project: Project) -> None:
    """The chosen provider's configuration is valid and runs the project's own checks."""
    provider = project.answers["ci_provider"]
    if provider == "github":
        check_github_workflow(project)
    elif provider == "gitlab":
        check_gitlab_ci(project)
    else:
        assert provider == "none"


def check_github_workflow(project: Project) -> None:
    path = project.path / GITHUB_WORKFLOW
    check_schema("vendor.github-workflows", path)
    check_schema("vendor.dependabot", project.path / ".github" / "dependabot.yml")
    jobs = yaml.safe_load(path.read_text())["jobs"]
    assert {"lint", "test"} <= set(jobs)
    # Third-party actions are pinned to a full commit SHA, the release named in a comment.
    for line in path.read_text().splitlines():
        if "uses:" in line:
            assert re.search(r"uses: [\w.-]+/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$", line), line
    test_commands = workflow_commands(jobs["test"]["steps"])
    if project.postgres:
        assert "uv run alembic check" in test_commands, "migration drift goes unnoticed"

    lint = workflow_commands(jobs["lint"]["steps"])
    for command in ("uv run ruff check", "uv run ruff format --check", "uv run mypy"):
        assert any(line.startswith(command) for line in lint), command
    assert any(
        line.startswith("uv run pytest") for line in workflow_commands(jobs["test"]["steps"])
    )

    for job in jobs.values():
        pythons = [
            s["with"]["python-version"] for s in job["steps"] if "setup-python" in s.get("uses", "")
        ]
        assert pythons == [project.answers["python_version"]]

    services, env = jobs["test"]["services"], jobs["test"]["env"]
    assert services["redis"]["image"] == "redis:7"
    assert "--health-cmd" in services["redis"]["options"]
    assert env["REDIS_URL"].startswith("redis://127.0.0.1:6379/")
    if project.postgres:
        assert services["postgres"]["image"] == "postgres:16"
        assert "--health-cmd" in services["postgres"]["options"]
        password = services["postgres"]["env"]["POSTGRES_PASSWORD"]
        assert env["DATABASE_URL"] == (
            f"postgresql+asyncpg://postgres:{password}@127.0.0.1:5432/{project.slug}"
        )
    else:
        assert services["mongo"]["image"] == "mongo:8"
        assert "--health-cmd" in services["mongo"]["options"]
        assert env["MONGO_URL"] == "mongodb://127.0.0.1:27017"


def check_gitlab_ci(project: Project) -> None:
    path = project.path / GITLAB_CI
    check_schema("vendor.gitlab-ci", path)
    check_schema("vendor.renovate", project.path / "renovate.json")
    config = yaml.safe_load(path.read_text())
    assert config["default"]["image"] == f"python:{project.answers['python_version']}-slim"

    def commands(job: str) -> list[str]:
        spec = config[job]
        base = config[spec["extends"]] if "extends" in spec else {}
        return [*base.get("before_script", []), *spec.get("script", [])]

    lint, test = commands("lint"), commands("test")
    if project.postgres:
        assert "uv run alembic check" in test, "migration drift goes unnoticed"
    for command in ("uv run ruff check", "uv run ruff format --check", "uv run mypy"):
        assert any(line.startswith(command) for line in lint), command
    assert any(line.startswith("uv run pytest") for line in test)

    services = {s["alias"]: s for s in config["test"]["services"]}
    variables = config["test"]["variables"]
    assert services["redis"]["name"] == "redis:7"
    assert variables["REDIS_URL"].startswith("redis://redis:6379/")
    if project.postgres:
        assert services["postgres"]["name"] == "postgres:16"
        password = services["postgres"]["variables"]["POSTGRES_PASSWORD"]
        assert variables["DATABASE_URL"] == (
            f"postgresql+asyncpg://postgres:{password}@postgres:5432/{project.slug}"
        )
    else:
        assert services["mongo"]["name"] == "mongo:8"
        assert variables["MONGO_URL"] == "mongodb://mongo:27017"


# --- Dockerfile and .dockerignore --------------------------------------------------------------


def test_dockerfile(project: Project) -> None:
    instructions = dockerfile_instructions(project.text("Dockerfile"))
    preamble, *built = stages(instructions)
    args = dict(a.split("=", 1) for kind, a in preamble if kind == "ARG" and "=" in a)
    assert len(built) >= 2, "multi-stage: a builder and a slim runtime"
    python = project.answers["python_version"]
    for stage in built:
        image = stage[0][1].split()[0]
        for name, value in args.items():
            image = image.replace(f"${{{name}}}", value)
        assert image == f"python:{python}-slim", stage[0]

    builder, runtime = built[0], built[-1]
    # The builder installs the dependencies alone, from pyproject.toml and uv.lock, refusing a
    # lock that does not match (--locked, not --frozen).
    syncs = [a for kind, a in builder if kind == "RUN" and "uv sync" in a]
    assert syncs == [
        "--mount=type=cache,target=/root/.cache/uv uv sync --locked --no-install-project --no-dev"
    ]
    copied = [a for kind, a in builder if kind == "COPY"]
    assert copied == ["pyproject.toml uv.lock ./"], "the dependency layer sees only these"
    # In the runtime image the dependencies are one layer, the project's files come after it.
    copies = [a for kind, a in runtime if kind == "COPY"]
    assert copies[0] == "--from=builder /app/.venv /app/.venv"
    assert copies[-1] == "src ./src"
    assert not any("uv sync" in a for kind, a in runtime if kind == "RUN")

    users = [a for kind, a in runtime if kind == "USER"]
    assert users, "the runtime stage must not run as root"
    user = users[-1].split(":")[0]
    assert user not in {"root", "0"} and user == APP_USER_ID
    env = " ".join(a for kind, a in runtime if kind == "ENV")
    assert "PYTHONUNBUFFERED=1" in env
    assert "PYTHONPATH=/app/src" in env, "the project is found on the path, not installed"
    assert re.search(r'PATH="?/app/\.venv/bin:', env)
    assert ("EXPOSE", "8000") in runtime
    (healthcheck,) = [a for kind, a in runtime if kind == "HEALTHCHECK"]
    assert "urllib" in healthcheck and "http://127.0.0.1:8000/health/live" in healthcheck
    assert "curl" not in healthcheck and "wget" not in healthcheck
    (cmd,) = [a for kind, a in runtime if kind == "CMD"]
    assert json.loads(cmd) == shlex.split(project.api_command)


def test_docker_build_context_holds_what_the_dockerfile_copies(project: Project) -> None:
    patterns = [
        line.strip()
        for line in project.text(".dockerignore").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert patterns[0] == "*", "an allowlist: nothing enters the image unless named"
    allowed = {p[1:] for p in patterns if p.startswith("!")}
    assert not any(name.startswith(".env") for name in allowed), "secrets must stay out"

    sources = []
    for kind, arguments in dockerfile_instructions(project.text("Dockerfile")):
        if kind == "COPY" and "--from=" not in arguments:
            sources += [s for s in arguments.split()[:-1] if not s.startswith("--")]
    assert sources
    for source in sources:
        assert source in allowed, f"{source} is copied but excluded by .dockerignore"
        assert (project.path / source).exists(), f"COPY {source}: not in the project"


# --- pre-commit and every file -----------------------------------------------------------------


def test_pre_commit_runs_the_projects_own_tools(project: Project) -> None:
    config = project.yaml(".pre-commit-config.yaml")
    assert [repo["repo"] for repo in config["repos"]] == ["local"]
    hooks = {hook["id"]: hook for hook in config["repos"][0]["hooks"]}
    assert {hook["entry"] for hook in hooks.values()} == {
        "uv run ruff check --fix",
        "uv run ruff format",
        "uv run mypy",
    }
    assert all(hook["language"] == "system" for hook in hooks.values())
    (mypy,) = [hook for hook in hooks.values() if hook["entry"] == "uv run mypy"]
    assert mypy["pass_filenames"] is False


def test_ops_files_are_fully_rendered_and_tidy(project: Project) -> None:
    present = [name for name in OPS_FILES if (project.path / name).exists()]
    assert {"Dockerfile", "compose.yaml", "compose.override.yaml"} <= set(present)
    for name in present:
        text = project.text(name)
        # GitHub's own ${{ }} expressions are meant to survive rendering; nothing else is.
        unrendered = re.sub(r"\$\{\{.*?\}\}", "", text) if name == GITHUB_WORKFLOW else text
        for marker in ("{{", "}}", "{%", "%}", "{#", "#}", "cookiecutter"):
            assert marker not in unrendered, f"{name}: {marker!r} left unrendered"
        lines = text.split("\n")
        assert text.endswith("\n") and not text.endswith("\n\n"), f"{name}: end of file"
        assert lines[0].strip(), f"{name} starts with a blank line"
        for number, line in enumerate(lines, 1):
            assert line == line.rstrip(), f"{name}:{number}: trailing whitespace"
            if number > 1:
                assert line or lines[number - 2], f"{name}:{number}: two blank lines"
