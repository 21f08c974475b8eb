"""The registry of job kinds, and each example kind's work on good and bad payloads."""

import asyncio
import re
from typing import Any
from uuid import uuid4

import pytest
from pydantic import JsonValue

from {{ cookiecutter.project_slug }}.jobs.kind import (
    ChildOutcome,
    FanOut,
    InvalidPayloadError,
    JobKind,
    Payload,
)
from {{ cookiecutter.project_slug }}.jobs.kinds import KINDS, digest, echo, report, summarize
from {{ cookiecutter.project_slug }}.jobs.model import JobStatus
from {{ cookiecutter.project_slug }}.layout import CPU_QUEUE, DEFAULT_TIER, TIERS

#: For each example kind: payloads it accepts, and payloads it refuses with the field named.
GOOD: dict[str, list[JsonValue]] = {
    "echo": [{}, {"message": "hi", "sleep": 0.01}],
    "summarize": [{"text": "a b c"}, {"text": "a", "max_words": 1000}],
    "digest": [{}, {"data": "x", "rounds": 10}, {"rounds": 68.0}],
    "report": [{"sections": ["a"]}, {"sections": ["a b", "c"], "max_words": 1}],
}
BAD: dict[str, list[tuple[JsonValue, str]]] = {
    "echo": [({"sleep": -1}, "sleep"), ({"sleep": "soon"}, "sleep"), ({"extra": 1}, "extra")],
    "summarize": [
        ({}, "text"),
        ({"text": ""}, "text"),
        ({"text": "a", "max_words": 0}, "max_words"),
        ({"text": "a", "latency": False}, "latency"),
        ({"text": "a", "max_words": "5"}, "max_words"),
    ],
    "digest": [
        ({"rounds": 0}, "rounds"),
        ({"rounds": 1.5}, "rounds"),
        ({"rounds": 10**9}, "rounds"),
    ],
    "report": [({"sections": []}, "sections"), ({"sections": [""]}, "sections.0"), (1, "payload")],
}


def test_every_kind_is_registered_and_tested_here() -> None:
    assert set(GOOD) <= set(KINDS)
    assert set(BAD) <= set(KINDS)


@pytest.mark.parametrize(("name", "payload"), [(k, p) for k, ps in GOOD.items() for p in ps])
def test_good_payloads_parse(name: str, payload: JsonValue) -> None:
    assert KINDS[name].parse(payload) is not None


@pytest.mark.parametrize(
    ("name", "payload", "field"), [(k, p, f) for k, cases in BAD.items() for p, f in cases]
)
def test_bad_payloads_are_refused_naming_the_field(
    name: str, payload: JsonValue, field: str
) -> None:
    where = "payload" if field == "payload" else f"payload.{field}"
    with pytest.raises(InvalidPayloadError, match=rf"^{re.escape(where)}:"):
        KINDS[name].parse(payload)


def test_io_kinds_share_the_default_tier_and_cpu_work_has_its_queue() -> None:
    assert echo.KIND.default_tier == summarize.KIND.default_tier == DEFAULT_TIER
    assert digest.KIND.tiers == ((CPU_QUEUE,) if CPU_QUEUE else tuple(TIERS))
    assert echo.KIND.tiers == tuple(TIERS)


def test_echo_waits_then_answers() -> None:
    result = asyncio.run(echo.echo(echo.EchoPayload(message="hi", sleep=0.01)))
    assert result.message == "hi"


def test_summarize_keeps_the_first_words() -> None:
    payload = summarize.SummarizePayload(text="one two three", max_words=2)
    assert asyncio.run(summarize.summarize(payload)).model_dump() == {
        "summary": "one two",
        "words": 3,
    }


def test_digest_is_deterministic() -> None:
    payload = digest.DigestPayload(data="x", rounds=10)
    assert asyncio.run(digest.digest(payload)) == asyncio.run(digest.digest(payload))


def test_report_fans_out_one_summary_per_section_then_assembles() -> None:
    payload = report.ReportPayload(sections=["a b", "c d", "e"], max_words=1)
    fan_out = asyncio.run(report.split(payload))
    assert isinstance(fan_out, FanOut)
    assert [child.kind.name for child in fan_out.children] == ["summarize"] * 3
    outcomes = [
        ChildOutcome(uuid4(), "summarize", JobStatus.SUCCEEDED, {"summary": "a", "words": 2}, None),
        ChildOutcome(uuid4(), "summarize", JobStatus.FAILED, None, "boom"),
        ChildOutcome(uuid4(), "summarize", JobStatus.SUCCEEDED, {"summary": "e", "words": 1}, None),
    ]
    assembled = asyncio.run(report.assemble(payload, outcomes))
    assert assembled.model_dump() == {"summaries": ["a", None, "e"], "failed": 1}


async def _noop(payload: Payload) -> None:
    return None


DECLARATION: dict[str, Any] = {"name": "fine", "payload": Payload, "work": _noop}


@pytest.mark.parametrize(
    ("options", "problem"),
    [
        ({"name": "Bad-Name"}, "lowercase identifier"),
        ({"tier": "nowhere"}, "tier must be one of"),
        ({"time_limit": 0}, "time_limit"),
        ({"max_retries": -1}, "max_retries"),
    ],
)
def test_a_badly_declared_kind_is_refused_with_a_reason(
    options: dict[str, Any], problem: str
) -> None:
    with pytest.raises(ValueError, match=problem):
        JobKind(**(DECLARATION | options))
