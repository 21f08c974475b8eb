"""Shared test set-up: the template root on sys.path and a fixture naming it.

Keep this file small; fixtures used by one test module live in that module.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

TEMPLATE_DIR = Path(__file__).resolve().parent.parent

if str(TEMPLATE_DIR) not in sys.path:
    sys.path.insert(0, str(TEMPLATE_DIR))


@pytest.fixture(scope="session")
def template_dir() -> Path:
    """The template's root: the directory holding cookiecutter.json and hooks/."""
    return TEMPLATE_DIR
