"""Errors worth retrying: the database or the network went away, and may come back."""

from sqlalchemy.exc import InterfaceError, OperationalError

TRANSIENT_ERRORS: tuple[type[Exception], ...] = (
    ConnectionError,
    TimeoutError,
    OSError,
    InterfaceError,
    OperationalError,
)
