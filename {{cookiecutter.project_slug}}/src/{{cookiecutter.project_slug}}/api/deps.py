"""What route handlers can ask for, as `Annotated` aliases.

The providers are `async def` although they only read `app.state`: FastAPI runs a plain
`def` dependency in its thread pool, which cost every request a thread hop per dependency
(about 9% of the API's CPU per POST /jobs, benchmarks/README.md).
"""

from typing import Annotated

from fastapi import Depends, Request
from redis.asyncio import Redis

from ..jobs.store import EVERYONE, JobStore
from ..settings import Settings
from .enqueue import Enqueuer
from .security import Caller, require_caller


async def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def _store(request: Request) -> JobStore:
    store: JobStore = request.app.state.store
    return store


async def _redis(request: Request) -> Redis:
    redis: Redis = request.app.state.redis
    return redis


async def _visible_to(caller: Annotated[Caller, Depends(require_caller)]) -> str | None:
    return EVERYONE if caller.operator else caller.name


async def get_enqueuer(request: Request) -> Enqueuer:
    """The app's broker; tests override this dependency with a recorder."""
    enqueuer: Enqueuer = request.app.state.enqueuer
    return enqueuer


SettingsDep = Annotated[Settings, Depends(_settings)]
StoreDep = Annotated[JobStore, Depends(_store)]
RedisDep = Annotated[Redis, Depends(_redis)]
EnqueueDep = Annotated[Enqueuer, Depends(get_enqueuer)]
#: The caller, by the name of their API key (401 without a valid key); jobs record it as owner.
CallerDep = Annotated[Caller, Depends(require_caller)]
ApiKeyDep = Depends(require_caller)
#: Whose jobs the caller may see: its own (by key name), or every job for an operator's key.
VisibleToDep = Annotated[str | None, Depends(_visible_to)]
