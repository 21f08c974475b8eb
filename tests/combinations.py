"""The combinations of answers this template supports and tests.

Every combination renders, is lint- and type-clean, and passes its unit suite. Those marked
`integration` also run their integration suite against real services; `processes` ones are
started from their compose `command:` lines as separate processes.
"""

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Combination:
    id: str
    answers: dict[str, Any] = field(hash=False)
    integration: bool = False
    processes: bool = False

    @property
    def database(self) -> str:
        return str(self.answers.get("database", "postgres"))

    @property
    def tiers(self) -> list[str]:
        return [t.strip() for t in self.answers.get("queue_tiers", "high,default,low").split(",")]

    @property
    def split(self) -> bool:
        """Whether the layout adds a prefork `cpu` queue beside the I/O tiers."""
        return self.answers.get("worker_pool_layout", "split") in ("split", "asyncio")


SUPPORTED = [
    # The defaults: what `cookiecutter --no-input` gives.
    Combination("pg-default", {}, integration=True, processes=True),
    Combination(
        "pg-threads-perthread",
        {
            "worker_pool_layout": "threads",
            "worker_db_mode": "per-thread",
            "use_beat": False,
            "ci_provider": "gitlab",
        },
        integration=True,
    ),
    Combination(
        "pg-prefork-custom",
        {
            "worker_pool_layout": "prefork",
            "queue_tiers": "critical, bulk",
            "use_flower": False,
            "ci_provider": "none",
        },
        integration=True,
        processes=True,
    ),
    Combination(
        "pg-split-one-tier-bare",
        {
            "queue_tiers": "jobs",
            "worker_db_mode": "per-thread",
            "use_beat": False,
            "use_flower": False,
        },
    ),
    Combination(
        "pg-threads-custom-py313",
        {
            "worker_pool_layout": "threads",
            "queue_tiers": "critical,bulk",
            "python_version": "3.13",
            "project_name": "Billing Events",
            "ci_provider": "none",
        },
    ),
    Combination(
        "pg-prefork-perthread",
        {
            "worker_pool_layout": "prefork",
            "worker_db_mode": "per-thread",
            "use_beat": False,
            "api_pool_size": 3,
            "api_pool_overflow": 0,
            "ci_provider": "gitlab",
        },
    ),
    # The asyncio pool on the I/O tiers: its own in-process integration worker, and started
    # from its compose command lines (`env CELERY_CUSTOM_WORKER_POOL=... --pool=custom`).
    Combination(
        "pg-asyncio",
        {"worker_pool_layout": "asyncio", "use_flower": False},
        integration=True,
        processes=True,
    ),
    Combination("mongo-default", {"database": "mongo"}, integration=True, processes=True),
    Combination(
        "mongo-asyncio",
        {"database": "mongo", "worker_pool_layout": "asyncio", "ci_provider": "gitlab"},
        integration=True,
    ),
    Combination(
        "mongo-threads-perthread",
        {
            "database": "mongo",
            "worker_pool_layout": "threads",
            "worker_db_mode": "per-thread",
            "use_flower": False,
            "ci_provider": "gitlab",
        },
        integration=True,
    ),
    Combination(
        "mongo-prefork-custom",
        {
            "database": "mongo",
            "worker_pool_layout": "prefork",
            "queue_tiers": "critical,bulk",
            "use_beat": False,
            "ci_provider": "none",
        },
    ),
]

BY_ID = {combination.id: combination for combination in SUPPORTED}

#: A payload for each example kind the template ships.
EXAMPLE_PAYLOADS: dict[str, dict[str, Any]] = {
    "echo": {"message": "hello"},
    "summarize": {"text": "one two three"},
    "digest": {"rounds": 1000},
    "report": {"sections": ["alpha beta", "gamma", "delta epsilon"]},
}
