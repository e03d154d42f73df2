"""The parts of `wrench.yml` that reach outside Slack: webhooks, the web request portal, the mail server."""

import os
import re
from email.headerregistry import Address
from email.utils import parseaddr
from typing import Annotated, Literal
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


def _mail_address(value: str) -> str:
    """`wrench@example.com` or `Wrench <wrench@example.com>`: what a From header may hold."""
    if not isinstance(value, str) or any(c in value for c in "\r\n"):
        raise ValueError(f"'{value}' is not an email address")
    name, address = parseaddr(value)
    local, at, domain = address.rpartition("@")
    if not at or not local or "." not in domain or " " in address:
        raise ValueError(f"'{value}' is not an email address such as Wrench <wrench@example.com>")
    Address(display_name=name, addr_spec=address)  # refuses what a header cannot carry
    return value


class Smtp(_Strict):
    """The mail server Wrench sends through (contractor links, purchase orders). Absent: no email is sent,
    and what it would carry is shown in Slack only (see docs/email.md)."""

    host: str = Field(min_length=1, max_length=253, pattern=r"^[A-Za-z0-9.\-:\[\]]+$")
    port: int = Field(default=587, ge=1, le=65535)
    # starttls: plain connection upgraded with STARTTLS (port 587); tls: TLS from the start (port 465);
    # none: no encryption (a relay on the same host or network only).
    security: Literal["starttls", "tls", "none"] = "starttls"
    username: str | None = Field(default=None, min_length=1, max_length=254)
    # The password, or the name of the environment variable that holds it (keeps it out of the file).
    password: str | None = Field(default=None, min_length=1)
    password_env: str | None = Field(default=None, pattern=ENV_NAME.pattern)
    from_address: Annotated[str, BeforeValidator(_mail_address)] = Field(alias="from")
    reply_to: Annotated[str, BeforeValidator(_mail_address)] | None = None
    timeout_seconds: int = Field(default=30, ge=1, le=300)

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="after")
    def _password_once(self) -> "Smtp":
        if self.password is not None and self.password_env is not None:
            raise ValueError("give either password or password_env, not both")
        if (self.password is not None or self.password_env is not None) and self.username is None:
            raise ValueError("a password needs a username")
        return self

    def login_password(self) -> str | None:
        """The password; from the environment when `password_env` names it (checked by `wrench config check`)."""
        if self.password_env is None:
            return self.password
        value = os.environ.get(self.password_env, "")
        if not value:
            raise ValueError(f"smtp: {self.password_env} is not set (it should hold the SMTP password)")
        return value
