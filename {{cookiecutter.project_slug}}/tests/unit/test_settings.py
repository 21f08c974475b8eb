"""Settings refuse what would be unsafe or inconsistent, with a message that says why."""

from typing import Any

import pytest
from pydantic import ValidationError

from {{ cookiecutter.project_slug }}.settings import Settings


def make(**values: Any) -> Settings:
    return Settings(_env_file=None, **values)


def test_development_accepts_the_example_values() -> None:
    settings = make(environment="development", api_keys="dev:dev-api-key")
    assert [(key.name, key.secret.get_secret_value()) for key in settings.api_keys] == [
        ("dev", "dev-api-key")
    ]


@pytest.mark.parametrize("environment", ["staging", "production"])
def test_placeholder_api_key_is_refused_outside_development(environment: str) -> None:
    with pytest.raises(ValidationError, match=r"API_KEYS\b.* must be set to a real secret"):
        make(environment=environment, api_keys="dev-api-key")


def test_a_database_without_a_password_is_refused_in_production() -> None:
    # The connection URL's field is database_url or mongo_url; its default has no password.
    (field,) = [name for name in ("database_url", "mongo_url") if name in Settings.model_fields]
    passwordless = Settings.model_fields[field].default
    with pytest.raises(ValidationError, match=r"URL password must be set to a real secret"):
        make(environment="production", api_keys="a-long-random-key", **{field: passwordless})


@pytest.fixture
def no_secrets_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("API_KEYS", "DATABASE_URL", "MONGO_URL", "FLOWER_PASSWORD"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.usefixtures("no_secrets_in_the_environment")
def test_a_process_given_no_api_keys_accepts_none_outside_development() -> None:
    # A worker gets no API_KEYS from compose; an api without them must not fall back to the
    # development key.
    settings = make(environment="production")
    assert settings.api_keys == ()
    assert make(environment="development").api_keys != ()


@pytest.mark.usefixtures("no_secrets_in_the_environment")
def test_outside_development_only_the_secrets_given_are_checked() -> None:
    # Flower and beat get neither the database URL nor the API keys: they start.
    settings = make(environment="production", flower_password="f" * 32)
    assert [name for name, _ in settings.secrets()] == ["FLOWER_PASSWORD"]


def test_empty_api_keys_are_refused_outside_development() -> None:
    with pytest.raises(ValidationError, match="API_KEYS"):
        make(environment="production", api_keys="")


@pytest.mark.parametrize("password", ["change-me", ""])
def test_a_placeholder_flower_password_is_refused_in_production(password: str) -> None:
    with pytest.raises(ValidationError, match=r"FLOWER_PASSWORD"):
        make(environment="production", api_keys="k" * 32, flower_password=password)


def test_comma_separated_keys_are_split_and_trimmed() -> None:
    settings = make(api_keys=" billing : one ,reports:two,, ")
    assert [(key.name, key.secret.get_secret_value()) for key in settings.api_keys] == [
        ("billing", "one"),
        ("reports", "two"),
    ]


def test_bare_keys_still_work_named_by_position() -> None:
    settings = make(api_keys="one,ops:two,three")
    assert [key.name for key in settings.api_keys] == ["key1", "ops", "key3"]


@pytest.mark.parametrize(
    ("api_keys", "message"),
    [
        ("a:one,a:two", "each name must be unique; a repeats"),
        ("one,key1:two", "each name must be unique; key1 repeats"),
        ("a:same,b:same", "each key must be unique"),
        (":secret-value", "entry 1: the name before ':'"),
        ("ok:x,bad name:secret-value", "entry 2: the name before ':'"),
        ("a:", r"entry 1 \(a\): the key after ':' is empty"),
    ],
)
def test_malformed_api_keys_are_refused_without_showing_a_secret(
    api_keys: str, message: str
) -> None:
    with pytest.raises(ValidationError, match=message) as raised:
        make(api_keys=api_keys)
    assert "secret-value" not in str(raised.value)


def test_operators_are_names_of_configured_keys() -> None:
    assert make(api_keys="app:k1,ops:k2", api_operators="ops").api_operators == ("ops",)
    with pytest.raises(ValidationError, match="API_OPERATORS names root, not in API_KEYS"):
        make(api_keys="app:k1", api_operators="root")


@pytest.mark.parametrize("visibility_timeout", [300, 600, 630, 690])
def test_visibility_timeout_must_exceed_the_hard_time_limit(visibility_timeout: int) -> None:
    with pytest.raises(ValidationError, match="BROKER_VISIBILITY_TIMEOUT"):
        make(task_time_limit=600, broker_visibility_timeout=visibility_timeout)


def test_visibility_timeout_just_above_a_retry_wait_and_the_hard_limit_is_accepted() -> None:
    settings = make(task_time_limit=600, broker_visibility_timeout=691)
    assert settings.longest_unacknowledged == 60 + 600 + 30


def test_a_retry_that_waits_past_the_visibility_timeout_is_refused() -> None:
    # The case: a 5 s limit passed, but a retry waits up to 60 s unacknowledged.
    with pytest.raises(ValidationError, match=r"TASK_RETRY_BACKOFF_MAX.*second worker"):
        make(task_time_limit=5, task_hard_limit_margin=1, broker_visibility_timeout=10)
    assert make(
        task_time_limit=5,
        task_hard_limit_margin=1,
        task_retry_backoff_max=3,
        broker_visibility_timeout=10,
        job_requeue_after=12,
    )


@pytest.mark.parametrize("requeue_after", [3600, 3610])
def test_the_sweep_waits_past_redelivery(requeue_after: int) -> None:
    with pytest.raises(ValidationError, match=r"JOB_REQUEUE_AFTER \(\d+s\) must exceed"):
        make(broker_visibility_timeout=3600, job_requeue_after=requeue_after)
    assert make(broker_visibility_timeout=3600, job_requeue_after=3611)


def test_each_refusal_is_one_line() -> None:
    with pytest.raises(ValidationError) as refused:
        make(task_time_limit=5, broker_visibility_timeout=10)
    message = refused.value.errors()[0]["msg"]
    assert "\n" not in message


@pytest.mark.parametrize("field", ["api_pool_size", "task_time_limit", "broker_visibility_timeout"])
def test_non_positive_numbers_are_refused(field: str) -> None:
    with pytest.raises(ValidationError, match=field):
        make(**{field: 0})


def test_unknown_worker_db_mode_is_refused() -> None:
    with pytest.raises(ValidationError, match="worker_db_mode"):
        make(worker_db_mode="shared")


@pytest.mark.parametrize("requeue_after", [600, 700])
def test_requeue_after_must_exceed_the_visibility_timeout(requeue_after: int) -> None:
    with pytest.raises(ValidationError, match="JOB_REQUEUE_AFTER"):
        make(broker_visibility_timeout=700, job_requeue_after=requeue_after)
