"""What a job task does when it fails for good and the job cannot simply be marked failed.

Two cases would otherwise leave something behind: a message that names no job (its id is
missing or not a UUID), which must be acknowledged and dropped rather than raise again in
`on_failure` and be restored at every restart; and a job whose failure cannot be recorded
because the database is what failed, which would sit `queued` or `running` until the sweep,
hours later. That job is sent again after TASK_RETRY_BACKOFF_MAX (the longest retry wait,
which the visibility timeout already covers), so it is run, or failed for its attempts,
within one retry budget of the database coming back.
"""

import logging
from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID

from celery import Celery

from .celery_app import send_job_message

log = logging.getLogger(__name__)


def job_id_of(args: Sequence[Any], kwargs: Mapping[str, Any]) -> UUID | None:
    """The job id a job task was called with, or None if the message carries no valid one."""
    value = args[0] if args else kwargs.get("job_id")
    try:
        return UUID(str(value)) if value is not None else None
    except ValueError:
        return None


def send_again_later(
    celery: Celery, queue: str, job_id: UUID, after: float, **limits: float
) -> None:
    """Send the job's message again `after` seconds from now, with the same time `limits`
    (`soft_time_limit`, `time_limit`) as the message that failed; log if Redis refuses too."""
    try:
        send_job_message(celery, queue, job_id, countdown=after, **limits)
    except Exception:  # the broker is down as well: only the sweep can bring the job back
        log.exception("could not send job %s again; the sweep will", job_id)
    else:
        log.warning("job %s will be sent again in %gs", job_id, after)
