"""The broker check at a worker's start-up: an unknown policy warns, it never blocks."""

import logging

import pytest

from {{ cookiecutter.project_slug }}.worker import broker_checks


def test_a_url_redis_py_cannot_open_is_not_checked_but_said(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An in-process Celery worker earlier in the session may have configured logging away.
    monkeypatch.setattr(broker_checks.log, "disabled", False)
    monkeypatch.setattr(broker_checks.log, "propagate", True)
    with caplog.at_level(logging.WARNING, logger=broker_checks.log.name):
        assert broker_checks.eviction_problem("sentinel://127.0.0.1:26379/0", timeout=0.1) is None
    assert "it must be noeviction" in caplog.text
