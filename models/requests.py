"""What a requester submitted, before (and linking to) the work order it became."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, LargeBinary, String, Text
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
    location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))
    asset_id: Mapped[int | None] = mapped_column(ForeignKey("assets.id"))
    priority: Mapped[Priority] = mapped_column(EnumText(Priority))
    status: Mapped[RequestStatus] = mapped_column(EnumText(RequestStatus))
    custom_fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    attachments: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    source_channel: Mapped[str | None] = mapped_column(String(32))
    source_ts: Mapped[str | None] = mapped_column(String(32))
    asset_down: Mapped[bool] = mapped_column(default=False)  # the requester said the asset stopped working
    # Approval: who decided, when, why not; and the approvers' DMs to update once it is decided.
    decided_by: Mapped[str | None] = mapped_column(String(32))
    decided_at: Mapped[datetime | None]
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    approval_messages: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    # Filed on the web portal by someone without Slack: who they said they are, and the secret key of
    # the status page the portal gave them.
    requester_name: Mapped[str | None] = mapped_column(String(120))
    requester_email: Mapped[str | None] = mapped_column(String(254))
    status_key: Mapped[str | None] = mapped_column(String(43), unique=True)
    # What it was filed from (a modal's view id, a message): a repeated submission finds the first.
    source_key: Mapped[str | None] = mapped_column(String(64), unique=True)


class RequestPhoto(Base):
    """A photo sent with a web portal request, kept until it is shared in the thread of the work order's
    card (then its bytes are dropped: Slack holds the file)."""

    __tablename__ = "request_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("service_requests.id"), index=True)
    filename: Mapped[str] = mapped_column(String(120))
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]
    shared_at: Mapped[datetime | None]
    slack_file_id: Mapped[str | None] = mapped_column(String(32))
