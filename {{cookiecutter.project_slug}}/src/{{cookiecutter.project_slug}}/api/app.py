"""The application factory and its lifespan: what the API opens at start and closes at stop."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError

from ..db import open_api_store
from ..settings import Settings, get_settings
from ..worker.celery_app import create_celery_app
from .enqueue import RedisEnqueuer
from .limits import BodySizeLimit
from .methods import list_every_allowed_method
from .openapi import document_request_limits
from .outages import answer_outages_with_503
from .routes import health, job_control, jobs, kinds


def broker_client(settings: Settings) -> Redis:
    """The API's Redis client: it publishes jobs and answers /health/ready.

    A hung Redis fails a command after BROKER_SOCKET_TIMEOUT (the POST answers 503); a
    connection Redis closed (a restart) is retried once on a fresh one, so the first request
    after a restart is not refused for the pool's stale connection.
    """
    timeout = settings.broker_socket_timeout
    return Redis.from_url(
        settings.redis_url,
        socket_connect_timeout=timeout,
        socket_timeout=timeout,
        retry=Retry(NoBackoff(), retries=1),
        retry_on_error=[RedisConnectionError],
    )


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    # One pooled store for the life of the process: the API has one event loop throughout.
    async with open_api_store(settings) as store:
        redis = broker_client(settings)
        try:
            app.state.store = store
            app.state.redis = redis
            # The API publishes with its own settings (broker URL, key prefix), never a
            # global's, and on this loop with this client: no thread per request.
            app.state.enqueuer = RedisEnqueuer(app.state.celery, redis)
            yield
        finally:
            await redis.aclose()


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(
        title={{ cookiecutter.project_name | tojson }},
        description={{ cookiecutter.description | tojson }},
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.celery = create_celery_app(settings)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_request_bytes)
    answer_outages_with_503(app)
    list_every_allowed_method(app)
    app.include_router(health.router)
    app.include_router(jobs.router)
    app.include_router(job_control.router)
    app.include_router(kinds.router)
    document_request_limits(app)
    return app
