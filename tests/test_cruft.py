"""A project rendered with cruft takes a later template change with `cruft update`.

The template repository here is a git repository built in tmp_path from the template's working
tree (uncommitted edits included), so the test sees exactly what is on disk. The project is
rendered from it with `cruft create`, committed, given a change of its own, and then updated
after a commit to the template: the change must arrive through git's three-way apply, leave no
`.rej` file, keep the user's change, and leave the git-ignored `.env` (secrets written once by
the post-gen hook) exactly as it was.

No services are needed; cruft runs as a subprocess (`python -m cruft`) so its output can go
into the assertion messages.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from rendering import TEMPLATE_DIR

SLUG_DIR = "{{cookiecutter.project_slug}}"
# What a template repository holds for cookiecutter (the prompts, the hooks, the Jinja
# extension cookiecutter.json names, the project); the rest of this checkout is tooling.
TEMPLATE_PARTS = ("cookiecutter.json", "hooks", "quiet_hook_failures.py", SLUG_DIR)
IGNORED = shutil.ignore_patterns(
    ".venv", ".cache", "__pycache__", "*.pyc", ".pytest_cache", ".ruff_cache", ".mypy_cache"
)

README_LINE = "Template change marker: {{ cookiecutter.project_name }} is kept up to date."
DOCSTRING_MARK = "(template update) "
USER_LINE = "# A local addition the template does not know about."
PROJECT = "acme_jobs"


def hermetic_env(tmp_path: Path) -> dict[str, str]:
    """No user or system git/cookiecutter configuration, fixed identities for commits."""
    config = tmp_path / "cookiecutter-config.yaml"
    config.write_text(
        "default_context: {}\n"
        f"cookiecutters_dir: {tmp_path / 'cookiecutters'}\n"
        f"replay_dir: {tmp_path / 'replay'}\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "COOKIECUTTER"))}
    env |= {
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_AUTHOR_NAME": "Template Test",
        "GIT_AUTHOR_EMAIL": "template-test@example.com",
        "GIT_COMMITTER_NAME": "Template Test",
        "GIT_COMMITTER_EMAIL": "template-test@example.com",
        "COOKIECUTTER_CONFIG": str(config),
        "NO_COLOR": "1",
    }
    return env


def run(command: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run a command and return it whatever its exit status (callers assert on it)."""
    return subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def output_of(result: subprocess.CompletedProcess[str]) -> str:
    """A readable account of a finished command for an assertion message."""
    return (
        f"`{' '.join(map(str, result.args))}` exited {result.returncode}\n"
        f"--- stdout ---\n{result.stdout[-6000:]}\n--- stderr ---\n{result.stderr[-6000:]}"
    )


def ok(command: list[str], cwd: Path, env: dict[str, str]) -> str:
    """Run a command that must succeed; return its stdout."""
    result = run(command, cwd, env)
    assert result.returncode == 0, output_of(result)
    return result.stdout


def git(repo: Path, env: dict[str, str], *args: str) -> str:
    return ok(["git", *args], repo, env)


