"""Domain errors. Their message is written for the person who clicked: handlers show it as is."""

from typing import Any


class DomainError(Exception):
    """A request the domain refuses; `str(error)` is safe and useful to show to the user."""


class NotFound(DomainError):
    pass


class InvalidTransition(DomainError):
    pass


class Forbidden(DomainError):
    pass


class Conflict(DomainError):
    """Someone else got there first (claimed, completed...)."""


class InvalidInput(DomainError):
    """A value the domain cannot accept; `field` names the form field when there is one."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class Stale(Conflict):
    """The clicked card or message was drawn before the work order last changed.

    `current` is the work order as it now stands, so the caller can redraw what the person saw.
    """

    def __init__(self, message: str, *, current: Any) -> None:
        super().__init__(message)
        self.current = current


class InvalidFields(InvalidInput):
    """Several form fields are wrong at once: `errors` maps each field to its message."""

    def __init__(self, errors: dict[str, str]) -> None:
        first_field, first_message = next(iter(errors.items()))
        super().__init__(first_message, field=first_field)
        self.errors = errors


class InvalidValues(InvalidFields):
    """Several values of a record are wrong at once (a vendor's email and its rate, say): `errors` maps each
    field, named as the record's own (not a custom field), to its message; the message names them all."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.args = ("; ".join(f"{field}: {message.removesuffix('.')}" for field, message in errors.items()),)
