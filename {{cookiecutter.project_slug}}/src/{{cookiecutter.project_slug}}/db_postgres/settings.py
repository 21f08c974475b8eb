"""The database part of the settings."""

from pydantic import Field
from pydantic_settings import BaseSettings
from sqlalchemy.engine import make_url

_DATABASE_NAME = __name__.split(".")[0]


class DatabaseSettings(BaseSettings):
    database_url: str = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{_DATABASE_NAME}"
    #: Seconds to wait for a new connection before giving up (and retrying the task).
    database_connect_timeout: float = Field(default=5.0, gt=0)
    #: Per-thread worker mode: connections each worker thread keeps open.
    worker_thread_pool_size: int = Field(default=1, gt=0)
    #: Asyncio pool: connections a worker process shares among all its running jobs.
    worker_loop_pool_size: int = Field(default=10, gt=0)

    def database_secrets(self) -> list[tuple[str, str]]:
        # A process not given DATABASE_URL (beat, Flower) never connects: nothing to check.
        if "database_url" not in self.model_fields_set:
            return []
        return [("DATABASE_URL password", make_url(self.database_url).password or "")]
