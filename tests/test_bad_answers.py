"""Every bad answer is refused end to end, and leaves nothing behind.

Each case renders through cookiecutter's Python API into an empty `tmp_path`. Most bad answers
reach the pre-generation hook, which refuses them with one line naming the field. Cookiecutter
itself refuses a few earlier, while building the context from `extra_context` (a value outside a
choice list, a string that is not yes/no for a boolean): those cases assert on cookiecutter's
own error, and the replay test shows the hook still catches such values when cookiecutter does
not check them.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cookiecutter.exceptions import FailedHookException, OutputDirExistsException
from cookiecutter.main import cookiecutter


@pytest.fixture(scope="module")
def config_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cookiecutter user config whose replay and clone dirs are private to these tests.

    Without it every render writes a replay file into ~/.cookiecutter_replay.
    """
    home = tmp_path_factory.mktemp("cookiecutter-home")
    config = home / "config.yaml"
    config.write_text(
        f"cookiecutters_dir: {home / 'cookiecutters'}\nreplay_dir: {home / 'replay'}\n",
        encoding="utf-8",
    )
    return config


def render(template_dir: Path, output_dir: Path, config_file: Path, **kwargs: Any) -> str:
    """Render the template into `output_dir` without prompting."""
    return cookiecutter(
        str(template_dir),
        output_dir=str(output_dir),
        config_file=str(config_file),
        **kwargs,
    )


def lines_naming(text: str, field: str) -> list[str]:
    """The lines of `text` that start by naming `field`, as the hook's problem lines do."""
    return [line for line in text.splitlines() if line.startswith(f"{field}:")]


# (extra_context, the field the refusal must name)
HOOK_CASES = [
    pytest.param({"project_slug": "Bad-Slug"}, "project_slug", id="slug-Bad-Slug"),
    pytest.param({"project_slug": "1abc"}, "project_slug", id="slug-1abc"),
    pytest.param({"project_slug": "class"}, "project_slug", id="slug-keyword"),
    pytest.param({"project_slug": "match"}, "project_slug", id="slug-soft-keyword"),
    pytest.param({"project_slug": "os"}, "project_slug", id="slug-stdlib-os"),
    pytest.param({"project_slug": "asyncio"}, "project_slug", id="slug-stdlib-asyncio"),
    pytest.param({"project_slug": "celery"}, "project_slug", id="slug-dependency-celery"),
    pytest.param({"project_slug": "fastapi"}, "project_slug", id="slug-dependency-fastapi"),
    pytest.param({"project_name": "Import"}, "project_slug", id="derived-slug-keyword"),
    pytest.param(
        # With the slug given: a blank name would otherwise derive an empty slug (see below).
        {"project_name": "  ", "project_slug": "acme_jobs"},
        "project_name",
        id="name-blank",
    ),
    pytest.param({"queue_tiers": ""}, "queue_tiers", id="tiers-empty"),
    pytest.param({"queue_tiers": ","}, "queue_tiers", id="tiers-comma"),
    pytest.param({"queue_tiers": "high,,low"}, "queue_tiers", id="tiers-empty-item"),
    pytest.param({"queue_tiers": "high,high"}, "queue_tiers", id="tiers-duplicate"),
    pytest.param({"queue_tiers": "High,low"}, "queue_tiers", id="tiers-uppercase"),
    pytest.param({"queue_tiers": "high-prio"}, "queue_tiers", id="tiers-dash"),
    pytest.param(
        {"queue_tiers": "cpu,low", "worker_pool_layout": "split"},
        "queue_tiers",
        id="tiers-cpu-with-split",
    ),
    pytest.param({"api_pool_size": 0}, "api_pool_size", id="pool-size-0"),
    pytest.param({"api_pool_size": -1}, "api_pool_size", id="pool-size-negative"),
    pytest.param({"api_pool_size": "ten"}, "api_pool_size", id="pool-size-not-a-number"),
    pytest.param({"api_pool_overflow": -1}, "api_pool_overflow", id="overflow-negative"),
    pytest.param({"io_worker_concurrency": 0}, "io_worker_concurrency", id="io-concurrency-0"),
    pytest.param({"cpu_worker_concurrency": 0}, "cpu_worker_concurrency", id="cpu-concurrency-0"),
    pytest.param({"author_email": "nope"}, "author_email", id="email-nope"),
]


@pytest.mark.parametrize(("extra_context", "field"), HOOK_CASES)
def test_hook_refuses(
    template_dir: Path,
    config_file: Path,
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
    extra_context: dict[str, Any],
    field: str,
) -> None:
    with pytest.raises(FailedHookException):
        render(template_dir, tmp_path, config_file, no_input=True, extra_context=extra_context)
    # The hook is a subprocess writing to file descriptor 2, hence capfd rather than capsys.
    assert len(lines_naming(capfd.readouterr().err, field)) == 1
    assert list(tmp_path.iterdir()) == []


