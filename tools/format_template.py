"""Run `ruff format` and `ruff check --fix` over the template's own Python files.

Template files import `{{ cookiecutter.project_slug }}...`, which is not Python. This swaps
that expression for an identifier of the same length, runs ruff, and swaps it back, so what
ruff formats is what a rendering contains. Files with other Jinja (`{%`, or `{{` elsewhere)
are left alone and listed: check those through a rendering.

    uv run python tools/format_template.py
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROJECT = ROOT / "{{cookiecutter.project_slug}}"
EXPRESSION = "{{ cookiecutter.project_slug }}"
STAND_IN = "project_slug_stand_in_xxxxxxxxx"
assert len(STAND_IN) == len(EXPRESSION)


def main() -> int:
    skipped: list[Path] = []
    swapped: list[Path] = []
    for path in sorted(PROJECT.rglob("*.py")):
        text = path.read_text()
        plain = text.replace(EXPRESSION, STAND_IN)
        if "{%" in plain or "{{" in plain:
            skipped.append(path)
            continue
        if plain != text:
            path.write_text(plain)
        swapped.append(path)
    try:
        files = [str(p) for p in swapped]
        # The project's pyproject.toml is itself a template, so its settings are given here.
        isolated = ["--isolated", "--line-length", "100", "--target-version", "py311"]
        first_party = f'lint.isort.known-first-party=["{STAND_IN}"]'
        sort_imports = ["check", "--select", "I", "--fix", "--quiet", "--config", first_party]
        ruff = [sys.executable, "-m", "ruff"]
        subprocess.run([*ruff, *sort_imports, *isolated, *files], check=False)
        subprocess.run([*ruff, "format", "--quiet", *isolated, *files], check=True)
    finally:
        for path in swapped:
            path.write_text(path.read_text().replace(STAND_IN, EXPRESSION))
    for path in skipped:
        print(f"not formatted (has Jinja): {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
