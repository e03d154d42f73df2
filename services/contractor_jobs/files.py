"""Photos and invoices a contractor sends from their page: checked and prepared off the event loop (photos
re-encoded as the portal's are; an invoice is a PDF or an image), kept in the database until they are
shared in the card's thread, then their bytes are dropped."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.contractor_jobs import ContractorFile, ContractorJob
from models.work_orders import WorkOrder
from services.errors import InvalidInput
from services.requests import photos

PDF_MAGIC = b"%PDF-"
MAX_PHOTOS = 3  # on one form


@dataclass(frozen=True)
class Upload:
    """A file ready to be kept: what it is, its type and bytes (a photo re-encoded, a PDF as sent)."""

    kind: str  # photo | invoice
    content_type: str
    extension: str
    content: bytes


def prepare(kind: str, content: bytes, *, max_bytes: int) -> Upload:
    """`InvalidInput` (field `photos` or `invoice`) for what is too large or not what it should be."""
    field = "photos" if kind == "photo" else "invoice"
    megabytes = max_bytes // (1024 * 1024)
    if len(content) > max_bytes:
        raise InvalidInput(f"The file is too large: at most {megabytes} MB.", field=field)
    if kind == "invoice" and content.startswith(PDF_MAGIC):
        return Upload("invoice", "application/pdf", "pdf", content)
    try:
        image = photos.prepare(content, max_bytes=max_bytes)
    except InvalidInput:
        wanted = (
            "a PDF or a photo of it (JPEG, PNG, GIF or WebP)"
            if kind == "invoice"
            else "a photo (JPEG, PNG, GIF or WebP)"
        )
        raise InvalidInput(f"Send {wanted}.", field=field) from None
    return Upload(kind, image.content_type, image.extension, image.content)


async def keep(
    session: AsyncSession, job: ContractorJob, ref: str, uploads: list[Upload], *, now: datetime
) -> list[str]:
    """Store the uploads until they are shared; returns the names Wrench gave them."""
    count = int(await session.scalar(select(func.count()).where(ContractorFile.job_id == job.id)) or 0)
    names = []
    for number, upload in enumerate(uploads, start=count + 1):
        name = f"{ref}-contractor-{upload.kind}-{number}.{upload.extension}"
        session.add(
            ContractorFile(
                job_id=job.id,
                kind=upload.kind,
                filename=name,
                content_type=upload.content_type,
                size=len(upload.content),
                content=upload.content,
                created_at=now,
            )
        )
        names.append(name)
    await session.flush()
    return names


@dataclass(frozen=True)
class FileToShare:
    id: int
    filename: str
    kind: str
    content: bytes


async def to_share(session: AsyncSession, work_order_id: int) -> list[FileToShare]:
    """The contractor files of a work order not yet shared in Slack."""
    found = await session.execute(
        select(ContractorFile)
        .join(ContractorJob, ContractorJob.id == ContractorFile.job_id)
        .where(ContractorJob.work_order_id == work_order_id, ContractorFile.shared_at.is_(None))
        .order_by(ContractorFile.id)
    )
    return [FileToShare(f.id, f.filename, f.kind, f.content or b"") for f in found.scalars()]


async def shared(
    session: AsyncSession, *, file_id: int, work_order_id: int, file: dict[str, Any], now: datetime
) -> None:
    """The file is in the card's thread now: list it among the work order's files and drop its bytes."""
    work_order = await session.get(WorkOrder, work_order_id, with_for_update=True)  # first: serialises sharers
    kept = await session.get(ContractorFile, file_id, with_for_update=True, populate_existing=True)
    if kept is None or work_order is None or kept.shared_at is not None:
        return
    kept.shared_at, kept.slack_file_id, kept.content = now, str(file.get("id") or "")[:32] or None, None
    listed = {"id": file.get("id"), "name": kept.filename, "permalink": file.get("permalink"), "stage": "contractor"}
    work_order.attachments = [*work_order.attachments, listed]


async def names_of(session: AsyncSession, job_id: int) -> list[tuple[str, str]]:
    """(kind, name) of every file sent on a job, as its page lists them."""
    found = await session.execute(
        select(ContractorFile.kind, ContractorFile.filename)
        .where(ContractorFile.job_id == job_id)
        .order_by(ContractorFile.id)
    )
    return [(kind, name) for kind, name in found]
