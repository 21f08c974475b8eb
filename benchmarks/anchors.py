"""The template against the queues a user would pick instead, on the identical job, in one run.

    uv run python benchmarks/anchors.py                 (from the template root, ~15 minutes)

Renders the template (per-task and per-thread worker DB modes, and the asyncio pool) as
worker_throughput.py does, builds a second virtual environment for the peers (dramatiq,
taskiq, arq, saq: never the rendered project's dependencies), and then, in interleaved rounds,
runs every scenario:

  short jobs   the job with no wait: the template's job task on the threads pool in each DB
               mode and on the asyncio pool, each peer, and the floor (bare asyncio popping a
               Redis list), at the threads layout's default concurrency (8)
  I/O jobs     the same job waiting `payload.sleep` = 0.1 s (a call to another service), at
               --io-concurrency for every scenario
  API          POST /jobs from --clients concurrent keep-alive clients: the template's API
               (its compose command line) and the API floor (FastAPI + one asyncpg INSERT + one
               Redis LPUSH, benchmarks/worker_side/api_floor.py)

Every worker runs the same job: the template's conditional claim (`UPDATE ... RETURNING`), the
template's echo work, the conditional result `UPDATE`, on PostgreSQL (the peers with the same
statements on asyncpg: worker_side/peer_job.py). Each run is timed from completions W to N
inside the worker, as in worker_throughput.py, and every job must have succeeded once.

Prints tables of the runs, then the medians as four lines (with the asyncio pool's own
`asyncio/best-peer` for short jobs after the second):
  per-thread/per-task = X.XX   (short jobs, jobs/s)
  per-thread/best-peer = Y.YY  (short jobs; the best of dramatiq, taskiq, arq, saq)
  io/best-peer = Z.ZZ          (I/O jobs: the best template mode against the best peer)
  api/floor = W.WW             (POST /jobs at --clients clients, requests/s)
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import worker_throughput as wt

WORKER_SIDE = wt.WORKER_SIDE
PEERS = ("dramatiq", "taskiq", "arq", "saq")
PEER_PACKAGES = [
    "dramatiq[redis]",
    "taskiq",
    "taskiq-redis",
    "arq",
    "saq",
    "asyncpg",
    "redis",
    "fastapi",
    "uvicorn",
    "aiohttp",
]
SLEEP = 0.1  # seconds an I/O job waits


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass
class Result:
    rates: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)
    p50_ms: list[float] = field(default_factory=list)
    p99_ms: list[float] = field(default_factory=list)

    def add(self, rate: float, cpu: float, p50: float = 0.0, p99: float = 0.0) -> None:
        self.rates.append(rate)
        self.cpu_ms.append(cpu)
        self.p50_ms.append(p50)
        self.p99_ms.append(p99)

    @property
    def median(self) -> float:
        return statistics.median(self.rates)


@dataclass
class Run:
    """One scenario: a name, a group (short, io, api), and how to run it once."""

    name: str
    group: str
    kind: str  # "template", "peer" or "api"
    concurrency: int
    peer: str = ""  # for kind "peer": floor, dramatiq, ...; for "api": template or floor
    template: wt.Scenario | None = None
    rendering: wt.Rendering | None = None  # for kind "api" with peer "template"
    result: Result = field(default_factory=Result)


# --- the peers' environment and processes ----------------------------------------------------


def build_peer_venv(workdir: Path, extra: list[str]) -> Path:
    venv = workdir / "peers-venv"
    uv = wt.uv_command()
    for command in (
        [*uv, "venv", "--quiet", "--python", sys.executable, str(venv)],
        [*uv, "pip", "install", "--quiet", "--compile-bytecode", "--python",
         str(venv / "bin" / "python"), *PEER_PACKAGES, *extra],
    ):  # fmt: skip
        done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
        if done.returncode != 0:
            raise wt.BenchError(f"`{' '.join(command)}` failed:\n{done.stderr[-3000:]}")
    return venv


def peer_env(venv: Path, rendering: wt.Rendering, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME"} and not k.startswith("BENCH_")
    }
    dsn = rendering.database_url.replace("postgresql+asyncpg://", "postgresql://")
    env.update(
        PATH=f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
        VIRTUAL_ENV=str(venv),
        PYTHONPATH=str(WORKER_SIDE),
        BENCH_DSN=dsn,
        BENCH_REDIS_URL=f"redis://{wt.REDIS_HOST}:{wt.REDIS_PORT}/{wt.REDIS_DB}",
    )
    env.update(extra)
    return env


def peer_command(venv: Path, peer: str, concurrency: int) -> list[str]:
    bin_ = venv / "bin"
    c = str(concurrency)
    return {
        "floor": [str(bin_ / "python"), str(WORKER_SIDE / "peer_floor.py")],
        "dramatiq": [str(bin_ / "dramatiq"), "peer_dramatiq", "--processes", "1", "--threads", c],
        "taskiq": [str(bin_ / "taskiq"), "worker", "peer_taskiq:broker", "--workers", "1",
                   "--max-async-tasks", c, "--ack-type", "when_executed", "--log-level", "WARNING"],
        "arq": [str(bin_ / "arq"), "--custom-log-dict", "peer_arq.LOG_CONFIG",
                "peer_arq.WorkerSettings"],
        "saq": [str(bin_ / "saq"), "peer_saq.settings", "--workers", "1", "--quiet"],
    }[peer]  # fmt: skip


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process and its reaped children, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = sum(int(x) for x in fields[11:15])  # utime stime cutime cstime
    return ticks / os.sysconf("SC_CLK_TCK")


def run_peer(
    run: Run, venv: Path, rendering: wt.Rendering, workdir: Path, args: argparse.Namespace,
    n: int, tag: str,
) -> tuple[float, float]:  # fmt: skip
    assert rendering.client
    payload = {"sleep": SLEEP} if run.group == "io" else {}
    loaded = rendering.client.call(
        "load", n=n, task=None, queue=args.queue, jobs=True, payload=payload
    )
    out = workdir / f"run-{tag}.json"
    env = peer_env(
        venv, rendering, BENCH_EXPECT=str(n), BENCH_OUT=str(out),
        BENCH_CONCURRENCY=str(run.concurrency),
    )  # fmt: skip
    sent = subprocess.run(
        [str(venv / "bin" / "python"), str(WORKER_SIDE / "peer_load.py"), run.peer],
        input=json.dumps(loaded["ids"]), env=env, capture_output=True, text=True,
        timeout=300, check=False,
    )  # fmt: skip
    if sent.returncode != 0:
        raise wt.BenchError(f"{run.name}: sending the jobs failed:\n{sent.stderr[-3000:]}")
    worker_log = workdir / f"worker-{tag}.log"
    with worker_log.open("w") as logfile:
        proc = subprocess.Popen(
            peer_command(venv, run.peer, run.concurrency), env=env, cwd=workdir,
            stdout=logfile, stderr=logfile, start_new_session=True,
        )  # fmt: skip
        spy = start_spy(args, proc.pid, run.name, tag, venv)
        try:
            wait_for(out, proc, worker_log, run.name, args.run_timeout)
        finally:
            stop_spy(spy)
            stop_group(proc)
    return timed(out, n, args.warmup_tasks, run, rendering, args)


def start_spy(
    args: argparse.Namespace, pid: int, name: str, tag: str, venv: Path
) -> subprocess.Popen[bytes] | None:
    if not args.py_spy:
        return None
    profile = args.py_spy / f"{name.replace(' ', '_')}-{tag}.txt"
    return subprocess.Popen(
        [str(venv / "bin" / "py-spy"), "record", "--pid", str(pid), "--rate", "200",
         "--format", "raw", "--output", str(profile), "--subprocesses", "--nonblocking", "--gil"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def stop_spy(spy: subprocess.Popen[bytes] | None) -> None:
    if spy is None:
        return
    spy.send_signal(signal.SIGINT)
    try:
        spy.wait(timeout=30)
    except subprocess.TimeoutExpired:
        spy.kill()


def wait_for(
    out: Path, proc: subprocess.Popen[bytes], worker_log: Path, name: str, timeout: float
) -> None:
    deadline = time.monotonic() + timeout
    while not out.exists():
        if proc.poll() is not None:
            raise wt.BenchError(
                f"the worker for {name} exited ({proc.returncode}) before finishing:\n"
                f"{worker_log.read_text()[-3000:]}"
            )
        if time.monotonic() > deadline:
            raise wt.BenchError(
                f"{name}: not finished in {timeout:g}s:\n{worker_log.read_text()[-3000:]}"
            )
        time.sleep(0.05)


def stop_group(proc: subprocess.Popen[bytes], timeout: float = 3) -> None:
    """SIGTERM to the worker's process group (the peers' CLIs fork), then SIGKILL if needed."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            log(f"  {proc.pid} ignored SIGTERM for {timeout:g}s; killing it")
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=15)


