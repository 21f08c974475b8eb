"""A plain task that is not a job, whose caller reads its result from the result backend."""

from celery.worker import WorkController

from {{ cookiecutter.project_slug }}.jobs.model import JobStatus
from {{ cookiecutter.project_slug }}.settings import Settings
from {{ cookiecutter.project_slug }}.worker.internal import job_counts


def test_the_internal_task_result_comes_back_through_the_backend(
    worker: WorkController, settings: Settings
) -> None:
    assert settings.result_backend_url, "the test environment chooses a result backend"
    counts = job_counts.delay().get(timeout=30)
    assert set(counts) == {status.value for status in JobStatus}
    assert all(isinstance(count, int) and count >= 0 for count in counts.values())
