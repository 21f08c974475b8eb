"""Settings, read once per process from the environment and `.env`, and checked at start-up.

Every field can be set by an environment variable of the same name in upper case. Outside
development the service refuses to start with an empty or placeholder secret.
"""

from functools import lru_cache
from typing import Annotated, Literal, Self

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import NoDecode, SettingsConfigDict

from .db.settings import DatabaseSettings
from .layout import DEFAULT_API_POOL_OVERFLOW, DEFAULT_API_POOL_SIZE, DEFAULT_WORKER_DB_MODE

Environment = Literal["development", "staging", "production"]
WorkerDbMode = Literal["per-task", "per-thread"]

#: Values shipped in .env.example or typed in a hurry; never acceptable outside development.
PLACEHOLDER_SECRETS = frozenset(
    {"", "change-me", "changeme", "dev-api-key", "secret", "password", "postgres", "admin", "root"}
)


class Settings(DatabaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    environment: Environment = "development"
    redis_url: str = "redis://127.0.0.1:6379/0"
    #: Prefix for every Redis key Celery uses, so several deployments (or test runs) can
    #: share one Redis database without taking each other's jobs.
    broker_key_prefix: str = ""

    #: Keys accepted in the X-API-Key header; comma separated in the environment.
    api_keys: Annotated[tuple[SecretStr, ...], NoDecode] = (SecretStr("dev-api-key"),)
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
    #: Deliveries plus retries after which a job fails for good: a job that kills its worker
    #: every time (a poison message) would otherwise be redelivered forever.
    job_max_attempts: int = Field(default=10, gt=0)
    #: Seconds Redis waits for an ack before it hands a job to another worker. It must exceed
    #: the longest task (its hard time limit), or a slow job runs twice.
    broker_visibility_timeout: int = Field(default=3600, gt=0)

    #: Seconds after which a job still QUEUED or RUNNING, with nothing changed, is sent again
    #: by the periodic sweep: its message was lost (a connection cut while Redis handed it
    #: over, a Redis without persistence restarted). It must exceed the visibility timeout,
    #: by when a live message has been redelivered and a live run has ended.
    job_requeue_after: int = Field(default=7200, gt=0)

    #: Finished jobs older than this are deleted by the periodic clean-up.
    job_retention_days: float = Field(default=7.0, gt=0)

    @field_validator("api_keys", mode="before")
    @classmethod
    def _split_comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(key.strip() for key in value.split(",") if key.strip())
        return value

    @model_validator(mode="after")
    def _check_consistency(self) -> Self:
        if self.broker_visibility_timeout <= self.hard_time_limit:
            raise ValueError(
                f"BROKER_VISIBILITY_TIMEOUT ({self.broker_visibility_timeout}s) must exceed "
                f"TASK_TIME_LIMIT + TASK_HARD_LIMIT_MARGIN ({self.hard_time_limit:g}s), "
                "or a running job is delivered twice"
            )
        if self.job_requeue_after <= self.broker_visibility_timeout:
            raise ValueError(
                f"JOB_REQUEUE_AFTER ({self.job_requeue_after}s) must exceed "
                f"BROKER_VISIBILITY_TIMEOUT ({self.broker_visibility_timeout}s), or the sweep "
                "sends jobs that Redis is about to redeliver"
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

    def secrets(self) -> list[tuple[str, str]]:
        """Every secret this process was given, by the variable that sets it."""
        given = "api_keys" in self.model_fields_set
        keys = [("API_KEYS", key.get_secret_value()) for key in self.api_keys]
        keys = (keys or [("API_KEYS", "")]) if given else []
        flower = self.flower_password
        flower_secrets = [] if flower is None else [("FLOWER_PASSWORD", flower.get_secret_value())]
        return keys + self.database_secrets() + flower_secrets


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read on first use."""
    return Settings()
