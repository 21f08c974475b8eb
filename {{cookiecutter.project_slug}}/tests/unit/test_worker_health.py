"""The worker's liveness check: a heartbeat file the consumer touches, and its maximum age."""

import os
import time
from pathlib import Path

import pytest
from celery import signals

from {{ cookiecutter.project_slug }}.worker import health


@pytest.fixture
def heartbeat(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "worker.heartbeat"
    monkeypatch.setenv(health.HEARTBEAT_FILE_VARIABLE, str(path))
    return path


def test_the_default_file_is_named_after_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(health.HEARTBEAT_FILE_VARIABLE, raising=False)
    assert health.heartbeat_file().name == "{{ cookiecutter.project_slug }}-worker.heartbeat"


def test_no_heartbeat_yet_is_unhealthy(heartbeat: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert health.main([]) == 1
    assert "no heartbeat yet" in capsys.readouterr().err


def test_each_celery_heartbeat_makes_the_worker_healthy(heartbeat: Path) -> None:
    # The consumer sends this signal with every heartbeat while it is connected.
    signals.heartbeat_sent.send(sender=None)
    assert heartbeat.exists()
    assert health.main([]) == 0


def test_an_old_heartbeat_is_unhealthy(heartbeat: Path, capsys: pytest.CaptureFixture[str]) -> None:
    heartbeat.touch()
    stale = time.time() - health.DEFAULT_MAX_AGE - 5
    os.utime(heartbeat, (stale, stale))
    assert health.main([]) == 1
    assert "hung or has lost the broker" in capsys.readouterr().err
    assert health.main(["--max-age", "3600"]) == 0


def test_a_stopped_worker_removes_its_heartbeat(heartbeat: Path) -> None:
    heartbeat.touch()
    # The worker_shutdown receiver, called directly: the signal would also stop the runtime.
    health._forget()
    assert not heartbeat.exists()
