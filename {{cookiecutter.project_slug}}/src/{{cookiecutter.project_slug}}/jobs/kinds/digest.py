"""`digest`: CPU-bound work. It holds the CPU without awaiting, so it is `cpu_bound`: on the
split layout it runs on the prefork CPU queue, where a process of its own is what it needs."""

import hashlib

from pydantic import BaseModel, Field

from ..kind import JobKind, Payload


class DigestPayload(Payload):
    data: str = Field(default="", max_length=100_000)
    rounds: int = Field(default=100_000, ge=1, le=10_000_000)


class Digest(BaseModel):
    digest: str
    rounds: int


async def digest(payload: DigestPayload) -> Digest:
    """PBKDF2-SHA256 over the data for `rounds` rounds."""
    value = hashlib.pbkdf2_hmac("sha256", payload.data.encode(), b"example-salt", payload.rounds)
    return Digest(digest=value.hex(), rounds=payload.rounds)


KIND = JobKind(name="digest", payload=DigestPayload, work=digest, cpu_bound=True)
