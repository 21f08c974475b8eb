"""Errors worth retrying: the database or the network went away, and may come back."""

from pymongo.errors import ConnectionFailure

TRANSIENT_ERRORS: tuple[type[Exception], ...] = (
    # ConnectionError and TimeoutError are OSErrors too.
    OSError,
    # PyMongo's network errors: AutoReconnect and, under it, NetworkTimeout,
    # ServerSelectionTimeoutError (no usable server yet) and NotPrimaryError (an election).
    ConnectionFailure,
)
