"""Time the template's test suite and a rendered project's unit and integration suites.

    uv run python benchmarks/suite_timing.py            # all three
    uv run python benchmarks/suite_timing.py --skip-template

Reports each time against its target; it asserts nothing (timings belong in benchmarks,
not in tests). Needs PostgreSQL and Redis on localhost, like the suites themselves.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {"template suite": 300.0, "rendered unit suite": 5.0, "rendered integration suite": 30.0}


def timed(command: list[str], cwd: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"`{' '.join(command)}` failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-template", action="store_true", help="time only a rendering")
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "PYTHONPATH"}}
    uv = [sys.executable, "-m", "uv"]
    times: dict[str, float] = {}

    if not args.skip_template:
        times["template suite"] = timed([*uv, "run", "pytest", "-q"], ROOT, env)

    with tempfile.TemporaryDirectory() as out:
        cookiecutter = [sys.executable, "-m", "cookiecutter", "--no-input", "-o", out, str(ROOT)]
        subprocess.run(cookiecutter, check=True, capture_output=True)
        project = Path(out) / "acme_jobs"
        project_env = env | {
            "UV_PYTHON": sys.executable,
            "REDIS_URL": "redis://127.0.0.1:6379/11",
            "DATABASE_URL": "postgresql+asyncpg://postgres@127.0.0.1:5432/bench_suite_timing",
        }
        subprocess.run([*uv, "sync", "--quiet"], cwd=project, env=project_env, check=True)
        pytest = [*uv, "run", "--no-sync", "pytest", "-q", "-p", "no:cacheprovider"]
        # One untimed run first: the first import of a fresh environment compiles bytecode.
        timed([*pytest, "-m", "not integration"], project, project_env)
        times["rendered unit suite"] = timed(
            [*pytest, "-m", "not integration"], project, project_env
        )
        times["rendered integration suite"] = timed(
            [*pytest, "tests/integration"], project, project_env
        )
        times["rendered fault suite (no target)"] = timed(
            [*pytest, "tests/faults"], project, project_env
        )

    print(f"{'suite':34} {'seconds':>8} {'target':>8}")
    for name, seconds in times.items():
        target = TARGETS.get(name)
        verdict = "" if target is None else ("  ok" if seconds <= target else "  OVER")
        shown = "-" if target is None else f"{target:g}"
        print(f"{name:34} {seconds:8.1f} {shown:>8}{verdict}")


if __name__ == "__main__":
    main()
