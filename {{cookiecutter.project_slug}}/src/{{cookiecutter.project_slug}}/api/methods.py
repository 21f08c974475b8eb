"""405 answers that list every method the path supports in `Allow`.

Starlette answers 405 from the first route whose path matches, so with GET /jobs and
POST /jobs as two routes, `OPTIONS /jobs` said `Allow: POST` alone. This handler lists the
methods of every route on the path.
"""

from fastapi import FastAPI, Request, Response
from fastapi.exception_handlers import http_exception_handler
from starlette.exceptions import HTTPException
from starlette.routing import Match

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


async def _method_not_allowed(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)  # noqa: S101 - registered for HTTPException only
    if exc.status_code == 405:
        allowed = [
            method
            for method in METHODS
            if any(
                route.matches({**request.scope, "method": method})[0] is Match.FULL
                for route in request.app.router.routes
            )
        ]
        if allowed:
            exc.headers = {**(exc.headers or {}), "Allow": ", ".join(allowed)}
    return await http_exception_handler(request, exc)


def list_every_allowed_method(app: FastAPI) -> None:
    app.add_exception_handler(HTTPException, _method_not_allowed)
