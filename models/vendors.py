"""The vendors register: outside contractors, the trades (categories) they serve, how to reach them, what
an hour of their work costs, and when their insurance or contract runs out."""

from datetime import date

from sqlalchemy import JSON, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, TimestampMixin

KEY_MAX = 64
NAME_MAX = 150
CONTACT_MAX = 150
EMAIL_MAX = 254
PHONE_MAX = 40
NOTES_MAX = 2000


class Vendor(TimestampMixin, Base):
    __tablename__ = "vendors"

    id: Mapped[int] = mapped_column(primary_key=True)
    # What people type and the API's paths use ("acme-hvac"); unique regardless of case.
    key: Mapped[str] = mapped_column(String(KEY_MAX), unique=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    trades: Mapped[list[str]] = mapped_column(JSON, default=list)  # category keys of wrench.yml
    contact_name: Mapped[str] = mapped_column(String(CONTACT_MAX), default="")
    email: Mapped[str] = mapped_column(String(EMAIL_MAX), default="")
    phone: Mapped[str] = mapped_column(String(PHONE_MAX), default="")
    # In the currency's minor units (cents; yen have none): money is never a float. None: not agreed.
    hourly_rate_minor: Mapped[int | None] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))  # ISO 4217
    # When the vendor's insurance or contract runs out (whichever comes first); None: not tracked.
    expires_on: Mapped[date | None]
    notes: Mapped[str] = mapped_column(Text, default="")
