"""MongoDB through PyMongo's native async API (`AsyncMongoClient`).

An `AsyncMongoClient` is bound to the event loop it first runs on, so the API and the workers
hold clients differently, on purpose:

* the API is one process with one event loop for its whole life, so it keeps one client, with
  its connection pool, for its lifespan (`open_api_store`);
* a worker runs tasks on threads that each drive their own loop, so it never shares a client
  across loops: a client per task run, or one per thread's persistent loop (`WorkerDatabase`,
  started explicitly by the worker's start-up; `get_task_db` is the per-run client).
"""

from .access import WorkerDatabase, get_task_db, open_api_store
from .errors import DRIVER_ERRORS, TRANSIENT_ERRORS, is_transient
from .schema import prepare_database

__all__ = [
    "DRIVER_ERRORS",
    "TRANSIENT_ERRORS",
    "WorkerDatabase",
    "get_task_db",
    "is_transient",
    "open_api_store",
    "prepare_database",
]
