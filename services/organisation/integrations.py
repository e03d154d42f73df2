"""The parts of `wrench.yml` that reach outside Slack: webhooks and the web request portal."""

import os
import re
from typing import Annotated
from urllib.parse import quote

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from models import event_types

KEY = re.compile(r"^[a-z][a-z0-9_-]{0,63}$")
ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")
MIN_SECRET = 16


def _key(value: str) -> str:
    if not isinstance(value, str) or not KEY.match(value):
        raise ValueError(f"'{value}' is not a key (lower-case letters, digits, _ and -, starting with a letter)")
    return value


def _http_url(value: str) -> str:
    if not isinstance(value, str) or not re.match(r"^https?://[^\s/]+", value):
        raise ValueError(f"'{value}' is not an http(s) URL")
    return value


def _origin(value: str) -> str:
    """Scheme and host (and port) only: Wrench serves the portal at /portal of that address."""
    if not isinstance(value, str) or not re.match(r"^https?://[^\s/?#]+/?$", value):
        raise ValueError(f"'{value}' is not a scheme and host such as https://wrench.example.com (no path)")
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Webhook(_Strict):
    """An endpoint that gets every event it subscribes to, signed with its secret."""

    name: Annotated[str, BeforeValidator(_key)]
    url: Annotated[str, BeforeValidator(_http_url)]
    events: tuple[str, ...] = ("*",)
    # The signing secret, or the name of the environment variable that holds it (keeps it out of the file).
    secret: str | None = Field(default=None, min_length=MIN_SECRET)
    secret_env: str | None = Field(default=None, pattern=ENV_NAME.pattern)

    @field_validator("events")
    @classmethod
    def _known_events(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [pattern for pattern in value if not event_types.known_pattern(pattern)]
        if unknown or not value:
            raise ValueError(f"'{unknown[0] if unknown else ''}' matches no event (see docs/webhooks.md)")
        return value

    @model_validator(mode="after")
    def _one_secret(self) -> "Webhook":
        if (self.secret is None) == (self.secret_env is None):
            raise ValueError("give either secret or secret_env")
        return self

    def wants(self, event_type: str) -> bool:
        return any(event_types.matches(pattern, event_type) for pattern in self.events)

    def signing_secret(self) -> str:
        """The secret; from the environment when `secret_env` names it (checked by `wrench config check`)."""
        if self.secret is not None:
            return self.secret
        value = os.environ.get(self.secret_env or "", "")
        if len(value) < MIN_SECRET:
            raise ValueError(f"webhook {self.name}: {self.secret_env} must hold a secret of {MIN_SECRET}+ characters")
        return value


class Portal(_Strict):
    """The web request portal at `/portal`, for people without Slack (see docs/portal.md). Off by default."""

    enabled: bool = False
    # The address people reach Wrench at (what the QR labels point to), e.g. https://wrench.example.com.
    public_url: Annotated[str, BeforeValidator(_origin)] | None = None
    # Which categories the portal offers; empty means every category it can offer (see docs/portal.md).
    categories: tuple[Annotated[str, BeforeValidator(_key)], ...] = ()
    # Requests one address may file in an hour (the spam guard, with a honeypot field).
    requests_per_hour: int = Field(default=10, ge=1, le=10_000)
    # The largest photo accepted, in megabytes.
    max_photo_mb: int = Field(default=10, ge=1, le=50)
    # Reverse proxies in front of Wrench that add X-Forwarded-For: the address counted is the one the
    # outermost of them saw. 0: the connection's own address (no proxy).
    trusted_proxies: int = Field(default=0, ge=0, le=5)

    @property
    def max_photo_bytes(self) -> int:
        return self.max_photo_mb * 1024 * 1024

    def label_url(self, tag: str) -> str:
        """Where an asset's QR label points: the portal form with the asset chosen."""
        base = (self.public_url or "").rstrip("/")
        return f"{base}/portal?asset={quote(tag, safe='')}"
