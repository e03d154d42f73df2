"""Bearer tokens for the REST API: made, listed and revoked from the CLI, checked on every API call.

A token is `wrn_<prefix>_<secret>`. It is printed once; the database keeps the prefix (to tell tokens
apart in listings and logs) and a SHA-256 hash of the whole token (`secret_tokens`).
"""

import re
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.integrations import ApiToken
from services.errors import Conflict, InvalidInput, NotFound
from services.organisation import secret_tokens
from services.organisation.org import USER_ID

TOKEN_PATTERN = re.compile(r"^wrn_([a-z0-9]{8})_([A-Za-z0-9_-]{43})$")
NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
LAST_USED_GRANULARITY_SECONDS = 60  # `last_used_at` is written at most once a minute per token


class Scope(StrEnum):
    READ = "read"  # every GET
    WRITE = "write"  # create requests and work orders, change status and assignment, add and change vendors


class TokenRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    prefix: str
    scopes: list[Scope]
    acts_as: str | None
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


def parse_scopes(text: str) -> list[Scope]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    known = {scope.value for scope in Scope}
    for name in names:
        if name not in known:
            raise InvalidInput(f"'{name}' is not a scope; use {', '.join(sorted(known))}.", field="scopes")
    if not names:
        raise InvalidInput("Give at least one scope: read, write.", field="scopes")
    return sorted({Scope(name) for name in names})


async def create(
    session: AsyncSession, *, now: datetime, name: str, scopes: list[Scope], acts_as: str | None = None
) -> tuple[TokenRead, str]:
    """Store a new token; returns it and the secret, which nobody can see again."""
    if not NAME_PATTERN.match(name):
        raise InvalidInput("A token name is lower-case letters, digits, . _ - (up to 64).", field="name")
    if acts_as is not None and not USER_ID.match(acts_as):
        raise InvalidInput(f"'{acts_as}' is not a Slack user id (like U024BE7LH).", field="acts_as")
    if await session.scalar(select(ApiToken.id).where(ApiToken.name == name)) is not None:
        raise Conflict(f"There is already a token named {name} (a revoked one keeps its name); pick another name.")
    prefix, token = secret_tokens.new("wrn")
    stored = ApiToken(
        name=name,
        prefix=prefix,
        secret_hash=secret_tokens.digest(token),
        scopes=[s.value for s in scopes],
        acts_as=acts_as,
        created_at=now,
    )
    session.add(stored)
    await session.flush()
    return TokenRead.model_validate(stored), token


async def listing(session: AsyncSession) -> list[TokenRead]:
    rows = await session.scalars(select(ApiToken).order_by(ApiToken.name))
    return [TokenRead.model_validate(row) for row in rows]


async def revoke(session: AsyncSession, *, now: datetime, name: str) -> TokenRead:
    stored = await session.scalar(select(ApiToken).where(ApiToken.name == name))
    if stored is None:
        raise NotFound(f"There is no token named {name}.")
    if stored.revoked_at is None:
        stored.revoked_at = now
        await session.flush()
    return TokenRead.model_validate(stored)


async def authenticate(session: AsyncSession, *, now: datetime, token: str) -> TokenRead | None:
    """The live token `token` is, or None (malformed, unknown, revoked). Notes when it was last used."""
    stored = await secret_tokens.live(
        session, ApiToken, token=token, pattern=TOKEN_PATTERN, now=now, granularity=LAST_USED_GRANULARITY_SECONDS
    )
    return TokenRead.model_validate(stored) if stored is not None else None
