"""Liveness and readiness. Both are open: orchestrators call them without credentials."""

import asyncio
from collections.abc import Awaitable

from fastapi import APIRouter, Response, status
from pydantic import BaseModel

from ..deps import RedisDep, StoreDep

router = APIRouter(prefix="/health", tags=["health"])

#: A check slower than this counts as down: a readiness probe must answer quickly.
CHECK_TIMEOUT_SECONDS = 2.0


class Health(BaseModel):
    status: str
    checks: dict[str, str] = {}


async def _check(probe: Awaitable[object]) -> str:
    try:
        async with asyncio.timeout(CHECK_TIMEOUT_SECONDS):
            await probe
    except Exception as exc:
        return f"unavailable: {type(exc).__name__}"
    return "ok"


@router.get("/live")
async def live() -> Health:
    """The process is up and serving requests."""
    return Health(status="ok")


@router.get("/ready", responses={503: {"model": Health}})
async def ready(store: StoreDep, redis: RedisDep, response: Response) -> Health:
    """The database and the broker both answer; 503 while either does not."""
    database, broker = await asyncio.gather(_check(store.ping()), _check(redis.ping()))
    checks = {"database": database, "broker": broker}
    if any(result != "ok" for result in checks.values()):
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
        return Health(status="unavailable", checks=checks)
    return Health(status="ok", checks=checks)
