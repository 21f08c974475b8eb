"""Worker throughput: tasks/s of a real Celery worker, no-op task vs the job task in each DB mode.

    uv run python benchmarks/worker_throughput.py            (from the template root)

Renders the template once per worker DB mode, builds one virtual environment for both, creates
and migrates a database per rendering, and then, in interleaved rounds, runs each scenario:

  no-op          `bench.noop` (does nothing) on the per-thread rendering's app: Celery's ceiling
  per-task       the real job task `jobs.process.<tier>` with WORKER_DB_MODE=per-task
  per-thread     the same task with WORKER_DB_MODE=per-thread
  no-op asyncio  `bench.noop` on the asyncio pool (`--pool=custom`): Celery's ceiling there
  asyncio        the job task on the asyncio pool

One run of a scenario: empty Redis db 13 and the jobs table, insert N queued jobs, publish N
messages with the worker stopped, start a real worker with the project's own command line
(threads pool, concurrency 8), let it drain the queue, stop it. The worker notes when each task
finishes (benchmarks/worker_side/bench_worker_plugin.py); the first W completions (start-up,
first connections) are not timed, so the rate is (N - W) / (t[N] - t[W]). Job runs are then
checked in the database: every job succeeded, on its first attempt.

Prints a table of tasks/s (each run and the median per scenario), then the lines
`per-thread/per-task = X.XX`, `per-thread/no-op = Y.YY` and `asyncio/no-op asyncio = Z.ZZ`
(ratios of the medians).

`--variant PATCH[:MODE]` adds a scenario rendered from the template with PATCH applied (a
`git diff` made at the template root), to measure a proposed change against the baseline in
the same run. MODE is per-thread (default), per-task, no-op, asyncio (the job on the asyncio
pool), or unchecked (per-thread, but the jobs are not checked afterwards: for experiments that
take the database out of the job task, such as benchmarks/variants/bridge-only.patch).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import platform
import select
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TEMPLATE_DIR = Path(__file__).resolve().parent.parent
WORKER_SIDE = Path(__file__).resolve().parent / "worker_side"

PG_HOST, PG_PORT = "127.0.0.1", 5432
REDIS_HOST, REDIS_PORT, REDIS_DB = "127.0.0.1", 6379, 13  # db 13 is the benchmark's own
DB_PREFIX = ""  # put before every database name the benchmark creates
CONCURRENCY = 8
START_HINT = {
    "PostgreSQL": "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
    "Redis": 'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" '
    "--appendonly no",
}


class BenchError(RuntimeError):
    """Something the benchmark needs failed; the message says what."""


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- services -------------------------------------------------------------------------------


def add_service_options(parser: argparse.ArgumentParser) -> None:
    """--redis-url and --db-prefix, so a run on a shared machine uses its own Redis and names."""
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("TEMPLATE_TEST_REDIS", f"redis://{REDIS_HOST}:{REDIS_PORT}"),
        help="the Redis server to use (its db 13 is flushed); default $TEMPLATE_TEST_REDIS or "
        "redis://127.0.0.1:6379",
    )
    parser.add_argument(
        "--db-prefix",
        default=os.environ.get("TEMPLATE_TEST_DB_PREFIX", ""),
        help="prefix for the databases created and dropped (default $TEMPLATE_TEST_DB_PREFIX)",
    )


def configure_services(args: argparse.Namespace) -> None:
    global REDIS_HOST, REDIS_PORT, DB_PREFIX
    from urllib.parse import urlsplit

    url = urlsplit(args.redis_url)
    REDIS_HOST, REDIS_PORT = url.hostname or "127.0.0.1", url.port or 6379
    DB_PREFIX = args.db_prefix


def check_port(name: str, host: str, port: int) -> None:
    try:
        with socket.create_connection((host, port), timeout=3):
            return
    except OSError as exc:
        raise BenchError(
            f"{name} is not reachable at {host}:{port} ({exc}); start it with: {START_HINT[name]}"
        ) from None


# --- renderings and their environment -------------------------------------------------------


@dataclass
class Rendering:
    key: str  # "per-task", "per-thread", or a variant's name
    mode: str  # the worker DB mode it was rendered with
    slug: str
    root: Path
    patch: Path | None = None
    client: Client | None = None
    venv: Path | None = None  # set by build_venvs

    @property
    def database_url(self) -> str:
        return f"postgresql+asyncpg://postgres@{PG_HOST}:{PG_PORT}/{DB_PREFIX}{self.slug}"


def template_copy(patch: Path, workdir: Path, name: str) -> Path:
    """A copy of the template with `patch` applied (for --variant), in workdir/template-name."""
    copy = workdir / f"template-{name}"
    skip = shutil.ignore_patterns(
        ".git",
        ".venv",
        ".cache",
        "__pycache__",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        "uv.lock",
    )
    shutil.copytree(TEMPLATE_DIR, copy, ignore=skip)
    result = subprocess.run(
        ["git", "apply", "--whitespace=nowarn", str(patch.resolve())],
        cwd=copy,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if result.returncode != 0:
        raise BenchError(f"{patch} does not apply to the template: {result.stderr.strip()}")
    return copy


def render(rendering: Rendering, workdir: Path) -> None:
    from cookiecutter.main import cookiecutter

    template = (
        template_copy(rendering.patch, workdir, rendering.slug) if rendering.patch else TEMPLATE_DIR
    )
    out = workdir / f"render-{rendering.slug}"
    project = Path(
        cookiecutter(
            str(template),
            no_input=True,
            extra_context={
                "project_name": rendering.slug.replace("_", " ").title(),
                "project_slug": rendering.slug,
                "database": "postgres",
                "worker_db_mode": rendering.mode,
                "io_worker_concurrency": CONCURRENCY,
                "ci_provider": "none",
            },
            output_dir=str(out),
            accept_hooks=False,
        )
    )
    # What the post-generation hook does for the database (hooks are not run here).
    package = project / "src" / rendering.slug
    if (package / "db").exists():
        shutil.rmtree(package / "db")
    (package / "db_postgres").rename(package / "db")
    shutil.rmtree(package / "db_mongo", ignore_errors=True)
    rendering.root = project


def runtime_requirements(project: Path) -> list[str]:
    return sorted(
        tomllib.loads((project / "pyproject.toml").read_text())["project"]["dependencies"]
    )


def uv_command() -> list[str]:
    probe = subprocess.run(
        [sys.executable, "-m", "uv", "--version"], capture_output=True, timeout=30, check=False
    )
    if probe.returncode == 0:
        return [sys.executable, "-m", "uv"]
    found = shutil.which("uv")
    if found:
        return [found]
    raise BenchError("uv is needed to build the benchmark's environment (pip install uv)")


def build_venvs(renderings: list[Rendering], workdir: Path, extra: list[str]) -> Path:
    """A venv per set of runtime dependencies (a variant may change them: no-hiredis.patch), set
    on each rendering; returns the first rendering's. The packages come from PYTHONPATH."""
    built: dict[tuple[str, ...], Path] = {}
    for rendering in renderings:
        wanted = tuple(runtime_requirements(rendering.root))
        if wanted not in built:
            built[wanted] = build_venv([rendering], workdir / f"env{len(built)}", extra)
        rendering.venv = built[wanted]
    assert renderings[0].venv is not None
    return renderings[0].venv


