"""A project rendered with the cookiecutter CLI installs and tests as its own README says.

The other template tests share environments between renderings for speed; this one takes
the user's path, once: `cookiecutter`, then `uv sync` and `uv run pytest` in the project.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest
from project_fixtures import DB_PREFIX, REDIS_SERVER
from rendering import TEMPLATE_DIR, run

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("readme-flow")]


def test_rendered_with_the_cli_the_readme_commands_pass(tmp_path: Path) -> None:
    run(
        [sys.executable, "-m", "cookiecutter", "--no-input", "-o", str(tmp_path), str(TEMPLATE_DIR)]
    )
    project = tmp_path / "acme_jobs"
    readme = (project / "README.md").read_text()
    for command in ("uv sync", "uv run pytest"):
        assert command in readme, f"the generated README no longer says `{command}`"

    env = {k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "PYTHONPATH"}}
    env |= {
        "UV_PYTHON": sys.executable,
        "REDIS_URL": f"{REDIS_SERVER}/12",
        "DATABASE_URL": f"postgresql+asyncpg://postgres@127.0.0.1:5432/{DB_PREFIX}readme_flow",
    }
    uv = [sys.executable, "-m", "uv"]
    run([*uv, "sync", "--quiet"], cwd=project, env=env, timeout=300)
    # The fault suite runs in test_integration_suites; here the user's install path is the point.
    output = run(
        [*uv, "run", "pytest", "-q", "-m", "not faults", "-p", "no:cacheprovider"],
        cwd=project, env=env, timeout=300,
    ).stdout  # fmt: skip
    assert re.search(r"\d+ passed", output), output
    assert not re.search(r"\d+ (failed|error|skipped)", output), output
