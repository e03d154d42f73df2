"""Reading what the portal form sent (multipart, with a photo) without letting a sender fill the memory:
every part is read in chunks up to its limit, and the whole body up to a hard cap."""

import ipaddress
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import BodyPartReader, ClientPayloadError, MultipartReader, web
from aiohttp.http_exceptions import HttpProcessingError

from models.enums import FieldType
from services.organisation.org import Category
from services.requests.photos import PreparedPhoto
from services.requests.portal import PortalRequest

TEXT_LIMIT = 16 * 1024  # a text field longer than this is cut here (the service then names it too long)
MAX_PARTS = 200
SLACK = 1024 * 1024  # room for the text fields and multipart framing besides the photo
CHUNK = 64 * 1024
FORM_ID = re.compile(r"^[A-Za-z0-9_-]{16,43}$")
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class BodyTooLarge(Exception):
    """The body goes past the hard cap: answered with 413 without reading the rest."""


class BadForm(Exception):
    """The body cannot be read as a form (a broken multipart body, a wrong content type): 400."""


@dataclass(frozen=True)
class SentPhoto:
    """A photo as the browser sent it (at most one byte over the limit)."""

    filename: str
    content: bytes


@dataclass
class Posted:
    """The form's text fields by name (to show them again), and the photo if one was chosen."""

    values: dict[str, str] = field(default_factory=dict)
    photo: SentPhoto | None = None

    def text(self, name: str) -> str:
        return self.values.get(name, "")

    def form_id(self) -> str | None:
        """The form's random id (the page made it), when it looks like one."""
        sent = self.text("form_id")
        return sent if FORM_ID.match(sent) else None

    def to_request(
        self, category: Category | None, *, photo: PreparedPhoto | None = None, photo_problem: str | None = None
    ) -> PortalRequest:
        """What the services take; custom fields are those of the chosen category only."""
        custom: dict[str, Any] = {}
        if category is not None:
            for custom_field in category.fields:
                value = self.values.get(field_name(category.key, custom_field.key))
                if value is not None:
                    custom[custom_field.key] = value == "on" if custom_field.type is FieldType.CHECKBOX else value
        return PortalRequest(
            category=self.text("category"),
            title=self.text("title"),
            description=self.text("description"),
            location=self.text("location"),
            asset_tag=self.text("asset"),
            name=self.text("name"),
            email=self.text("email"),
            custom_fields=custom,
            photo=photo,
            photo_problem=photo_problem,
            form_id=self.form_id(),
        )


def field_name(category: str, key: str) -> str:
    """A custom field's input name: per category, as two categories may both have a `floor`."""
    return f"cf.{category}.{key}"


async def read_form(request: web.Request, *, max_photo_bytes: int) -> Posted:
    """The posted form. Of a photo over `max_photo_bytes`, one byte more is kept (the service names it too
    large) and the rest drained. `BadForm` when the body is not a form, `BodyTooLarge` past the cap."""
    hard_cap = max_photo_bytes + SLACK
    if request.content_length is not None and request.content_length > hard_cap:
        raise BodyTooLarge
    try:
        if request.content_type == "application/x-www-form-urlencoded":
            raw = await request.read()  # aiohttp's client_max_size (1 MiB) caps it
            return Posted(values={k: clean(v) for k, v in reversed(parse_qsl(raw.decode("utf-8", "replace")))})
        if request.content_type != "multipart/form-data":
            raise BadForm(f"expected a form, got {request.content_type}")
        return await _read_multipart(await request.multipart(), max_photo_bytes, hard_cap)
    except (ValueError, RuntimeError, LookupError, HttpProcessingError, ClientPayloadError) as error:
        raise BadForm(str(error) or type(error).__name__) from None


async def _read_multipart(reader: MultipartReader, max_photo_bytes: int, hard_cap: int) -> Posted:
    posted = Posted()
    total = 0
    for _ in range(MAX_PARTS):
        part = await reader.next()
        if part is None:
            return posted
        if not isinstance(part, BodyPartReader):
            raise BadForm("a form does not nest multipart bodies")
        if part.name == "photo" and part.filename is not None:
            content, size = await _read(part, max_photo_bytes + 1, hard_cap - total)
            if size and posted.photo is None:
                posted.photo = SentPhoto(filename=part.filename, content=content)
        elif part.name and part.filename is None:
            content, size = await _read(part, TEXT_LIMIT, hard_cap - total)
            posted.values.setdefault(part.name, clean(content.decode("utf-8", errors="replace")))
        else:  # a file under another name, or a part without a name: counted, not kept
            _, size = await _read(part, 0, hard_cap - total)
        total += size
    raise BadForm(f"more than {MAX_PARTS} parts")


async def _read(part: BodyPartReader, keep: int, allowed: int) -> tuple[bytes, int]:
    """Up to `keep` bytes of the part, and its whole size; past `allowed` the body is refused."""
    kept = bytearray()
    size = 0
    while chunk := await part.read_chunk(CHUNK):
        size += len(chunk)
        if size > allowed:
            raise BodyTooLarge
        if len(kept) < keep:
            kept += chunk[: keep - len(kept)]
    return bytes(kept), size


def clean(text: str) -> str:
    """Text as typed, without control characters (PostgreSQL refuses NUL) but for tabs and line ends."""
    return CONTROL.sub("", text.replace("\r\n", "\n"))


def client_address(request: web.Request, trusted_proxies: int) -> str:
    """The address the rate limit counts: behind `trusted_proxies` proxies, the one the outermost saw (the
    N-th entry from the right of every X-Forwarded-For line joined); an IPv6 address counts as its /64."""
    hop = request.remote or ""
    if trusted_proxies:
        chain = [h.strip() for line in request.headers.getall("X-Forwarded-For", []) for h in line.split(",")]
        chain = [h for h in chain if h]
        if chain:
            hop = chain[-min(trusted_proxies, len(chain))]
    return _counted(hop)


def _counted(hop: str) -> str:
    """`hop` as one address: a port or brackets dropped, an IPv6 address widened to its /64."""
    text = hop.strip()
    if text.startswith("["):  # [2001:db8::1]:443
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:  # 203.0.113.9:51234
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return text[:64] or "unknown"
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)
