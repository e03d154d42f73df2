"""Preventive maintenance: schedules (a work-order template plus a recurrence), the occurrences they
generated, and asset meter readings that drive usage-based schedules."""

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, EnumText, TimestampMixin
from models.enums import Anchor, NonWorking, Priority, Repeat


class PmSchedule(TimestampMixin, Base):
    __tablename__ = "pm_schedules"
    __table_args__ = (
        Index("ix_pm_schedules_generate_on", "generate_on"),
        # The tick's two other questions, each about a few schedules among many (partial indexes):
        # whose open occurrence has ended, and which meters may call for service.
        Index(
            "ix_pm_schedules_open_work_order_id",
            "open_work_order_id",
            sqlite_where=text("open_work_order_id IS NOT NULL"),
            postgresql_where=text("open_work_order_id IS NOT NULL"),
        ),
        Index(
            "ix_pm_schedules_asset_id_meter",
            "asset_id",
            "meter",
            sqlite_where=text("meter IS NOT NULL"),
            postgresql_where=text("meter IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # An optional stable name for CSV re-imports (`wrench import pm` updates the row with this key).
    key: Mapped[str | None] = mapped_column(String(64), unique=True)
    # The template every generated work order inherits.
    title: Mapped[str] = mapped_column(String(150))
    description: Mapped[str] = mapped_column(Text, default="")
    team: Mapped[str] = mapped_column(String(64), index=True)
    category: Mapped[str] = mapped_column(String(64))
    priority: Mapped[Priority] = mapped_column(EnumText(Priority))
    asset_id: Mapped[int | None] = mapped_column(ForeignKey("assets.id"), index=True)
    location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))
    checklist: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    estimated_minutes: Mapped[int | None]

    # The recurrence (services/maintenance/recurrence.py): calendar or cron, and/or a meter.
    repeat: Mapped[Repeat | None] = mapped_column(EnumText(Repeat))
    every: Mapped[int] = mapped_column(Integer, default=1)
    weekdays: Mapped[list[int]] = mapped_column(JSON, default=list)
    cron: Mapped[str | None] = mapped_column(String(100))
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]
    max_count: Mapped[int | None]
    anchor: Mapped[Anchor] = mapped_column(EnumText(Anchor), default=Anchor.FIXED)
    lead_days: Mapped[int] = mapped_column(Integer, default=0)
    non_working: Mapped[NonWorking] = mapped_column(EnumText(NonWorking), default=NonWorking.KEEP)
    meter: Mapped[str | None] = mapped_column(String(40))
    meter_every: Mapped[float | None] = mapped_column(Float)
    meter_threshold: Mapped[float | None] = mapped_column(Float)
    # False: generate each occurrence on time even while the previous one is still open.
    one_open: Mapped[bool] = mapped_column(default=True)

    # Where the schedule stands.
    next_due_on: Mapped[date | None]  # the next calendar occurrence (None: meter only, or ended)
    generate_on: Mapped[date | None]  # next_due_on minus the lead time: when the tick creates it
    open_work_order_id: Mapped[int | None]  # the occurrence still open (one at a time by default)
    generated_count: Mapped[int] = mapped_column(Integer, default=0)
    last_due_on: Mapped[date | None]
    missed: Mapped[int] = mapped_column(Integer, default=0)  # fixed dates skipped since the last one
    meter_base: Mapped[float | None] = mapped_column(Float)  # reading the next "every N units" counts from
    meter_armed: Mapped[bool] = mapped_column(default=True)  # a threshold fires once per crossing
    paused_at: Mapped[datetime | None]
    pause_reason: Mapped[str | None] = mapped_column(String(300))
    deleted_at: Mapped[datetime | None]
    created_by: Mapped[str] = mapped_column(String(32))

    version: Mapped[int] = mapped_column(Integer, nullable=False)
    __mapper_args__ = {"version_id_col": version}

    def plan(self, due: date | None) -> None:
        """Set the next due date (none once `max_count` work orders were made) and, from it, the day the
        generator acts on it (`generate_on`: none while paused or deleted)."""
        used_up = self.max_count is not None and self.generated_count >= self.max_count
        self.next_due_on = None if used_up else due
        stopped = self.paused_at is not None or self.deleted_at is not None
        lead = timedelta(days=self.lead_days)
        self.generate_on = None if stopped or self.next_due_on is None else self.next_due_on - lead


class PmOccurrence(Base):
    """One generated work order of a schedule; `(schedule_id, sequence)` is unique, so two schedulers
    racing for the same occurrence create it once."""

    __tablename__ = "pm_occurrences"
    __table_args__ = (UniqueConstraint("schedule_id", "sequence"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("pm_schedules.id"))
    sequence: Mapped[int]
    due_on: Mapped[date]
    work_order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id"), index=True)
    trigger: Mapped[str] = mapped_column(String(20))  # calendar, meter
    skipped: Mapped[int] = mapped_column(Integer, default=0)  # missed fixed dates it stands for
    created_at: Mapped[datetime]


class AssetMeter(Base):
    """The latest reading of one meter of one asset (running hours, cycles, kilometres...)."""

    __tablename__ = "asset_meters"
    __table_args__ = (UniqueConstraint("asset_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id"))
    name: Mapped[str] = mapped_column(String(40))
    value: Mapped[float] = mapped_column(Float)
    read_at: Mapped[datetime]


class MeterReading(Base):
    """Every reading ever entered (append-only history behind `AssetMeter`)."""

    __tablename__ = "meter_readings"
    __table_args__ = (Index("ix_meter_readings_asset_id_name_read_at", "asset_id", "name", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id"))
    name: Mapped[str] = mapped_column(String(40))
    value: Mapped[float] = mapped_column(Float)
    read_at: Mapped[datetime]
    actor_id: Mapped[str] = mapped_column(String(32))
