"""Building one email: plain text, attachments, the headers a mail server and a reader expect."""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr

from services.errors import InvalidInput

MAX_ATTACHED_BYTES = 15 * 1024 * 1024  # base64 makes it about 20 MB: under the 25 MB most servers take
ADDRESS = re.compile(r"^[^@\s<>\"(),;:]+@[^@\s<>\"(),;:]+\.[^@\s<>\"(),;:]+$")


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str  # e.g. application/pdf
    data: bytes


def recipient(value: str) -> str:
    """A bare address (`jo@acme.example`), checked: a header can never be smuggled in through it."""
    address = value.strip()
    if len(address) > 254 or not ADDRESS.match(address):
        raise InvalidInput(f"“{value}” is not an email address.")
    return address


def build(
    *,
    sender: str,
    reply_to: str | None,
    to: str,
    subject: str,
    text: str,
    attachments: Sequence[Attachment],
    now: datetime,
) -> EmailMessage:
    """The message as it will be sent. Subject lines lose their line breaks (they would end the header)."""
    if sum(len(attachment.data) for attachment in attachments) > MAX_ATTACHED_BYTES:
        raise InvalidInput(f"Attachments come to more than {MAX_ATTACHED_BYTES // (1024 * 1024)} MB.")
    message = EmailMessage()
    message["From"] = sender
    message["To"] = recipient(to)
    if reply_to:
        message["Reply-To"] = reply_to
    message["Subject"] = " ".join(subject.split())
    message["Date"] = format_datetime(now)
    domain = parseaddr(sender)[1].rpartition("@")[2] or "wrench.invalid"
    message["Message-ID"] = make_msgid(domain=domain)  # kept on retries: the reader sees one email
    message["Auto-Submitted"] = "auto-generated"  # no out-of-office replies to a robot
    message.set_content(text)
    for attachment in attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        message.add_attachment(
            attachment.data, maintype=maintype, subtype=subtype or "octet-stream", filename=attachment.filename
        )
    return message
