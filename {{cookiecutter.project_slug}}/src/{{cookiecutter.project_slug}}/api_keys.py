"""Named API keys, as API_KEYS gives them: `name:key,name:key,...`.

A job records the name of the key that created it, so a key can be replaced (same name, new
secret) without its jobs changing hands, and a name can be logged where a key never may.
A bare `key` (the form before names) still works: it is named by its position, `key1`,
`key2`, ..., which changes if the list is reordered, so name your keys.
"""

import re
from dataclasses import dataclass

from pydantic import SecretStr

NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


@dataclass(frozen=True)
class ApiKey:
    name: str
    secret: SecretStr


def parse_api_keys(text: str) -> tuple[ApiKey, ...]:
    """The keys in `text`; ValueError (naming the entry, never showing a secret) if malformed."""
    keys: list[ApiKey] = []
    entries = [entry.strip() for entry in text.split(",") if entry.strip()]
    for position, entry in enumerate(entries, start=1):
        name, colon, secret = entry.partition(":")
        if not colon:
            name, secret = f"key{position}", entry
        elif not NAME_RE.fullmatch(name.strip()):
            raise ValueError(
                f"API_KEYS entry {position}: the name before ':' must be 1 to 64 letters, digits, "
                "'_', '.' or '-', starting with a letter or digit"
            )
        elif not secret.strip():
            raise ValueError(
                f"API_KEYS entry {position} ({name.strip()}): the key after ':' is empty"
            )
        keys.append(ApiKey(name.strip(), SecretStr(secret.strip())))
    return check_unique(tuple(keys))


def check_unique(keys: tuple[ApiKey, ...]) -> tuple[ApiKey, ...]:
    names = [key.name for key in keys]
    if repeated := sorted({name for name in names if names.count(name) > 1}):
        raise ValueError(f"API_KEYS: each name must be unique; {', '.join(repeated)} repeats")
    secrets = [key.secret.get_secret_value() for key in keys]
    if len(set(secrets)) != len(secrets):
        # Which key's name would a request carry? Refused rather than guessed.
        raise ValueError("API_KEYS: two entries have the same key; each key must be unique")
    return keys
