"""At --loglevel=INFO a worker logs its own life, not two lines per task; DEBUG shows them."""

import logging
from collections.abc import Iterator

import pytest
from celery import signals

from {{ cookiecutter.project_slug }}.worker.process_signals import PER_TASK_LOGGERS


@pytest.fixture
def restore_levels() -> Iterator[None]:
    loggers = [logging.getLogger(), *(logging.getLogger(n) for n in PER_TASK_LOGGERS)]
    levels = [logger.level for logger in loggers]
    yield
    for logger, level in zip(loggers, levels, strict=True):
        logger.setLevel(level)


def _set_up_logging_at(level: int) -> None:
    root = logging.getLogger()
    root.setLevel(level)
    signals.after_setup_logger.send(sender=None, logger=root, loglevel=level)


@pytest.mark.usefixtures("restore_levels")
def test_info_leaves_out_the_per_task_lines() -> None:
    _set_up_logging_at(logging.INFO)
    for name in PER_TASK_LOGGERS:
        assert not logging.getLogger(name).isEnabledFor(logging.INFO), name
        assert logging.getLogger(name).isEnabledFor(logging.WARNING), name


@pytest.mark.usefixtures("restore_levels")
def test_debug_keeps_them() -> None:
    for name in PER_TASK_LOGGERS:
        logging.getLogger(name).setLevel(logging.NOTSET)
    _set_up_logging_at(logging.DEBUG)
    for name in PER_TASK_LOGGERS:
        assert logging.getLogger(name).isEnabledFor(logging.INFO), name
