"""The web request portal through real HTTP: the form, filing with a photo (card and photo in Slack),
field errors, the honeypot, the per-address rate limit, approval, and the status page."""

import html
import io
import re
from functools import partial
from typing import Any

import aiohttp
import pytest
from PIL import Image
from sqlalchemy import select

from blocks.ids import Action
from models.db import Database
from models.requests import RequestPhoto, ServiceRequest
from models.work_orders import WorkOrder
from services.inventory import places
from services.organisation.integrations import Portal
from services.organisation.org import Organisation
from services.work_orders import assignment, lifecycle
from tests.conftest import FrozenClock
from tests.e2e.flow import posted_cards
from tests.e2e.test_intake import click_dm
from tests.support.bot import BotClient, started_bot
from tests.support.fake_slack import FakeSlack
from tests.support.org import MANAGER, TEAM_CHANNEL, TECH_1, organisation

ERROR = re.compile(r'<p class="error" id="([\w.]+)-error"[^>]*>(.*?)</p>', re.S)


@pytest.fixture
def org() -> Organisation:
    portal = Portal(enabled=True, public_url="https://wrench.example.com", requests_per_hour=2, max_photo_mb=1)
    return organisation().model_copy(update={"portal": portal})


def png(width: int = 40, height: int = 30) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def form(photo: bytes | None = None, filename: str = "leak.png", **values: str) -> aiohttp.FormData:
    data = aiohttp.FormData()
    fields = {"category": "plumbing", "title": "Leak in the lobby", "leave_empty": "", **values}
    for name, value in fields.items():
        data.add_field(name, value)
    if photo is not None:
        data.add_field("photo", photo, filename=filename, content_type="image/png")
    return data


async def send(bot: BotClient, data: Any, headers: dict[str, str] | None = None) -> tuple[int, str, str]:
    """POST the form; returns the status, the page, and where a redirect pointed."""
    async with bot.http.post(f"{bot.url}/portal", data=data, headers=headers, allow_redirects=False) as r:
        return r.status, await r.text(), r.headers.get("Location", "")


async def page(bot: BotClient, path: str) -> tuple[int, str, Any]:
    async with bot.http.get(f"{bot.url}{path}") as r:
        return r.status, await r.text(), r.headers


def errors_in(text: str) -> dict[str, str]:
    return {name: html.unescape(message) for name, message in ERROR.findall(text) if message.strip()}


async def requests_filed(db: Database) -> list[ServiceRequest]:
    async with db.unit_of_work() as session:
        return list(await session.scalars(select(ServiceRequest).order_by(ServiceRequest.id)))


async def test_the_form_offers_the_categories_and_prefills_the_asset(bot: BotClient, db: Database) -> None:
    add = partial(places.add_asset, now=bot.running.deps.clock(), tag="AHU-1", name="Roof air handler")
    await db.run(partial(add, location="HQ / Roof"))
    status, text, headers = await page(bot, "/portal?asset=ahu-1")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert (
        "frame-ancestors 'none'" in headers["Content-Security-Policy"] and headers["Referrer-Policy"] == "no-referrer"
    )
    for category in ("Plumbing", "Electrical", "Laptops", "Keys and access", "Heating and cooling"):
        assert f">{category}</option>" in text
    assert "<strong>AHU-1</strong> · Roof air handler" in text and 'value="HQ / Roof"' in text
    assert (
        'name="cf.hvac.floor"' in text and 'name="cf.hvac.contact"' not in text
    )  # nobody on the web picks a Slack user
    assert 'id="fields-hvac" disabled hidden' in text  # shown by the page's script once hvac is chosen

    status, text, _ = await page(bot, "/portal?asset=NOPE")
    assert (
        status == 200 and 'id="asset-hint"' not in text and 'name="asset" type="text" maxlength="64" value=""' in text
    )
    status, _, _ = await page(bot, "/portal/static/portal.js")
    assert status == 200
    for prefix in ("/portal", "/contractor"):  # the base stylesheet of both pages, each under its own path
        status, css, headers = await page(bot, f"{prefix}/static/base.css")
        assert status == 200 and headers["Content-Type"].startswith("text/css") and "box-sizing" in css


