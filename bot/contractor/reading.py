"""Reading what the contractor page's forms send: text fields, up to three photos and an invoice, each part
read in chunks up to its limit and the whole body up to a hard cap (`bot.pages.forms`)."""

from aiohttp import web

from bot.pages import forms
from services.contractor_jobs.files import MAX_PHOTOS

MAX_PARTS = 30
FILE_FIELDS = ("photos", "invoice")


async def read(request: web.Request, *, max_file_bytes: int) -> forms.Sent:
    """The posted form: room for the photos and an invoice, each of at most `max_file_bytes`."""
    return await forms.read(
        request,
        file_fields=FILE_FIELDS,
        max_file_bytes=max_file_bytes,
        max_files=MAX_PHOTOS + 1,
        max_parts=MAX_PARTS,
    )
