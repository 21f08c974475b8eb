"""What the API refuses in a JSON body, and where it says the problem is."""

import json
from typing import Any

import pytest

from {{ cookiecutter.project_slug }}.api.strict_json import (
    MAX_DEPTH,
    MAX_ERRORS,
    JsonBodyError,
    parse_json_body,
)


def nested(depth: int) -> bytes:
    """A body of `depth` containers: an object holding arrays."""
    return b'{"p": ' + b"[" * (depth - 1) + b"1" + b"]" * (depth - 1) + b"}"


def problems(body: bytes) -> list[tuple[tuple[Any, ...], str]]:
    with pytest.raises(JsonBodyError) as raised:
        parse_json_body(body)
    return [(error["loc"], error["type"]) for error in raised.value.errors]


@pytest.mark.parametrize(
    ("body", "loc", "kind"),
    [
        (rb'{"p": {"t": "a\u0000b"}}', ("body", "p", "t"), "string_unstorable"),
        (rb'{"p": {"a\u0000": 1}}', ("body", "p", "a\x00"), "key_unstorable"),
        (rb'{"p": ["\ud800"]}', ("body", "p", 0), "string_unstorable"),
        (rb'{"p": {"\udc00x": 1}}', ("body", "p", "\\udc00x"), "key_unstorable"),
        (b'{"p": NaN}', ("body", "p"), "number_out_of_range"),
        (b'{"p": [Infinity]}', ("body", "p", 0), "number_out_of_range"),
        (b'{"p": -Infinity}', ("body", "p"), "number_out_of_range"),
        (b'{"p": 1e400}', ("body", "p"), "number_out_of_range"),
        (b'{"p": -1.5e309}', ("body", "p"), "number_out_of_range"),
        (b'{"p": 9223372036854775808}', ("body", "p"), "number_out_of_range"),
        (b'{"p": -9223372036854775809}', ("body", "p"), "number_out_of_range"),
        (b'{"p": ' + b"9" * 5000 + b"}", ("body", "p"), "number_out_of_range"),
        (b'{"p": {"$set": 1}}', ("body", "p", "$set"), "key_unstorable"),
        (b'{"p": 1,}', ("body", 8), "json_invalid"),
        (b'{"p": "\xff"}', ("body", 7), "json_invalid"),
        ('{"p": 1}'.encode("utf-16"), ("body", 0), "json_invalid"),
        (b"NaN", ("body",), "number_out_of_range"),
        (nested(MAX_DEPTH + 1), ("body", "p", *[0] * (MAX_DEPTH - 1)), "too_deep"),
        (b"[" * 100_000 + b"]" * 100_000, ("body",), "too_deep"),
    ],
)
def test_unkeepable_values_are_refused_where_they_are(body: bytes, loc: Any, kind: str) -> None:
    assert problems(body) == [(loc, kind)]


def test_every_problem_is_reported_up_to_a_bound() -> None:
    assert problems(b'{"a": NaN, "b": "\\u0000"}') == [
        (("body", "a"), "number_out_of_range"),
        (("body", "b"), "string_unstorable"),
    ]
    many = json.dumps({"p": ["\x00"] * (MAX_ERRORS * 5)}).encode()
    assert len(problems(many)) == MAX_ERRORS


def test_every_error_can_itself_be_sent_as_json() -> None:
    with pytest.raises(JsonBodyError) as raised:
        parse_json_body(rb'{"\ud800": 1, "\udfff\u0000": "\ud800"}')
    json.dumps(raised.value.errors, ensure_ascii=False).encode("utf-8")


@pytest.mark.parametrize(
    "body",
    [
        b'{"p": [9223372036854775807, -9223372036854775808, 1.5e308, -0.0, 1e-400]}',
        b'{"p": {"a.b": 1, "": 2, "x$": 3, "emoji \\ud83d\\ude00": "\\u00e9"}}',
        b'\xef\xbb\xbf{"p": null}',
        nested(MAX_DEPTH),
    ],
)
def test_what_both_databases_keep_is_accepted_unchanged(body: bytes) -> None:
    assert parse_json_body(body) == json.loads(body.decode("utf-8-sig"))
