"""Reading what the contractor page's forms send: text fields, up to three photos and an invoice, each part
read in chunks up to its limit and the whole body up to a hard cap (nothing fills the memory)."""

from dataclasses import dataclass, field

from aiohttp import BodyPartReader, ClientPayloadError, MultipartReader, web
from aiohttp.http_exceptions import HttpProcessingError

from bot.portal.reading import CHUNK, SLACK, TEXT_LIMIT, BadForm, BodyTooLarge, clean
from services.contractor_jobs.files import MAX_PHOTOS

MAX_PARTS = 30
FILE_FIELDS = ("photos", "invoice")


@dataclass
class Sent:
    values: dict[str, str] = field(default_factory=dict)
    files: list[tuple[str, bytes]] = field(default_factory=list)  # (field, content), each at most a byte over

    def text(self, name: str) -> str:
        return self.values.get(name, "")


def hard_cap(max_file_bytes: int) -> int:
    return (MAX_PHOTOS + 1) * max_file_bytes + SLACK


async def read(request: web.Request, *, max_file_bytes: int) -> Sent:
    cap = hard_cap(max_file_bytes)
    if request.content_length is not None and request.content_length > cap:
        raise BodyTooLarge
    try:
        if request.content_type == "application/x-www-form-urlencoded":
            form = await request.post()  # aiohttp's client_max_size (1 MiB) caps it
            return Sent(values={k: clean(str(v)) for k, v in form.items() if isinstance(v, str)})
        if request.content_type != "multipart/form-data":
            raise BadForm(f"expected a form, got {request.content_type}")
        return await _multipart(await request.multipart(), max_file_bytes, cap)
    except (ValueError, RuntimeError, LookupError, HttpProcessingError, ClientPayloadError) as error:
        raise BadForm(str(error) or type(error).__name__) from None


async def _multipart(reader: MultipartReader, max_file_bytes: int, cap: int) -> Sent:
    sent = Sent()
    total = 0
    for _ in range(MAX_PARTS):
        part = await reader.next()
        if part is None:
            return sent
        if not isinstance(part, BodyPartReader):
            raise BadForm("a form does not nest multipart bodies")
        if part.name in FILE_FIELDS and part.filename is not None:
            content, size = await _read(part, max_file_bytes + 1, cap - total)
            if size:
                sent.files.append((part.name, content))
        elif part.name and part.filename is None:
            content, size = await _read(part, TEXT_LIMIT, cap - total)
            sent.values.setdefault(part.name, clean(content.decode("utf-8", errors="replace")))
        else:
            _, size = await _read(part, 0, cap - total)
        total += size
    raise BadForm(f"more than {MAX_PARTS} parts")


async def _read(part: BodyPartReader, keep: int, allowed: int) -> tuple[bytes, int]:
    kept = bytearray()
    size = 0
    while chunk := await part.read_chunk(CHUNK):
        size += len(chunk)
        if size > allowed:
            raise BodyTooLarge
        if len(kept) < keep:
            kept += chunk[: keep - len(kept)]
    return bytes(kept), size
