"""The API's routes: the key is checked before the body is read, and the body is strict JSON.

FastAPI would read and parse a body before any dependency runs, so a request without a key
but with a malformed body got 422, and a chunked body over the limit surfaced as 400. A route
of this class first checks the API key (when the route needs one), then refuses a body that is
not JSON by its content type (415), reads it (413 past MAX_REQUEST_BYTES, from api/limits.py),
and parses it with api/strict_json.py (422 naming the field), whatever the route's model.
"""

from collections.abc import Callable, Coroutine
from email.message import Message
from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response, status
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.requests import ClientDisconnect

from .deps import ApiKeyDep
from .responses import KEYED_ROUTE_ERRORS
from .security import authenticate, require_caller
from .strict_json import JsonBodyError, parse_json_body, string_problem

Handler = Callable[[Request], Coroutine[Any, Any, Response]]


def _needs_key(dependant: Dependant) -> bool:
    return dependant.call is require_caller or any(
        _needs_key(child) for child in dependant.dependencies
    )


def is_json(content_type: str | None) -> bool:
    """True for application/json and application/*+json, whatever the parameters."""
    if not content_type:
        return False
    message = Message()
    message["content-type"] = content_type
    subtype = message.get_content_subtype()
    return message.get_content_maintype() == "application" and (
        subtype == "json" or subtype.endswith("+json")
    )


def parameter_errors(request: Request) -> list[dict[str, Any]]:
    """Path and query values no database could be asked about (a NUL from %00)."""
    places = [("path", name, value) for name, value in request.path_params.items()]
    places += [("query", name, value) for name, value in request.query_params.multi_items()]
    return [
        {"type": "string_unstorable", "loc": (place, name), "msg": problem}
        for place, name, value in places
        if isinstance(value, str) and (problem := string_problem(value))
    ]


class _ParsedRequest(Request):
    """The request as FastAPI's handler sees it: its body already read and parsed."""

    def __init__(self, request: Request, body: bytes, parsed: Any) -> None:
        super().__init__(request.scope, request.receive)
        self._parsed_body = (body, parsed)

    async def body(self) -> bytes:
        return self._parsed_body[0]

    async def json(self) -> Any:
        return self._parsed_body[1]


class GuardedRoute(APIRoute):
    def get_route_handler(self) -> Handler:
        handler = super().get_route_handler()
        needs_key = _needs_key(self.dependant)
        takes_body = self.body_field is not None

        async def guarded(request: Request) -> Response:
            if needs_key:
                authenticate(request)  # 401 before a byte of the body is read
            if errors := parameter_errors(request):
                raise RequestValidationError(errors)
            if not takes_body:
                return await handler(request)
            content_type = request.headers.get("content-type")
            if content_type and not is_json(content_type):
                raise HTTPException(
                    status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
                    detail=f"the body must be JSON (Content-Type: application/json), "
                    f"not {content_type[:60]}",
                )
            try:
                body = await request.body()  # past the limit, api/limits.py answers 413
            except ClientDisconnect as exc:
                # Nobody reads this answer; it keeps a client that hung up out of the error log.
                raise HTTPException(
                    status.HTTP_400_BAD_REQUEST, detail="the client left before sending its body"
                ) from exc
            if not body:
                return await handler(request)  # FastAPI reports the missing body (422)
            if not content_type:
                raise HTTPException(
                    status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
                    detail="the body must be JSON: send Content-Type: application/json",
                )
            try:
                parsed = parse_json_body(body)
            except JsonBodyError as exc:
                raise RequestValidationError(exc.errors) from exc
            return await handler(_ParsedRequest(request, body, parsed))

        return guarded


def keyed_router(**options: Any) -> APIRouter:
    """A router whose routes all need an API key, and document the errors they can give."""
    dependencies = [ApiKeyDep, *options.pop("dependencies", [])]
    responses = KEYED_ROUTE_ERRORS | options.pop("responses", {})
    return APIRouter(
        route_class=GuardedRoute, dependencies=dependencies, responses=responses, **options
    )
