"""Purchasing: requests for parts that become purchase orders (`PO-n`) once approved, their lines, and
every receipt of what arrived. Money is kept in the currency's minor units (integers), never floats."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, EnumText, TimestampMixin
from models.enums import PurchaseStatus

NOTE_MAX = 1000
MAX_LINES = 10  # a request's lines: what one modal can show with a quantity and a cost each


OPEN_STATUSES = (PurchaseStatus.ORDERED, PurchaseStatus.PARTLY_RECEIVED)  # ordered and still to come


class PurchaseOrder(TimestampMixin, Base):
    """A purchase request, and once approved the purchase order it became (the same row, numbered then)."""

    __tablename__ = "purchase_orders"
    __table_args__ = (Index("ix_purchase_orders_status_ordered_at", "status", "ordered_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int | None] = mapped_column(Integer, unique=True)  # PO-n, from the counters on approval
    status: Mapped[PurchaseStatus] = mapped_column(EnumText(PurchaseStatus))
    team: Mapped[str] = mapped_column(String(64))  # whose spend it is (wrench.yml team key)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id"), index=True)
    work_order_id: Mapped[int | None] = mapped_column(ForeignKey("work_orders.id"), index=True)
    requested_by: Mapped[str] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(Text, default="")
    currency: Mapped[str] = mapped_column(String(3))
    total_minor: Mapped[int] = mapped_column(Integer)  # the lines' expected total
    decided_by: Mapped[str | None] = mapped_column(
        String(32)
    )  # approved (or rejected) by; "wrench" below the threshold
    decided_at: Mapped[datetime | None]
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    ordered_at: Mapped[datetime | None]
    received_at: Mapped[datetime | None]  # the last line arrived in full
    cancelled_by: Mapped[str | None] = mapped_column(String(32))
    cancelled_at: Mapped[datetime | None]
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    # The approvers' DMs (channel, ts), to show the decision once it is made.
    approval_messages: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    # The purchase order's message (with Receive) and the thread its PDF is in.
    message_channel: Mapped[str | None] = mapped_column(String(32))
    message_ts: Mapped[str | None] = mapped_column(String(32))
    emailed_to: Mapped[str | None] = mapped_column(String(254))  # the vendor's address it was queued to, if any
    # Bumped by every change: a Receive form drawn before another receipt is refused, never counted twice.
    version: Mapped[int] = mapped_column(Integer, default=1)


class PurchaseLine(Base):
    """A part ordered: how many (whole units of the part), at what expected unit cost, and how many arrived."""

    __tablename__ = "purchase_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("purchase_orders.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    part_id: Mapped[int] = mapped_column(ForeignKey("parts.id"))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_cost_minor: Mapped[int] = mapped_column(Integer)  # expected, in the order's currency
    received: Mapped[int] = mapped_column(Integer, default=0)


class PurchaseReceipt(Base):
    """Some of a line that arrived, at its actual unit cost: the stock movement it made is beside it."""

    __tablename__ = "purchase_receipts"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("purchase_orders.id"), index=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("purchase_lines.id"))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_cost_minor: Mapped[int] = mapped_column(Integer)  # actual, in the order's currency
    over: Mapped[bool] = mapped_column(default=False)  # more than was ordered, confirmed by who received it
    actor_id: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(index=True)
