"""Which errors are worth retrying: the database or the network went away, and may come back."""

from pymongo.errors import ConnectionFailure, PyMongoError

from ..causes import error_chain

TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    # ConnectionError and TimeoutError are OSErrors too.
    OSError,
    # PyMongo's network errors: AutoReconnect and, under it, NetworkTimeout,
    # ServerSelectionTimeoutError (no usable server yet) and NotPrimaryError (an election).
    ConnectionFailure,
)


#: Every error the driver raises, for handlers that sort them with `is_transient`:
#: PyMongo's base error; `is_transient` picks the outages among them.
DRIVER_ERRORS: tuple[type[BaseException], ...] = (*TRANSIENT_ERRORS, PyMongoError)


def is_transient(exc: BaseException) -> bool:
    """True if `exc`, or an error it was raised from, means the server could not be reached."""
    return any(isinstance(error, TRANSIENT_ERRORS) for error in error_chain(exc))
