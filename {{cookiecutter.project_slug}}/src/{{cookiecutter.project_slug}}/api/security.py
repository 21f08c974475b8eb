"""API keys: sent in the X-API-Key header, compared in constant time."""

import hmac

from fastapi import HTTPException, Request, Security, status
from fastapi.security import APIKeyHeader

from ..settings import Settings

api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False)


def is_valid_key(candidate: str, settings: Settings) -> bool:
    """True if `candidate` is one of the configured keys.

    Every key is compared, whatever matched, so the time taken says nothing about which key
    came close.
    """
    given = candidate.encode()
    matches = [
        hmac.compare_digest(given, key.get_secret_value().encode()) for key in settings.api_keys
    ]
    return any(matches)


async def require_api_key(request: Request, key: str | None = Security(api_key_header)) -> None:
    settings: Settings = request.app.state.settings
    if key is None or not is_valid_key(key, settings):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="a valid X-API-Key header is required",
            headers={"WWW-Authenticate": "APIKey"},
        )
