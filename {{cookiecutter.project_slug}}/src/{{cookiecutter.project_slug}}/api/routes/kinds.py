"""GET /kinds: the kinds of job this service runs, read from the registry."""

from typing import Any

from pydantic import BaseModel

from ...jobs.kinds import KINDS
from ..routing import keyed_router

router = keyed_router(prefix="/kinds", tags=["jobs"])


class KindView(BaseModel):
    name: str
    description: str
    default_tier: str
    tiers: list[str]
    time_limit: float | None
    fans_out: bool
    payload_schema: dict[str, Any]


@router.get("")
async def list_kinds() -> list[KindView]:
    """Every kind of job, with the tiers it may run on and the JSON Schema of its payload."""
    return [
        KindView(
            name=kind.name,
            description=kind.description,
            default_tier=kind.default_tier,
            tiers=list(kind.tiers),
            time_limit=kind.time_limit,
            fans_out=kind.complete is not None,
            payload_schema=kind.payload.model_json_schema(),
        )
        for kind in KINDS.values()
    ]
