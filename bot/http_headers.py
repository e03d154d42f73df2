"""Reading the HTTP headers Wrench acts on."""

from datetime import timedelta


def retry_after(value: str | None, *, cap: timedelta) -> timedelta | None:
    """`Retry-After` in seconds (an HTTP date is ignored: the caller's backoff applies), at most `cap`, so
    no value can overflow a date."""
    text = (value or "").strip()
    if not text.isdigit():
        return None
    seconds = int(text) if len(text) <= 9 else 10**9
    return min(timedelta(seconds=seconds), cap)