# Refused by cookiecutter while it builds the context, before any directory or hook: a value
# outside a choice list, or a non-yes/no string for a boolean, raises ValueError naming the field.
COOKIECUTTER_CASES = [
    pytest.param({"database": "mysql"}, "database", id="database-mysql"),
    pytest.param({"worker_pool_layout": "gevent"}, "worker_pool_layout", id="layout-gevent"),
    pytest.param({"worker_db_mode": "shared"}, "worker_db_mode", id="db-mode-shared"),
    pytest.param({"python_version": "3.9"}, "python_version", id="python-3.9"),
    pytest.param({"ci_provider": "travis"}, "ci_provider", id="ci-travis"),
    pytest.param({"use_beat": "maybe"}, "use_beat", id="use-beat-maybe"),
    pytest.param({"use_flower": "sometimes"}, "use_flower", id="use-flower-sometimes"),
]


@pytest.mark.parametrize(("extra_context", "field"), COOKIECUTTER_CASES)
def test_cookiecutter_refuses(
    template_dir: Path,
    config_file: Path,
    tmp_path: Path,
    extra_context: dict[str, Any],
    field: str,
) -> None:
    with pytest.raises(ValueError, match=rf"\b{field}\b"):
        render(template_dir, tmp_path, config_file, no_input=True, extra_context=extra_context)
    assert list(tmp_path.iterdir()) == []


def test_empty_slug_is_refused_before_the_hook(
    template_dir: Path, config_file: Path, tmp_path: Path
) -> None:
    # An empty slug renders the project directory's name to '', i.e. the output directory
    # itself, which exists: cookiecutter stops before the hook runs.
    with pytest.raises(OutputDirExistsException):
        render(
            template_dir, tmp_path, config_file, no_input=True, extra_context={"project_slug": ""}
        )
    assert list(tmp_path.iterdir()) == []


def replay_answers(template_dir: Path, **changes: Any) -> dict[str, Any]:
    """A complete replay context: every key of cookiecutter.json answered, then `changes`.

    Replay skips cookiecutter's own checks of choices and booleans, so this is the path on which
    the hook is the only guard for them.
    """
    prompts = json.loads((template_dir / "cookiecutter.json").read_text(encoding="utf-8"))
    answers = {
        # Choice lists answer their first (default) choice; other values, and private keys
        # such as _extensions, stay as they are.
        key: value[0] if isinstance(value, list) and value and not key.startswith("_") else value
        for key, value in prompts.items()
    }
    # Defaults that cookiecutter renders from earlier answers, as a real replay records them.
    answers.update(project_slug="acme_jobs", __tiers="high,default,low", io_worker_concurrency="8")
    answers.update(changes)
    return {"cookiecutter": answers}


def test_hook_refuses_bad_choices_from_a_replay(
    template_dir: Path,
    config_file: Path,
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
    capfd: pytest.CaptureFixture[str],
) -> None:
    replay = tmp_path_factory.mktemp("replay") / "bad.json"
    context = replay_answers(template_dir, database="mysql", use_beat="maybe")
    replay.write_text(json.dumps(context), encoding="utf-8")
    with pytest.raises(FailedHookException):
        render(template_dir, tmp_path, config_file, replay=str(replay))
    err = capfd.readouterr().err
    assert (len(lines_naming(err, "database")), len(lines_naming(err, "use_beat"))) == (1, 1)
    assert list(tmp_path.iterdir()) == []


def test_good_answers_with_spaced_tiers_render(
    template_dir: Path, config_file: Path, tmp_path: Path
) -> None:
    project = render(
        template_dir,
        tmp_path,
        config_file,
        no_input=True,
        extra_context={"queue_tiers": " critical , bulk "},
    )
    assert Path(project).is_dir()


def test_the_cli_ends_with_the_hooks_lines_not_a_traceback(
    template_dir: Path, config_file: Path, tmp_path: Path
) -> None:
    # cookiecutter logs a FailedHookException with its traceback; the template's extension
    # (quiet_hook_failures.py) drops that record, so the hook's own lines are what the user
    # reads, followed only by cookiecutter's one-line exit message.
    result = subprocess.run(
        [
            sys.executable, "-m", "cookiecutter", "--no-input", "--config-file", str(config_file),
            "-o", str(tmp_path / "out"), str(template_dir), "project_slug=class",
        ],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stderr.strip().splitlines()[-1] == (
        "pre_gen_project: 1 problem(s) in the answers; nothing was generated"
    )
    assert result.stdout.strip().splitlines()[-1] == "Hook script failed (exit status: 1)"
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []
