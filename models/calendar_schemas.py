"""Pydantic DTOs of the private calendar addresses (the calendar feeds)."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class CalendarFeedRead(BaseModel):
    """A private calendar address, without its secret (shown once, when made)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    prefix: str
    team: str | None
    person: str | None
    created_by: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @property
    def shown_prefix(self) -> str:
        return f"cal_{self.prefix}"
