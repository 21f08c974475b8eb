"""What route handlers can ask for, as `Annotated` aliases."""

from typing import Annotated

from fastapi import Depends, Request
from redis.asyncio import Redis

from ..jobs.store import JobStore
from ..settings import Settings
from .enqueue import Enqueuer
from .security import require_api_key


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _store(request: Request) -> JobStore:
    store: JobStore = request.app.state.store
    return store


def _redis(request: Request) -> Redis:
    redis: Redis = request.app.state.redis
    return redis


def _owner(request: Request) -> str | None:
    """Whose jobs the caller may see: its key's name, or None for every job."""
    return None


def get_enqueuer(request: Request) -> Enqueuer:
    """The app's broker; tests override this dependency with a recorder."""
    enqueuer: Enqueuer = request.app.state.enqueuer
    return enqueuer


SettingsDep = Annotated[Settings, Depends(_settings)]
StoreDep = Annotated[JobStore, Depends(_store)]
RedisDep = Annotated[Redis, Depends(_redis)]
EnqueueDep = Annotated[Enqueuer, Depends(get_enqueuer)]
ApiKeyDep = Depends(require_api_key)
OwnerDep = Annotated[str | None, Depends(_owner)]
