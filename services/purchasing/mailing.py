"""A purchase order emailed to its vendor when it is ordered: the PDF attached, the PO number (and the work
order's) in the subject, queued in the transaction that orders it (`services.mail`); nothing when no mail server is
configured or the vendor has no email address."""

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from models.purchasing import PurchaseOrder
from models.views import PurchaseRead
from services.errors import InvalidInput
from services.mail.message import Attachment
from services.mail.queue import queue_mail
from services.organisation.org import Organisation
from services.purchasing import pdf


def document(org: Organisation, order: PurchaseRead) -> bytes:
    """The PDF the vendor gets (by email, and in the order's Slack thread)."""
    buyer = org.purchasing.buyer or org.team(order.team).name
    ordered_on = org.local_date(order.ordered_at) if order.ordered_at else None
    return pdf.render(order, buyer=buyer, address=org.purchasing.address, ordered_on=ordered_on)


def _subject(order: PurchaseRead, buyer: str) -> str:
    """What it is about first, as every email's subject (`PO-3: …`), and the work order it is for."""
    for_work = f" for {order.work_order_ref}" if order.work_order_ref else ""
    return f"{order.ref}: purchase order from {buyer}{for_work}"


async def email_vendor(session: AsyncSession, org: Organisation, order: PurchaseRead, *, now: datetime) -> bool:
    """Queue the order to the vendor's address; True when queued (and recorded on the order)."""
    if org.smtp is None or not order.vendor_email:
        return False
    buyer = org.purchasing.buyer or org.team(order.team).name
    lines = "\n".join(f"  {line.quantity} x {line.sku} {line.name} at {line.unit_cost}" for line in order.lines)
    text = (
        f"Hello {order.vendor_name},\n\nPlease find attached purchase order {order.ref} from {buyer}:\n\n"
        f"{lines}\n\nTotal: {order.total} {order.currency}\n\n"
        f"Please quote {order.ref} on your delivery note and invoice.\n"
    )
    attachment = Attachment(pdf.filename(order), "application/pdf", document(org, order))
    try:
        queued = await queue_mail(
            session,
            org,
            to=order.vendor_email,
            subject=_subject(order, buyer),
            text=text,
            attachments=[attachment],
            about=order.ref,
            now=now,
        )
    except InvalidInput:  # an address the register let in that mail will not take: the order stands, unsent
        return False
    if queued:
        await session.execute(
            update(PurchaseOrder)
            .where(PurchaseOrder.id == order.id)
            .values(emailed_to=order.vendor_email)
            .execution_options(synchronize_session=False)
        )
    return queued
