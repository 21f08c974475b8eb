"""The opaque cursor of GET /jobs: where the previous page ended, as (created_at, id)."""

import base64
import binascii
import json
from datetime import datetime
from uuid import UUID

from ..jobs.model import Job


class BadCursorError(ValueError):
    """The cursor was not one this API made."""


def cursor_after(job: Job) -> str:
    """The cursor of the page that follows `job`."""
    assert job.created_at is not None  # noqa: S101 - every stored job has one
    raw = json.dumps([job.created_at.isoformat(), str(job.id)]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def parse_cursor(cursor: str) -> tuple[datetime, UUID]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        created, job_id = json.loads(raw)
        after = datetime.fromisoformat(created), UUID(job_id)
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError) as exc:
        raise BadCursorError("not a cursor from a previous page") from exc
    if after[0].tzinfo is None:
        raise BadCursorError("not a cursor from a previous page")
    return after
