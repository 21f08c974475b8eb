"""503, not 500, when the database cannot be reached: the client may retry, nothing is wrong."""

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

from ..db import TRANSIENT_ERRORS, is_transient

#: Seconds a client is asked to wait before retrying.
RETRY_AFTER_SECONDS = 5


async def database_unavailable(request: Request, exc: Exception) -> Response:
    if not is_transient(exc):
        raise exc
    return JSONResponse(
        {"detail": "the database is unavailable; retry later"},
        status_code=503,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def answer_503_when_the_database_is_down(app: FastAPI) -> None:
    for error in TRANSIENT_ERRORS:
        if issubclass(error, Exception):
            app.add_exception_handler(error, database_unavailable)
