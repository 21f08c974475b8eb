"""Settings, read once per process from the environment and `.env`, and checked at start-up.

Every field can be set by an environment variable of the same name in upper case. Outside
development the service refuses to start with an empty or placeholder secret.
"""

from functools import lru_cache
from typing import Annotated, Literal, Self

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import NoDecode, SettingsConfigDict

from .api_keys import ApiKey, check_unique, parse_api_keys
from .db.settings import DatabaseSettings
from .layout import DEFAULT_API_POOL_OVERFLOW, DEFAULT_API_POOL_SIZE, DEFAULT_WORKER_DB_MODE

Environment = Literal["development", "staging", "production"]
WorkerDbMode = Literal["per-task", "per-thread"]
#: How a worker process reaches the database: its WORKER_DB_MODE, or on the asyncio pool
#: (which is not a setting: the pool chooses it) one loop and one pool for every task.
DbAccess = Literal[WorkerDbMode, "shared-loop"]

#: Values shipped in .env.example or typed in a hurry; never acceptable outside development.
PLACEHOLDER_SECRETS = frozenset(
    {"", "change-me", "changeme", "dev-api-key", "secret", "password", "postgres", "admin", "root"}
)


class Settings(DatabaseSettings):
    # Errors never echo a value: it may be a secret (API_KEYS, a URL with its password).
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", hide_input_in_errors=True
    )

    environment: Environment = "development"
    redis_url: str = "redis://127.0.0.1:6379/0"
    #: Prefix for every Redis key Celery uses, so several deployments (or test runs) can
    #: share one Redis database without taking each other's jobs.
    broker_key_prefix: str = ""

    #: Keys accepted in the X-API-Key header: `name:key,...` in the environment (api_keys.py).
    api_keys: Annotated[tuple[ApiKey, ...], NoDecode] = (ApiKey("dev", SecretStr("dev-api-key")),)
    #: Names of keys (from API_KEYS) that see and act on every key's jobs, not only their own.
    api_operators: Annotated[tuple[str, ...], NoDecode] = ()
    max_request_bytes: int = Field(default=1_000_000, gt=0)
    #: Flower's basic-auth password, where Flower runs. Flower loads this app, so it is held
    #: to the same rule as every other secret.
    flower_password: SecretStr | None = None

    api_pool_size: int = Field(default=DEFAULT_API_POOL_SIZE, gt=0)
    api_pool_overflow: int = Field(default=DEFAULT_API_POOL_OVERFLOW, ge=0)

    worker_db_mode: WorkerDbMode = DEFAULT_WORKER_DB_MODE
    #: Seconds a task may run. Enforced inside run_async, since the threads pool ignores
    #: Celery's own limits; prefork also gets a hard limit a little above it.
    task_time_limit: float = Field(default=300.0, gt=0)
    #: Seconds after TASK_TIME_LIMIT at which prefork kills a task that did not stop.
    task_hard_limit_margin: float = Field(default=30.0, gt=0)
    #: Retries of a transient failure; with the backoff in worker/base.py, 8 cover about
    #: three minutes of an outage before the job fails.
    task_max_retries: int = Field(default=8, ge=0)
    #: The longest wait before a retry (the backoff doubles from 1 s up to this), and the wait
    #: before a job whose failure could not be recorded is sent again. The message waits
    #: unacknowledged meanwhile, so the visibility timeout must cover it.
    task_retry_backoff_max: float = Field(default=60.0, gt=0)
    #: Deliveries plus retries after which a job fails for good: a job that kills its worker
    #: every time (a poison message) would otherwise be redelivered forever.
    job_max_attempts: int = Field(default=10, gt=0)
    #: Seconds Redis waits for an ack before it hands a job to another worker. It must exceed
    #: the longest task (its hard time limit), or a slow job runs twice.
    broker_visibility_timeout: int = Field(default=3600, gt=0)
    #: Seconds a Redis command may take before the connection counts as lost. Bounds how
    #: long `POST /jobs` waits for a Redis that hangs (then it answers 503).
    broker_socket_timeout: float = Field(default=3.0, gt=0)

    #: Seconds after which a job still QUEUED or RUNNING, with nothing changed, is sent again
    #: by the periodic sweep: its message was lost (a connection cut while Redis handed it
    #: over, a Redis without persistence restarted). It must exceed the visibility timeout,
    #: by when a live message has been redelivered and a live run has ended.
    job_requeue_after: int = Field(default=7200, gt=0)

    #: Where plain tasks that opt in keep their results (a Redis URL); empty: nowhere. Jobs
    #: never need it: their state is in the database. See worker/internal.py.
    result_backend_url: str = ""
    #: Seconds a stored task result is kept.
    result_expires: int = Field(default=86_400, gt=0)

    #: Finished jobs older than this are deleted by the periodic clean-up.
    job_retention_days: float = Field(default=7.0, gt=0)

    @field_validator("api_keys", mode="before")
    @classmethod
    def _parse_named_keys(cls, value: object) -> object:
        if isinstance(value, str):
            return parse_api_keys(value)
        if isinstance(value, tuple | list):
            return check_unique(tuple(value))
        return value

    @field_validator("api_operators", mode="before")
    @classmethod
    def _split_names(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(name.strip() for name in value.split(",") if name.strip())
        return value

    @model_validator(mode="after")
    def _check_consistency(self) -> Self:
        # Each of these combinations lets two workers run one job at the same time.
        if self.broker_visibility_timeout <= self.longest_unacknowledged:
            raise ValueError(
                f"BROKER_VISIBILITY_TIMEOUT ({self.broker_visibility_timeout}s) must exceed "
                f"TASK_RETRY_BACKOFF_MAX + TASK_TIME_LIMIT + TASK_HARD_LIMIT_MARGIN "
                f"({self.longest_unacknowledged:g}s): a message waits out its retry and then "
                "runs unacknowledged, and Redis would hand it to a second worker meanwhile"
            )
        if self.job_requeue_after <= self.broker_visibility_timeout + self.broker_restore_interval:
            raise ValueError(
                f"JOB_REQUEUE_AFTER ({self.job_requeue_after}s) must exceed "
                f"BROKER_VISIBILITY_TIMEOUT + its {self.broker_restore_interval}s redelivery scan "
                f"({self.broker_visibility_timeout + self.broker_restore_interval}s): the sweep "
                "would send a job Redis is about to redeliver, or one still running"
            )
        if unknown := sorted(set(self.api_operators) - {key.name for key in self.api_keys}):
            raise ValueError(
                f"API_OPERATORS names {', '.join(unknown)}, not in API_KEYS; "
                "an operator is the name of one of the keys"
            )
        if self.environment != "development":
            weak = sorted(name for name, value in self.secrets() if value in PLACEHOLDER_SECRETS)
            if weak:
                raise ValueError(
                    f"{', '.join(weak)} must be set to a real secret when ENVIRONMENT="
                    f"{self.environment} (the post-generation hook wrote fresh ones to .env)"
                )
            if "api_keys" not in self.model_fields_set:
                # Each container gets only the secrets it uses: a worker has no API_KEYS. An
                # api started without them accepts no key at all, never the development one.
                # (Still not "given": pydantic would count the assignment as set.)
                self.api_keys = ()
                self.model_fields_set.discard("api_keys")
        return self

    @property
    def hard_time_limit(self) -> float:
        """When prefork kills a task stuck where run_async's own limit cannot reach it."""
        return self.task_time_limit + self.task_hard_limit_margin

    @property
    def longest_unacknowledged(self) -> float:
        """The longest a job's message stays unacknowledged: a retry's wait, then a full run."""
        return self.unacknowledged_for(self.task_time_limit)

    def unacknowledged_for(self, time_limit: float) -> float:
        """How long a message stays unacknowledged for work limited to `time_limit` seconds
        (a job kind's own limit): a retry's wait, the run, and prefork's hard-limit margin."""
        return self.task_retry_backoff_max + time_limit + self.task_hard_limit_margin

    @property
    def broker_restore_interval(self) -> int:
        """Seconds between a worker's scans for messages past the visibility timeout.

        Kombu's default scans every 100 s; a tenth of the timeout (1 to 10 s) keeps
        redelivery close to the timeout for a cheap query.
        """
        return max(1, min(10, self.broker_visibility_timeout // 10))

    def secrets(self) -> list[tuple[str, str]]:
        """Every secret this process was given, by the variable that sets it."""
        given = "api_keys" in self.model_fields_set
        keys = [("API_KEYS", key.secret.get_secret_value()) for key in self.api_keys]
        keys = (keys or [("API_KEYS", "")]) if given else []
        flower = self.flower_password
        flower_secrets = [] if flower is None else [("FLOWER_PASSWORD", flower.get_secret_value())]
        return keys + self.database_secrets() + flower_secrets


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read on first use."""
    return Settings()
