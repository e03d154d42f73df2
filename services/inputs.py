"""Checks on free text people type into forms, shared by every use case that takes some."""

from services.errors import InvalidInput


def checked_text(text: str, *, field: str, limit: int, required: bool = True, ask: str = "This is required.") -> str:
    """`text` stripped; `InvalidInput` on `field` when it is missing (and `required`) or too long."""
    text = text.strip()
    if required and not text:
        raise InvalidInput(ask, field=field)
    if len(text) > limit:
        raise InvalidInput(f"Use at most {limit} characters (this has {len(text)}).", field=field)
    return text
