"""Domain errors. Their message is written for the person who clicked: handlers show it as is."""


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