def cruft(project: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return run([sys.executable, "-m", "cruft", *args], project, env)


def commit_all(repo: Path, env: dict[str, str], message: str) -> str:
    git(repo, env, "add", "-A")
    git(repo, env, "commit", "--quiet", "--no-verify", "-m", message)
    return git(repo, env, "rev-parse", "HEAD").strip()


def make_template_repo(target: Path, env: dict[str, str]) -> str:
    """Copy the template's working tree into a fresh git repository; return its commit."""
    target.mkdir()
    for part in TEMPLATE_PARTS:
        source = TEMPLATE_DIR / part
        if source.is_dir():
            shutil.copytree(source, target / part, ignore=IGNORED)
        else:
            shutil.copy2(source, target / part)
    git(target, env, "init", "--quiet", "--initial-branch=main")
    return commit_all(target, env, "Template as on disk")


def change_template(template: Path, env: dict[str, str]) -> str:
    """Commit a change that renders: a README line and a module docstring; return the commit."""
    readme = template / SLUG_DIR / "README.md"
    text = readme.read_text()
    readme.write_text(text + ("" if text.endswith("\n") else "\n") + f"\n{README_LINE}\n")
    loops = template / SLUG_DIR / "src" / SLUG_DIR / "loops.py"
    source = loops.read_text()
    assert source.startswith('"""'), "loops.py no longer opens with its docstring; pick another"
    loops.write_text(source.replace('"""', '"""' + DOCSTRING_MARK, 1))
    return commit_all(template, env, "Template change")


def changed_paths(project: Path, env: dict[str, str]) -> dict[str, str]:
    """Path -> two-letter `git status` code; the three-way apply stages what it changes."""
    lines = git(project, env, "status", "--porcelain", "--untracked-files=all").splitlines()
    return {line[3:]: line[:2] for line in lines}


def test_cruft_update_brings_a_template_change_into_a_project(tmp_path: Path) -> None:
    env = hermetic_env(tmp_path)
    template = tmp_path / "template"
    first = make_template_repo(template, env)

    # 1. Render through cruft, as the README says (a local path instead of gh:<org>/<repo>).
    created = cruft(tmp_path, env, "create", str(template), "--no-input",
                    "--output-dir", str(tmp_path / "out"))  # fmt: skip
    assert created.returncode == 0, output_of(created)
    project = tmp_path / "out" / PROJECT
    state = json.loads((project / ".cruft.json").read_text())
    assert state["commit"] == first, state
    assert Path(state["template"]) == template, state

    # 2. The user's repository: .env is ignored, everything else committed, plus a local change.
    env_file = project / ".env"
    assert env_file.is_file(), "the post-gen hook wrote no .env"
    env_text = env_file.read_bytes()
    git(project, env, "init", "--quiet", "--initial-branch=main")
    ignored = run(["git", "check-ignore", "--quiet", ".env"], project, env)
    assert ignored.returncode == 0, f".env is not git-ignored in the project\n{output_of(ignored)}"
    commit_all(project, env, "Rendered with cruft")
    dockerfile = project / "Dockerfile"
    dockerfile.write_text(dockerfile.read_text() + f"\n{USER_LINE}\n")
    commit_all(project, env, "A local change")

    # 3. The template moves on; cruft notices.
    second = change_template(template, env)
    checked = cruft(project, env, "check")
    assert checked.returncode != 0, f"cruft check missed the new commit\n{output_of(checked)}"
    assert "out of date" in checked.stdout + checked.stderr, output_of(checked)

    # 4. The update applies cleanly through the three-way apply.
    updated = cruft(project, env, "update", "--skip-apply-ask")
    report = output_of(updated)
    assert updated.returncode == 0, report
    rejects = sorted(str(p.relative_to(project)) for p in project.rglob("*.rej"))
    assert not rejects, f"the update left rejected hunks in {rejects}\n{report}"
    assert "Failed to apply" not in updated.stdout + updated.stderr, report

    readme = (project / "README.md").read_text()
    assert README_LINE.replace("{{ cookiecutter.project_name }}", "Acme Jobs") in readme, report
    loops = (project / "src" / PROJECT / "loops.py").read_text()
    assert loops.startswith('"""' + DOCSTRING_MARK), f"{loops[:200]}\n{report}"
    assert USER_LINE in dockerfile.read_text(), f"the user's change was lost\n{report}"
    assert env_file.read_bytes() == env_text, f".env changed during the update\n{report}"

    status = changed_paths(project, env)
    expected = {".cruft.json", "README.md", f"src/{PROJECT}/loops.py"}
    assert set(status) == expected, f"git status: {status}\n{report}"
    assert all("M" in code and "?" not in code for code in status.values()), status
    assert json.loads((project / ".cruft.json").read_text())["commit"] == second, report

    # 5. Up to date afterwards.
    rechecked = cruft(project, env, "check")
    assert rechecked.returncode == 0, output_of(rechecked)
    assert "up to date" in rechecked.stdout + rechecked.stderr, output_of(rechecked)
