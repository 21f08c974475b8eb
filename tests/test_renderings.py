"""Every supported combination renders clean, passes ruff and mypy --strict, and its unit suite.

Each combination's tests run on one test worker (xdist_group), so it is rendered once.
"""

from __future__ import annotations

import re

import pytest
from combinations import SUPPORTED
from project_fixtures import Rendering

#: Jinja that escaped rendering. `${{ ... }}` is GitHub Actions' own syntax, not ours.
LEFTOVER = re.compile(r"(?<!\$)\{\{|\{%|%\}|cookiecutter\.\w")

pytestmark = pytest.mark.parametrize(
    "combination_id",
    [pytest.param(c.id, marks=pytest.mark.xdist_group(c.id)) for c in SUPPORTED],
)


def test_nothing_is_left_unrendered(rendering: Rendering, combination_id: str) -> None:
    leftovers = []
    for path in sorted(rendering.path.rglob("*")):
        if path.is_file() and ".venv" not in path.parts:
            for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
                if LEFTOVER.search(line):
                    leftovers.append(f"{path.relative_to(rendering.path)}:{number}: {line.strip()}")
    assert not leftovers, "template syntax left in the rendering:\n" + "\n".join(leftovers)


def test_ruff_and_mypy_pass(rendering: Rendering, combination_id: str) -> None:
    rendering.run("ruff", "check", "--no-cache", ".")
    rendering.run("ruff", "format", "--check", "--no-cache", ".")
    rendering.run("mypy", "--cache-dir", str(rendering.path / ".mypy_cache"))


def test_unit_suite_passes(rendering: Rendering, combination_id: str) -> None:
    # With a prefix set, as a shared Redis needs: the suite nests its own under it.
    output = rendering.python(
        "-m", "pytest", "-q", "-m", "not integration", "-p", "no:cacheprovider",
        timeout=300, BROKER_KEY_PREFIX="shared-redis:",
    )  # fmt: skip
    assert re.search(r"\d+ passed", output), output
