"""Parse a request body as JSON that both databases can store and give back unchanged.

Python's `json` accepts more than JSON (NaN, Infinity), and JSON allows more than the databases
keep: PostgreSQL's JSONB refuses the NUL character, UTF-8 has no lone surrogates, BSON has no
integers beyond 64 bits nor NUL in keys, PyMongo reads `{"$ref": ..., "$id": ...}` back as a
DBRef, and MongoDB refuses documents nested more than 100 deep. Each such value is reported with
its location, as FastAPI reports a validation error, before any route sees the body; so a job
is refused with 422 rather than failing at insert (500) or being stored unreadable.
"""

import json
import math
from collections.abc import Iterator
from itertools import islice
from typing import Any

#: Containers (objects and arrays) nested in a body, the body itself included. MongoDB reads
#: at most 100 levels and the job document wraps the payload (and a result may wrap it again),
#: so bodies stay well below that; Python's json and pydantic stop near 1000 and 255.
MAX_DEPTH = 64
INT64 = range(-(2**63), 2**63)
#: Problems reported per body: enough to fix a request, too few to make a large error response.
MAX_ERRORS = 20
#: Longest integer literal looked at: anything longer is outside int64 anyway, and Python
#: refuses to convert more than 4300 digits (an error that is not a JSONDecodeError).
_MAX_INT_DIGITS = 20

Loc = tuple[str | int, ...]


class _Refused:
    """Stands in, while parsing, for a number that cannot be kept; the walk reports it."""

    __slots__ = ("message",)

    def __init__(self, message: str) -> None:
        self.message = message


def _parse_int(text: str) -> int | _Refused:
    digits = text.lstrip("-")
    if len(digits) <= _MAX_INT_DIGITS and int(text) in INT64:
        return int(text)
    shown = text if len(text) <= 30 else f"{text[:12]}...({len(digits)} digits)"
    return _Refused(f"integers must fit in 64 bits; {shown} does not")


def _parse_float(text: str) -> float | _Refused:
    number = float(text)
    if math.isfinite(number):
        return number
    return _Refused(f"numbers must fit in a 64-bit float; {text[:30]} does not")


def _parse_constant(text: str) -> _Refused:
    return _Refused(f"{text} is not a JSON number")


def _error(loc: Loc, kind: str, message: str) -> dict[str, Any]:
    return {"type": kind, "loc": ("body", *loc), "msg": message}


def _printable(key: str) -> str:
    # A location must itself survive JSON encoding in the error response.
    return key.encode("utf-8", "backslashreplace").decode("utf-8")


def string_problem(text: str) -> str | None:
    """Why `text` cannot be stored as it is, or None."""
    if "\x00" in text:
        return "the NUL character (\\u0000) cannot be stored"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "lone surrogates (\\ud800 to \\udfff unpaired) are not text"
    return None


def _problems(value: Any) -> Iterator[dict[str, Any]]:
    # Iterative, so a body nested deeper than the limit costs no recursion to reject.
    stack: list[tuple[Loc, Any, int]] = [((), value, 1)]
    while stack:
        loc, item, depth = stack.pop()
        if isinstance(item, _Refused):
            yield _error(loc, "number_out_of_range", item.message)
        elif isinstance(item, str):
            if problem := string_problem(item):
                yield _error(loc, "string_unstorable", problem)
        elif isinstance(item, dict | list):
            if depth > MAX_DEPTH:
                yield _error(loc, "too_deep", f"JSON may nest at most {MAX_DEPTH} levels")
                continue
            children = item.items() if isinstance(item, dict) else enumerate(item)
            for key, child in reversed(list(children)):
                place = (*loc, _printable(key) if isinstance(key, str) else key)
                if isinstance(key, str):
                    if problem := string_problem(key):
                        yield _error(place, "key_unstorable", f"object key: {problem}")
                        continue
                    if key.startswith("$"):
                        message = "object keys may not start with '$' (MongoDB reserves them)"
                        yield _error(place, "key_unstorable", message)
                        continue
                stack.append((place, child, depth + 1))


class JsonBodyError(ValueError):
    """The body is not JSON the service can keep; `errors` are in FastAPI's shape."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(errors)
        self.errors = errors


def parse_json_body(body: bytes) -> Any:
    """The body's JSON value, or JsonBodyError listing every problem with its location."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise JsonBodyError(
            [_error((exc.start,), "json_invalid", "the body is not UTF-8 text")]
        ) from exc
    try:
        value = json.loads(
            text.removeprefix("\ufeff"),
            parse_int=_parse_int,
            parse_float=_parse_float,
            parse_constant=_parse_constant,
        )
    except json.JSONDecodeError as exc:
        raise JsonBodyError([_error((exc.pos,), "json_invalid", exc.msg)]) from exc
    except RecursionError as exc:
        message = f"JSON may nest at most {MAX_DEPTH} levels"
        raise JsonBodyError([_error((), "too_deep", message)]) from exc
    if errors := list(islice(_problems(value), MAX_ERRORS)):
        raise JsonBodyError(errors)
    return value