async def test_a_request_with_a_photo_becomes_a_card_with_the_photo_in_its_thread(bot: BotClient, db: Database) -> None:
    photo = png()
    status, _, location = await send(bot, form(photo, name="Jane Doe", email="jane@example.com", location="Lobby"))
    assert status == 303 and location.startswith("/portal/status/") and location.endswith("?new=1")

    await bot.fake.wait_for(lambda: posted_cards(bot))
    card = posted_cards(bot)[0]
    assert card.params["text"].startswith("WO-1 Leak in the lobby: Open, medium priority")
    assert "Requester* (web portal)\\nJane Doe <jane@example.com>" in str(card.params["blocks"]).replace(
        "&lt;", "<"
    ).replace("&gt;", ">")
    shared = (await bot.fake.wait_calls("files.completeUploadExternal", 1))[0]
    assert shared.params["channel_id"] == TEAM_CHANNEL and shared.params["thread_ts"] == card.answer["ts"]
    (uploaded,) = bot.fake.uploads.values()
    with Image.open(io.BytesIO(uploaded)) as shared_image:  # re-encoded: the same picture, as a JPEG
        assert (shared_image.format, shared_image.size) == ("JPEG", (40, 30))
    update = (await bot.fake.wait_calls("chat.update", 1, ts=card.answer["ts"]))[-1]
    assert "REQ-1-photo.jpg (in the thread)" in str(update.params["blocks"])
    assert not [c for c in bot.fake.find("chat.postMessage") if c.params["channel"] == "portal"]

    status, text, headers = await page(bot, location)
    assert status == 200 and headers["Cache-Control"] == "no-store"
    assert (
        "your request REQ-1 was received" in text and '<p class="state" id="state">Waiting for a technician</p>' in text
    )
    assert '<dd id="work-order">WO-1</dd>' in text
    (stored,) = await requests_filed(db)
    assert (stored.requester_name, stored.requester_email, stored.location) == ("Jane Doe", "jane@example.com", "Lobby")
    async with db.unit_of_work() as session:
        (kept,) = await session.scalars(select(RequestPhoto))
    assert kept.shared_at is not None and kept.content is None and kept.size == len(uploaded)


async def test_every_wrong_field_is_named_the_values_are_kept_and_nothing_is_filed(
    bot: BotClient, db: Database
) -> None:
    data = form(
        b"%PDF-1.4 not a photo",
        filename="notes.pdf",
        category="hvac",
        title=" ",
        email="jane@",
        asset="NOPE",
        description="Cold <b>room</b>",
        **{"cf.hvac.floor": "99", "cf.hvac.kind": "Too cold"},
    )
    status, text, _ = await send(bot, data)
    assert status == 422
    assert errors_in(text) == {
        "title": "Say in a few words what is wrong.",
        "email": "This does not look like an email address.",
        "asset": "There is no asset tagged NOPE.",
        "photo": "Send a photo (JPEG, PNG, GIF or WebP).",
        "field_floor": "Enter 40 or less.",
    }
    assert (
        "Cold &lt;b&gt;room&lt;/b&gt;</textarea>" in text
        and 'value="99"' in text
        and "<option selected>Too cold" in text
    )
    assert 'id="fields-hvac">' in text  # the chosen category's fields are shown again
    status, text, _ = await send(bot, form(png(), title=""))
    assert status == 422 and "Your photo was not kept: choose it again" in text
    status, text, _ = await send(bot, form(category="laptops", title="x" * 151))
    assert errors_in(text) == {"title": "Use at most 150 characters."}
    assert await requests_filed(db) == [] and not posted_cards(bot)


async def test_a_photo_over_the_limit_is_refused(bot: BotClient, db: Database) -> None:
    big = png() + b"\0" * (1024 * 1024)
    status, text, _ = await send(bot, form(big))
    assert status == 422 and errors_in(text) == {"photo": "The photo is too large: at most 1 MB."}
    status, text, _ = await send(bot, form(big * 3))  # past what any form may send: not even read
    assert status == 413 and "a photo may be at most 1 MB" in text
    assert await requests_filed(db) == []


async def test_spam_guard_honeypot_and_rate_limit_per_address(bot: BotClient, db: Database, clock: FrozenClock) -> None:
    status, text, _ = await send(bot, form(leave_empty="http://spam.example"))
    assert status == 200 and "Your request was received." in text and await requests_filed(db) == []

    assert (await send(bot, form(title="")))[0] == 422  # sent back to be mended: does not count
    assert (await send(bot, form(title="One")))[0] == 303
    clock.advance(minutes=30)
    assert (await send(bot, form(title="Two")))[0] == 303
    status, text, _ = await send(bot, form(title="Three"), {"X-Forwarded-For": "198.51.100.7"})  # no proxy trusted
    assert status == 429 and "please try again in 30 minutes" in text and 'value="Three"' in text
    clock.advance(minutes=31)
    assert (await send(bot, form(title="Four")))[0] == 303
    assert [r.title for r in await requests_filed(db)] == ["One", "Two", "Four"]


