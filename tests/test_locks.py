"""Every rendering ships a uv.lock that matches its own pyproject.toml.

The template keeps one lock per combination of the answers that change the dependencies
(`database`, `use_flower`, `python_version`: hooks/post_gen_project.py, install_lock). For each
combination this renders a project under a real name and asks `uv lock --check` whether the
lock still satisfies the project: it fails as soon as a dependency is added, removed or
re-bounded in the template without refreshing the locks. The fix is one command:
`uv run python tools/refresh_locks.py`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from rendering import TEMPLATE_DIR, render, uv

sys.path.insert(0, str(TEMPLATE_DIR / "tools"))
from pythons import find_python
from refresh_locks import variants

pytestmark = pytest.mark.xdist_group("locks")

STALE = "uv.lock is out of date for {variant}: run `uv run python tools/refresh_locks.py`"


@pytest.mark.parametrize(
    "answers",
    variants(),
    ids=lambda a: f"{a['database']}-flower{a['use_flower']}-py{a['python_version']}",
)
def test_the_rendered_lock_matches_the_project(answers: dict[str, object], tmp_path: Path) -> None:
    project = render({**answers, "project_slug": "ledger_sync", "ci_provider": "none"}, tmp_path)
    lock = project / "uv.lock"
    assert lock.is_file(), "the rendering has no uv.lock"
    assert not (project / "uv-locks").exists(), "the template's other locks were left behind"
    assert '\nname = "ledger-sync"\n' in lock.read_text(), "the lock does not name the project"

    python = find_python(str(answers["python_version"]))
    if python is None:
        pytest.fail(f"uv lock --check needs Python {answers['python_version']}; none found")
    try:
        uv("lock", "--check", "--python", python, cwd=project, timeout=300)
    except AssertionError as error:
        variant = f"{answers}"
        raise AssertionError(f"{STALE.format(variant=variant)}\n{error}") from None
