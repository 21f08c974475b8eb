"""Render the template and run tools inside a rendering, sharing what can be shared.

Renderings with the same dependencies share one virtual environment (built once with uv,
guarded by a file lock so parallel test workers wait for each other rather than race); the
rendered package is never installed into it, but found through PYTHONPATH=src. That keeps
a dozen renderings' checks within the time budget without testing anything less.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

from cookiecutter.main import cookiecutter
from filelock import FileLock

TEMPLATE_DIR = Path(__file__).resolve().parent.parent


def render(answers: dict[str, Any], output_dir: Path) -> Path:
    """Render the template with these answers (hooks included) and return the project."""
    output_dir.mkdir(parents=True, exist_ok=True)
    return Path(
        cookiecutter(
            str(TEMPLATE_DIR), no_input=True, extra_context=answers, output_dir=str(output_dir)
        )
    )


def requirements(project: Path) -> list[str]:
    """The rendered project's runtime and dev dependencies, as uv would install them."""
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    dev = pyproject.get("dependency-groups", {}).get("dev", [])
    return sorted(pyproject["project"]["dependencies"]) + sorted(dev)


def uv(*args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return run([sys.executable, "-m", "uv", *args], **kwargs)


def environment(project: Path, envs_dir: Path) -> Path:
    """A virtual environment with the project's dependencies, shared by identical sets."""
    wanted = requirements(project)
    # The install options are part of the key, so a change to them builds new environments.
    options = ["--compile-bytecode"]
    key = hashlib.sha256("\n".join(options + wanted).encode()).hexdigest()[:12]
    env = envs_dir / key
    envs_dir.mkdir(parents=True, exist_ok=True)
    with FileLock(str(envs_dir / f"{key}.lock")):
        if not (env / "ready").exists():
            uv("venv", "--quiet", "--python", sys.executable, str(env))
            # Bytecode compiled once here: the renderings' processes run with
            # PYTHONDONTWRITEBYTECODE (below), so without it each one compiles every library.
            python = str(env / "bin" / "python")
            uv("pip", "install", "--quiet", *options, "--python", python, *wanted)
            (env / "ready").write_text("\n".join(wanted))
    return env


def project_env(env: Path, project: Path, **extra: str) -> dict[str, str]:
    """Environment variables for running the project's tools and processes from `env`."""
    variables = {
        key: value
        for key, value in os.environ.items()
        # Nothing of the template's own virtual environment leaks into the rendering's.
        if key not in {"VIRTUAL_ENV", "PYTHONPATH", "UV_PROJECT_ENVIRONMENT"}
    }
    variables["PATH"] = f"{env / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"
    variables["PYTHONPATH"] = str(project / "src")
    variables["PYTHONDONTWRITEBYTECODE"] = "1"
    variables.update(extra)
    return variables


def run(
    command: list[str],
    *,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 600,
) -> subprocess.CompletedProcess[str]:
    """Run a command; on failure raise with its output, so the test report shows why."""
    result = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    if result.returncode != 0:
        raise AssertionError(
            f"`{' '.join(command)}` exited {result.returncode} in {cwd}\n"
            f"--- stdout ---\n{result.stdout[-6000:]}\n--- stderr ---\n{result.stderr[-6000:]}"
        )
    return result
