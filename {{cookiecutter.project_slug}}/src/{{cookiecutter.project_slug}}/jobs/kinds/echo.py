"""`echo`: the smallest kind. It waits, as a call to another service would, then answers.

It reports its progress as it waits, in up to ten steps: `report_progress` is how any kind
does (GET /jobs/{id} shows it).
"""

import asyncio

from pydantic import BaseModel, Field, JsonValue

from ..kind import JobKind, Payload
from ..progress import report_progress

STEPS = 10


class EchoPayload(Payload):
    message: str = Field(default="", max_length=10_000)
    sleep: float = Field(default=0.0, ge=0, le=3600, description="Seconds to wait first.")
    data: JsonValue = Field(default=None, description="Any JSON, given back as it came.")


class EchoResult(BaseModel):
    message: str
    data: JsonValue = None


async def echo(payload: EchoPayload) -> EchoResult:
    """Wait `sleep` seconds, then return the message."""
    if payload.sleep:
        for step in range(1, STEPS + 1):
            await asyncio.sleep(payload.sleep / STEPS)
            report_progress(step / STEPS, f"waited {payload.sleep * step / STEPS:g}s")
    return EchoResult(message=payload.message, data=payload.data)


KIND = JobKind(name="echo", payload=EchoPayload, work=echo)
