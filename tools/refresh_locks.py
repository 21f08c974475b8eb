"""Refresh the lock files a rendered project ships: `uv run python tools/refresh_locks.py`.

The rendered project's dependencies depend on three answers: `database` and `use_flower` pick
the packages, `python_version` sets `requires-python`. The template keeps one uv.lock per
combination in `{{cookiecutter.project_slug}}/uv-locks/`, and the post-generation hook copies
the matching one to the project's `uv.lock` (see hooks/post_gen_project.py, install_lock).

For each combination this renders the template (so the hook installs the current lock), runs
`uv lock` in the rendering and copies the result back. Plain `uv lock` changes a lock only
where pyproject.toml no longer matches it; `--upgrade` moves every package to its newest
allowed version. tests/test_locks.py fails while any lock is out of date.

Needs the package index (PyPI), as `uv lock` does; rendering itself never does.
"""

from __future__ import annotations

import argparse
import itertools
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from cookiecutter.main import cookiecutter

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "hooks"), str(ROOT / "tools")]
# The hook module is plain Python before rendering; its answer-independent helpers are shared.
from post_gen_project import LOCK_PLACEHOLDER_NAME, LOCKS_DIR, lock_variant  # noqa: E402
from pythons import find_python  # noqa: E402

LOCKS = ROOT / "{{cookiecutter.project_slug}}" / LOCKS_DIR
PLACEHOLDER_SLUG = LOCK_PLACEHOLDER_NAME.replace("-", "_")


def variants() -> list[dict[str, object]]:
    """Every combination of the answers that change the lock file."""
    choices = json.loads((ROOT / "cookiecutter.json").read_text())
    return [
        {"database": database, "use_flower": flower, "python_version": python}
        for database, flower, python in itertools.product(
            choices["database"], (True, False), choices["python_version"]
        )
    ]


def render(answers: dict[str, object], output_dir: Path) -> Path:
    context = {**answers, "project_slug": PLACEHOLDER_SLUG, "ci_provider": "none"}
    return Path(
        cookiecutter(str(ROOT), no_input=True, extra_context=context, output_dir=str(output_dir))
    )


# What a new combination starts from: a lock naming only the project, which `uv lock` then
# resolves in full (the hook needs a lock to install, and this one it accepts).
SEED = f"""version = 1
revision = 3
requires-python = ">=3.11"

[[package]]
name = "{LOCK_PLACEHOLDER_NAME}"
version = "0.1.0"
source = {{ editable = "." }}
"""


def refresh(answers: dict[str, object], upgrade: bool, work: Path) -> bool:
    """Re-lock one combination; True if its lock file changed."""
    name = lock_variant(answers)
    target = LOCKS / name
    old = target.read_text(encoding="utf-8") if target.exists() else None
    if old is None:
        target.write_text(SEED, encoding="utf-8")
    project = render(answers, work / name)
    python = find_python(str(answers["python_version"]))
    if python is None:
        raise SystemExit(f"{name}: uv lock needs Python {answers['python_version']}; none found")
    command = ["uv", "lock", "--quiet", "--python", python, *(["--upgrade"] if upgrade else [])]
    subprocess.run(command, cwd=project, check=True)
    new = (project / "uv.lock").read_text(encoding="utf-8")
    if new != old:
        target.write_text(new, encoding="utf-8")
    return new != old


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--upgrade", action="store_true", help="newest allowed versions")
    arguments = parser.parse_args()
    LOCKS.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        for answers in variants():
            changed = refresh(answers, arguments.upgrade, Path(work))
            print(f"{lock_variant(answers)}: {'updated' if changed else 'up to date'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
