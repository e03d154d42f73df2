"""Reading one received email: who sent it, to whom, its subject, its text (HTML reduced to text), its
attachments, the messages it answers, and whether a robot sent it (an auto-reply, a bounce, a list)."""

import hashlib
import re
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr
from html.parser import HTMLParser

from services.mail.message import MESSAGE_ID

TEXT_MAX = 20_000  # more than any request needs; the rest of a very long mail is cut
QUOTED_HEADER = re.compile(r"^On .{5,200} wrote:$")


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class Incoming:
    message_id: str
    sender: str  # the bare address, lower case ("" when none could be read)
    sender_name: str
    recipients: list[str]  # To and Cc, bare addresses
    subject: str
    text: str
    attachments: list[Attachment] = field(default_factory=list)
    answers: list[str] = field(default_factory=list)  # In-Reply-To and References, Message-IDs
    robot: str | None = None  # why it is an automatic message (then it is not filed), or None


def parse(raw: bytes) -> Incoming:
    message = message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    name, sender = parseaddr(str(message.get("From", "")))
    recipients = [
        address.lower()
        for _, address in getaddresses([str(v) for v in message.get_all("To", []) + message.get_all("Cc", [])])
        if address
    ]
    answers = [
        ref for ref in re.findall(r"<[^<>\s]+>", f"{message.get('In-Reply-To', '')} {message.get('References', '')}")
    ]
    return Incoming(
        message_id=_message_id(message, raw),
        sender=sender.lower() if "@" in sender else "",
        sender_name=name.strip(),
        recipients=recipients,
        subject=" ".join(str(message.get("Subject", "")).split()),
        text=_text(message)[:TEXT_MAX],
        attachments=_attachments(message),
        answers=[ref for ref in answers if MESSAGE_ID.match(ref)],
        robot=_robot(message, sender),
    )


def _message_id(message: EmailMessage, raw: bytes) -> str:
    """Its Message-ID; a message without one (rare, and allowed) is known by a hash of its bytes."""
    found = re.findall(r"<[^<>\s]+>", str(message.get("Message-ID", "")))
    if found and MESSAGE_ID.match(found[0]):
        return str(found[0])
    return f"<sha256.{hashlib.sha256(raw).hexdigest()}@wrench.invalid>"


def _robot(message: EmailMessage, sender: str) -> str | None:
    auto = str(message.get("Auto-Submitted", "no")).strip().lower()
    if auto and auto != "no":
        return f"Auto-Submitted: {auto[:40]}"
    precedence = str(message.get("Precedence", "")).strip().lower()
    if precedence in ("bulk", "junk", "list", "auto_reply"):
        return f"Precedence: {precedence}"
    if message.get("List-Id") or message.get("List-Unsubscribe"):
        return "a mailing list"
    if message.get("X-Autoreply") or message.get("X-Autorespond"):
        return "an auto-reply"
    if str(message.get("Return-Path", "")).strip() == "<>" or not sender:
        return "no sender (a bounce)"
    local = sender.split("@")[0].lower()
    if local in ("mailer-daemon", "postmaster") or local.startswith(("noreply", "no-reply", "do-not-reply")):
        return f"sent by {local}"
    if message.get_content_type() == "multipart/report":
        return "a delivery report"
    return None


def _text(message: EmailMessage) -> str:
    """The plain-text part (or, when it is missing or empty, the HTML part reduced to text); the quoted
    history below a reply is kept out."""
    for kind in ("plain", "html"):
        part = message.get_body(preferencelist=(kind,))
        if part is None:
            continue
        try:
            content = str(part.get_content())
        except (LookupError, UnicodeError, AssertionError):
            payload = part.get_payload(decode=True)
            content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
        text = _without_quote(html_to_text(content) if kind == "html" else content).strip()
        if text:
            return text
    return ""


def _without_quote(text: str) -> str:
    """A reply's own words: up to the "On … wrote:" line or the first quoted (`>`) line."""
    kept = []
    for line in text.replace("\r\n", "\n").split("\n"):
        if line.startswith(">") or QUOTED_HEADER.match(line.strip()):
            break
        kept.append(line.rstrip())
    return "\n".join(kept)


def _attachments(message: EmailMessage) -> list[Attachment]:
    found = []
    for part in message.iter_attachments():
        content = part.get_payload(decode=True)
        if not isinstance(content, bytes):
            continue
        name = part.get_filename() or "attachment"
        found.append(Attachment(name[:120], part.get_content_type(), content))
    for part in message.walk():  # inline images in the HTML body are photos too
        if part.get_content_maintype() == "image" and part.get("Content-Disposition", "").startswith("inline"):
            content = part.get_payload(decode=True)
            if isinstance(content, bytes) and all(a.content != content for a in found):
                found.append(Attachment((part.get_filename() or "photo")[:120], part.get_content_type(), content))
    return found


class _TextOf(HTMLParser):
    BREAKS = {"br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "table"}
    HIDDEN = {"script", "style", "head", "title"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN:
            self.hidden += 1
        elif tag in self.BREAKS:
            self.parts.append("\n")
        if tag == "li":
            self.parts.append("• ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in self.BREAKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(re.sub(r"[ \t\r\n]+", " ", data))


def html_to_text(html: str) -> str:
    """What a reader sees of an HTML mail, as plain text: no tags, scripts or styles; paragraphs kept."""
    reader = _TextOf()
    reader.feed(html)
    reader.close()
    lines = [line.strip() for line in "".join(reader.parts).split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
