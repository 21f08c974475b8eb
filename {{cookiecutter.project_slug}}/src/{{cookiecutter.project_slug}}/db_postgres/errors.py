"""Which errors are worth retrying: the database or the network went away, and may come back."""

import asyncpg
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from ..causes import error_chain

TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    # ConnectionError and TimeoutError are OSErrors too.
    OSError,
    InterfaceError,
    OperationalError,
    # asyncpg's own, found under SQLAlchemy's wrappers: class 08 (connection exceptions),
    # a server still starting or shutting down, every connection slot taken.
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.TooManyConnectionsError,
    asyncpg.ConnectionDoesNotExistError,
)


#: Every error the driver raises, for handlers that sort them with `is_transient`:
#: SQLAlchemy's wrapper of every driver error; `is_transient` picks the outages among them.
DRIVER_ERRORS: tuple[type[BaseException], ...] = (*TRANSIENT_ERRORS, DBAPIError)


def is_transient(exc: BaseException) -> bool:
    """True if `exc`, or an error it wraps, means the connection failed rather than the query.

    SQLAlchemy reports a connection dropped mid-query as a plain DBAPIError with
    `connection_invalidated` set ("connection was closed in the middle of operation"), so
    matching classes alone is not enough.
    """
    return any(
        isinstance(error, TRANSIENT_ERRORS)
        or (isinstance(error, DBAPIError) and error.connection_invalidated)
        for error in error_chain(exc)
    )
