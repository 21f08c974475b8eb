"""Fan-in on the job store against Celery's chord: the cost of the mechanism ADR 0006 chose.

    uv run python benchmarks/fan_in.py [--n 10,100] [--rounds 3]     (from the template root)

Renders the template with its defaults, migrates a database of its own (`bench_fan_in`),
starts one real worker with the project's command line (threads pool, concurrency 8,
WORKER_DB_MODE=per-thread, a Redis result backend for the chord) and times, interleaved:
a `report` job fanning out N children (`report`), the same N `summarize` jobs with no fan-in
(`jobs`), and a Celery chord of N tasks doing the same work through the same bridge
(`chord`). Prints the medians and the lines `report/jobs = X.XX` and `report/chord = Y.YY`
per N (ratios of medians measured in one run; the machine's speed cancels out).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TEMPLATE_DIR = Path(__file__).resolve().parent.parent
SIDE = Path(__file__).resolve().parent / "fan_in_side"
sys.path.insert(0, str(TEMPLATE_DIR / "tests"))

from rendering import environment, project_env, render, run  # noqa: E402

REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379") + "/10"
DATABASE = "postgresql+asyncpg://postgres@127.0.0.1:5432/bench_fan_in"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", default="10,100", help="children per fan-out, comma separated")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        project = render({}, Path(tmp))
        env_dir = environment(project, TEMPLATE_DIR / ".cache" / "envs")
        env = project_env(
            env_dir, project, REDIS_URL=REDIS, RESULT_BACKEND_URL=REDIS, DATABASE_URL=DATABASE,
            WORKER_DB_MODE="per-thread", ENVIRONMENT="development", API_KEYS="bench",
            BENCH_PACKAGE=project.name,
        )  # fmt: skip
        env["PYTHONPATH"] += os.pathsep + str(SIDE)
        python = str(env_dir / "bin" / "python")
        prepare = f"from {project.name}.db import prepare_database; from {project.name}.settings import get_settings; prepare_database(get_settings())"  # noqa: E501
        run([python, "-c", prepare], cwd=project, env=env)
        run(
            [
                python,
                "-c",
                "import redis,os; redis.Redis.from_url(os.environ['REDIS_URL']).flushdb()",
            ],
            env=env,
        )
        worker = subprocess.Popen(
            [python, "-m", "celery", "-A", f"{project.name}.worker.celery_app", "worker",
             "--pool=threads", "--concurrency=8", "--loglevel=WARNING", "-I", "bench_parts",
             "--queues=high,default,low,cpu"],
            cwd=project, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            time.sleep(5)  # the worker connects and starts its threads
            client = run(
                [python, str(SIDE / "bench_fan_in_client.py"), args.n, str(args.rounds)],
                cwd=project, env=env, timeout=1800,
            )  # fmt: skip
        finally:
            worker.terminate()
            worker.wait(timeout=60)

    runs = [json.loads(line) for line in client.stdout.splitlines() if line.startswith("{")]
    medians: dict[tuple[str, int], float] = {}
    for key in sorted({(r["scenario"], r["n"]) for r in runs}):
        seconds = [r["seconds"] for r in runs if (r["scenario"], r["n"]) == key]
        medians[key] = statistics.median(seconds)
        print(f"{key[0]:>7} n={key[1]:<4} median {medians[key]:.3f}s  runs {seconds}")
    for n in sorted({n for _, n in medians}):
        print(f"n={n}: report/jobs = {medians['report', n] / medians['jobs', n]:.2f}")
        print(f"n={n}: report/chord = {medians['report', n] / medians['chord', n]:.2f}")


if __name__ == "__main__":
    main()
