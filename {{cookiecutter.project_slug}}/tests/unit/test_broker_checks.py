"""The broker check at a worker's start-up: an unknown policy warns, it never blocks."""

import pytest

from {{ cookiecutter.project_slug }}.worker.broker_checks import eviction_problem


def test_a_url_redis_py_cannot_open_is_not_checked_but_said(
    caplog: pytest.LogCaptureFixture,
) -> None:
    assert eviction_problem("sentinel://127.0.0.1:26379/0", timeout=0.1) is None
    assert "it must be noeviction" in caplog.text
