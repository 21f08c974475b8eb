"""Pre-generation hook: refuse bad answers before the project is written.

Cookiecutter renders this file with Jinja and runs it with the project directory as the working
directory. The answers enter at exactly one spot, ``ANSWERS_JSON`` below; everything else is plain
functions that return problem strings, so the template's tests import this module and call them
directly.

Each problem is one line on stderr that names the field and says what is allowed. Any problem
means exit status 1, and cookiecutter then deletes the (still empty) project directory.
"""

from __future__ import annotations

import json
import keyword
import re
import sys
from collections.abc import Mapping
from typing import Any

# The single entry point of the rendered answers. JSON escapes every '"' inside its strings and
# always ends with '}', so no answer can close this raw triple-quoted string or end it on a
# backslash; before rendering it is plain text, which keeps the module importable.
ANSWERS_JSON = r"""{{ cookiecutter | jsonify }}"""

# Lowercase Python identifier: a valid package name that also works as a queue name.
NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")
# Deliberately loose: catches typos such as a missing '@' without rejecting real addresses.
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
INT_RE = re.compile(r"^[+-]?[0-9]+$")

# The rendered project supports 3.11 to 3.13 while this hook runs on whatever Python runs
# cookiecutter, so the version-dependent lists are widened by hand: `type` became a soft keyword
# in 3.12, and these modules are stdlib on 3.11 but were removed in 3.12/3.13.
SOFT_KEYWORDS = frozenset(keyword.softkwlist) | {"_", "case", "match", "type"}
REMOVED_STDLIB = frozenset(
    {
        "aifc", "asynchat", "asyncore", "audioop", "cgi", "cgitb", "chunk", "crypt",
        "distutils", "imghdr", "imp", "mailcap", "msilib", "nis", "nntplib", "ossaudiodev",
        "pipes", "smtpd", "sndhdr", "spwd", "sunau", "telnetlib", "uu", "xdrlib",
    }
)  # fmt: skip
STDLIB_MODULES = frozenset(sys.stdlib_module_names) | REMOVED_STDLIB

# Top-level import names of the generated project's dependencies (runtime and dev); a package
# with one of these names would shadow the real library inside the project.
DEPENDENCY_MODULES = frozenset(
    {
        "alembic", "amqp", "annotated_types", "anyio", "asyncpg", "billiard", "bson",
        "celery", "certifi", "click", "dns", "dotenv", "fastapi", "flower", "greenlet",
        "gridfs", "h11", "httpcore", "httpx", "idna", "jinja2", "kombu", "mako", "motor",
        "mypy", "pydantic", "pydantic_core", "pydantic_settings", "pymongo", "pytest",
        "redis", "ruff", "sniffio", "sqlalchemy", "starlette", "tornado", "typing_extensions",
        "uvicorn", "vine", "yaml",
    }
)  # fmt: skip
# Names of packages and directories the template itself generates (top level and inside the
# package): `import api` or `from tests import ...` would become ambiguous.
GENERATED_NAMES = frozenset(
    {"api", "app", "db", "jobs", "migrations", "settings", "src", "test", "tests", "worker"}
)

CHOICES: dict[str, tuple[str, ...]] = {
    "python_version": ("3.11", "3.12", "3.13"),
    "database": ("postgres", "mongo"),
    "worker_pool_layout": ("split", "threads", "prefork", "asyncio"),
    "worker_db_mode": ("per-task", "per-thread"),
    "ci_provider": ("github", "gitlab", "none"),
}
# The layouts that add a prefork queue for CPU-bound work beside the I/O tiers.
LAYOUTS_WITH_CPU_QUEUE = ("split", "asyncio")
# Minimum accepted value of each integer answer.
INT_MINIMUMS: dict[str, int] = {
    "api_pool_size": 1,
    "api_pool_overflow": 0,
    "io_worker_concurrency": 1,
    "cpu_worker_concurrency": 1,
}
BOOL_FIELDS = ("use_beat", "use_flower")

