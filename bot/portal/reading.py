"""Reading what the portal form sent (multipart, with a photo) without letting a sender fill the memory:
every part is read in chunks up to its limit, and the whole body up to a hard cap."""

from dataclasses import dataclass, field
from typing import Any

from aiohttp import BodyPartReader, web

from models.enums import FieldType
from services.org import Category
from services.portal import Photo, PortalRequest

TEXT_LIMIT = 16 * 1024  # a text field longer than this is cut here (the service then names it too long)
MAX_PARTS = 200
SLACK = 1024 * 1024  # room for the text fields and multipart framing besides the photo
CHUNK = 64 * 1024
TEXT_FIELDS = ("category", "title", "description", "location", "asset", "name", "email", "website")


class BodyTooLarge(Exception):
    """The body goes past the hard cap: answered with 413 without reading the rest."""


@dataclass
class Posted:
    """The form's text fields by name (to show them again), and the photo if one was chosen."""

    values: dict[str, str] = field(default_factory=dict)
    photo: Photo | None = None

    def text(self, name: str) -> str:
        return self.values.get(name, "")

    def to_request(self, category: Category | None) -> PortalRequest:
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
            photo=self.photo,
        )


def field_name(category: str, key: str) -> str:
    """A custom field's input name: per category, as two categories may both have a `floor`."""
    return f"cf.{category}.{key}"


async def read_form(request: web.Request, *, max_photo_bytes: int) -> Posted:
    """The posted form. Of a photo over `max_photo_bytes`, one byte more is kept (the service names it too
    large) and the rest drained."""
    hard_cap = max_photo_bytes + SLACK
    if request.content_length is not None and request.content_length > hard_cap:
        raise BodyTooLarge
    if request.content_type != "multipart/form-data":
        posted = await request.post()
        return Posted(values={k: v for k, v in posted.items() if isinstance(v, str)})
    posted_form = Posted()
    reader = await request.multipart()
    total = 0
    for _ in range(MAX_PARTS):
        part = await reader.next()
        if part is None:
            break
        if not isinstance(part, BodyPartReader) or not part.name:
            continue
        if part.filename is not None:
            if part.name != "photo":
                total += await _drain(part, hard_cap - total)
                continue
            content, size = await _read(part, max_photo_bytes + 1, hard_cap - total)
            total += size
            if size:
                posted_form.photo = Photo(filename=part.filename, content=content)
            continue
        content, size = await _read(part, TEXT_LIMIT, hard_cap - total)
        total += size
        posted_form.values[part.name] = content.decode("utf-8", errors="replace").replace("\r\n", "\n")
    return posted_form


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


async def _drain(part: BodyPartReader, allowed: int) -> int:
    return (await _read(part, 0, allowed))[1]


def client_address(request: web.Request, trusted_proxies: int) -> str:
    """The address the rate limit counts: behind `trusted_proxies` proxies, the one the outermost saw."""
    if trusted_proxies:
        chain = [hop.strip() for hop in request.headers.get("X-Forwarded-For", "").split(",") if hop.strip()]
        if chain:
            return chain[-min(trusted_proxies, len(chain))]
    return request.remote or "unknown"
