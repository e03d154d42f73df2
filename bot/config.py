"""Process settings from the environment (see docs/configuration.md). Tokens stay `SecretStr`."""

from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

S = TypeVar("S", bound="CoreSettings")


class Mode(StrEnum):
    SOCKET = "socket"
    HTTP = "http"


class LogLevel(StrEnum):
    DEBUG = "DEBUG"
    INFO = "INFO"
    WARNING = "WARNING"
    ERROR = "ERROR"


class SettingsError(ValueError):
    """One line naming the setting that is wrong."""


class CoreSettings(BaseSettings):
    """What commands that never talk to Slack need (`wrench db upgrade`, `wrench config check`)."""

    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore")

    database_url: str = "sqlite+aiosqlite:///wrench.db"
    wrench_config: Path = Path("wrench.yml")

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        try:
            url = make_url(value)
        except ArgumentError:
            raise ValueError("is not a database URL (like sqlite+aiosqlite:///wrench.db)") from None
        if url.drivername not in ("sqlite+aiosqlite", "postgresql+asyncpg"):
            raise ValueError("must use sqlite+aiosqlite:// or postgresql+asyncpg://")
        return value


class Settings(CoreSettings):
    """Everything `wrench run` needs."""

    slack_bot_token: SecretStr
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"
    port: int = Field(default=3000, ge=0, le=65535)
    wrench_host: str = "0.0.0.0"
    wrench_tick_seconds: int = Field(default=60, ge=1)
    # Slack's rate limits run this many times faster (tests and benchmarks against the fake Slack); 0: no pacing
    wrench_slack_rate_scale: float = Field(default=1.0, ge=0, le=10000)
    # How much the process logs: DEBUG also lets APScheduler log every job it runs (quiet otherwise)
    wrench_log_level: LogLevel = LogLevel.INFO

    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value().startswith("xoxb-"):
            raise ValueError("must be a bot token starting with xoxb-")
        return value

    @field_validator("wrench_log_level", mode="before")
    @classmethod
    def _level_any_case(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("slack_signing_secret", "slack_app_token")
    @classmethod
    def _empty_is_unset(cls, value: SecretStr | None) -> SecretStr | None:
        return value if value is not None and value.get_secret_value() else None

    @field_validator("slack_app_token")
    @classmethod
    def _app_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xapp-"):
            raise ValueError("must be an app-level token starting with xapp-")
        return value

    @field_validator("slack_api_url")
    @classmethod
    def _api_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL like https://slack.com/api/")
        return value if value.endswith("/") else value + "/"

    def mode(self, requested: Mode | None = None) -> Mode:
        """The requested mode, else socket when an app token is set, else http."""
        chosen = requested or (Mode.SOCKET if self.slack_app_token else Mode.HTTP)
        if chosen is Mode.SOCKET and self.slack_app_token is None:
            raise SettingsError("SLACK_APP_TOKEN: required for --mode socket (an xapp- token)")
        if chosen is Mode.HTTP and self.slack_signing_secret is None:
            raise SettingsError("SLACK_SIGNING_SECRET: required for --mode http (Basic Information > Signing Secret)")
        return chosen


def load_settings(kind: type[S] = Settings, **overrides: Any) -> S:  # type: ignore[assignment]
    """Settings from the environment, or `SettingsError` naming the first bad variable."""
    try:
        return kind(**overrides)
    except ValidationError as error:
        first = error.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "settings"
        message = "is not set" if first["type"] == "missing" else first["msg"].removeprefix("Value error, ")
        raise SettingsError(f"{name}: {message}") from None