def timed(
    out: Path, n: int, warm: int, run: Run, rendering: wt.Rendering, args: argparse.Namespace
) -> tuple[float, float]:
    result = json.loads(out.read_text())
    states = dict(result["states"])
    skipped = states.pop("SKIPPED", 0)  # a message delivered twice; its job had finished
    if states != {"SUCCESS": n}:
        raise wt.BenchError(f"{run.name}: job states {result['states']}, expected {n} SUCCESS")
    if skipped:
        log(f"  {run.name}: {skipped} message(s) delivered again after their job had finished")
    stamps, cpu = result["finished"], result["cpu"]
    rate = (n - warm) / (stamps[n - 1] - stamps[warm - 1])
    cpu_ms = 1000 * (cpu[n - 1] - cpu[warm - 1]) / (n - warm)
    assert rendering.client
    statuses = rendering.client.call("verify", queue=args.queue)["statuses"]
    if statuses != {"succeeded": {"count": n, "max_attempts": 1}}:
        raise wt.BenchError(f"{run.name}: jobs after the run: {statuses}")
    return rate, cpu_ms


# --- the API ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def run_api(
    run: Run, venv: Path, peer_venv: Path, rendering: wt.Rendering, workdir: Path,
    args: argparse.Namespace, tag: str,
) -> tuple[float, float, float, float]:  # fmt: skip
    """Start an API with uvicorn, load it, stop it: requests/s, CPU ms/request, p50, p99."""
    assert rendering.client
    rendering.client.call("load", n=0, task=None, queue=args.queue, jobs=False)
    port = free_port()
    uvicorn_args = ["--host", "127.0.0.1", "--port", str(port)]
    if run.peer == "template":
        assert run.rendering
        rendering = run.rendering
        venv = rendering.venv or venv
        # The compose file's command line: uvicorn PKG.api.app:create_app --factory.
        command = [str(venv / "bin" / "uvicorn"), f"{rendering.slug}.api.app:create_app",
                   "--factory", *uvicorn_args]  # fmt: skip
        env = wt.process_env(venv, rendering)
        cwd = rendering.root
    else:
        command = [str(peer_venv / "bin" / "uvicorn"), "api_floor:app", *uvicorn_args]
        env = peer_env(peer_venv, rendering)
        cwd = workdir
    api_log = workdir / f"api-{tag}.log"
    with api_log.open("w") as logfile:
        proc = subprocess.Popen(
            command, env=env, cwd=cwd, stdout=logfile, stderr=logfile, start_new_session=True
        )
        spy = None
        try:
            wait_until_up(port, proc, api_log, run.name)
            spy = start_spy(args, proc.pid, run.name, tag, peer_venv)
            cpu0 = cpu_seconds(proc.pid)
            load = subprocess.run(
                [str(peer_venv / "bin" / "python"), str(WORKER_SIDE / "http_load.py"),
                 f"http://127.0.0.1:{port}/jobs", str(args.requests), str(args.clients),
                 str(args.warmup_requests)],
                capture_output=True, text=True, timeout=args.run_timeout, check=False,
            )  # fmt: skip
            cpu1 = cpu_seconds(proc.pid)
        finally:
            stop_spy(spy)
            stop_group(proc)
    if load.returncode != 0:
        raise wt.BenchError(f"{run.name}: the load failed:\n{load.stderr[-3000:]}")
    answer = json.loads(load.stdout)
    if answer["statuses"] != {"202": args.requests}:
        raise wt.BenchError(
            f"{run.name}: answers {answer['statuses']}:\n{api_log.read_text()[-3000:]}"
        )
    cpu_ms = 1000 * (cpu1 - cpu0) / args.requests
    return answer["rate"], cpu_ms, answer["p50_ms"], answer["p99_ms"]


