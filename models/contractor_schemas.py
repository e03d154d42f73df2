"""Pydantic DTOs of work sent to a contractor, as a card shows it."""

from pydantic import BaseModel, ConfigDict

from models.enums import JobState


class ContractorOnCard(BaseModel):
    """The open contractor job a card shows: who has the work, where it stands, the amounts as text."""

    model_config = ConfigDict(frozen=True)

    job_id: int
    vendor: str  # the vendor's name
    state: JobState
    not_to_exceed: str | None = None  # "450.00 GBP"
    cost: str | None = None
    hours: str | None = None
    resolution: str | None = None
