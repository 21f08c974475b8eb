"""`Idempotency-Key` on POST /jobs: the same key and body give back the first job.

The job's id is derived from the caller and the key, so the database's primary key is what
makes a key unique: of twenty requests racing with one key, one insert wins and the others
find its job. No table of keys to keep or expire: a key lives exactly as long as its job.
"""

import hashlib
import json
from typing import Annotated
from uuid import UUID, uuid5

from fastapi import Header
from pydantic import JsonValue

#: Fixed for this service: ids derived from (caller, key) must not change between releases.
NAMESPACE = UUID("6f1c1d2e-8b7a-4c1e-9a57-3f0f8e2b9d41")

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        pattern=r"^[\x21-\x7e]+$",
        description="Send the same key again (a retry after a timeout) to get the same job back.",
    ),
]


def job_id_for(owner: str | None, key: str) -> UUID:
    """The id of the job that `owner` creates with `key`: the same for every request."""
    return uuid5(NAMESPACE, f"{owner or ''}\n{key}")


def request_digest(kind: str, payload: JsonValue, tier: str) -> str:
    """What identifies the request's content: the same key with another body is a conflict."""
    canonical = json.dumps([kind, payload, tier], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()