# The same words cookiecutter's own yes/no prompt accepts (cookiecutter.prompt.YesNoPrompt);
# old replay files carry them as strings.
TRUE_WORDS = frozenset({"1", "true", "t", "yes", "y", "on"})
FALSE_WORDS = frozenset({"0", "false", "f", "no", "n", "off"})

MAX_TIERS = 10
MAX_TIER_LENGTH = 32
# The split layout routes CPU-bound tasks to a queue of this name; a tier may not take it.
CPU_QUEUE = "cpu"

NAME_RULE = "use a lowercase identifier: a-z first, then a-z, 0-9 or _"


def check_slug(value: Any) -> list[str]:
    """Check `project_slug`: a lowercase identifier that shadows nothing it will import.

    Returns at most one problem: the first rule broken is the one worth fixing.
    """
    field = "project_slug"
    if not isinstance(value, str) or not NAME_RE.match(value):
        return [f"{field}: {value!r} is not a valid package name; {NAME_RULE}"]
    if keyword.iskeyword(value):
        return [f"{field}: {value!r} is a Python keyword; choose another name"]
    if value in SOFT_KEYWORDS:
        return [f"{field}: {value!r} is a Python soft keyword; choose another name"]
    if value in STDLIB_MODULES:
        return [f"{field}: {value!r} shadows a standard-library module; choose another name"]
    if value in DEPENDENCY_MODULES:
        return [
            f"{field}: {value!r} shadows the import name of a dependency of the generated "
            "project; choose another name"
        ]
    if value in GENERATED_NAMES:
        return [
            f"{field}: {value!r} collides with a package or directory the template generates; "
            "choose another name"
        ]
    return []


def check_project_name(value: Any) -> list[str]:
    """Check `project_name`: any non-blank text."""
    if not isinstance(value, str) or not value.strip():
        return [f"project_name: {value!r} is empty; give the project a human-readable name"]
    return []


def check_email(value: Any) -> list[str]:
    """Check `author_email` looks like name@domain.tld (no attempt at full RFC 5322)."""
    if not isinstance(value, str) or not EMAIL_RE.match(value.strip()):
        return [f"author_email: {value!r} is not an email address; use the form name@example.com"]
    return []


def check_choice(field: str, value: Any, allowed: tuple[str, ...]) -> list[str]:
    """Check that `value` is one of `allowed`.

    Cookiecutter already refuses such values in `extra_context`, but replay files and hand-edited
    contexts reach this hook unchecked.
    """
    if value not in allowed:
        return [f"{field}: {value!r} is not allowed; choose one of {', '.join(allowed)}"]
    return []


def parse_int(value: Any) -> int | None:
    """Return `value` as an int if it is an int or a string of digits, else None.

    Booleans are refused although they are ints in Python: `True` is never a pool size. Numbers
    reach the hook as strings because cookiecutter renders every non-boolean default.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and INT_RE.match(value.strip()):
        return int(value.strip())
    return None


def check_int(field: str, value: Any, minimum: int) -> list[str]:
    """Check that `value` is a whole number no smaller than `minimum`."""
    number = parse_int(value)
    if number is None:
        return [f"{field}: {value!r} is not a whole number; give an integer >= {minimum}"]
    if number < minimum:
        return [f"{field}: {number} is too small; give an integer >= {minimum}"]
    return []


def check_positive_int(field: str, value: Any) -> list[str]:
    """Check that `value` is an integer >= 1 (pool sizes, concurrency)."""
    return check_int(field, value, 1)


def check_non_negative_int(field: str, value: Any) -> list[str]:
    """Check that `value` is an integer >= 0 (pool overflow)."""
    return check_int(field, value, 0)


def parse_bool(value: Any) -> bool | None:
    """Return `value` as a bool if it is one or a yes/no word cookiecutter accepts, else None."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        word = value.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
    return None


