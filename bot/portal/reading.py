"""Reading what the portal form sent (`bot.pages.forms` reads it, capped), what the services take of it,
and the address the portal's rate limit counts."""

import ipaddress
import re
from typing import Any

from aiohttp import web

from bot.pages import forms
from models.enums import FieldType
from services.organisation.org import Category
from services.requests.photos import PreparedPhoto
from services.requests.portal import PortalRequest

PHOTO = "photo"  # the form's file field
MAX_PARTS = 200
FORM_ID = re.compile(r"^[A-Za-z0-9_-]{16,43}$")


class Posted(forms.Sent):
    """The form's text fields by name (to show them again), and the photo if one was chosen."""

    @property
    def photo(self) -> bytes | None:
        """The first photo sent (at most one byte over the limit)."""
        return next((content for name, content in self.files if name == PHOTO), None)

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
    sent = await forms.read(
        request, file_fields=(PHOTO,), max_file_bytes=max_photo_bytes, max_files=1, max_parts=MAX_PARTS
    )
    return Posted(values=sent.values, files=sent.files)


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
