"""Which errors are worth retrying: the database or the network went away, and may come back."""

from pymongo.errors import ConnectionFailure

TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    # ConnectionError and TimeoutError are OSErrors too.
    OSError,
    # PyMongo's network errors: AutoReconnect and, under it, NetworkTimeout,
    # ServerSelectionTimeoutError (no usable server yet) and NotPrimaryError (an election).
    ConnectionFailure,
)


def is_transient(exc: BaseException) -> bool:
    """True if `exc`, or an error it was raised from, means the server could not be reached."""
    seen: set[int] = set()
    error: BaseException | None = exc
    while error is not None and id(error) not in seen:
        if isinstance(error, TRANSIENT_ERRORS):
            return True
        seen.add(id(error))
        error = error.__cause__
    return False
