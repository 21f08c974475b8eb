"""Unit tests of the cookiecutter hooks' helpers.

The hooks are imported by path, unrendered: their answers string is then plain text, and every
helper is an ordinary function. Nothing here renders the template.
"""

from __future__ import annotations

import importlib.util
import itertools
import json
import re
import stat
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from cookiecutter.environment import StrictEnvironment

HOOKS_DIR = Path(__file__).resolve().parent.parent / "hooks"


def load_hook(name: str) -> ModuleType:
    """Import hooks/<name>.py as a module named hook_<name>."""
    spec = importlib.util.spec_from_file_location(f"hook_{name}", HOOKS_DIR / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # dataclasses looks the defining module up in sys.modules while building Plan.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


pre = load_hook("pre_gen_project")
post = load_hook("post_gen_project")

# Answers as cookiecutter hands them to the hooks: numbers rendered to strings, real booleans.
GOOD_ANSWERS: dict[str, Any] = {
    "project_name": "Acme Jobs",
    "project_slug": "acme_jobs",
    "description": "An async job service.",
    "author_name": "Your Name",
    "author_email": "you@example.com",
    "python_version": "3.11",
    "database": "postgres",
    "worker_pool_layout": "split",
    "queue_tiers": "high,default,low",
    "worker_db_mode": "per-task",
    "api_pool_size": "10",
    "api_pool_overflow": "5",
    "io_worker_concurrency": "8",
    "cpu_worker_concurrency": "2",
    "use_beat": True,
    "use_flower": True,
    "ci_provider": "github",
    "__tiers": "high,default,low",
}


def fields_and_reasons(problems: list[str], reason: str) -> list[tuple[str, bool]]:
    """(field named at the start, whether `reason` is in the line) for each problem line.

    Comparing this to [(field, True)] checks in one assertion that there is exactly one problem,
    that it names the field, and that it says why.
    """
    return [(problem.split(":", 1)[0], reason in problem) for problem in problems]


# --- the hooks as files -------------------------------------------------------------------------

HOSTILE_TEXT = "it's '''three''' \"\"\"double\"\"\" back\\slash é {{ not jinja }} ends\\"


@pytest.mark.parametrize("hook", ["pre_gen_project", "post_gen_project"])
def test_unrendered_answers_are_plain_text(hook: str) -> None:
    assert "{{ cookiecutter | jsonify }}" in load_hook(hook).ANSWERS_JSON


@pytest.mark.parametrize("hook", ["pre_gen_project", "post_gen_project"])
def test_rendered_hook_reads_back_any_answer(hook: str) -> None:
    # Render the hook as cookiecutter does, then run it as a module (not as __main__).
    context = {"cookiecutter": {**GOOD_ANSWERS, "project_name": HOSTILE_TEXT}}
    source = (HOOKS_DIR / f"{hook}.py").read_text(encoding="utf-8")
    rendered = StrictEnvironment(context=context).from_string(source).render(**context)
    module = ModuleType(f"rendered_{hook}")
    sys.modules[module.__name__] = module  # as in load_hook: dataclasses needs it
    exec(compile(rendered, hook, "exec"), module.__dict__)
    assert json.loads(module.ANSWERS_JSON) == context["cookiecutter"]


# --- pre_gen_project: project_slug ---------------------------------------------------------------


@pytest.mark.parametrize(
    "slug", ["acme_jobs", "a", "svc2", "order_service", "celery_tasks", "matcher", "typed"]
)
def test_check_slug_accepts(slug: str) -> None:
    assert pre.check_slug(slug) == []


@pytest.mark.parametrize(
    ("slug", "reason"),
    [
        ("Bad-Slug", "not a valid package name"),
        ("1abc", "not a valid package name"),
        ("", "not a valid package name"),
        ("_private", "not a valid package name"),
        ("acme jobs", "not a valid package name"),
        ("acme-jobs", "not a valid package name"),
        ("caf\u00e9", "not a valid package name"),
        (None, "not a valid package name"),
        (42, "not a valid package name"),
        ("class", "is a Python keyword"),
        ("async", "is a Python keyword"),
        ("import", "is a Python keyword"),
        ("match", "soft keyword"),
        ("case", "soft keyword"),
        ("type", "soft keyword"),
        ("os", "standard-library"),
        ("asyncio", "standard-library"),
        ("json", "standard-library"),
        ("telnetlib", "standard-library"),
        ("distutils", "standard-library"),
        ("celery", "dependency"),
        ("fastapi", "dependency"),
        ("pydantic_settings", "dependency"),
        ("sqlalchemy", "dependency"),
        ("pymongo", "dependency"),
        ("yaml", "dependency"),
        ("api", "template generates"),
        ("worker", "template generates"),
        ("tests", "template generates"),
        ("migrations", "template generates"),
    ],
)
def test_check_slug_refuses(slug: Any, reason: str) -> None:
    assert fields_and_reasons(pre.check_slug(slug), reason) == [("project_slug", True)]


def test_check_slug_shows_the_value() -> None:
    assert pre.check_slug("os") == [
        "project_slug: 'os' shadows a standard-library module; choose another name"
    ]


# --- pre_gen_project: name, email, choices ------------------------------------------------------


@pytest.mark.parametrize("name", ["Acme Jobs", "x", "  Padded  "])
def test_check_project_name_accepts(name: str) -> None:
    assert pre.check_project_name(name) == []


@pytest.mark.parametrize("name", ["", "   ", None])
def test_check_project_name_refuses(name: Any) -> None:
    assert fields_and_reasons(pre.check_project_name(name), "empty") == [("project_name", True)]


@pytest.mark.parametrize("email", ["you@example.com", "a.b+c@sub.example.org", "x@y.z"])
def test_check_email_accepts(email: str) -> None:
    assert pre.check_email(email) == []


@pytest.mark.parametrize(
    "email", ["nope", "a@b", "@example.com", "a@.", "a b@example.com", "a@@b.c", "", None]
)
def test_check_email_refuses(email: Any) -> None:
    assert fields_and_reasons(pre.check_email(email), "name@example.com") == [
        ("author_email", True)
    ]


@pytest.mark.parametrize(
    ("field", "value"),
    [(field, value) for field, allowed in pre.CHOICES.items() for value in allowed],
)
def test_check_choice_accepts(field: str, value: str) -> None:
    assert pre.check_choice(field, value, pre.CHOICES[field]) == []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("python_version", "3.9"),
        ("python_version", "3.10"),
        ("python_version", 3.11),
        ("database", "mysql"),
        ("database", "Postgres"),
        ("worker_pool_layout", "gevent"),
        ("worker_db_mode", "shared"),
        ("ci_provider", "travis"),
        ("ci_provider", None),
    ],
)
def test_check_choice_refuses(field: str, value: Any) -> None:
    allowed = pre.CHOICES[field]
    assert fields_and_reasons(pre.check_choice(field, value, allowed), allowed[-1]) == [
        (field, True)
    ]


