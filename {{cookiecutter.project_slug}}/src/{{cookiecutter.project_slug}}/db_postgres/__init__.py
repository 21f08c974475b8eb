"""PostgreSQL through SQLAlchemy 2 async and asyncpg.

The API and the workers reach the database differently, on purpose:

* the API is one process with one event loop for its whole life, so it keeps a connection
  pool (`open_api_store`);
* a worker runs tasks on threads that each drive their own loop, and asyncpg connections are
  bound to the loop that opened them, so a worker never shares a pool across loops
  (`WorkerDatabase`, started explicitly by the worker's start-up).
"""

from .access import WorkerDatabase, open_api_store
from .errors import DRIVER_ERRORS, TRANSIENT_ERRORS, is_transient
from .schema import prepare_database

__all__ = [
    "DRIVER_ERRORS",
    "TRANSIENT_ERRORS",
    "WorkerDatabase",
    "is_transient",
    "open_api_store",
    "prepare_database",
]
