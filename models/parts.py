"""The parts register: parts with their stock, and every stock change as a movement (never an overwrite)."""

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, TimestampMixin


class Part(TimestampMixin, Base):
    __tablename__ = "parts"

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(150))
    unit: Mapped[str] = mapped_column(String(20), default="each")
    unit_cost_cents: Mapped[int] = mapped_column(Integer, default=0)
    # Kept equal to the sum of the part's movements; changed only together with a movement.
    on_hand: Mapped[float] = mapped_column(Float, default=0)
    reorder_point: Mapped[float] = mapped_column(Float, default=0)
    location: Mapped[str] = mapped_column(String(200), default="")
    # The low-stock alert went out for the current dip below the reorder point (once per crossing).
    low_alerted: Mapped[bool] = mapped_column(default=False)


class StockMovement(Base):
    """One change of a part's stock: used on a work order (negative), received or counted (adjusted)."""

    __tablename__ = "stock_movements"
    __table_args__ = (Index("ix_stock_movements_part_id_at", "part_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    part_id: Mapped[int] = mapped_column(ForeignKey("parts.id"))
    work_order_id: Mapped[int | None] = mapped_column(ForeignKey("work_orders.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # use, receive, adjust
    quantity: Mapped[float] = mapped_column(Float)  # signed: what it did to the stock
    unit_cost_cents: Mapped[int] = mapped_column(Integer)  # the part's cost when it moved
    overridden: Mapped[bool] = mapped_column(default=False)  # taken below zero by a manager
    note: Mapped[str] = mapped_column(Text, default="")
    actor_id: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime]