def test_choices_match_cookiecutter_json(template_dir: Path) -> None:
    # The hook's lists and the prompts' lists must not drift apart.
    prompts = json.loads((template_dir / "cookiecutter.json").read_text(encoding="utf-8"))
    assert {field: tuple(prompts[field]) for field in pre.CHOICES} == pre.CHOICES


# --- pre_gen_project: integers and booleans -----------------------------------------------------


@pytest.mark.parametrize("value", [1, 64, "1", "10", " 8 ", "+3"])
def test_check_positive_int_accepts(value: Any) -> None:
    assert pre.check_positive_int("api_pool_size", value) == []


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (0, "too small"),
        ("0", "too small"),
        (-1, "too small"),
        ("-1", "too small"),
        ("ten", "not a whole number"),
        ("", "not a whole number"),
        ("1.5", "not a whole number"),
        (1.5, "not a whole number"),
        (True, "not a whole number"),
        (False, "not a whole number"),
        ("True", "not a whole number"),
        (None, "not a whole number"),
    ],
)
def test_check_positive_int_refuses(value: Any, reason: str) -> None:
    problems = pre.check_positive_int("io_worker_concurrency", value)
    assert fields_and_reasons(problems, reason) == [("io_worker_concurrency", True)]


@pytest.mark.parametrize("value", [0, "0", 5, "5"])
def test_check_non_negative_int_accepts(value: Any) -> None:
    assert pre.check_non_negative_int("api_pool_overflow", value) == []


