"""The database is unavailable: every route answers 503 with a clear body, never 500.

One exception handler, registered by the app factory for the driver's errors, instead of a
try/except in each route. It answers through Starlette's exception middleware, so the
response is an ordinary one and the client's keep-alive connection stays open (an error left
to the server-error middleware is re-raised to the server, which drops the connection).
"""

from fastapi import FastAPI, Request, status
from fastapi.responses import JSONResponse

from ..db import DRIVER_ERRORS, is_transient

#: Seconds a client should wait before trying again (the Retry-After header).
RETRY_AFTER_SECONDS = 5


async def database_unavailable(request: Request, exc: Exception) -> JSONResponse:
    if not is_transient(exc):
        raise exc  # a real bug, not an outage: the server-error middleware answers 500
    return JSONResponse(
        {"detail": "the database is unavailable; retry later"},
        status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def answer_outages_with_503(app: FastAPI) -> None:
    for error_type in DRIVER_ERRORS:
        if issubclass(error_type, Exception):  # all of them; the check is for the type checker
            app.add_exception_handler(error_type, database_unavailable)
