"""Where work happens: locations (a hierarchy: site → building → floor → room) and the assets in them.

Issue 5 grows these into full registers; the request modal's type-ahead pickers read them now.
"""

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, TimestampMixin


class Location(TimestampMixin, Base):
    __tablename__ = "locations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"), index=True)
    # "Main site / Building A / Floor 2 / Room 204": what people type and what cards show.
    path: Mapped[str] = mapped_column(String(500), unique=True)


class Asset(TimestampMixin, Base):
    __tablename__ = "assets"

    id: Mapped[int] = mapped_column(primary_key=True)
    tag: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(150))
    location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"), index=True)
