"""Durations as operators write them in wrench.yml: `30s`, `15m`, `4h`, `3d`, `1w`, `1h30m`."""

import re
from datetime import timedelta

_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_PART = re.compile(r"(\d+)([smhdw])")
_WHOLE = re.compile(r"(?:\d+[smhdw])+")


def parse_duration(text: str, *, allow_zero: bool = False) -> timedelta:
    """Parse `1h30m`-style text; raise ValueError with the accepted format otherwise. A zero duration
    (`0s`, `0m`, a bare `0`) is refused unless `allow_zero`, for settings where zero means "never"."""
    cleaned = text.strip().lower().replace(" ", "")
    if allow_zero and cleaned == "0":
        return timedelta()
    if not _WHOLE.fullmatch(cleaned):
        raise ValueError(f"'{text}' is not a duration: use a number and a unit s, m, h, d or w, like 30m or 1h30m")
    duration = timedelta()
    try:
        for amount, unit in _PART.findall(cleaned):
            duration += timedelta(**{_UNITS[unit]: int(amount)})
    except OverflowError:  # more than timedelta holds (about 2.7 million years)
        raise ValueError(f"'{text}' is too long for a duration") from None
    if duration <= timedelta() and not allow_zero:
        raise ValueError(f"'{text}' must be longer than zero")
    return duration


def format_duration(duration: timedelta) -> str:
    """The inverse of `parse_duration` for display: `1d4h`, `15m`."""
    seconds = int(duration.total_seconds())
    parts = []
    for unit, size in (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        amount, seconds = divmod(seconds, size)
        if amount:
            parts.append(f"{amount}{unit}")
    return "".join(parts) or "0s"
