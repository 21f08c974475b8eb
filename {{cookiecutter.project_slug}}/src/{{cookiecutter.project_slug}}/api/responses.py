"""The error answers every route may give, with their bodies, for the OpenAPI document.

Routers built by `keyed_router` (api/routing.py) document the errors their routes can always
give; a route adds the ones of its own (404, 409) with `responses=errors(...)`.
"""

from typing import Any

from pydantic import BaseModel


class Problem(BaseModel):
    """What went wrong, in a sentence."""

    detail: str


class FieldError(BaseModel):
    """One problem with the request; `loc` is its place, e.g. ["body", "payload", "text"]."""

    loc: list[str | int]
    msg: str
    type: str


class ValidationProblem(BaseModel):
    """The request is well-formed HTTP but its content is refused (FastAPI's 422 shape)."""

    detail: list[FieldError]


_ERRORS: dict[int, tuple[type[BaseModel], str]] = {
    401: (Problem, "The X-API-Key header is missing or is not one of API_KEYS."),
    404: (Problem, "No such job, or it belongs to another API key."),
    409: (Problem, "The job's state does not allow this."),
    413: (Problem, "The body is larger than MAX_REQUEST_BYTES."),
    415: (Problem, "The body is not JSON: send Content-Type: application/json."),
    422: (
        ValidationProblem,
        "A field is missing, has the wrong type, or holds what the database cannot keep "
        "(NUL, lone surrogates, NaN, numbers out of range, '$' keys, deep nesting).",
    ),
    503: (Problem, "The database or the job queue is unavailable; retry later."),
}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for these error statuses, with their bodies."""
    return {
        status: {"model": model, "description": description}
        for status, (model, description) in _ERRORS.items()
        if status in statuses
    }


#: What any route behind an API key can answer, whatever it does.
KEYED_ROUTE_ERRORS = errors(401, 413, 415, 422, 503)
