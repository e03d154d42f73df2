"""What listeners and jobs share: organisation, database, notifier, clock. Built once per process."""

from dataclasses import dataclass, field
from datetime import UTC, datetime

from models.db import Database
from services.organisation.org import Organisation
from services.ports import Clock, Notifier


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Deps:
    org: Organisation
    db: Database
    notifier: Notifier
    clock: Clock = field(default=utcnow)