@pytest.mark.parametrize(
    ("value", "reason"),
    [(-1, "too small"), ("-1", "too small"), ("x", "not a whole number"), (True, "whole")],
)
def test_check_non_negative_int_refuses(value: Any, reason: str) -> None:
    problems = pre.check_non_negative_int("api_pool_overflow", value)
    assert fields_and_reasons(problems, reason) == [("api_pool_overflow", True)]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, True),
        (False, False),
        *[(word, True) for word in ["y", "yes", "true", "1", "on", "t", "YES", " On "]],
        *[(word, False) for word in ["n", "no", "false", "0", "off", "f", "No", " OFF "]],
    ],
)
def test_parse_bool_accepts(value: Any, expected: bool) -> None:
    assert pre.parse_bool(value) is expected


@pytest.mark.parametrize("value", ["maybe", "", "2", "yess", 1, 0, None])
def test_check_bool_refuses(value: Any) -> None:
    assert fields_and_reasons(pre.check_bool("use_beat", value), "yes or no") == [
        ("use_beat", True)
    ]


# --- pre_gen_project: queue tiers ---------------------------------------------------------------

TEN_TIERS = ",".join(f"t{i}" for i in range(10))


@pytest.mark.parametrize(
    ("text", "tiers"),
    [
        ("high,default,low", ["high", "default", "low"]),
        (" critical , bulk ", ["critical", "bulk"]),
        ("solo", ["solo"]),
        ("cpu,low", ["cpu", "low"]),
        ("a" * 32, ["a" * 32]),
        (TEN_TIERS, TEN_TIERS.split(",")),
    ],
)
def test_parse_tiers_accepts(text: str, tiers: list[str]) -> None:
    assert pre.parse_tiers(text) == (tiers, [])


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "names no tier"),
        ("   ", "names no tier"),
        (",", "names no tier"),
        (" , , ", "names no tier"),
        ("high,,low", "empty item"),
        ("high,", "empty item"),
        (",high", "empty item"),
        ("high,high", "'high' is listed more than once"),
        ("high,low,high,high", "'high' is listed more than once"),
        ("High,low", "'High' is not a valid queue name"),
        ("high-prio", "'high-prio' is not a valid queue name"),
        ("1st,low", "'1st' is not a valid queue name"),
        ("high prio", "'high prio' is not a valid queue name"),
        ("a" * 33, "longer than 32 characters"),
        (f"{TEN_TIERS},t10", "at most 10"),
        (None, "not text"),
        (3, "not text"),
    ],
)
def test_parse_tiers_refuses(text: Any, reason: str) -> None:
    assert fields_and_reasons(pre.parse_tiers(text)[1], reason) == [("queue_tiers", True)]


def test_parse_tiers_reports_each_problem_once() -> None:
    # An empty item, a bad name and a duplicate: three lines, each about queue_tiers.
    assert [line.split(":")[0] for line in pre.parse_tiers("High,,low,low")[1]] == [
        "queue_tiers"
    ] * 3


# --- pre_gen_project: combinations and the whole answer set ---------------------------------------


@pytest.mark.parametrize(
    ("layout", "tiers", "count"),
    [
        ("split", ["cpu", "low"], 1),
        ("split", ["high", "low"], 0),
        ("threads", ["cpu", "low"], 0),
        ("prefork", ["cpu", "low"], 0),
        ("asyncio", ["cpu", "low"], 1),
        ("asyncio", ["high", "low"], 0),
    ],
)
def test_check_combinations(layout: str, tiers: list[str], count: int) -> None:
    answers = {**GOOD_ANSWERS, "worker_pool_layout": layout}
    assert len(pre.check_combinations(answers, tiers)) == count


def test_cpu_tier_with_split_says_why() -> None:
    answers = {**GOOD_ANSWERS, "queue_tiers": "cpu,low"}
    assert fields_and_reasons(pre.validate(answers), "worker_pool_layout=split") == [
        ("queue_tiers", True)
    ]


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"worker_db_mode": "per-thread", "worker_pool_layout": "prefork"},
        {
            "worker_db_mode": "per-thread",
            "worker_pool_layout": "prefork",
            "io_worker_concurrency": 4,
        },
        {"worker_pool_layout": "threads", "queue_tiers": "cpu"},
        {"worker_pool_layout": "asyncio", "io_worker_concurrency": 64},
        {"queue_tiers": " critical , bulk ", "use_beat": "n", "use_flower": "yes"},
        {"api_pool_size": 3, "api_pool_overflow": 0, "cpu_worker_concurrency": "1"},
        {"database": "mongo", "ci_provider": "none", "python_version": "3.13"},
    ],
)
def test_validate_accepts(changes: dict[str, Any]) -> None:
    assert pre.validate({**GOOD_ANSWERS, **changes}) == []


