"""The job kinds this service runs: one module per kind, found here at import.

To add a kind, add a module to this package that ends with `KIND = JobKind(...)` (see
`echo.py` for the smallest one). Routing, the API's validation and OpenAPI schema, and the
worker's dispatch all read `KINDS`; modules whose names start with `_` are skipped.
"""

import importlib
import pkgutil
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from ..kind import JobKind


def _discover() -> dict[str, JobKind[Any]]:
    kinds: dict[str, JobKind[Any]] = {}
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        kind = getattr(module, "KIND", None)
        if not isinstance(kind, JobKind):
            raise TypeError(f"{module.__name__} must define KIND = JobKind(...)")
        if kind.name in kinds:
            raise ValueError(f"job kind {kind.name!r} is declared twice ({module.__name__})")
        kinds[kind.name] = kind
    if not kinds:
        raise RuntimeError(f"no job kinds in {__name__}: add one (see the README)")
    return kinds


_registry = _discover()
#: Every kind, by name, in name order.
KINDS: Mapping[str, JobKind[Any]] = MappingProxyType(_registry)
