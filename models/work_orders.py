"""The work order aggregate: the order itself, its append-only event log and its labor entries."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint, event, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, EnumText, TimestampMixin
from models.enums import HoldReason, Priority, SlaStatus, Status, WorkOrderType


class WorkOrder(TimestampMixin, Base):
    __tablename__ = "work_orders"
    __table_args__ = (
        Index("ix_work_orders_status_resolution_due_at", "status", "resolution_due_at"),
        # The SLA watch's other questions, each about a few active work orders among a history of finished
        # ones (partial indexes led by the status, so finished work is never read): which are unanswered
        # past their response time, which escalations are due their next level or a reminder.
        Index(
            "ix_work_orders_unanswered_status_response_due_at",
            "status",
            "response_due_at",
            sqlite_where=text("first_response_at IS NULL"),
            postgresql_where=text("first_response_at IS NULL"),
        ),
        Index(
            "ix_work_orders_escalated_status_escalated_at",
            "status",
            "escalated_at",
            sqlite_where=text("escalated_at IS NOT NULL"),
            postgresql_where=text("escalated_at IS NOT NULL"),
        ),
        # A team's work as the digest and the reports read it: open now (by status), filed since, and
        # completed or closed since; each a range of the team's rows, whatever its history's length.
        Index("ix_work_orders_team_status_resolution_due_at", "team", "status", "resolution_due_at"),
        Index("ix_work_orders_team_created_at", "team", "created_at"),
        Index("ix_work_orders_team_completed_at_closed_at", "team", "completed_at", "closed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(unique=True)
    title: Mapped[str] = mapped_column(String(150))
    description: Mapped[str] = mapped_column(Text, default="")
    type: Mapped[WorkOrderType] = mapped_column(EnumText(WorkOrderType), default=WorkOrderType.CORRECTIVE)
    priority: Mapped[Priority] = mapped_column(EnumText(Priority))
    status: Mapped[Status] = mapped_column(EnumText(Status), default=Status.OPEN, index=True)
    category: Mapped[str] = mapped_column(String(64))
    team: Mapped[str] = mapped_column(String(64))  # led by the team indexes above
    location: Mapped[str] = mapped_column(String(200), default="")
    location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"), index=True)
    asset_id: Mapped[int | None] = mapped_column(ForeignKey("assets.id"), index=True)
    requester_id: Mapped[str] = mapped_column(String(32), index=True)
    assignee_id: Mapped[str | None] = mapped_column(String(32), index=True)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("service_requests.id"))
    custom_fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Slack file references ({id, name, permalink, stage}): Slack keeps the bytes.
    attachments: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # The Slack message it was filed from (message shortcut, emoji intake), and its permalink.
    source_channel: Mapped[str | None] = mapped_column(String(32))
    source_ts: Mapped[str | None] = mapped_column(String(32))
    source_link: Mapped[str | None] = mapped_column(String(500))

    hold_reason: Mapped[HoldReason | None] = mapped_column(EnumText(HoldReason))
    # Why it is in its current status: the hold note, cancellation or reopen reason.
    status_note: Mapped[str | None] = mapped_column(Text)

    response_due_at: Mapped[datetime | None]
    resolution_due_at: Mapped[datetime | None]
    first_response_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    completed_by: Mapped[str | None] = mapped_column(String(32))
    closed_at: Mapped[datetime | None]
    resolution: Mapped[str | None] = mapped_column(Text)
    cause: Mapped[str | None] = mapped_column(Text)
    # The requester's satisfaction, asked once the work closes: 1 to 5, and what they said.
    rating: Mapped[int | None]
    rating_comment: Mapped[str | None] = mapped_column(Text)
    rated_at: Mapped[datetime | None]

    # Whether each SLA target was met; the scheduler marks breaches and escalates (each level once).
    sla_response: Mapped[SlaStatus] = mapped_column(EnumText(SlaStatus), default=SlaStatus.ONGOING)
    sla_resolution: Mapped[SlaStatus] = mapped_column(EnumText(SlaStatus), default=SlaStatus.ONGOING)
    sla_warned_at: Mapped[datetime | None]
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)
    escalated_at: Mapped[datetime | None]
    # An escalation nobody claims or acknowledges is reminded about until someone does.
    acknowledged_by: Mapped[str | None] = mapped_column(String(32))
    acknowledged_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]
    # Hold time that does not count against the SLA: since when, and how much so far (seconds).
    on_hold_since: Mapped[datetime | None]
    sla_paused_seconds: Mapped[int] = mapped_column(Integer, default=0)

    # Preventive work: the schedule it came from, its checklist (items with results) and estimate.
    pm_schedule_id: Mapped[int | None] = mapped_column(ForeignKey("pm_schedules.id"), index=True)
    checklist: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    estimated_minutes: Mapped[int | None]

    card_channel: Mapped[str | None] = mapped_column(String(32))
    card_ts: Mapped[str | None] = mapped_column(String(32))
    card_permalink: Mapped[str | None] = mapped_column(String(500))  # asked of Slack once, for every DM

    version: Mapped[int] = mapped_column(Integer, nullable=False)
    __mapper_args__ = {"version_id_col": version}

    events: Mapped[list["WorkOrderEvent"]] = relationship(
        back_populates="work_order", order_by="WorkOrderEvent.id", lazy="raise"
    )


class WorkOrderEvent(Base):
    """Append-only audit trail: who did what, when. Never updated or deleted."""

    __tablename__ = "work_order_events"
    __table_args__ = (Index("ix_work_order_events_work_order_id_id", "work_order_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    work_order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id"))
    at: Mapped[datetime]
    actor_id: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    work_order: Mapped[WorkOrder] = relationship(back_populates="events", lazy="raise")


@event.listens_for(WorkOrderEvent, "before_update")
@event.listens_for(WorkOrderEvent, "before_delete")
def _events_are_append_only(_mapper: Any, _connection: Any, target: WorkOrderEvent) -> None:
    raise PermissionError(f"work_order_events is append-only (event {target.id})")


class LaborEntry(Base):
    __tablename__ = "labor_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    work_order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id"), index=True)
    user_id: Mapped[str] = mapped_column(String(32))
    minutes: Mapped[int]
    logged_at: Mapped[datetime]
    # The hourly rate when it was logged (config may change later) and what the time cost, in cents.
    rate_cents: Mapped[int | None]
    cost_cents: Mapped[int] = mapped_column(Integer, default=0)


class CostEntry(Base):
    """A cost that is neither labor nor stock parts (a contractor's invoice, a rental), entered on the card."""

    __tablename__ = "cost_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    work_order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id"), index=True)
    description: Mapped[str] = mapped_column(String(200))
    amount_cents: Mapped[int] = mapped_column(Integer)
    actor_id: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime]


class LaborTimer(Base):
    """A running "⏱ Timer" on a card: one per person and work order; stopping it logs the time."""

    __tablename__ = "labor_timers"
    __table_args__ = (UniqueConstraint("work_order_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    work_order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id"))  # led by the unique key
    user_id: Mapped[str] = mapped_column(String(32), index=True)
    started_at: Mapped[datetime]