def test_validate_reports_one_line_per_problem() -> None:
    answers = {
        **GOOD_ANSWERS,
        "project_slug": "os",
        "database": "mysql",
        "api_pool_size": "0",
        "use_flower": "maybe",
    }
    assert [line.split(":")[0] for line in pre.validate(answers)] == [
        "project_slug",
        "database",
        "api_pool_size",
        "use_flower",
    ]


def test_validate_reports_missing_answers() -> None:
    # Every field is reported once, named first on its line.
    fields = [line.split(":")[0] for line in pre.validate({})]
    assert sorted(fields) == sorted(
        [
            "project_name",
            "project_slug",
            "author_email",
            *pre.CHOICES,
            "queue_tiers",
            *pre.INT_MINIMUMS,
            *pre.BOOL_FIELDS,
        ]
    )


def test_pre_main_accepts_good_answers(capsys: pytest.CaptureFixture[str]) -> None:
    status = pre.main(GOOD_ANSWERS)
    assert (status, capsys.readouterr().err) == (0, "")


def test_pre_main_prints_problems_to_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    status = pre.main({**GOOD_ANSWERS, "project_slug": "os", "queue_tiers": "a,a"})
    err_lines = capsys.readouterr().err.splitlines()
    assert (status, [line.split(":")[0] for line in err_lines]) == (
        1,
        ["project_slug", "queue_tiers", "pre_gen_project"],
    )


def test_pre_main_turns_a_crash_into_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    status = pre.main(None)  # not a mapping: validate() itself fails
    err_lines = capsys.readouterr().err.splitlines()
    assert (status, len(err_lines), err_lines[0].startswith("pre_gen_project:")) == (1, 1, True)


# --- post_gen_project: the manifest ---------------------------------------------------------------

SLUG = "acme_jobs"
TREE = [
    "README.md",
    "alembic.ini",
    "migrations/env.py",
    "migrations/versions/0001_create_jobs.py",
    f"src/{SLUG}/__init__.py",
    f"src/{SLUG}/db_postgres/__init__.py",
    f"src/{SLUG}/db_postgres/engines.py",
    f"src/{SLUG}/db_mongo/__init__.py",
    f"src/{SLUG}/db_mongo/client.py",
    "tests/test_mongo_top.py",
    "tests/unit/test_jobs.py",
    "tests/unit/test_postgres_store.py",
    "tests/integration/test_mongo_store.py",
    "tests/integration/test_postgres_store.py",
    "tests/fixtures/mongo_data/jobs.json",
    "tests/fixtures/postgres_data/jobs.sql",
    ".github/workflows/ci.yml",
    ".gitlab-ci.yml",
]
COMMON = {"README.md", f"src/{SLUG}/__init__.py", "tests/unit/test_jobs.py"}
CI_FILES = {".github/workflows/ci.yml", ".gitlab-ci.yml"}


def make_tree(root: Path, paths: Iterable[str]) -> Path:
    """Create each path under `root` as a small file; return `root`."""
    for relative in paths:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"# {relative}\n", encoding="utf-8")
    return root


def files_under(root: Path) -> set[str]:
    """Relative POSIX paths of every file under `root`."""
    return {path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file()}


@pytest.mark.parametrize(
    ("database", "expected"),
    [
        (
            "postgres",
            COMMON
            | CI_FILES
            | {
                "alembic.ini",
                "migrations/env.py",
                "migrations/versions/0001_create_jobs.py",
                f"src/{SLUG}/db/__init__.py",
                f"src/{SLUG}/db/engines.py",
                "tests/unit/test_postgres_store.py",
                "tests/integration/test_postgres_store.py",
                "tests/fixtures/postgres_data/jobs.sql",
            },
        ),
        (
            "mongo",
            COMMON
            | CI_FILES
            | {
                f"src/{SLUG}/db/__init__.py",
                f"src/{SLUG}/db/client.py",
                "tests/test_mongo_top.py",
                "tests/integration/test_mongo_store.py",
                "tests/fixtures/mongo_data/jobs.json",
            },
        ),
    ],
)
def test_database_plan(tmp_path: Path, database: str, expected: set[str]) -> None:
    # ci_provider is left out so that only the database plan runs.
    post.apply_manifest(make_tree(tmp_path, TREE), {"project_slug": SLUG, "database": database})
    assert files_under(tmp_path) == expected


