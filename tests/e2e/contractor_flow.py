"""Steps shared by the contractor tests: a vendor in the register, sending a card's work order to it through
the ⋯ menu and the form, and the contractor page over HTTP."""

import io
import re
from functools import partial
from typing import Any

from PIL import Image

from blocks.ids import Action, MoreOption
from models.db import Database
from services.contracting import vendors
from services.organisation.integrations import Portal
from services.organisation.org import Organisation
from tests.conftest import FrozenClock
from tests.e2e.flow import open_card_form
from tests.support import slack_requests as sr
from tests.support.bot import BotClient
from tests.support.fake_slack import Call
from tests.support.org import organisation

PUBLIC = "https://wrench.example.com"
KEY = re.compile(r"/contractor/([A-Za-z0-9_-]{43})")


def contractor_org() -> Organisation:
    portal = Portal(public_url=PUBLIC, max_photo_mb=1)  # the portal stays off: the link needs its address only
    return organisation().model_copy(update={"portal": portal, "currency": "GBP"})


async def add_vendor(db: Database, clock: FrozenClock, org: Organisation, key: str, name: str, **values: str) -> int:
    made = await db.run(partial(vendors.add_vendor, org=org, now=clock(), values={"key": key, "name": name, **values}))
    return made.id


async def vendor_options(bot: BotClient, form: dict[str, Any], typed: str, user_id: str) -> list[dict[str, Any]]:
    """The type-ahead as Slack asks for it: a block_suggestion carrying the open form."""
    payload = {
        "type": "block_suggestion",
        "team": {"id": "T0WRENCH", "domain": "wrench"},
        "user": {"id": user_id, "team_id": "T0WRENCH"},
        "api_app_id": "A0WRENCH",
        "token": "legacy",
        "action_id": Action.PICK_VENDOR,
        "block_id": "vendor",
        "value": typed,
        "container": {"type": "view", "view_id": "V0OPENFORM"},
        "view": {**form, "id": "V0OPENFORM"},
    }
    status, answer = await bot.send(sr.interaction(payload))
    assert status == 200
    return list(answer["options"])


def send_values(
    vendor_id: int, nte: str = "450", note: str = "Please look at the pump", contact: str = ""
) -> dict[str, Any]:
    return {
        "vendor": sr.select_value(f"vendor:{vendor_id}", kind="external_select"),
        "note": sr.text_value(note),
        "not_to_exceed": sr.text_value(nte),
        "contact": sr.text_value(contact),
    }


async def open_send_form(bot: BotClient, card: Call, user_id: str) -> dict[str, Any]:
    return await open_card_form(bot, card, Action.MANAGE, user_id, type="overflow", option=MoreOption.CONTRACTOR)


async def send_to(bot: BotClient, card: Call, vendor_id: int, user_id: str, **values: str) -> str:
    """Send the card's work order to the vendor; returns the link's key (from the form's answer)."""
    form = await open_send_form(bot, card, user_id)
    status, body = await bot.submit(form, send_values(vendor_id, **values), user_id=user_id)
    assert status == 200 and body is not None and body["response_action"] == "update", body
    found = KEY.search(str(body["view"]))
    assert found, body
    return found.group(1)


async def get(bot: BotClient, key: str, **headers: str) -> tuple[int, str]:
    async with bot.http.get(f"{bot.url}/contractor/{key}", headers=headers, allow_redirects=False) as r:
        return r.status, await r.text()


async def post(
    bot: BotClient,
    key: str,
    fields: dict[str, str],
    files: list[tuple[str, str, bytes, str]] | None = None,
    **headers: str,
) -> tuple[int, str, str]:
    """POST one of the page's forms (multipart when files are sent); returns status, page and redirect."""
    data: Any = fields
    if files:
        import aiohttp

        data = aiohttp.FormData()
        for name, value in fields.items():
            data.add_field(name, value)
        for name, filename, content, kind in files:
            data.add_field(name, content, filename=filename, content_type=kind)
    async with bot.http.post(f"{bot.url}/contractor/{key}", data=data, headers=headers, allow_redirects=False) as r:
        return r.status, await r.text(), r.headers.get("Location", "")


def png(width: int = 40, height: int = 30) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (20, 120, 200)).save(out, format="PNG")
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
