"""Retries of transient failures: spread out, never immediate, and capped."""

import pytest

from {{ cookiecutter.project_slug }}.worker.base import RETRY_BACKOFF_MAX_SECONDS, retry_countdown


@pytest.mark.parametrize("retries", range(10))
def test_countdown_is_between_half_and_all_of_the_exponential_step(retries: int) -> None:
    step = min(RETRY_BACKOFF_MAX_SECONDS, 2.0**retries)
    countdowns = [retry_countdown(retries) for _ in range(200)]
    assert all(step / 2 <= countdown <= step for countdown in countdowns)


def test_the_first_retries_still_wait() -> None:
    assert min(retry_countdown(0) for _ in range(1000)) >= 0.5


def test_eight_retries_cover_more_than_a_minute_of_outage() -> None:
    assert sum(min(RETRY_BACKOFF_MAX_SECONDS, 2.0**n) / 2 for n in range(8)) > 60