@pytest.mark.parametrize(
    ("ci_provider", "expected"),
    [
        ("github", {".github/workflows/ci.yml"}),
        ("gitlab", {".gitlab-ci.yml"}),
        ("none", set()),
    ],
)
def test_ci_plan(tmp_path: Path, ci_provider: str, expected: set[str]) -> None:
    answers = {"project_slug": SLUG, "ci_provider": ci_provider}
    post.apply_manifest(make_tree(tmp_path, TREE), answers)
    assert files_under(tmp_path) & CI_FILES == expected


def test_ci_none_removes_the_github_directory_itself(tmp_path: Path) -> None:
    post.apply_manifest(make_tree(tmp_path, TREE), {"project_slug": SLUG, "ci_provider": "none"})
    assert not (tmp_path / ".github").exists()


@pytest.mark.parametrize(
    ("database", "ci_provider"),
    list(itertools.product(["postgres", "mongo"], ["github", "gitlab", "none"])),
)
def test_missing_paths_are_skipped(tmp_path: Path, database: str, ci_provider: str) -> None:
    answers = {"project_slug": SLUG, "database": database, "ci_provider": ci_provider}
    post.apply_manifest(make_tree(tmp_path, ["README.md"]), answers)
    assert files_under(tmp_path) == {"README.md"}


def test_glob_matches_at_any_depth_and_takes_whole_directories(tmp_path: Path) -> None:
    make_tree(tmp_path, ["t/x_mongo.py", "t/a/b/y_mongo.py", "t/mongo_dir/z.txt", "t/keep.py"])
    post.apply_plan(tmp_path, post.Plan(remove=("t/**/*mongo*",)), SLUG)
    assert files_under(tmp_path) == {"t/keep.py"}


def test_rename_creates_missing_parents(tmp_path: Path) -> None:
    make_tree(tmp_path, ["old/a.py"])
    post.apply_plan(tmp_path, post.Plan(rename={"old": "src/{slug}/new"}), SLUG)
    assert files_under(tmp_path) == {f"src/{SLUG}/new/a.py"}


def test_rename_refuses_to_overwrite(tmp_path: Path) -> None:
    make_tree(tmp_path, [f"src/{SLUG}/db_postgres/a.py", f"src/{SLUG}/db/b.py"])
    with pytest.raises(FileExistsError):
        post.apply_manifest(tmp_path, {"project_slug": SLUG, "database": "postgres"})


def test_removing_a_symlink_keeps_its_target(tmp_path: Path) -> None:
    make_tree(tmp_path, ["real/a.py"])
    (tmp_path / "link").symlink_to(tmp_path / "real", target_is_directory=True)
    post.apply_plan(tmp_path, post.Plan(remove=("link",)), SLUG)
    assert files_under(tmp_path) == {"real/a.py"}


@pytest.mark.parametrize("pattern", ["../outside", "/etc", "a/../../b", ""])
def test_resolve_refuses_paths_leaving_the_project(pattern: str) -> None:
    with pytest.raises(ValueError):
        post.resolve(pattern, SLUG)


def test_plans_for_picks_the_answers_plans() -> None:
    answers = {"database": "mongo", "ci_provider": "none", "use_beat": True}
    assert post.plans_for(answers) == [
        post.MANIFEST[("database", "mongo")],
        post.MANIFEST[("ci_provider", "none")],
    ]


def test_manifest_keys_are_real_choices(template_dir: Path) -> None:
    # A typo in an option or value would make its plan silently never apply.
    prompts = json.loads((template_dir / "cookiecutter.json").read_text(encoding="utf-8"))
    assert [key for key in post.MANIFEST if key[1] not in prompts.get(key[0], [])] == []


