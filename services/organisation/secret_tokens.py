"""What API tokens and calendar addresses share: a secret shown once, kept as a SHA-256 hash beside a public
prefix that finds it, revocable, noting (coarsely) when it was last used. A slow password hash would buy
nothing: the secret is 32 random bytes, not something a person chose."""

import hashlib
import hmac
import re
import secrets
from datetime import datetime
from typing import TypeVar

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models.integrations import ApiToken, CalendarFeed


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new(kind: str) -> tuple[str, str]:
    """(prefix, token) for a token written `<kind>_<prefix>_<secret>`."""
    prefix = secrets.token_hex(4)
    return prefix, f"{kind}_{prefix}_{secrets.token_urlsafe(32)}"


Row = TypeVar("Row", ApiToken, CalendarFeed)


async def live(
    session: AsyncSession, model: type[Row], *, token: str, pattern: re.Pattern[str], now: datetime, granularity: float
) -> Row | None:
    """The unrevoked row `token` belongs to, or None (malformed, unknown, revoked, wrong secret). Its
    `last_used_at` is written when it is older than `granularity` seconds."""
    matched = pattern.match(token)
    if matched is None:
        return None
    stored = await session.scalar(select(model).where(model.prefix == matched.group(1)))
    if stored is None or stored.revoked_at is not None or not hmac.compare_digest(stored.secret_hash, digest(token)):
        return None
    last = stored.last_used_at
    if last is None or (now - last).total_seconds() >= granularity:
        await session.execute(update(model).where(model.id == stored.id).values(last_used_at=now))
        stored.last_used_at = now
    return stored
