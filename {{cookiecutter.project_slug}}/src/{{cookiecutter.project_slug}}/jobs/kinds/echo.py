"""`echo`: the smallest kind. It waits, as a call to another service would, then answers."""

import asyncio

from pydantic import BaseModel, Field

from ..kind import JobKind, Payload


class EchoPayload(Payload):
    message: str = Field(default="", max_length=10_000)
    sleep: float = Field(default=0.0, ge=0, le=3600, description="Seconds to wait first.")


class EchoResult(BaseModel):
    message: str


async def echo(payload: EchoPayload) -> EchoResult:
    """Wait `sleep` seconds, then return the message."""
    if payload.sleep:
        await asyncio.sleep(payload.sleep)
    return EchoResult(message=payload.message)


KIND = JobKind(name="echo", payload=EchoPayload, work=echo)
