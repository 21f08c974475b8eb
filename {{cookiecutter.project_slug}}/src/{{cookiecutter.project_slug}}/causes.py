"""Following an error to the errors it wraps: what a driver raised under a library's wrapper."""

from collections.abc import Iterator


def error_chain(error: BaseException) -> Iterator[BaseException]:
    """`error`, then each error it wraps: a DB-API wrapper's `orig`, else its `__cause__`."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        yield current
        seen.add(id(current))
        current = getattr(current, "orig", None) or current.__cause__
