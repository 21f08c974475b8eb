"""Errors worth retrying: the database or the network went away, and may come back."""

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

TRANSIENT_ERRORS: tuple[type[Exception], ...] = (
    ConnectionError,
    TimeoutError,
    OSError,
    InterfaceError,
    OperationalError,
)


def is_transient(exc: BaseException) -> bool:
    """True for a lost connection, also when the driver wraps it in a generic DBAPIError."""
    if isinstance(exc, TRANSIENT_ERRORS):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated
