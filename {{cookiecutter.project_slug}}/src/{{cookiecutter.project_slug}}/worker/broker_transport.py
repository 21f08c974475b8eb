"""Kombu's Redis transport, less one crash on a lost connection.

When Redis goes away, Celery's consumer lets go of its broker connection, which detaches it
from its transport, and opens another. In kombu 5.7 a channel of the old connection still has
work to do after that: hand its unacknowledged messages back as it closes, and acknowledge the
messages of tasks that finish later. Both build a Redis client from the transport's
connection, which is gone, raise AttributeError ('NoneType' object has no attribute
'hostname'), and Celery's consumer treats that as unrecoverable: the worker exits.
`tests/faults/test_restarts.py` caught it on a loaded machine, in 2 of 14 runs.

Here a channel remembers the connection it was opened on and, when the transport has let it
go, attaches it to that transport again, so its clients are built as before. Celery uses this
transport through `broker_transport` (celery_app.py); the broker URL is unchanged.
"""

from typing import Any

from kombu.transport import redis


class Channel(redis.Channel):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._opened_on = self.connection.client

    def _connparams(self, asynchronous: bool = False) -> Any:
        transport = self.connection
        if transport.client is None:
            # Detached: attach the connection it was opened on again. Only the old channels
            # still use this transport; the consumer's new connection has a transport of its own.
            transport.client = self._opened_on
        return super()._connparams(asynchronous=asynchronous)  # type: ignore[misc]  # not in the stubs


class Transport(redis.Transport):
    Channel = Channel
