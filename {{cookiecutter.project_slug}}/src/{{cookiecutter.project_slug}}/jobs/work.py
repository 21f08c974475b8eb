"""The example work a job does. Replace these with your own.

`echo` stands for I/O-bound work (it waits, as a call to another service would); `digest` for
CPU-bound work (it hashes, holding the CPU). Each takes the job's JSON payload and returns a
JSON result, and raises `InvalidPayloadError` for input it can never process, which is not retried.
"""

import asyncio
import hashlib
import json
from collections.abc import Awaitable, Callable

from pydantic import JsonValue

Work = Callable[[JsonValue], Awaitable[JsonValue]]

MAX_SLEEP_SECONDS = 3600.0
MAX_DIGEST_ROUNDS = 10_000_000


class InvalidPayloadError(ValueError):
    """The payload can never be processed; retrying would not help."""


def _option(payload: JsonValue, name: str, default: float) -> float:
    value = payload.get(name, default) if isinstance(payload, dict) else default
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidPayloadError(f"payload.{name} must be a number, got {value!r}")
    return float(value)


async def echo(payload: JsonValue) -> JsonValue:
    """Wait `payload["sleep"]` seconds (default 0), then return the payload."""
    seconds = _option(payload, "sleep", 0.0)
    if not 0 <= seconds <= MAX_SLEEP_SECONDS:
        raise InvalidPayloadError(f"payload.sleep must be between 0 and {MAX_SLEEP_SECONDS:g}")
    if seconds:
        await asyncio.sleep(seconds)
    return {"echo": payload}


async def digest(payload: JsonValue) -> JsonValue:
    """PBKDF2-SHA256 over the payload for `payload["rounds"]` rounds (default 100 000).

    It holds the CPU on purpose, without awaiting: run it on the prefork CPU queue, where a
    process of its own is what CPU-bound work needs.
    """
    rounds = _option(payload, "rounds", 100_000)
    if not (1 <= rounds <= MAX_DIGEST_ROUNDS and rounds.is_integer()):
        raise InvalidPayloadError(
            f"payload.rounds must be a whole number from 1 to {MAX_DIGEST_ROUNDS}"
        )
    data = json.dumps(payload, sort_keys=True).encode()
    value = hashlib.pbkdf2_hmac("sha256", data, b"example-salt", int(rounds))
    return {"digest": value.hex(), "rounds": int(rounds)}
