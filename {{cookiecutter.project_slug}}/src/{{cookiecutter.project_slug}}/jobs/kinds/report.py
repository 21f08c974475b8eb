"""`report`: fan-out and fan-in. One `summarize` child per section, then one completion step.

The work returns a `FanOut` instead of a result: the worker stores the children, queues
them, and the parent waits. When the last child has finished (succeeded or failed), `complete`
runs once, with every child's outcome in the order they were started.
"""

from typing import Annotated

from pydantic import BaseModel, Field

from ..kind import Child, ChildOutcome, FanOut, JobKind, Payload
from . import summarize


class ReportPayload(Payload):
    sections: list[Annotated[str, Field(min_length=1, max_length=100_000)]] = Field(
        min_length=1, max_length=100
    )
    max_words: int = Field(default=10, ge=1, le=1000)
    latency: float = Field(default=0.01, ge=0, le=60, description="Each summary's latency.")


class Report(BaseModel):
    summaries: list[str | None]
    failed: int


async def split(payload: ReportPayload) -> FanOut:
    """Summarize each section in a child job of its own, then put the report together."""
    return FanOut(
        [
            Child(
                summarize.KIND,
                summarize.SummarizePayload(
                    text=text, max_words=payload.max_words, latency=payload.latency
                ),
            )
            for text in payload.sections
        ]
    )


async def assemble(payload: ReportPayload, children: list[ChildOutcome]) -> Report:
    summaries = [
        str(child.result["summary"]) if child.succeeded and isinstance(child.result, dict) else None
        for child in children
    ]
    return Report(summaries=summaries, failed=sum(not child.succeeded for child in children))


KIND = JobKind(name="report", payload=ReportPayload, work=split, complete=assemble)