async def test_behind_a_proxy_each_forwarded_address_counts_on_its_own(
    database_url: str, fake_slack: FakeSlack, org: Organisation, clock: FrozenClock
) -> None:
    proxied = org.model_copy(update={"portal": org.portal.model_copy(update={"trusted_proxies": 1})})
    async with started_bot(database_url, fake_slack, proxied, clock=clock) as bot:
        for title in ("One", "Two", "Three"):
            status, _, _ = await send(bot, form(title=title), {"X-Forwarded-For": "203.0.113.9"})
        assert status == 429
        # what the proxy saw is the last address: the one a client wrote in front of it is not trusted
        forged = {"X-Forwarded-For": "203.0.113.9, 198.51.100.7"}
        assert (await send(bot, form(title="Four"), forged))[0] == 303
        # a proxy that adds its own header line: every line counts, the client's own first
        two_lines = [("X-Forwarded-For", "6.6.6.6"), ("X-Forwarded-For", "203.0.113.9")]
        async with bot.http.post(f"{bot.url}/portal", data=form(title="Five"), headers=two_lines) as answer:
            assert answer.status == 429
        ported = {"X-Forwarded-For": "203.0.113.9:51234"}  # some proxies write the port
        assert (await send(bot, form(title="Six"), ported))[0] == 429
        for host in ("2001:db8::1", "[2001:db8::2]:443"):  # one IPv6 /64 is one sender
            status, _, _ = await send(bot, form(title=host), {"X-Forwarded-For": host})
        assert status == 303 and (await send(bot, form(title="Seven"), {"X-Forwarded-For": "2001:db8::9"}))[0] == 429


async def test_the_portal_is_off_unless_enabled(database_url: str, fake_slack: FakeSlack, clock: FrozenClock) -> None:
    async with started_bot(database_url, fake_slack, organisation(), clock=clock) as bot:
        assert (await page(bot, "/portal"))[0] == 404
        assert (await send(bot, form()))[0] == 404


async def test_approval_asks_the_manager_with_the_web_contact_then_posts_the_card_and_photo(
    bot: BotClient, db: Database
) -> None:
    status, _, location = await send(bot, form(png(), category="keys", title="Key for B2", name="Sam Visitor"))
    assert status == 303
    dm = (await bot.fake.wait_calls("chat.postMessage", 1, channel=MANAGER))[0]
    assert "*Requested by* (web portal)\\nSam Visitor" in str(dm.params["blocks"]) and "<@portal>" not in str(dm.params)
    assert '<p class="state" id="state">Waiting for approval</p>' in (await page(bot, location))[1]
    assert not bot.fake.find("files.completeUploadExternal")  # no card yet: the photo waits with the request

    await click_dm(bot, dm, Action.APPROVE, MANAGER)
    card = (await bot.fake.wait_calls("chat.postMessage", 1, channel=TEAM_CHANNEL))[0]
    shared = (await bot.fake.wait_calls("files.completeUploadExternal", 1))[0]
    assert shared.params["thread_ts"] == card.answer["ts"]
    assert '<p class="state" id="state">Waiting for a technician</p>' in (await page(bot, location))[1]


async def test_unknown_status_pages_are_not_found(bot: BotClient) -> None:
    status, text, _ = await page(bot, "/portal/status/not-a-key")
    assert status == 404 and "There is no request at this address." in text


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("multipart/form-data", b"garbage"),
        ("multipart/form-data; boundary=" + "x" * 80, b"--x\r\n"),
        ("multipart/form-data; boundary=b", b"--b\r\nContent-Disposition: form-data; name=title\r\n\r\nhalf"),
        ("multipart/form-data; boundary=b", b"--b\r\nno colon here\r\n\r\nx\r\n--b--\r\n"),
        ("multipart/form-data; boundary=b", b"--b\r\nContent-Type: multipart/mixed\r\n\r\nx\r\n--b--\r\n"),
        ("application/json", b'{"title": "Leak"}'),
    ],
)
async def test_a_body_that_is_not_the_form_is_refused_plainly(
    bot: BotClient, db: Database, content_type: str, body: bytes
) -> None:
    async with bot.http.post(f"{bot.url}/portal", data=body, headers={"Content-Type": content_type}) as answer:
        text = await answer.text()
    assert answer.status == 400 and "What was sent is not the request form." in text
    assert await requests_filed(db) == []


async def test_what_a_page_could_not_show_never_reaches_a_card(bot: BotClient, db: Database) -> None:
    data = form(
        category="hvac",
        title="Cold\x00 room\x07",
        name="Ann\x00",
        **{"cf.hvac.floor": "3", "cf.hvac.contact": "U0ADMIN"},  # a user field the page never shows
    )
    assert (await send(bot, data))[0] == 303
    (stored,) = await requests_filed(db)
    assert (stored.title, stored.requester_name) == ("Cold room", "Ann")
    assert stored.custom_fields == {"floor": 3}
    status, text, _ = await page(bot, "/portal?asset=%00AB")
    assert status == 200 and 'id="asset-hint"' not in text
    # a plain (not multipart) form in bytes that are not UTF-8, whatever charset it claims: read as UTF-8
    headers = {"Content-Type": "application/x-www-form-urlencoded; charset=nope"}
    body = b"title=Hot%FF%FE&category=plumbing&leave_empty="
    async with bot.http.post(f"{bot.url}/portal", data=body, headers=headers, allow_redirects=False) as answer:
        assert answer.status == 303
    assert (await requests_filed(db))[-1].title == "Hot\ufffd\ufffd"


