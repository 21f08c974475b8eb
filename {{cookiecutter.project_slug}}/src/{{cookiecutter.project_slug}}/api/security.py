"""API keys: sent in the X-API-Key header, compared in constant time, known by their names."""

import hmac
from dataclasses import dataclass

from fastapi import HTTPException, Request, Security, status
from fastapi.security import APIKeyHeader

from ..settings import Settings

HEADER = "X-API-Key"
api_key_header = APIKeyHeader(name=HEADER, auto_error=False)


@dataclass(frozen=True)
class Caller:
    """Who sent a request: the name of their key, and whether it sees every key's jobs."""

    name: str
    operator: bool = False


def find_key_name(candidate: str, settings: Settings) -> str | None:
    """The name of the configured key equal to `candidate`, or None.

    Every key is compared, whatever matched, so the time taken says nothing about which key
    came close.
    """
    given = candidate.encode()
    found = None
    for key in settings.api_keys:
        if hmac.compare_digest(given, key.secret.get_secret_value().encode()):
            found = key.name
    return found


def is_valid_key(candidate: str, settings: Settings) -> bool:
    """True if `candidate` is one of the configured keys."""
    return find_key_name(candidate, settings) is not None


def authenticate(request: Request) -> Caller:
    """The caller of `request`, from its header alone; 401 without a valid key.

    It reads no body, so the API's routes (api/routing.py) call it before they read one.
    """
    settings: Settings = request.app.state.settings
    key = request.headers.get(HEADER)
    name = None if key is None else find_key_name(key, settings)
    if name is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="a valid X-API-Key header is required",
            headers={"WWW-Authenticate": "APIKey"},
        )
    return Caller(name, operator=name in settings.api_operators)


async def require_caller(request: Request, _: str | None = Security(api_key_header)) -> Caller:
    """The dependency behind CallerDep; the Security parameter puts the key in the OpenAPI."""
    return authenticate(request)