@pytest.mark.parametrize("option", ["database", "ci_provider"])
def test_every_choice_of_a_trimmed_option_has_a_plan(template_dir: Path, option: str) -> None:
    prompts = json.loads((template_dir / "cookiecutter.json").read_text(encoding="utf-8"))
    assert [value for value in prompts[option] if (option, value) not in post.MANIFEST] == []


# --- post_gen_project: .env -----------------------------------------------------------------------

EXAMPLE = """\
# Settings for local development. Copy to .env; the template's hook does it for you.
ENVIRONMENT=development
API_KEYS=dev-key-change-me

# PostgreSQL: the URL carries the password compose gives the server.
DATABASE_URL=postgresql+asyncpg://postgres:CHANGE_ME_POSTGRES@localhost:5432/acme_jobs
POSTGRES_PASSWORD=CHANGE_ME_POSTGRES
REDIS_URL=redis://localhost:6379/0

FLOWER_USER=admin
FLOWER_PASSWORD="change-me-flower"  # quoted, with an inline comment
"""


def counter_secrets() -> Callable[[], str]:
    """A predictable stand-in for new_secret: secret1, secret2, ..."""
    numbers = itertools.count(1)
    return lambda: f"secret{next(numbers)}"


def parse_env(text: str) -> dict[str, str]:
    """KEY -> value (quotes and inline comments dropped) for each assignment line of `text`."""
    values = {}
    for line in text.splitlines():
        match = post.ASSIGNMENT_RE.match(line)
        if match:
            values[match["key"]] = post.split_value(line[match.end() :])[1]
    return values


def write_example(root: Path, text: str = EXAMPLE) -> Path:
    (root / ".env.example").write_text(text, encoding="utf-8")
    return root


def test_render_env_exact_output() -> None:
    assert post.render_env(EXAMPLE, counter_secrets()) == EXAMPLE.replace(
        "dev-key-change-me", "secret1"
    ).replace("CHANGE_ME_POSTGRES", "secret2").replace("change-me-flower", "secret3")


@pytest.mark.parametrize("key", ["API_KEYS", "POSTGRES_PASSWORD", "FLOWER_PASSWORD"])
def test_secrets_differ_from_the_example(tmp_path: Path, key: str) -> None:
    env_file = post.write_env(write_example(tmp_path))
    assert env_file is not None
    assert parse_env(env_file.read_text())[key] != parse_env(EXAMPLE)[key]


@pytest.mark.parametrize("key", ["API_KEYS", "POSTGRES_PASSWORD", "FLOWER_PASSWORD"])
def test_secrets_differ_between_runs(key: str) -> None:
    first = post.render_env(EXAMPLE)
    second = post.render_env(EXAMPLE)
    assert parse_env(first)[key] != parse_env(second)[key]


def test_secrets_are_long_and_url_safe() -> None:
    # 32 random bytes in URL-safe base64: fits in a connection URL without quoting.
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", post.new_secret())


def test_url_password_follows_the_new_password(tmp_path: Path) -> None:
    values = parse_env(post.render_env(EXAMPLE))
    assert values["DATABASE_URL"] == (
        f"postgresql+asyncpg://postgres:{values['POSTGRES_PASSWORD']}@localhost:5432/acme_jobs"
    )


def test_url_after_its_password_is_updated_too() -> None:
    example = "MONGO_PASSWORD=pw\nMONGO_URL=mongodb://app:pw@localhost:27017/?authSource=admin\n"
    assert post.render_env(example, counter_secrets()) == (
        "MONGO_PASSWORD=secret1\nMONGO_URL=mongodb://app:secret1@localhost:27017/?authSource=admin\n"
    )


def test_only_the_url_password_changes_when_it_equals_the_user_name() -> None:
    example = "POSTGRES_PASSWORD=postgres\nDATABASE_URL=postgresql://postgres:postgres@postgres/postgres\n"
    assert post.render_env(example, counter_secrets()).splitlines()[1] == (
        "DATABASE_URL=postgresql://postgres:secret1@postgres/postgres"
    )


