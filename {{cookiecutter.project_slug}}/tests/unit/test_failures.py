"""A job task's last resort: messages that name no job, and failures that cannot be recorded."""

import logging
from typing import Any
from uuid import uuid4

import pytest

from {{ cookiecutter.project_slug }}.worker import failures


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [((), {}), (("not-a-uuid",), {}), ((None,), {}), ((), {"job_id": "1234"}), (([],), {})],
)
def test_a_message_without_a_valid_job_id_names_no_job(
    args: tuple[Any, ...], kwargs: dict[str, Any]
) -> None:
    assert failures.job_id_of(args, kwargs) is None


def test_the_job_id_is_read_from_args_or_kwargs() -> None:
    job_id = uuid4()
    assert failures.job_id_of((str(job_id),), {}) == job_id
    assert failures.job_id_of((), {"job_id": str(job_id)}) == job_id


class Recorder:
    def __init__(self, broken: bool = False) -> None:
        self.sent: list[tuple[str, list[str], dict[str, Any]]] = []
        self.broken = broken

    def send_task(self, name: str, args: list[str], **options: Any) -> None:
        if self.broken:
            raise ConnectionError("broker is down too")
        self.sent.append((name, args, options))


def test_an_unrecorded_failure_is_sent_again_after_the_wait() -> None:
    celery, job_id = Recorder(), uuid4()
    failures.send_again_later(celery, "default", job_id, after=7.5)  # type: ignore[arg-type]
    assert celery.sent == [
        ("jobs.process.default", [str(job_id)], {"queue": "default", "countdown": 7.5})
    ]


def test_a_broker_that_refuses_too_is_logged_not_raised(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An in-process Celery worker earlier in the session may have configured logging away.
    monkeypatch.setattr(failures.log, "disabled", False)
    monkeypatch.setattr(failures.log, "propagate", True)
    with caplog.at_level(logging.WARNING, logger=failures.log.name):
        failures.send_again_later(Recorder(broken=True), "default", uuid4(), after=1)  # type: ignore[arg-type]
    assert "the sweep will" in caplog.text
