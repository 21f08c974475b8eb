"""Which PostgreSQL errors a task retries: lost connections, never bad queries."""

import asyncpg
import pytest
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from {{ cookiecutter.project_slug }}.db import is_transient


def dbapi_error(orig: BaseException, *, invalidated: bool) -> DBAPIError:
    return DBAPIError("UPDATE jobs ...", None, orig, connection_invalidated=invalidated)


@pytest.mark.parametrize(
    "error",
    [
        ConnectionRefusedError(111, "Connect call failed"),
        TimeoutError("connect timed out"),
        OperationalError("SELECT 1", None, Exception("server closed the connection")),
        # What SQLAlchemy raises when the connection drops in the middle of a query:
        dbapi_error(
            Exception("connection was closed in the middle of operation"), invalidated=True
        ),
        dbapi_error(
            asyncpg.CannotConnectNowError("the database system is starting up"), invalidated=False
        ),
    ],
    ids=type,
)
def test_lost_connections_are_transient(error: BaseException) -> None:
    assert is_transient(error)


@pytest.mark.parametrize(
    "error",
    [
        IntegrityError("INSERT", None, Exception("duplicate key")),
        dbapi_error(Exception("invalid input syntax for type uuid"), invalidated=False),
        ValueError("bad payload"),
    ],
    ids=type,
)
def test_bad_queries_and_bad_input_are_not(error: BaseException) -> None:
    assert not is_transient(error)


def test_a_transient_cause_makes_the_error_transient() -> None:
    error = RuntimeError("query failed")
    error.__cause__ = ConnectionResetError("reset by peer")
    assert is_transient(error)
