"""Checks on free text people type into forms, shared by every use case that takes some."""

import re
from typing import Any

from services.errors import InvalidInput

MAX_LABOR_MINUTES = 24 * 60  # time logged at once: a day at most

# PostgreSQL cannot store NUL in text, and half of a surrogate pair (JSON can spell one, "\ud800") is
# not text at all: no database, JSON encoder or Slack message takes either, so every way in refuses them.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
UNSTORABLE = "Remove the character that cannot be stored here (a NUL, or half of a surrogate pair)."


def searchable(text: str) -> str:
    """`text` without what no stored text holds (databases refuse it even in a query): for searches."""
    return _UNSTORABLE.sub("", text)


def unstorable_at(value: Any) -> tuple[str | int, ...] | None:
    """Where in `value` (a string, or JSON-like lists and dicts of them, keys too) the first text that
    cannot be stored is, as a path of keys and indexes (`()`: `value` itself); None when all is well."""
    if isinstance(value, str):
        return () if _UNSTORABLE.search(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and _UNSTORABLE.search(key):
                return (key,)
            found = unstorable_at(item)
            if found is not None:
                return (key, *found)
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            found = unstorable_at(item)
            if found is not None:
                return (index, *found)
    return None


def checked_text(text: str, *, field: str, limit: int, required: bool = True, ask: str = "This is required.") -> str:
    """`text` stripped; `InvalidInput` on `field` when it is missing (and `required`) or too long."""
    text = text.strip()
    if required and not text:
        raise InvalidInput(ask, field=field)
    if len(text) > limit:
        raise InvalidInput(f"Use at most {limit} characters (this has {len(text)}).", field=field)
    return text
