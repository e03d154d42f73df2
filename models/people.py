"""Per-person choices made in Slack (from the Home tab)."""

from datetime import date, datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class PersonSettings(Base):
    __tablename__ = "person_settings"

    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    # A DM each working morning with their own open work, most overdue first.
    morning_dm: Mapped[bool] = mapped_column(default=False)
    # The local date of the last one: claimed with a conditional UPDATE, so it goes once per day.
    morning_dm_sent_on: Mapped[date | None]
    # The period of the KPIs a manager's Home tab shows: 7 or 30 days.
    home_kpi_days: Mapped[int] = mapped_column(default=7)
    updated_at: Mapped[datetime]
