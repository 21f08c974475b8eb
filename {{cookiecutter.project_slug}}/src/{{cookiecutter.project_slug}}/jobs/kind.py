"""What a job kind is: the one declaration a team writes to add a kind of work.

A kind lives in a module of its own in `jobs/kinds/`, which ends with `KIND = JobKind(...)`:
its name, the Pydantic model of its payload, and the `async def` that does the work. The API
validates payloads against the model (and shows it in /openapi.json), the worker dispatches
on the name, and the queue comes from the kind's tier; nothing else needs to be told.
"""

import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar
from uuid import UUID

from pydantic import (
    BaseModel,
    ConfigDict,
    JsonValue,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from ..layout import CPU_QUEUE, DEFAULT_TIER, TIERS
from .model import JobStatus

P = TypeVar("P", bound=BaseModel)

#: What work returns: a Pydantic model (stored as its JSON), or plain JSON.
Result = BaseModel | JsonValue

NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


class Payload(BaseModel):
    """Base for payload models: an unknown field is refused (a typo is a 422, not ignored),
    and a number field takes JSON numbers only (`false` or `"5"` is not a number, though
    pydantic's lax mode would read them as one; `5.0` for an integer is, as JSON Schema says)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @field_validator("*", mode="before")
    @classmethod
    def _numbers_are_numbers(cls, value: Any, info: ValidationInfo) -> Any:
        field = cls.model_fields.get(info.field_name or "")
        wants_number = field is not None and field.annotation in (int, float)
        if wants_number and isinstance(value, bool | str):
            raise ValueError("must be a JSON number")
        return value


class JobFailedError(Exception):
    """The job can never succeed; retrying would not help. Work may raise it too."""


class InvalidPayloadError(JobFailedError, ValueError):
    """The payload does not match the kind's model."""


@dataclass(frozen=True)
class Child(Generic[P]):
    """One child job a fan-out starts: a kind, its payload, and optionally its tier."""

    kind: "JobKind[P]"
    payload: P
    tier: str | None = None


@dataclass(frozen=True)
class FanOut:
    """Returned by work that splits itself: start these children, then run `complete`."""

    children: Sequence[Child[Any]]


@dataclass(frozen=True)
class ChildOutcome:
    """How one child ended, as the parent's completion step sees it."""

    id: UUID
    kind: str
    status: JobStatus
    result: JsonValue
    error: str | None

    @property
    def succeeded(self) -> bool:
        return self.status is JobStatus.SUCCEEDED


@dataclass(frozen=True, kw_only=True)
class JobKind(Generic[P]):
    """A kind of job. Only `name`, `payload` and `work` are required."""

    name: str
    payload: type[P]
    #: The work: takes the validated payload; returns the result, or a `FanOut`.
    work: Callable[[P], Awaitable[Result | FanOut]]
    #: For work that fans out: runs once, after every child finished, with their outcomes.
    complete: Callable[[P, list[ChildOutcome]], Awaitable[Result]] | None = None
    #: The tier its jobs go to when the request names none (default: DEFAULT_TIER).
    tier: str | None = None
    #: CPU-bound work holds the GIL: it runs on the prefork CPU queue where there is one.
    cpu_bound: bool = False
    #: Seconds one run may take (default: TASK_TIME_LIMIT).
    time_limit: float | None = None
    #: Retries of a transient failure (default: TASK_MAX_RETRIES).
    max_retries: int | None = None
    description: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        problems = []
        if not NAME_PATTERN.match(self.name):
            problems.append("its name must be a lowercase identifier of at most 64 characters")
        if self.tier is not None and self.tier not in self.tiers:
            problems.append(f"its tier must be one of {', '.join(self.tiers)}")
        if self.time_limit is not None and not self.time_limit > 0:
            problems.append("its time_limit must be positive")
        if self.max_retries is not None and self.max_retries < 0:
            problems.append("its max_retries must not be negative")
        if problems:
            raise ValueError(f"job kind {self.name!r}: " + "; ".join(problems))
        if not self.description:
            doc = (self.work.__doc__ or "").strip()
            object.__setattr__(self, "description", doc.splitlines()[0] if doc else "")

    @property
    def tiers(self) -> tuple[str, ...]:
        """The queues this kind's jobs may be sent to."""
        cpu_queue = CPU_QUEUE
        if self.cpu_bound and cpu_queue is not None:
            return (cpu_queue,)
        return tuple(TIERS)

    @property
    def default_tier(self) -> str:
        if self.tier is not None:
            return self.tier
        cpu_queue = CPU_QUEUE
        return cpu_queue if self.cpu_bound and cpu_queue is not None else DEFAULT_TIER

    def parse(self, payload: JsonValue) -> P:
        """The stored payload as the kind's model; InvalidPayloadError naming the fields."""
        try:
            return self.payload.model_validate(payload)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(map(str, ('payload', *error['loc'])))}: {error['msg']}"
                for error in exc.errors()
            )
            raise InvalidPayloadError(problems) from None


def to_json(result: Result) -> JsonValue:
    """What is stored for a result: a model's JSON form, or the JSON as it is."""
    if isinstance(result, BaseModel):
        json: JsonValue = result.model_dump(mode="json")
        return json
    return result
