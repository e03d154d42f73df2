"""The team's photos on the contractor page: a photo attached in Slack's request form is shown to the
contractor, fetched from Slack with the bot token, upright and without its EXIF; documents are only counted;
a photo past the last is 404, a revoked link shows none, and Slack being away leaves the page working."""

import io

import pytest
from PIL import Image

from blocks.ids import Action, MoreOption
from models.db import Database
from services.organisation.org import Organisation
from tests.conftest import FrozenClock
from tests.e2e.contractor_flow import PDF, add_vendor, contractor_org, get, send_to
from tests.e2e.flow import open_card_form, open_request_modal, posted_cards, request_values
from tests.support import slack_requests as sr
from tests.support.bot import BotClient
from tests.support.fake_slack import BOT_TOKEN, Call
from tests.support.org import MANAGER, STAFF, TECH_1

ORIENTATION = 0x0112
CAMERA_MAKE = 0x010F


@pytest.fixture
def org() -> Organisation:
    return contractor_org()


def phone_photo() -> bytes:
    """A 40 by 30 JPEG a phone took turned on its side (EXIF orientation 6), with the phone's make in EXIF."""
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    exif[CAMERA_MAKE] = "PhoneMaker"
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 60, 20)).save(out, format="JPEG", exif=exif)
    return out.getvalue()


async def file_with_files(bot: BotClient, *names_and_bytes: tuple[str, bytes]) -> Call:
    """A request filed through the form with files in its file input, as Slack keeps and describes them."""
    kept = [bot.fake.keep_upload(name, content, user=STAFF) for name, content in names_and_bytes]
    view = await open_request_modal(bot, user_id=STAFF)
    values = {**request_values(), "files": {"type": "file_input", "files": kept}}
    assert await bot.submit(view, values, user_id=STAFF) == (200, None)
    await bot.fake.wait_for(lambda: len(posted_cards(bot)) == 1)
    return posted_cards(bot)[0]


async def photo(bot: BotClient, key: str, number: int) -> tuple[int, str, bytes]:
    async with bot.http.get(f"{bot.url}/contractor/{key}/photos/{number}", allow_redirects=False) as response:
        return response.status, response.content_type, await response.read()


async def test_the_team_photo_is_shown_from_slack_upright_and_without_exif(
    bot: BotClient, db: Database, clock: FrozenClock, org: Organisation
) -> None:
    acme = await add_vendor(db, clock, org, "acme", "Acme Plumbing", trades="plumbing")
    card = await file_with_files(bot, ("leak.jpg", phone_photo()), ("floor-plan.pdf", PDF))
    key = await send_to(bot, card, acme, TECH_1)

    status, page = await get(bot, key)
    assert status == 200
    assert f'<img src="/contractor/{key}/photos/1" alt="Photo 1 from the team: leak.jpg"' in page
    assert f"/contractor/{key}/photos/2" not in page  # the PDF is not a photo: counted, not shown
    assert "The team has 1 other file of this work in their workspace" in page

    reads_before = len(bot.fake.file_reads)
    status, kind, body = await photo(bot, key, 1)
    assert (status, kind) == (200, "image/jpeg")
    with Image.open(io.BytesIO(body)) as shown:
        assert shown.size == (30, 40)  # turned upright
        assert dict(shown.getexif()) == {}  # the phone's EXIF (a GPS position, often) is not passed on
    assert bot.fake.file_reads[reads_before:] == [f"Bearer {BOT_TOKEN}"]
    assert [c.params["file"] for c in bot.fake.find("files.info")] == [card_file_id(bot, "leak.jpg")]

    assert (await photo(bot, key, 1))[0] == 200
    assert len(bot.fake.file_reads) == reads_before + 1  # shown again from memory, not asked of Slack again
    assert (await photo(bot, key, 2))[0] == 404
    assert (await photo(bot, "x" * 43, 1))[0] == 404

    form = await open_card_form(bot, card, Action.MANAGE, MANAGER, type="overflow", option=MoreOption.REVOKE_CONTRACTOR)
    assert await bot.submit(form, {"reason": sr.text_value("Wrong firm")}, user_id=MANAGER) == (200, None)
    status, _, body = await photo(bot, key, 1)
    assert status == 410 and b"revoked by the team" in body


async def test_without_slack_the_page_still_works_and_the_photo_says_it_is_not_available(
    bot: BotClient, db: Database, clock: FrozenClock, org: Organisation
) -> None:
    acme = await add_vendor(db, clock, org, "acme", "Acme Plumbing", trades="plumbing")
    card = await file_with_files(bot, ("leak.jpg", phone_photo()))
    key = await send_to(bot, card, acme, TECH_1)
    bot.fake.failures["files.info"] = "missing_scope"
    assert (await get(bot, key))[0] == 200
    status, _, body = await photo(bot, key, 1)
    assert status == 502 and b"could not be fetched" in body
    del bot.fake.failures["files.info"]
    assert (await photo(bot, key, 1))[:2] == (200, "image/jpeg")


def card_file_id(bot: BotClient, name: str) -> str:
    return next(file_id for file_id, file in bot.fake.workspace.files.items() if file.get("name") == name)