@pytest.mark.parametrize(
    ("example", "expected_url"),
    [
        # Flower's password comes first in the file, yet the URL takes the PostgreSQL one.
        (
            "FLOWER_PASSWORD=change-me\nPOSTGRES_PASSWORD=change-me\n"
            "DATABASE_URL=postgresql+asyncpg://postgres:change-me@db/flower_shop\n",
            "DATABASE_URL=postgresql+asyncpg://postgres:secret2@db/flower_shop",
        ),
        (
            "FLOWER_PASSWORD=change-me\nMONGO_PASSWORD=change-me\n"
            "MONGO_URL=mongodb://root:change-me@mongo:27017\n",
            "MONGO_URL=mongodb://root:secret2@mongo:27017",
        ),
        # No key names the URL: the first key with that old value wins.
        (
            "FLOWER_PASSWORD=change-me\nPOSTGRES_PASSWORD=change-me\n"
            "BROKER_URL=amqp://guest:change-me@rabbit//\n",
            "BROKER_URL=amqp://guest:secret1@rabbit//",
        ),
    ],
)
def test_shared_placeholder_goes_to_the_key_the_url_names(example: str, expected_url: str) -> None:
    assert post.render_env(example, counter_secrets()).splitlines()[2] == expected_url


def test_percent_encoded_url_password_is_recognised() -> None:
    example = "POSTGRES_PASSWORD=p@ss\nDATABASE_URL=postgresql://app:p%40ss@db/app\n"
    assert post.render_env(example, counter_secrets()).splitlines()[1] == (
        "DATABASE_URL=postgresql://app:secret1@db/app"
    )


@pytest.mark.parametrize(
    "line",
    [
        "REDIS_URL=redis://localhost:6379/0",
        "OTHER_URL=postgresql://postgres:different@localhost/db",
        "NOTE=CHANGE_ME_POSTGRES",  # not a URL: left alone
    ],
)
def test_unrelated_values_are_untouched(line: str) -> None:
    example = f"POSTGRES_PASSWORD=CHANGE_ME_POSTGRES\n{line}\n"
    assert post.render_env(example).splitlines()[1] == line


def test_comments_blank_lines_and_order_are_kept(tmp_path: Path) -> None:
    env_file = post.write_env(write_example(tmp_path))
    assert env_file is not None
    # Lines without a secret or a password-bearing URL come through byte for byte.
    changed = ("API_KEYS=", "DATABASE_URL=", "POSTGRES_PASSWORD=", "FLOWER_PASSWORD=")
    kept = [line for line in EXAMPLE.splitlines() if not line.startswith(changed)]
    assert [line for line in env_file.read_text().splitlines() if line in kept] == kept


def test_quotes_and_inline_comment_are_kept() -> None:
    example = 'FLOWER_PASSWORD="change-me"  # shown in the UI\n'
    assert (
        post.render_env(example, counter_secrets())
        == 'FLOWER_PASSWORD="secret1"  # shown in the UI\n'
    )


@pytest.mark.parametrize(
    ("example", "expected"),
    [
        ("export API_KEYS=k1\n", "export API_KEYS=secret1\n"),
        ("API_KEYS = k1\n", "API_KEYS = secret1\n"),
        ("API_KEYS='k1'\n", "API_KEYS='secret1'\n"),
        ("API_KEYS=\n", "API_KEYS=secret1\n"),
        ("API_KEYS=k1 # dev only\n", "API_KEYS=secret1 # dev only\n"),
        ("API_KEYS=k1\r\nENVIRONMENT=test\r\n", "API_KEYS=secret1\r\nENVIRONMENT=test\r\n"),
        ("API_KEYS=k1", "API_KEYS=secret1"),
        ("API_KEYS=default:k1\n", "API_KEYS=default:secret1\n"),
        ("# API_KEYS=commented-out\n", "# API_KEYS=commented-out\n"),
        ("MY_API_KEYS=k1\n", "MY_API_KEYS=k1\n"),
    ],
)
def test_render_env_line_forms(example: str, expected: str) -> None:
    assert post.render_env(example, counter_secrets()) == expected


def test_empty_placeholder_does_not_touch_urls_without_password() -> None:
    example = "POSTGRES_PASSWORD=\nDATABASE_URL=postgresql://postgres:@localhost/db\n"
    assert post.render_env(example, counter_secrets()).splitlines()[1] == (
        "DATABASE_URL=postgresql://postgres:@localhost/db"
    )


def test_absent_keys_are_not_added() -> None:
    assert set(parse_env(post.render_env(EXAMPLE))) == set(parse_env(EXAMPLE))


