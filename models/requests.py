"""What a requester submitted, before (and linking to) the work order it became."""

from typing import Any

from sqlalchemy import JSON, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, EnumText, TimestampMixin
from models.enums import Priority, RequestStatus


class ServiceRequest(TimestampMixin, Base):
    __tablename__ = "service_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    requester_id: Mapped[str] = mapped_column(String(32), index=True)
    category: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(150))
    description: Mapped[str] = mapped_column(Text, default="")
    location: Mapped[str] = mapped_column(String(200), default="")
    priority: Mapped[Priority] = mapped_column(EnumText(Priority))
    status: Mapped[RequestStatus] = mapped_column(EnumText(RequestStatus))
    custom_fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Slack's view id of the submitted modal: a repeated submission finds the first request.
    source_key: Mapped[str | None] = mapped_column(String(64), unique=True)