def build_venv(renderings: list[Rendering], workdir: Path, extra: list[str]) -> Path:
    """One venv with the renderings' runtime dependencies; the packages come from PYTHONPATH."""
    wanted = runtime_requirements(renderings[0].root)
    for rendering in renderings[1:]:
        if runtime_requirements(rendering.root) != wanted:
            raise BenchError(f"{rendering.key} needs other dependencies than {renderings[0].key}")
    venv = workdir / "venv"
    uv = uv_command()
    for command in (
        [*uv, "venv", "--quiet", "--python", sys.executable, str(venv)],
        [
            *uv,
            "pip",
            "install",
            "--quiet",
            "--compile-bytecode",  # worker start-up, not the timed part, but quicker runs
            "--python",
            str(venv / "bin" / "python"),
            *wanted,
            *extra,
        ],
    ):
        result = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
        if result.returncode != 0:
            raise BenchError(f"`{' '.join(command)}` failed:\n{result.stderr[-3000:]}")
    return venv


def process_env(venv: Path, rendering: Rendering, **extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"VIRTUAL_ENV", "PYTHONPATH", "UV_PROJECT_ENVIRONMENT", "PYTHONHOME"}
        and not key.startswith(("WORKER_", "DATABASE_", "REDIS_", "CELERY_", "BENCH_"))
    }
    env.update(
        PATH=f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
        VIRTUAL_ENV=str(venv),
        PYTHONPATH=f"{rendering.root / 'src'}{os.pathsep}{WORKER_SIDE}",
        BENCH_PACKAGE=rendering.slug,
        ENVIRONMENT="development",
        API_KEYS="bench",
        DATABASE_URL=rendering.database_url,
        REDIS_URL=f"redis://{REDIS_HOST}:{REDIS_PORT}/{REDIS_DB}",
        WORKER_DB_MODE=rendering.mode,
    )
    env.update(extra)
    return env


# --- the client: set-up and checks inside a rendering (bench_client.py) ----------------------


class Client:
    """A long-lived bench_client.py process for one rendering, spoken to in JSON lines."""

    def __init__(self, venv: Path, rendering: Rendering, workdir: Path) -> None:
        self.name = rendering.key
        self.stderr_path = workdir / f"client-{rendering.slug}.log"
        self._stderr = self.stderr_path.open("w")
        self.proc = subprocess.Popen(
            [str(venv / "bin" / "python"), str(WORKER_SIDE / "bench_client.py")],
            env=process_env(venv, rendering),
            cwd=rendering.root,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
        )

    def call(self, op: str, timeout: float = 180, **args: Any) -> dict[str, Any]:
        assert self.proc.stdin and self.proc.stdout
        try:
            self.proc.stdin.write(json.dumps({"op": op, **args}) + "\n")
            self.proc.stdin.flush()
        except BrokenPipeError:
            raise BenchError(f"the {self.name} client died:\n{self._tail()}") from None
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if not ready:
            raise BenchError(f"the {self.name} client did not answer {op!r} in {timeout:g}s")
        line = self.proc.stdout.readline()
        if not line:
            raise BenchError(f"the {self.name} client died during {op!r}:\n{self._tail()}")
        answer: dict[str, Any] = json.loads(line)
        if not answer.pop("ok"):
            raise BenchError(f"{op} ({self.name}): {answer['error']}\n{answer['traceback']}")
        return answer

    def _tail(self) -> str:
        self._stderr.flush()
        return self.stderr_path.read_text()[-3000:]

    def close(self) -> None:
        with contextlib.suppress(Exception):
            assert self.proc.stdin
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=15)
        self._stderr.close()


# --- one run of a scenario -------------------------------------------------------------------


@dataclass
class Scenario:
    name: str
    rendering: Rendering
    task: str  # the task name to send
    jobs: bool  # the task runs jobs (rows are inserted and checked)
    check_jobs: bool = True  # False for experiments that take the database out of the task
    concurrency: int = CONCURRENCY  # the worker's --concurrency (threads, or asyncio jobs)
    pool: str = "threads"  # the worker's pool: "threads", or "asyncio" (--pool=custom)
    loglevel: str = "WARNING"  # the worker's --loglevel
    payload: dict[str, Any] = field(default_factory=dict)  # merged into every job's payload
    rates: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)


def stop_worker(proc: subprocess.Popen[bytes], timeout: float = 45) -> None:
    """SIGTERM (warm shutdown), then wait; SIGKILL only if it will not stop."""
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        log(f"  worker {proc.pid} ignored SIGTERM for {timeout:g}s; killing it")
        proc.kill()
        proc.wait(timeout=15)


def run_once(
    scenario: Scenario, venv: Path, workdir: Path, args: argparse.Namespace, tag: str
) -> tuple[float, float]:
    """One run: returns tasks/s and the worker's CPU milliseconds per task (timed part)."""
    rendering = scenario.rendering
    assert rendering.client
    venv = rendering.venv or venv
    n, warm = args.tasks, args.warmup_tasks
    loaded = rendering.client.call(
        "load", n=n, task=scenario.task, queue=args.queue, jobs=scenario.jobs,
        payload=scenario.payload,
    )  # fmt: skip
    out = workdir / f"run-{tag}.json"
    worker_log = workdir / f"worker-{tag}.log"
    command = [
        str(venv / "bin" / "python"), "-m", "celery",
        "-A", f"{rendering.slug}.worker.celery_app", "worker",
        f"--queues={args.queue}", f"--hostname=bench-{tag}@%h",
        f"--pool={'custom' if scenario.pool == 'asyncio' else scenario.pool}",
        f"--concurrency={scenario.concurrency}", f"--loglevel={scenario.loglevel}",
        "--include=bench_worker_plugin",
    ]  # fmt: skip
    env = process_env(venv, rendering, BENCH_EXPECT=str(n), BENCH_OUT=str(out))
    if scenario.pool == "asyncio":  # as the compose file of an asyncio layout starts it
        env["CELERY_CUSTOM_WORKER_POOL"] = f"{rendering.slug}.worker.asyncio_pool:AsyncioPool"
    with worker_log.open("w") as logfile:
        started = time.monotonic()
        proc = subprocess.Popen(
            command, env=env, cwd=rendering.root, stdout=logfile, stderr=logfile
        )
        spy = None
        if args.py_spy:
            # Sampling profiler on the worker (all threads, idle ones too): collapsed stacks.
            profile = args.py_spy / f"{scenario.name.replace(' ', '_')}-{tag}.txt"
            spy = subprocess.Popen(
                [str(venv / "bin" / "py-spy"), "record", "--pid", str(proc.pid), "--rate", "200",
                 "--format", "raw", "--output", str(profile), "--threads", "--nonblocking",
                 "--gil" if args.py_spy_gil else "--idle"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
        try:
            deadline = started + args.run_timeout
            while not out.exists():
                if proc.poll() is not None:
                    raise BenchError(
                        f"the worker for {scenario.name} exited ({proc.returncode}) before "
                        f"finishing {n} tasks:\n{worker_log.read_text()[-3000:]}"
                    )
                if time.monotonic() > deadline:
                    raise BenchError(
                        f"{scenario.name}: {n} tasks not finished in {args.run_timeout:g}s "
                        f"(raise --run-timeout?):\n{worker_log.read_text()[-3000:]}"
                    )
                time.sleep(0.05)
            wall = time.monotonic() - started
        finally:
            if spy is not None:
                spy.send_signal(signal.SIGINT)
                try:
                    spy.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    spy.kill()
            stop_worker(proc)
    result = json.loads(out.read_text())
    if result["states"] != {"SUCCESS": n}:
        raise BenchError(f"{scenario.name}: task states {result['states']}, expected {n} SUCCESS")
    # Noted in completion order, under a lock: already sorted.
    stamps, cpu = result["finished"], result["cpu"]
    elapsed = stamps[n - 1] - stamps[warm - 1]
    rate = (n - warm) / elapsed
    cpu_ms = 1000 * (cpu[n - 1] - cpu[warm - 1]) / (n - warm)
    if scenario.jobs and scenario.check_jobs:
        checked = rendering.client.call("verify", queue=args.queue)
        statuses = checked["statuses"]
        if statuses != {"succeeded": {"count": n, "max_attempts": 1}}:
            raise BenchError(f"{scenario.name}: jobs after the run: {statuses}")
    log(
        f"  {scenario.name:<14} {rate:8.1f} tasks/s   worker CPU {cpu_ms:.2f} ms/task "
        f"({cpu_ms * rate / 10:.0f}% of a core)   "
        f"(published {n} in {loaded['publish_seconds']:.2f}s; worker up {wall:.1f}s)"
    )
    return rate, cpu_ms


# --- the whole benchmark ---------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=int, default=1000, help="tasks per run (default 1000)")
    parser.add_argument(
        "--warmup-tasks",
        type=int,
        default=100,
        help="completions of each run that are not timed (default 100)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="timed rounds (default 3)")
    parser.add_argument(
        "--warmup-rounds", type=int, default=1, help="untimed rounds first (default 1)"
    )
    parser.add_argument("--queue", default="default", help="the tier to use (default: default)")
    parser.add_argument(
        "--variant",
        action="append",
        default=[],
        metavar="PATCH[:MODE]",
        help="also run the template with PATCH applied (MODE: per-thread, per-task, no-op, "
        "asyncio: the job on the asyncio pool, or unchecked: per-thread without checking the "
        "jobs, for patches that take the database out of the job task)",
    )
    parser.add_argument(
        "--only-variants",
        action="store_true",
        help="with --variant: skip the baseline per-task scenario (no-op and per-thread stay)",
    )
    parser.add_argument("--run-timeout", type=float, default=180, help="seconds per run")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument(
        "--py-spy",
        type=Path,
        metavar="DIR",
        help="profile every worker with py-spy (installed into the temporary venv) and write "
        "collapsed stacks to DIR; the rates of such a run are not comparable with others",
    )
    parser.add_argument(
        "--py-spy-gil", action="store_true", help="with --py-spy: only samples holding the GIL"
    )
    parser.add_argument(
        "--loglevel",
        default="INFO",
        help="the workers' --loglevel (default INFO: what the compose file runs)",
    )
    add_service_options(parser)
    args = parser.parse_args(argv)
    if not 1 <= args.warmup_tasks < args.tasks:
        parser.error("--warmup-tasks must be at least 1 and below --tasks")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return args


def plan(args: argparse.Namespace) -> tuple[list[Rendering], list[Scenario]]:
    per_task = Rendering("per-task", "per-task", "bench_wt_per_task", Path())
    per_thread = Rendering("per-thread", "per-thread", "bench_wt_per_thread", Path())
    renderings = [per_thread] if args.only_variants else [per_task, per_thread]
    scenarios = [Scenario("no-op", per_thread, "bench.noop", jobs=False)]
    if not args.only_variants:
        scenarios.append(Scenario("per-task", per_task, f"jobs.process.{args.queue}", jobs=True))
    scenarios.append(Scenario("per-thread", per_thread, f"jobs.process.{args.queue}", jobs=True))
    if not args.only_variants:
        # The asyncio pool (--pool=custom): Celery's cost on it, then the same job.
        scenarios.append(Scenario("no-op asyncio", per_thread, "bench.noop", False, pool="asyncio"))
        job = f"jobs.process.{args.queue}"
        scenarios.append(Scenario("asyncio", per_thread, job, jobs=True, pool="asyncio"))
    for index, spec in enumerate(args.variant, start=1):
        path_text, _, mode = spec.partition(":")
        mode = mode or "per-thread"
        if mode not in {"per-thread", "per-task", "no-op", "unchecked", "asyncio"}:
            raise BenchError(
                f"--variant {spec}: MODE must be per-thread, per-task, no-op, unchecked or asyncio"
            )
        patch = Path(path_text)
        if not patch.is_file():
            raise BenchError(f"--variant {spec}: no such patch file")
        name = f"{patch.stem}" + (f" ({mode})" if mode not in {"per-thread", "unchecked"} else "")
        rendering = Rendering(
            name,
            mode if mode in {"per-thread", "per-task"} else "per-thread",
            f"bench_wt_variant{index}",
            Path(),
            patch=patch,
        )
        renderings.append(rendering)
        if mode == "no-op":
            scenarios.append(Scenario(name, rendering, "bench.noop", jobs=False))
        else:
            task = f"jobs.process.{args.queue}"
            pool = "asyncio" if mode == "asyncio" else "threads"
            scenarios.append(
                Scenario(name, rendering, task, True, check_jobs=mode != "unchecked", pool=pool)
            )
    return renderings, scenarios


def report(scenarios: list[Scenario], args: argparse.Namespace, versions: dict[str, str]) -> str:
    medians = {s.name: statistics.median(s.rates) for s in scenarios}
    width = max(14, *(len(s.name) for s in scenarios))
    lines = [
        f"worker throughput, {datetime.date.today().isoformat()}, {os.cpu_count()} CPUs, "
        f"{platform.system()}; " + ", ".join(f"{k} {v}" for k, v in versions.items()),
        f"threads pool x{CONCURRENCY}, --loglevel={args.loglevel}, Redis and PostgreSQL on "
        f"localhost; {args.tasks} tasks "
        f"per run, the first {args.warmup_tasks} not timed; {args.repeat} runs per scenario, "
        "interleaved",
        "",
        f"{'scenario':<{width}}  "
        + "".join(f"{'run ' + str(i + 1):>9}" for i in range(args.repeat))
        + f"{'median':>9}  tasks/s   worker CPU ms/task (median)",
    ]
    for s in scenarios:
        lines.append(
            f"{s.name:<{width}}  "
            + "".join(f"{r:9.1f}" for r in s.rates)
            + f"{medians[s.name]:9.1f}"
            + f"{statistics.median(s.cpu_ms):14.2f}"
        )
    lines.append("")
    for s in scenarios:
        if s.rendering.patch is not None:
            baseline = "no-op" if s.task == "bench.noop" else "per-thread"
            baseline = "asyncio" if s.pool == "asyncio" else baseline
            lines.append(f"{s.name}/{baseline} = {medians[s.name] / medians[baseline]:.2f}")
    if "per-task" in medians:
        lines.append(f"per-thread/per-task = {medians['per-thread'] / medians['per-task']:.2f}")
    lines.append(f"per-thread/no-op = {medians['per-thread'] / medians['no-op']:.2f}")
    if "asyncio" in medians:
        lines.append(f"asyncio/no-op asyncio = {medians['asyncio'] / medians['no-op asyncio']:.2f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    configure_services(args)
    check_port("PostgreSQL", PG_HOST, PG_PORT)
    check_port("Redis", REDIS_HOST, REDIS_PORT)
    renderings, scenarios = plan(args)
    for scenario in scenarios:
        scenario.loglevel = args.loglevel
    workdir = Path(tempfile.mkdtemp(prefix="bench-worker-"))
    prepared: list[Rendering] = []
    try:
        t0 = time.monotonic()
        for rendering in renderings:
            render(rendering, workdir)
        log(f"rendered {len(renderings)} projects in {workdir} ({time.monotonic() - t0:.1f}s)")
        t0 = time.monotonic()
        venv = build_venvs(renderings, workdir, extra=["py-spy"] if args.py_spy else [])
        if args.py_spy:
            args.py_spy.mkdir(parents=True, exist_ok=True)
        log(f"built the shared venv ({time.monotonic() - t0:.1f}s)")
        versions: dict[str, str] = {}
        for rendering in renderings:
            rendering.client = Client(rendering.venv or venv, rendering, workdir)
            versions = rendering.client.call("check", timeout=60)["versions"]
            prepared.append(rendering)
            rendering.client.call("prepare")
        log(f"databases ready: {', '.join(r.slug for r in renderings)}")
        rounds = args.warmup_rounds + args.repeat
        for round_no in range(rounds):
            timed = round_no >= args.warmup_rounds
            label = f"round {round_no - args.warmup_rounds + 1}" if timed else "warm-up round"
            log(f"{label}:")
            for index, scenario in enumerate(scenarios):
                rate, cpu_ms = run_once(scenario, venv, workdir, args, f"r{round_no}s{index}")
                if timed:
                    scenario.rates.append(rate)
                    scenario.cpu_ms.append(cpu_ms)
        text = report(scenarios, args, versions)
    finally:
        for rendering in prepared:
            assert rendering.client
            try:
                rendering.client.call("drop", timeout=60)
            except BenchError as exc:
                log(f"could not drop {rendering.slug}: {exc}")
            rendering.client.close()
        if args.keep:
            log(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    print(text)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as exc:
        print(f"worker_throughput: {exc}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
