"""`summarize`: I/O-bound work on the default tier, beside `echo`.

It stands for a call to a summarization service: replace the body with that call (an
`httpx.AsyncClient` request, say). The await is where the worker's loop serves other work.
"""

import asyncio

from pydantic import BaseModel, Field

from ..kind import JobKind, Payload


class SummarizePayload(Payload):
    text: str = Field(min_length=1, max_length=100_000)
    max_words: int = Field(default=20, ge=1, le=1000)
    latency: float = Field(
        default=0.01, ge=0, le=60, description="Seconds the pretend service takes to answer."
    )


class Summary(BaseModel):
    summary: str
    words: int


async def summarize(payload: SummarizePayload) -> Summary:
    """Shorten a text to its first `max_words` words."""
    await asyncio.sleep(payload.latency)
    words = payload.text.split()
    return Summary(summary=" ".join(words[: payload.max_words]), words=len(words))


KIND = JobKind(name="summarize", payload=SummarizePayload, work=summarize)
