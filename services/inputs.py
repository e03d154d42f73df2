"""Checks on free text people type into forms, shared by every use case that takes some."""

from services.errors import InvalidInput

MAX_LABOR_MINUTES = 24 * 60  # time logged at once: a day at most


def checked_text(text: str, *, field: str, limit: int, required: bool = True, ask: str = "This is required.") -> str:
    """`text` stripped; `InvalidInput` on `field` when it is missing (and `required`) or too long."""
    text = text.strip()
    if required and not text:
        raise InvalidInput(ask, field=field)
    if len(text) > limit:
        raise InvalidInput(f"Use at most {limit} characters (this has {len(text)}).", field=field)
    return text
