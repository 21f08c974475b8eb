"""The OpenAPI document says what api/strict_json.py refuses, so clients (and fuzzers) know.

A model says "a string" or "any JSON"; the API also refuses NUL characters, integers beyond
64 bits and object keys starting with '$' (api/strict_json.py). This adds those limits to every
schema a request can carry: its body and its parameters. Nesting depth and lone surrogates
cannot be said in JSON Schema; the 422 response's description names them.
"""

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from .strict_json import INT64, MAX_DEPTH

KEEPABLE_JSON = "KeepableJson"
_REF = f"#/components/schemas/{KEEPABLE_JSON}"
NO_NUL = "^[^\\u0000]*$"
#: Empty, or not starting with '$'; never a NUL.
KEY_PATTERN = "^([^$\\u0000][^\\u0000]*)?$"
#: Keys of a schema that say nothing about the value: such a schema means "any JSON".
_ANNOTATIONS = {"title", "description", "default", "examples", "deprecated"}

Schema = dict[str, Any]


def keepable_json() -> Schema:
    """Any JSON value that api/strict_json.py lets through (bar depth and surrogates)."""
    return {
        "description": f"Any JSON, nested at most {MAX_DEPTH} levels in the whole body.",
        "anyOf": [
            {"type": "null"},
            {"type": "boolean"},
            {"type": "integer", "minimum": INT64.start, "maximum": INT64.stop - 1},
            {"type": "number"},
            {"type": "string", "pattern": NO_NUL},
            {"type": "array", "items": {"$ref": _REF}},
            {
                "type": "object",
                "propertyNames": {"pattern": KEY_PATTERN},
                "additionalProperties": {"$ref": _REF},
            },
        ],
    }


def _is_any(schema: Schema) -> bool:
    return set(schema) <= _ANNOTATIONS


class _Constrainer:
    def __init__(self, components: Schema) -> None:
        self.components = components
        self.seen: set[str] = set()

    def __call__(self, schema: Any) -> None:
        if not isinstance(schema, dict):
            return
        if ref := schema.get("$ref"):
            self._follow(schema, ref)
            return
        if _is_any(schema):
            schema["$ref"] = _REF
            return
        kind = schema.get("type")
        if kind == "string" and "enum" not in schema and "format" not in schema:
            schema.setdefault("pattern", NO_NUL)
        elif kind == "integer":
            schema.setdefault("minimum", INT64.start)
            schema.setdefault("maximum", INT64.stop - 1)
        elif kind == "object":
            schema.setdefault("propertyNames", {"pattern": KEY_PATTERN})
        for key in ("items", "additionalProperties", "not"):
            self(schema.get(key))
        for key in ("properties", "patternProperties"):
            for child in schema.get(key, {}).values():
                self(child)
        for key in ("anyOf", "oneOf", "allOf", "prefixItems"):
            for child in schema.get(key, []):
                self(child)

    def _follow(self, schema: Schema, ref: str) -> None:
        name = ref.rsplit("/", 1)[-1]
        target = self.components.get(name)
        if target is None or name == KEEPABLE_JSON:
            return
        if _is_any(target):
            schema["$ref"] = _REF
        elif name not in self.seen:
            self.seen.add(name)
            self(target)


def constrain_requests(document: Schema) -> None:
    """Add the limits to every request body's and parameter's schema in `document`, in place."""
    components = document.setdefault("components", {}).setdefault("schemas", {})
    components[KEEPABLE_JSON] = keepable_json()
    constrain = _Constrainer(components)
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                constrain(parameter.get("schema"))
            for media in operation.get("requestBody", {}).get("content", {}).values():
                constrain(media.get("schema"))


def document_request_limits(app: FastAPI) -> None:
    """Make `app.openapi()` return the document with the limits added."""
    build: Callable[[], Schema] = app.openapi

    def openapi() -> Schema:
        if app.openapi_schema is None:
            constrain_requests(build())
        return build()

    app.openapi = openapi  # type: ignore[method-assign]
