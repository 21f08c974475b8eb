"""Post-generation hook: trim the project to the chosen options and write `.env`.

Cookiecutter renders this file with Jinja and runs it with the generated project's root as the
working directory. The answers enter at exactly one spot, ``ANSWERS_JSON`` below; everything
else is plain functions taking explicit paths, so the template's tests import this module and
run them on a directory tree of their own.

What each answer removes or renames is data (``MANIFEST``), applied by one generic function.
Missing paths are skipped silently, so the manifest may name files the template does not ship
yet (or no longer ships).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote

# The single entry point of the rendered answers. JSON escapes every '"' inside its strings and
# always ends with '}', so no answer can close this raw triple-quoted string or end it on a
# backslash; before rendering it is plain text, which keeps the module importable.
ANSWERS_JSON = r"""{{ cookiecutter | jsonify }}"""


@dataclass(frozen=True)
class Plan:
    """Paths one answer removes and renames, relative to the project root.

    Paths may contain `{slug}` (the package name); `remove` entries may be glob patterns
    (pathlib syntax, `**` for any depth). Removals run before renames.
    """

    remove: tuple[str, ...] = ()
    rename: Mapping[str, str] = field(default_factory=dict)


PACKAGE = "src/{slug}"

# (option, value) -> what that answer needs done. Options not listed here change file contents
# only, which the templates handle themselves.
MANIFEST: dict[tuple[str, str], Plan] = {
    ("database", "postgres"): Plan(
        remove=(f"{PACKAGE}/db_mongo", "tests/**/*mongo*"),
        rename={
            f"{PACKAGE}/db_postgres": f"{PACKAGE}/db",
            "tests/integration/db_postgres.py": "tests/integration/db.py",
        },
    ),
    ("database", "mongo"): Plan(
        remove=(f"{PACKAGE}/db_postgres", "migrations", "alembic.ini", "tests/**/*postgres*"),
        rename={
            f"{PACKAGE}/db_mongo": f"{PACKAGE}/db",
            "tests/integration/db_mongo.py": "tests/integration/db.py",
        },
    ),
    # Dependabot's configuration lives in .github/; Renovate's (for GitLab) in renovate.json.
    ("ci_provider", "github"): Plan(remove=(".gitlab-ci.yml", "renovate.json")),
    ("ci_provider", "gitlab"): Plan(remove=(".github",)),
    ("ci_provider", "none"): Plan(remove=(".github", ".gitlab-ci.yml", "renovate.json")),
}

# Keys of .env.example whose values are replaced by fresh secrets in .env.
SECRET_KEYS = ("API_KEYS", "POSTGRES_PASSWORD", "MONGO_PASSWORD", "FLOWER_PASSWORD")
# Of those, keys whose value is `name:secret`: the name stays, only the secret is new.
NAMED_SECRET_KEYS = ("API_KEYS",)

# KEY=value, optionally preceded by `export`; the value part is split further by split_value.
ASSIGNMENT_RE = re.compile(r"^(?P<lead>\s*(?:export\s+)?)(?P<key>[A-Za-z_]\w*)(?P<eq>\s*=\s*)")
QUOTED_RE = re.compile(r"""^(?P<quote>["'])(?P<value>(?:\\.|(?!(?P=quote)).)*)(?P=quote)""")
# The password in a URL's userinfo: scheme://user:PASSWORD@host...
URL_PASSWORD_RE = re.compile(
    r"(?P<head>[A-Za-z][A-Za-z0-9+.-]*://[^:/@\s]*:)(?P<password>[^@/\s]*)(?=@)"
)


def resolve(pattern: str, slug: str) -> str:
    """Fill `{slug}` into a manifest path, refusing paths that could leave the project root."""
    path = pattern.format(slug=slug)
    pure = PurePosixPath(path)
    if pure.is_absolute() or ".." in pure.parts or not path:
        raise ValueError(f"manifest path {pattern!r} must be relative and stay inside the project")
    return path


def matching_paths(root: Path, pattern: str) -> list[Path]:
    """Existing paths under `root` matching `pattern`, parents before children."""
    return sorted(root.glob(pattern))


def remove_path(path: Path) -> None:
    """Delete a file, symlink or directory tree; a path already gone is fine."""
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.is_dir():
        shutil.rmtree(path)


def rename_path(source: Path, target: Path) -> None:
    """Move `source` to `target` if `source` exists; never overwrite an existing target."""
    if not (source.exists() or source.is_symlink()):
        return
    if target.exists() or target.is_symlink():
        # Both existing means the template and the manifest disagree; merging would hide it.
        raise FileExistsError(f"cannot rename {source} to {target}: the target already exists")
    target.parent.mkdir(parents=True, exist_ok=True)
    source.rename(target)


def apply_plan(root: Path, plan: Plan, slug: str) -> None:
    """Carry out one plan inside `root`: removals first, then renames."""
    for pattern in plan.remove:
        # A directory removed earlier takes its matching children with it; remove_path skips them.
        for path in matching_paths(root, resolve(pattern, slug)):
            remove_path(path)
    for source, target in plan.rename.items():
        rename_path(root / resolve(source, slug), root / resolve(target, slug))


def plans_for(answers: Mapping[str, Any]) -> list[Plan]:
    """The plans the answers select, in manifest order."""
    return [plan for (option, value), plan in MANIFEST.items() if answers.get(option) == value]


def apply_manifest(root: Path, answers: Mapping[str, Any]) -> None:
    """Apply every plan the answers select to the project at `root`."""
    slug = str(answers["project_slug"])
    for plan in plans_for(answers):
        apply_plan(root, plan, slug)


# Lock files kept in the template, one per set of dependencies: the database and Flower choose
# the packages, the Python version the lock's requires-python. tools/refresh_locks.py writes
# them, for a project named LOCK_PLACEHOLDER_NAME; tests/test_locks.py fails when one is stale.
LOCKS_DIR = "uv-locks"
LOCK_PLACEHOLDER_NAME = "lock-placeholder"
TRUTHY = frozenset({"1", "true", "t", "yes", "y", "on"})


def lock_variant(answers: Mapping[str, Any]) -> str:
    """The file name, inside LOCKS_DIR, of the lock that matches these answers."""
    flower = "flower" if str(answers.get("use_flower")).strip().lower() in TRUTHY else "noflower"
    return f"{answers['database']}-{flower}-py{answers['python_version']}.lock"


def distribution_name(slug: str) -> str:
    """The project's name in pyproject.toml and uv.lock, as the template writes it."""
    return slug.replace("_", "-")


def install_lock(root: Path, answers: Mapping[str, Any]) -> Path | None:
    """Write root/uv.lock from the template's lock for these answers, then drop the others.

    Rendering stays offline and fast: nothing is resolved, one file is copied and the
    project's own name put in. None if the template ships no locks directory.
    """
    locks = root / LOCKS_DIR
    if not locks.is_dir():
        return None
    source = locks / lock_variant(answers)
    if not source.is_file():
        raise FileNotFoundError(f"the template has no lock file {LOCKS_DIR}/{source.name}")
    text = source.read_text(encoding="utf-8")
    placeholder = f'\nname = "{LOCK_PLACEHOLDER_NAME}"\n'
    if text.count(placeholder) != 1:
        raise ValueError(f"{LOCKS_DIR}/{source.name} does not name the project exactly once")
    name = distribution_name(str(answers["project_slug"]))
    target = root / "uv.lock"
    target.write_text(text.replace(placeholder, f'\nname = "{name}"\n'), encoding="utf-8")
    shutil.rmtree(locks)
    return target


def new_secret() -> str:
    """A fresh secret: URL-safe, so it can go into a connection URL without quoting."""
    return secrets.token_urlsafe(32)


def split_value(rest: str) -> tuple[str, str, str]:
    """Split what follows `KEY=` into (quote, value, trailer).

    `quote` is the quote character or ''; `trailer` keeps an inline comment and anything else
    after the value, so the rewritten line differs only in the value.
    """
    quoted = QUOTED_RE.match(rest)
    if quoted:
        return quoted["quote"], quoted["value"], rest[quoted.end() :]
    # Unquoted values end where an inline comment (whitespace then '#') starts, as in dotenv.
    comment = re.search(r"\s+#", rest)
    if comment:
        return "", rest[: comment.start()], rest[comment.start() :]
    stripped = rest.rstrip()
    return "", stripped, rest[len(stripped) :]


def split_eol(line: str) -> tuple[str, str]:
    """Split a line into its body and its line ending ('\\n', '\\r\\n' or '')."""
    body = line.rstrip("\r\n")
    return body, line[len(body) :]


@dataclass(frozen=True)
class Secret:
    """One replaced secret: its key, the example's value and the fresh value."""

    key: str
    old: str
    new: str


def pick_secret(candidates: list[Secret], hint: str) -> Secret:
    """Choose which replaced secret a URL password stands for.

    Examples often reuse one placeholder (`change-me`) for several keys. Prefer the key whose stem
    appears in `hint`, the URL's key and scheme (POSTGRES_PASSWORD for
    DATABASE_URL=postgresql://..., MONGO_PASSWORD for MONGO_URL=mongodb://...); otherwise the
    first such key in the file.
    """
    for secret in candidates:
        if secret.key.rsplit("_", 1)[0].lower() in hint.lower():
            return secret
    return candidates[0]


def replace_url_passwords(key: str, value: str, replaced: list[Secret]) -> str:
    """Give each URL in `value` whose password is an old secret value the matching new one."""

    def swap(match: re.Match[str]) -> str:
        password = unquote(match["password"])
        # An empty placeholder would match every URL that has a user but no password.
        candidates = [secret for secret in replaced if secret.old and secret.old == password]
        if not candidates:
            return match[0]
        # The hint is the key and the URL scheme only: a database or user name in the URL
        # could name another key's stem by accident (a project called flower_shop).
        scheme = match["head"].split("://", 1)[0]
        return match["head"] + pick_secret(candidates, f"{key} {scheme}").new

    return URL_PASSWORD_RE.sub(swap, value)


def render_env(example: str, make_secret: Callable[[], str] = new_secret) -> str:
    """Turn the text of .env.example into the text of .env.

    Each SECRET_KEYS value gets a fresh secret. A URL elsewhere in the file whose password equals
    an old secret value gets the matching new one (see pick_secret), so e.g. DATABASE_URL and
    POSTGRES_PASSWORD still agree. Comments, blank lines, order and line endings are kept.
    """
    lines = example.splitlines(keepends=True)
    replaced: list[Secret] = []
    # Two passes: a URL may come before the password it embeds.
    for index, line in enumerate(lines):
        body, eol = split_eol(line)
        match = ASSIGNMENT_RE.match(body)
        if not match or match["key"] not in SECRET_KEYS:
            continue
        quote, old, trailer = split_value(body[match.end() :])
        secret = Secret(match["key"], old, make_secret())
        replaced.append(secret)
        named = match["key"] in NAMED_SECRET_KEYS and ":" in old
        value = f"{old.partition(':')[0]}:{secret.new}" if named else secret.new
        lines[index] = f"{body[: match.end()]}{quote}{value}{quote}{trailer}{eol}"
    for index, line in enumerate(lines):
        body, eol = split_eol(line)
        match = ASSIGNMENT_RE.match(body)
        if not match or match["key"] in SECRET_KEYS:
            continue
        quote, value, trailer = split_value(body[match.end() :])
        updated = replace_url_passwords(match["key"], value, replaced)
        if updated != value:
            lines[index] = f"{body[: match.end()]}{quote}{updated}{quote}{trailer}{eol}"
    return "".join(lines)


def write_private(path: Path, text: str) -> None:
    """Write `text` to `path`, readable and writable by the owner only (mode 0600).

    The file is created 0600 so the secrets are never readable by others, not even briefly;
    chmod covers a file that already existed with a wider mode.
    """
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
        os.chmod(path, 0o600)
        handle.write(text)


def write_env(root: Path, make_secret: Callable[[], str] = new_secret) -> Path | None:
    """Write root/.env from root/.env.example with fresh secrets; None if there is no example."""
    example = root / ".env.example"
    if not example.is_file():
        return None
    # newline="" keeps the example's line endings byte for byte.
    with example.open(encoding="utf-8", newline="") as handle:
        text = handle.read()
    target = root / ".env"
    write_private(target, render_env(text, make_secret))
    return target


def next_steps(root: Path, env_file: Path | None) -> Iterator[str]:
    """The lines of the message shown once the project is ready."""
    yield f"Project ready in {root}"
    if env_file is not None:
        yield f"  {env_file.name} holds freshly generated secrets (mode 0600); do not commit it."
    yield "Next steps:"
    yield f"  cd {root}"
    yield "  docker compose up --build -d   # then post a job: README.md, Quickstart"
    yield "  uv sync && uv run pytest       # integration tests need the database and Redis"


def main(answers: Mapping[str, Any]) -> int:
    """Trim the project in the working directory, write .env, print the next steps."""
    root = Path.cwd()
    try:
        apply_manifest(root, answers)
        install_lock(root, answers)
        env_file = write_env(root)
    except Exception as exc:  # any failure: one readable line, and cookiecutter cleans up
        reason = " ".join(str(exc).split()) or "no details"
        print(f"post_gen_project: {type(exc).__name__}: {reason}", file=sys.stderr)
        return 1
    print("\n".join(next_steps(root, env_file)))
    return 0


if __name__ == "__main__":
    sys.exit(main(json.loads(ANSWERS_JSON)))
