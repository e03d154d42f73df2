"""Reading what a page's form sent (URL-encoded, or multipart with files) without letting a sender fill the
memory: every part is read in chunks up to its limit, and the whole body up to a hard cap."""

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from aiohttp import BodyPartReader, ClientPayloadError, MultipartReader, web
from aiohttp.http_exceptions import HttpProcessingError

TEXT_LIMIT = 16 * 1024  # a text field longer than this is cut here (the service then names it too long)
SLACK = 1024 * 1024  # room for the text fields and multipart framing besides the files
CHUNK = 64 * 1024
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class BodyTooLarge(Exception):
    """The body goes past the hard cap: answered with 413 without reading the rest."""


class BadForm(Exception):
    """The body cannot be read as a form (a broken multipart body, a wrong content type): 400."""


@dataclass
class Sent:
    """The form's text fields by name (the first of each, to show them again) and the files chosen."""

    values: dict[str, str] = field(default_factory=dict)
    files: list[tuple[str, bytes]] = field(default_factory=list)  # (field, content), each at most a byte over

    def text(self, name: str) -> str:
        return self.values.get(name, "")


async def read(
    request: web.Request, *, file_fields: Collection[str], max_file_bytes: int, max_files: int, max_parts: int
) -> Sent:
    """The posted form. Files are kept from the fields named in `file_fields` (an empty one is left out);
    of a file over `max_file_bytes`, one byte more is kept (the service names it too large) and the rest
    drained. `BadForm` when the body is not a form or has more than `max_parts` parts, `BodyTooLarge` past
    the hard cap: `max_files` files at their limit and room for the rest."""
    hard_cap = max_files * max_file_bytes + SLACK
    if request.content_length is not None and request.content_length > hard_cap:
        raise BodyTooLarge
    try:
        if request.content_type == "application/x-www-form-urlencoded":
            raw = await request.read()  # aiohttp's client_max_size (1 MiB) caps it
            return Sent(values={k: clean(v) for k, v in reversed(parse_qsl(raw.decode("utf-8", "replace")))})
        if request.content_type != "multipart/form-data":
            raise BadForm(f"expected a form, got {request.content_type}")
        multipart = await request.multipart()
        return await _read_multipart(multipart, file_fields, max_file_bytes, hard_cap, max_parts)
    except (ValueError, RuntimeError, LookupError, HttpProcessingError, ClientPayloadError) as error:
        raise BadForm(str(error) or type(error).__name__) from None


async def _read_multipart(
    reader: MultipartReader, file_fields: Collection[str], max_file_bytes: int, hard_cap: int, max_parts: int
) -> Sent:
    sent = Sent()
    total = 0
    for _ in range(max_parts):
        part = await reader.next()
        if part is None:
            return sent
        if not isinstance(part, BodyPartReader):
            raise BadForm("a form does not nest multipart bodies")
        name = part.name or ""
        if name in file_fields and part.filename is not None:
            content, size = await _read(part, max_file_bytes + 1, hard_cap - total)
            if size:
                sent.files.append((name, content))
        elif name and part.filename is None:
            content, size = await _read(part, TEXT_LIMIT, hard_cap - total)
            sent.values.setdefault(name, clean(content.decode("utf-8", errors="replace")))
        else:  # a file under another name, or a part without a name: counted, not kept
            _, size = await _read(part, 0, hard_cap - total)
        total += size
    raise BadForm(f"more than {max_parts} parts")


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