def test_env_file_is_private(tmp_path: Path) -> None:
    env_file = post.write_env(write_example(tmp_path))
    assert env_file is not None
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600


def test_existing_env_file_is_made_private(tmp_path: Path) -> None:
    (write_example(tmp_path) / ".env").write_text("OLD=1\n")
    (tmp_path / ".env").chmod(0o644)
    post.write_env(tmp_path)
    assert stat.S_IMODE((tmp_path / ".env").stat().st_mode) == 0o600


def test_no_example_no_env(tmp_path: Path) -> None:
    assert (post.write_env(tmp_path), list(tmp_path.iterdir())) == (None, [])


# --- post_gen_project: main -----------------------------------------------------------------------


def test_post_main_trims_writes_env_and_prints_next_steps(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write_example(make_tree(tmp_path, TREE))
    monkeypatch.chdir(tmp_path)
    status = post.main({**GOOD_ANSWERS, "database": "mongo", "ci_provider": "gitlab"})
    out = capsys.readouterr().out
    assert (
        status,
        (tmp_path / ".env").is_file(),
        "uv sync" in out,
        "docker compose up" in out,
    ) == (
        0,
        True,
        True,
        True,
    )


def test_post_main_reports_a_failure_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    make_tree(tmp_path, [f"src/{SLUG}/db_postgres/a.py", f"src/{SLUG}/db/b.py"])
    monkeypatch.chdir(tmp_path)
    status = post.main(GOOD_ANSWERS)
    err_lines = capsys.readouterr().err.splitlines()
    assert (status, len(err_lines), err_lines[0].startswith("post_gen_project:")) == (1, 1, True)


# --- post_gen_project: the lock file ------------------------------------------------------------

LOCK = (
    'version = 1\n\n[[package]]\nname = "alembic"\n\n'
    '[[package]]\nname = "{name}"\nversion = "0.1.0"\n'
)


def write_locks(root: Path, *names: str) -> Path:
    locks = root / post.LOCKS_DIR
    locks.mkdir(parents=True)
    for name in names:
        (locks / name).write_text(LOCK.format(name=post.LOCK_PLACEHOLDER_NAME))
    return locks


@pytest.mark.parametrize(
    ("changes", "variant"),
    [
        ({}, "postgres-flower-py3.11.lock"),
        ({"database": "mongo", "use_flower": False}, "mongo-noflower-py3.11.lock"),
        ({"use_flower": "n", "python_version": "3.13"}, "postgres-noflower-py3.13.lock"),
        ({"use_flower": "yes", "python_version": "3.12"}, "postgres-flower-py3.12.lock"),
    ],
)
def test_the_lock_variant_follows_database_flower_and_python(
    changes: dict[str, Any], variant: str
) -> None:
    answers = {**GOOD_ANSWERS, "database": "postgres", "use_flower": True, "python_version": "3.11"}
    assert post.lock_variant({**answers, **changes}) == variant


def test_install_lock_writes_uv_lock_with_the_projects_name(tmp_path: Path) -> None:
    answers = {**GOOD_ANSWERS, "project_slug": "ledger_sync", "database": "mongo",
               "use_flower": False, "python_version": "3.12"}  # fmt: skip
    write_locks(tmp_path, "mongo-noflower-py3.12.lock", "postgres-flower-py3.12.lock")
    target = post.install_lock(tmp_path, answers)
    assert target == tmp_path / "uv.lock"
    assert target.read_text() == LOCK.format(name="ledger-sync")
    assert not (tmp_path / post.LOCKS_DIR).exists(), "the other variants stay behind"


def test_install_lock_refuses_a_missing_variant(tmp_path: Path) -> None:
    write_locks(tmp_path, "postgres-flower-py3.11.lock")
    answers = {**GOOD_ANSWERS, "database": "mongo", "use_flower": True, "python_version": "3.11"}
    with pytest.raises(FileNotFoundError, match=re.escape("mongo-flower-py3.11.lock")):
        post.install_lock(tmp_path, answers)


def test_install_lock_without_locks_does_nothing(tmp_path: Path) -> None:
    assert post.install_lock(tmp_path, GOOD_ANSWERS) is None
    assert not (tmp_path / "uv.lock").exists()