def wait_until_up(port: int, proc: subprocess.Popen[bytes], api_log: Path, name: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise wt.BenchError(f"{name}: the API exited:\n{api_log.read_text()[-3000:]}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
            return
        time.sleep(0.1)
    raise wt.BenchError(f"{name}: the API did not listen in 60s")


# --- the whole benchmark ---------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add = parser.add_argument
    add("--tasks", type=int, default=1000, help="short jobs per run (default 1000)")
    add("--io-tasks", type=int, default=1000, help="I/O jobs per run (default 1000)")
    add("--warmup-tasks", type=int, default=100, help="completions not timed (default 100)")
    add("--concurrency", type=int, default=wt.CONCURRENCY, help="short jobs (default 8)")
    add("--io-concurrency", type=int, default=64, help="I/O jobs (default 64)")
    add("--clients", type=int, default=50, help="API clients (default 50)")
    add("--requests", type=int, default=2000, help="POSTs per API run (default 2000)")
    add("--warmup-requests", type=int, default=200, help="answers not timed (default 200)")
    add("--repeat", type=int, default=3, help="timed rounds (default 3)")
    add("--warmup-rounds", type=int, default=1, help="untimed rounds first (default 1)")
    add("--peers", default=",".join(PEERS), help="comma-separated (default: all four)")
    add("--groups", default="short,io,api", help="which parts to run (default all)")
    add("--loglevel", default="INFO", help="the template worker's (default INFO, as compose)")
    add("--queue", default="default", help="the tier (default: default)")
    add("--run-timeout", type=float, default=300, help="seconds per run")
    add("--keep", action="store_true", help="keep the temporary directory")
    add("--no-asyncio", action="store_true", help="leave out the template's asyncio pool")
    add("--py-spy", type=Path, metavar="DIR", help="profile every run into DIR (--gil, raw)")
    add(
        "--variant",
        action="append",
        default=[],
        metavar="PATCH[:GROUPS]",
        help="also run the template (per-thread) with PATCH applied, in GROUPS (api, "
        "short+io, ...; default every group)",
    )
    wt.add_service_options(parser)
    args = parser.parse_args(argv)
    args.py_spy_gil = True
    if not 1 <= args.warmup_tasks < min(args.tasks, args.io_tasks):
        parser.error("--warmup-tasks must be at least 1 and below --tasks and --io-tasks")
    if not 1 <= args.warmup_requests < args.requests:
        parser.error("--warmup-requests must be at least 1 and below --requests")
    args.variant_patches, args.variant_groups = [], {}
    for spec in args.variant:
        path, _, groups = spec.partition(":")
        args.variant_patches.append(path)
        args.variant_groups[Path(path).stem] = set((groups or "short+io+api").split("+"))
    unknown = set(args.peers.split(",")) - set(PEERS)
    if unknown:
        parser.error(f"unknown peers: {', '.join(sorted(unknown))}")
    return args


#: The template's ways of running a job: the two worker DB modes on the threads pool, and the
#: asyncio pool (whose processes share one loop whatever the mode; rendered as per-thread).
TEMPLATE_MODES = ("per-task", "per-thread", "asyncio")


def plan(
    args: argparse.Namespace,
    per_task: wt.Rendering,
    per_thread: wt.Rendering,
    variants: list[wt.Rendering],
    asyncio_mode: wt.Rendering | None = None,
) -> list[Run]:
    groups = set(args.groups.split(","))
    peers = ["floor", *args.peers.split(",")]
    task = f"jobs.process.{args.queue}"
    runs: list[Run] = []
    for group, conc in (("short", args.concurrency), ("io", args.io_concurrency)):
        if group not in groups:
            continue
        payload = {"sleep": SLEEP} if group == "io" else {}
        modes = [per_task, per_thread, *([asyncio_mode] if asyncio_mode else []), *variants]
        for rendering in modes:
            if group not in args.variant_groups.get(rendering.key, {group}):
                continue
            scenario = wt.Scenario(
                f"{rendering.key} {group}", rendering, task, jobs=True, concurrency=conc,
                loglevel=args.loglevel, payload=payload,
                pool="asyncio" if rendering.key == "asyncio" else "threads",
            )  # fmt: skip
            runs.append(Run(rendering.key, group, "template", conc, template=scenario))
        runs += [Run(peer, group, "peer", conc, peer=peer) for peer in peers]
    if "api" in groups:
        runs.append(Run("API template", "api", "api", args.clients, "template", None, per_thread))
        runs += [
            Run(f"API {v.key}", "api", "api", args.clients, "template", None, v)
            for v in variants
            if "api" in args.variant_groups[v.key]
        ]
        runs.append(Run("API floor", "api", "api", args.clients, peer="floor"))
    return runs


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}" if b else "n/a"


def cpu_lines(runs: list[Run], peers: list[str]) -> list[str]:
    """The same comparisons by CPU per job (b's CPU / a's): what a job costs, which a busy
    shared machine disturbs far less than throughput (a process gets what the others leave)."""
    cpu = {(r.group, r.name): statistics.median(r.result.cpu_ms) for r in runs if r.result.rates}
    lines = []
    pairs = [("short", "per-thread", "short", "per-task", "per-thread/per-task")]
    # Here the template's side is its cheapest mode, whichever that is.
    for group, label in (("short", "short/best-peer"), ("io", "io/best-peer")):
        if (group, "per-thread") in cpu:
            best = min(peers, key=lambda p: cpu[(group, p)])
            modes = [m for m in TEMPLATE_MODES if (group, m) in cpu]
            mine = min(modes, key=lambda k: cpu[(group, k)])
            pairs.append((group, mine, group, best, f"{label} ({mine} vs {best})"))
    pairs.append(("api", "API template", "api", "API floor", "api/floor"))
    for g1, a, g2, b, label in pairs:
        if (g1, a) in cpu and (g2, b) in cpu:
            lines.append(f"by CPU per job: {label} = {ratio(cpu[(g2, b)], cpu[(g1, a)])}")
    return lines


def report(runs: list[Run], args: argparse.Namespace, versions: dict[str, str]) -> str:
    lines = [
        f"anchors, {datetime.date.today().isoformat()}, {os.cpu_count()} CPUs, "
        f"{platform.system()}; " + ", ".join(f"{k} {v}" for k, v in versions.items()),
        f"template workers: threads pool, --loglevel={args.loglevel}; peers: one worker process "
        f"each; {args.repeat} interleaved rounds; medians",
    ]
    titles = {
        "short": f"short jobs, concurrency {args.concurrency}, jobs/s",
        "io": f"I/O jobs ({SLEEP * 1000:.0f} ms wait), concurrency {args.io_concurrency}, jobs/s",
        "api": f"POST /jobs, {args.clients} clients, requests/s",
    }
    for group, title in titles.items():
        members = [r for r in runs if r.group == group]
        if not members:
            continue
        unit = "ms/request" if group == "api" else "ms/job"
        lines += [
            "",
            title,
            f"{'scenario':<12}"
            + "".join(f"{'run ' + str(i + 1):>9}" for i in range(args.repeat))
            + f"{'median':>9}  CPU {unit}"
            + ("   p50 ms   p99 ms" if group == "api" else ""),
        ]
        for r in members:
            res = r.result
            line = (f"{r.name:<12}" + "".join(f"{x:9.1f}" for x in res.rates)
                    + f"{res.median:9.1f}{statistics.median(res.cpu_ms):12.2f}")  # fmt: skip
            if group == "api":
                p50, p99 = statistics.median(res.p50_ms), statistics.median(res.p99_ms)
                line += f"{p50:9.1f}{p99:9.1f}"
            lines.append(line)
    medians = {(r.group, r.name): r.result.median for r in runs if r.result.rates}
    peers = args.peers.split(",")
    lines.append("")
    for variant in args.variant_patches:
        name = Path(variant).stem
        for group, base in (("short", "per-thread"), ("io", "per-thread"), ("api", "API template")):
            mine = ("api", f"API {name}") if group == "api" else (group, name)
            if mine in medians and (group, base) in medians:
                lines.append(f"{mine[1]}/{base} ({group}) = "
                             f"{ratio(medians[mine], medians[(group, base)])}")  # fmt: skip
    lines += cpu_lines(runs, peers)
    if ("short", "per-thread") in medians:
        short = {name: m for (g, name), m in medians.items() if g == "short"}
        best = max(peers, key=lambda p: short[p])
        lines.append(f"per-thread/per-task = {ratio(short['per-thread'], short['per-task'])}")
        lines.append(f"per-thread/best-peer = {ratio(short['per-thread'], short[best])}"
                     f"  (best peer: {best})")  # fmt: skip
        if "asyncio" in short:
            lines.append(f"asyncio/best-peer = {ratio(short['asyncio'], short[best])}"
                         f"  (short jobs; best peer: {best})")  # fmt: skip
    if ("io", "per-thread") in medians:
        io = {name: m for (g, name), m in medians.items() if g == "io"}
        mine = max((m for m in TEMPLATE_MODES if m in io), key=lambda k: io[k])
        best = max(peers, key=lambda p: io[p])
        lines.append(f"io/best-peer = {ratio(io[mine], io[best])}  ({mine} vs {best})")
    if ("api", "API template") in medians:
        api = next(r for r in runs if r.name == "API template").result
        lines.append(
            f"api/floor = {ratio(medians[('api', 'API template')], medians[('api', 'API floor')])}"
            f"  (template API p99 {statistics.median(api.p99_ms):.0f} ms)"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    wt.configure_services(args)
    wt.check_port("PostgreSQL", wt.PG_HOST, wt.PG_PORT)
    wt.check_port("Redis", wt.REDIS_HOST, wt.REDIS_PORT)
    per_task = wt.Rendering("per-task", "per-task", "bench_an_per_task", Path())
    per_thread = wt.Rendering("per-thread", "per-thread", "bench_an_per_thread", Path())
    asyncio_mode = (
        None
        if args.no_asyncio
        else wt.Rendering("asyncio", "per-thread", "bench_an_asyncio", Path())
    )
    variants = [
        wt.Rendering(Path(p).stem, "per-thread", f"bench_an_variant{i}", Path(), patch=Path(p))
        for i, p in enumerate(args.variant_patches, start=1)
    ]
    renderings = [per_task, per_thread, *([asyncio_mode] if asyncio_mode else []), *variants]
    workdir = Path(tempfile.mkdtemp(prefix="bench-anchors-"))
    prepared: list[wt.Rendering] = []
    spy = ["py-spy"] if args.py_spy else []
    text = ""
    try:
        for rendering in renderings:
            wt.render(rendering, workdir)
        venv = wt.build_venvs(renderings, workdir, extra=spy)
        peer_venv = build_peer_venv(workdir, spy)
        log(f"rendered and built in {workdir}")
        if args.py_spy:
            args.py_spy.mkdir(parents=True, exist_ok=True)
        versions: dict[str, str] = {}
        for rendering in renderings:
            rendering.client = wt.Client(rendering.venv or venv, rendering, workdir)
            versions = rendering.client.call("check", timeout=60)["versions"]
            prepared.append(rendering)
            rendering.client.call("prepare")
        runs = plan(args, per_task, per_thread, variants, asyncio_mode)
        for round_no in range(args.warmup_rounds + args.repeat):
            is_timed = round_no >= args.warmup_rounds
            log(f"round {round_no - args.warmup_rounds + 1}:" if is_timed else "warm-up round:")
            for index, run in enumerate(runs):
                tag = f"r{round_no}s{index}"
                p50 = p99 = 0.0
                if run.kind == "template":
                    assert run.template
                    n = args.io_tasks if run.group == "io" else args.tasks
                    rate, cpu = wt.run_once(
                        run.template, venv, workdir, argparse.Namespace(**{**vars(args),
                        "tasks": n}), tag,
                    )  # fmt: skip
                elif run.kind == "peer":
                    n = args.io_tasks if run.group == "io" else args.tasks
                    rate, cpu = run_peer(run, peer_venv, per_thread, workdir, args, n, tag)
                    log(f"  {run.name + ' ' + run.group:<14} {rate:8.1f} jobs/s   "
                        f"worker CPU {cpu:.2f} ms/job")  # fmt: skip
                else:
                    rate, cpu, p50, p99 = run_api(
                        run, venv, peer_venv, per_thread, workdir, args, tag
                    )
                    log(f"  {run.name:<14} {rate:8.1f} requests/s   CPU {cpu:.2f} ms/request"
                        f"   p50 {p50:.1f} ms  p99 {p99:.1f} ms")  # fmt: skip
                if is_timed:
                    run.result.add(rate, cpu, p50, p99)
        text = report(runs, args, versions)
    finally:
        for rendering in prepared:
            assert rendering.client
            try:
                rendering.client.call("drop", timeout=60)
            except wt.BenchError as exc:
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
    except wt.BenchError as exc:
        print(f"anchors: {exc}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
