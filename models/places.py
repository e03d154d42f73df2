"""Where work happens: locations (a hierarchy: site → building → floor → room), the assets in them, and
the periods an asset was down."""

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, EnumText, TimestampMixin
from models.enums import AssetStatus, Criticality

LEVEL_MAX = 120  # one level of a location ("Building A"), and the whole path
PATH_MAX = 500


class Location(TimestampMixin, Base):
    __tablename__ = "locations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(LEVEL_MAX))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"), index=True)
    # "Main site / Building A / Floor 2 / Room 204": what people type and what cards show.
    path: Mapped[str] = mapped_column(String(PATH_MAX), unique=True)


class Asset(TimestampMixin, Base):
    __tablename__ = "assets"

    id: Mapped[int] = mapped_column(primary_key=True)
    tag: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(150))
    location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"), index=True)
    category: Mapped[str | None] = mapped_column(String(64))  # pumps, HVAC, vehicles...
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("assets.id"))  # a component of a larger asset
    manufacturer: Mapped[str | None] = mapped_column(String(100))
    model: Mapped[str | None] = mapped_column(String(100))
    serial: Mapped[str | None] = mapped_column(String(100))
    installed_on: Mapped[date | None]
    criticality: Mapped[Criticality] = mapped_column(EnumText(Criticality), default=Criticality.MEDIUM)
    status: Mapped[AssetStatus] = mapped_column(EnumText(AssetStatus), default=AssetStatus.RUNNING)
    # The outside contractor that services it (the vendors register), if one does.
    service_vendor_id: Mapped[int | None] = mapped_column(ForeignKey("vendors.id"))


class Downtime(Base):
    """A period an asset was down: opened when work on it reports it down, closed when its last open work
    order is completed (or someone brings it back up)."""

    __tablename__ = "downtimes"
    __table_args__ = (Index("ix_downtimes_asset_id_started_at", "asset_id", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id"))
    work_order_id: Mapped[int | None] = mapped_column(ForeignKey("work_orders.id"))
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    reason: Mapped[str] = mapped_column(Text, default="")
    started_by: Mapped[str] = mapped_column(String(32))
    ended_by: Mapped[str | None] = mapped_column(String(32))
