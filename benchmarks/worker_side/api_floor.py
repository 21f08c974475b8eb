"""The API floor: POST /jobs with nothing but FastAPI, one asyncpg INSERT and one Redis LPUSH.

The same request body and answer as the template's `POST /jobs` (an API key header is
required), the job stored before it is queued, no Celery message: what accepting a job costs
with the least a service can do. Run with uvicorn, as the template's API is:
`uvicorn api_floor:app --host 127.0.0.1 --port P`. Environment: BENCH_DSN, BENCH_REDIS_URL.
"""

import json
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Literal

import asyncpg
from fastapi import FastAPI, Header, HTTPException, Request
from pydantic import BaseModel, ConfigDict, JsonValue
from redis.asyncio import Redis

INSERT = (
    "INSERT INTO jobs (id, kind, queue, status, payload, attempts, owner, created_at, updated_at)"
    " VALUES ($1, $2, $3, 'queued', $4::jsonb, 0, 'bench', now(), now())"
)


class EchoPayload(BaseModel):
    model_config = ConfigDict(extra="forbid")
    message: str = ""
    data: JsonValue = None


class JobRequest(BaseModel):
    """The template's body for its `echo` kind: the kind, its typed payload, a tier."""

    model_config = ConfigDict(extra="forbid")
    kind: Literal["echo"]
    payload: EchoPayload
    tier: str = "default"


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    app.state.pool = await asyncpg.create_pool(os.environ["BENCH_DSN"], min_size=1, max_size=10)
    app.state.redis = Redis.from_url(os.environ["BENCH_REDIS_URL"], socket_timeout=2)
    yield
    await app.state.redis.aclose()
    await app.state.pool.close()


app = FastAPI(lifespan=lifespan)


@app.post("/jobs", status_code=202)
async def create_job(
    body: JobRequest, request: Request, x_api_key: Annotated[str | None, Header()] = None
) -> dict[str, str]:
    if x_api_key != "bench":
        raise HTTPException(401)
    job_id = uuid.uuid4()
    payload = json.dumps(body.payload.model_dump())
    await request.app.state.pool.execute(INSERT, job_id, body.kind, body.tier, payload)
    await request.app.state.redis.lpush("bench:api-floor", str(job_id))
    return {"id": str(job_id), "status": "queued"}