def check_bool(field: str, value: Any) -> list[str]:
    """Check that `value` is a boolean or a yes/no word."""
    if parse_bool(value) is None:
        return [f"{field}: {value!r} is not yes or no; answer y/yes/true/1/on or n/no/false/0/off"]
    return []


def parse_tiers(text: Any) -> tuple[list[str], list[str]]:
    """Split `queue_tiers` into tier names and problems.

    Spaces around names are dropped (as `__tiers` does for the templates). Returns the non-empty
    names in their given order, and one problem per broken rule (per offending name where a name
    is at fault).
    """
    field = "queue_tiers"
    if not isinstance(text, str):
        return [], [f"{field}: {text!r} is not text; give comma-separated names, e.g. high,low"]
    items = [item.strip() for item in text.split(",")]
    tiers = [item for item in items if item]
    if not tiers:
        return [], [f"{field}: {text!r} names no tier; give at least one, e.g. high,default,low"]

    problems: list[str] = []
    if len(tiers) != len(items):
        problems.append(
            f"{field}: {text!r} has an empty item; separate tier names with single commas"
        )
    for tier in tiers:
        if not NAME_RE.match(tier):
            problems.append(f"{field}: tier {tier!r} is not a valid queue name; {NAME_RULE}")
        elif len(tier) > MAX_TIER_LENGTH:
            problems.append(
                f"{field}: tier {tier!r} is longer than {MAX_TIER_LENGTH} characters; shorten it"
            )
    seen: set[str] = set()
    for tier in tiers:
        if tier in seen:
            problems.append(f"{field}: tier {tier!r} is listed more than once; list it once")
        seen.add(tier)
    if len(tiers) > MAX_TIERS:
        problems.append(f"{field}: {len(tiers)} tiers given; at most {MAX_TIERS} are allowed")
    # A tier listed three times is one problem, not two.
    return tiers, list(dict.fromkeys(problems))


def check_combinations(answers: Mapping[str, Any], tiers: list[str]) -> list[str]:
    """Check answers that are fine alone but impossible together.

    per-thread DB mode on the prefork layout is deliberately allowed: each prefork child runs
    one thread, so it simply gets one persistent loop.
    """
    problems: list[str] = []
    layout = answers.get("worker_pool_layout")
    if layout in LAYOUTS_WITH_CPU_QUEUE and CPU_QUEUE in tiers:
        problems.append(
            f"queue_tiers: tier {CPU_QUEUE!r} clashes with the CPU queue that "
            f"worker_pool_layout={layout} creates under that name; rename the tier or choose "
            "another layout"
        )
    return problems


def validate(answers: Mapping[str, Any]) -> list[str]:
    """Return every problem with `answers`, one line each, in the order of cookiecutter.json."""
    problems = [
        *check_project_name(answers.get("project_name")),
        *check_slug(answers.get("project_slug")),
        *check_email(answers.get("author_email")),
    ]
    for field, allowed in CHOICES.items():
        problems += check_choice(field, answers.get(field), allowed)
    tiers, tier_problems = parse_tiers(answers.get("queue_tiers"))
    problems += tier_problems
    for field, minimum in INT_MINIMUMS.items():
        problems += check_int(field, answers.get(field), minimum)
    for field in BOOL_FIELDS:
        problems += check_bool(field, answers.get(field))
    problems += check_combinations(answers, tiers)
    return problems


def main(answers: Mapping[str, Any]) -> int:
    """Print each problem with `answers` to stderr; return the exit status."""
    try:
        problems = validate(answers)
    except Exception as exc:  # a bug here must still stop generation with a readable line
        print(f"pre_gen_project: unexpected error: {exc!r}", file=sys.stderr)
        return 1
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(
            f"pre_gen_project: {len(problems)} problem(s) in the answers; nothing was generated",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(json.loads(ANSWERS_JSON)))