async def test_the_same_form_sent_twice_files_once(bot: BotClient, db: Database) -> None:
    _, text, _ = await page(bot, "/portal")
    (form_id,) = re.findall(r'name="form_id" value="([\w-]+)"', text)
    first = await send(bot, form(form_id=form_id))
    again = await send(bot, form(form_id=form_id))
    assert first[0] == again[0] == 303 and first[2] == again[2]
    assert len(await requests_filed(db)) == 1
    await bot.fake.wait_for(lambda: posted_cards(bot))
    assert len(posted_cards(bot)) == 1


async def test_phone_photos_are_turned_upright_and_lose_their_gps_position(bot: BotClient, db: Database) -> None:
    sideways = Image.new("RGB", (60, 20), (10, 200, 10))
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90 degrees to view
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0)}  # GPS latitude
    out = io.BytesIO()
    sideways.save(out, format="JPEG", exif=exif)
    assert (await send(bot, form(out.getvalue(), filename="../../etc/passwd.jpg")))[0] == 303
    await bot.fake.wait_calls("files.completeUploadExternal", 1)
    (uploaded,) = bot.fake.uploads.values()
    with Image.open(io.BytesIO(uploaded)) as shared:
        assert shared.size == (20, 60) and not shared.getexif()
    assert bot.fake.find("files.getUploadURLExternal")[0].params["filename"] == "REQ-1-photo.jpg"


async def test_floods_stop_before_any_work(bot: BotClient, db: Database) -> None:
    for _ in range(60):  # the floor: 60 attempts an hour, whatever they send
        await send(bot, form(title=""))
    status, text, _ = await send(bot, form())
    assert status == 429 and "Too many attempts" in text and await requests_filed(db) == []


async def test_closed_work_is_rated_on_its_status_page(bot: BotClient, db: Database, clock: FrozenClock) -> None:
    status, _, location = await send(bot, form(name="Jane Doe"))
    key_path = location.removesuffix("?new=1")
    _, text, _ = await page(bot, key_path)
    assert 'id="rating-form"' not in text  # open work is not rated yet
    deps = bot.running.deps
    [wo] = await work_orders_filed(db)
    for step in (
        partial(assignment.claim, work_order_id=wo.id, user_id=TECH_1),
        partial(lifecycle.complete, work_order_id=wo.id, user_id=TECH_1, resolution="Tightened the joint"),
        partial(lifecycle.confirm, work_order_id=wo.id, user_id=MANAGER),  # nobody on the web presses Confirm
    ):
        await db.run(partial(step, org=deps.org, now=clock()))
    _, text, _ = await page(bot, key_path)
    assert 'id="rating-form"' in text and f'action="{key_path}/rating"' in text

    async def rate(**values: str) -> tuple[int, str, str]:
        data = aiohttp.FormData()
        for name, value in values.items():
            data.add_field(name, value)
        async with bot.http.post(f"{bot.url}{key_path}/rating", data=data, allow_redirects=False) as r:
            return r.status, await r.text(), r.headers.get("Location", "")

    status, text, _ = await rate(comment="Quick <b>fix</b>")  # no rating picked: said, the comment kept
    assert status == 422 and "Pick a rating from 1 to 5." in text and "Quick &lt;b&gt;fix&lt;/b&gt;" in text
    status, _, where = await rate(rating="4", comment="Quick <b>fix</b>")
    assert status == 303 and where == f"{key_path}?rated=1"
    _, text, _ = await page(bot, where)
    assert "Thank you for your rating." in text and "You rated this 4 of 5: “Quick &lt;b&gt;fix&lt;/b&gt;”" in text
    assert 'id="rating-form"' not in text
    status, text, _ = await rate(rating="1")  # once
    assert status == 422 and "You already rated WO-1 4 of 5." in text
    assert (await rate(rating="5"))[0] == 422
    async with bot.http.post(f"{bot.url}/portal/status/nope/rating", data={"rating": "5"}) as r:
        assert r.status == 404
    async with db.unit_of_work() as session:
        stored = await session.get(WorkOrder, wo.id)
    assert stored is not None and (stored.rating, stored.rating_comment) == (4, "Quick <b>fix</b>")


async def work_orders_filed(db: Database) -> list[WorkOrder]:
    async with db.unit_of_work() as session:
        return list(await session.scalars(select(WorkOrder).order_by(WorkOrder.id)))
