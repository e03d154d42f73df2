"""Reading the HTTP headers Wrench acts on."""

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime


def retry_after(value: str | None, *, cap: timedelta, now: datetime | None = None) -> timedelta | None:
    """How long `Retry-After` asks to wait, at most `cap` (so no value can overflow a date).

    Both forms of RFC 9110 are read: delta-seconds (`120`) and an HTTP date (`Wed, 21 Oct 2026 07:28:00
    GMT`, counted from `now`, the wall clock by default; a date in the past means no wait). None when the
    header is missing or unreadable: the caller's own backoff applies."""
    text = (value or "").strip()
    if not text:
        return None
    if text.isascii() and text.isdigit():  # str.isdigit() also takes "²", which int() refuses
        seconds = int(text) if len(text) <= 9 else 10**9
        return min(timedelta(seconds=seconds), cap)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:  # RFC 9110 dates are GMT; an obsolete form without a zone is taken as such
        when = when.replace(tzinfo=UTC)
    wait = when - (now or datetime.now(UTC))
    return min(max(wait, timedelta()), cap)


def header(headers: Mapping[str, object], name: str) -> str | None:
    """A header's value whatever its case; slack_sdk keeps each value as a list."""
    for key, value in headers.items():
        if key.lower() == name.lower():
            if isinstance(value, list | tuple):
                return str(value[0]) if value else None
            return str(value)
    return None
