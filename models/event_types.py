"""The names of the events Wrench publishes to webhooks, `work_order.<kind>` and `request.<what>`: part of
the public contract (with `models.public`), read by the webhook settings and by what publishes."""

from fnmatch import fnmatchcase

from models.enums import EventKind

REQUEST_EVENTS = ("submitted", "approved", "rejected")

EVENT_TYPES: tuple[str, ...] = (
    *(f"work_order.{kind.value}" for kind in EventKind),
    *(f"request.{what}" for what in REQUEST_EVENTS),
)


def work_order_event(kind: str) -> str:
    return f"work_order.{kind}"


def request_event(what: str) -> str:
    return f"request.{what}"


def matches(pattern: str, event_type: str) -> bool:
    """`*` matches every event, `work_order.*` every work-order event, a full name that one event."""
    return fnmatchcase(event_type, pattern)


def known_pattern(pattern: str) -> bool:
    return any(matches(pattern, event_type) for event_type in EVENT_TYPES)
