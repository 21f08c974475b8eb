"""The database part of the settings."""

from urllib.parse import unquote, urlsplit

from pydantic import Field
from pydantic_settings import BaseSettings

_DATABASE_NAME = __name__.split(".")[0]


def url_password(url: str) -> str:
    """The password in a MongoDB connection string ("" if none), without network look-ups."""
    # urlsplit reads the credentials of multi-host and mongodb+srv:// strings alike; the
    # driver's own parser would resolve SRV records, which has no place in reading settings.
    return unquote(urlsplit(url).password or "")


class DatabaseSettings(BaseSettings):
    mongo_url: str = "mongodb://127.0.0.1:27017"
    mongo_db: str = _DATABASE_NAME
    #: Milliseconds to wait to connect, and to find a usable server, before giving up
    #: (and retrying the task).
    mongo_connect_timeout_ms: int = Field(default=5000, gt=0)
    #: Per-thread worker mode: connections each worker thread's client may open.
    worker_thread_pool_size: int = Field(default=1, gt=0)
    #: Asyncio pool: connections a worker process shares among all its running jobs.
    worker_loop_pool_size: int = Field(default=10, gt=0)

    def database_secrets(self) -> list[tuple[str, str]]:
        # A process not given MONGO_URL (beat, Flower) never connects: nothing to check.
        if "mongo_url" not in self.model_fields_set:
            return []
        return [("MONGO_URL password", url_password(self.mongo_url))]
