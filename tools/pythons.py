"""Find a Python interpreter of a given version, for uv commands that need one.

`uv lock` and `uv lock --check` need an interpreter that satisfies the project's
requires-python (3.11, 3.12 or 3.13 in a rendering). uv's own search stops at the first
broken `python3.X` on PATH (a pyenv shim for a version not activated is one), so look in the
usual places and ask each candidate its version.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys


def candidates(version: str) -> list[str]:
    found = [sys.executable]
    if os.environ.get("UV_PYTHON"):
        found.insert(0, os.environ["UV_PYTHON"])
    found += sorted(glob.glob(os.path.expanduser(f"~/.pyenv/versions/{version}*/bin/python3")))
    found += [path for path in (shutil.which(f"python{version}"),) if path]
    found += [f"/usr/bin/python{version}", f"/usr/local/bin/python{version}"]
    return found


def find_python(version: str) -> str | None:
    """The path of a working interpreter whose major.minor is `version`, or None."""
    for path in candidates(version):
        try:
            result = subprocess.run(
                [path, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                capture_output=True, text=True, timeout=20, check=False,
            )  # fmt: skip
        except OSError:
            continue
        if result.returncode == 0 and result.stdout.strip() == version:
            return path
    return None
