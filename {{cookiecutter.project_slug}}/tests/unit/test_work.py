"""The example work functions and the payloads they refuse."""

import asyncio

import pytest
from pydantic import JsonValue

from {{ cookiecutter.project_slug }}.jobs.work import InvalidPayloadError, digest, echo


def test_echo_returns_the_payload() -> None:
    assert asyncio.run(echo({"a": [1, 2]})) == {"echo": {"a": [1, 2]}}


def test_digest_is_deterministic() -> None:
    first = asyncio.run(digest({"rounds": 10, "text": "x"}))
    assert first == asyncio.run(digest({"rounds": 10, "text": "x"}))
    assert isinstance(first, dict)
    assert first["rounds"] == 10


@pytest.mark.parametrize(
    "payload", [{"sleep": -1}, {"sleep": "1"}, {"sleep": True}, {"sleep": 1e9}]
)
def test_echo_refuses_bad_sleep(payload: JsonValue) -> None:
    with pytest.raises(InvalidPayloadError, match=r"payload\.sleep"):
        asyncio.run(echo(payload))


@pytest.mark.parametrize("payload", [{"rounds": 0}, {"rounds": 1.5}, {"rounds": 10**9}])
def test_digest_refuses_bad_rounds(payload: JsonValue) -> None:
    with pytest.raises(InvalidPayloadError, match=r"payload\.rounds"):
        asyncio.run(digest(payload))
