"""The web portal in a real headless Chromium (Debian's `chromium` and `chromium-driver`), on a phone-sized
window: open the form from an asset's QR link, pick a category (its own fields appear), fill it in,
attach a photo, send it, land on the status page, and see the card and the photo in the fake Slack.
Screenshots are written to WRENCH_SCREENSHOTS (or the test's tmp folder) to be looked at."""

import asyncio
import base64
import io
import os
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.wait import WebDriverWait

from models.db import Database
from services.inventory import places
from services.organisation.integrations import Portal
from services.organisation.org import Organisation
from tests.e2e.flow import posted_cards
from tests.support.bot import BotClient
from tests.support.browser import chromium
from tests.support.org import TEAM_CHANNEL, organisation

PHONE = (390, 844)


@pytest.fixture
def org() -> Organisation:
    return organisation().model_copy(update={"portal": Portal(enabled=True, public_url="https://wrench.example.com")})


@pytest.fixture
def browser() -> Iterator[webdriver.Chrome]:
    metrics = {"width": PHONE[0], "height": PHONE[1], "pixelRatio": 2, "touch": True}
    with chromium(mobileEmulation={"deviceMetrics": metrics}) as driver:
        yield driver


def screenshots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("WRENCH_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def full_page_screenshot(driver: webdriver.Chrome, path: Path) -> None:
    """The whole page, not only what the phone's screen shows."""
    height = driver.execute_script("return document.documentElement.scrollHeight")
    shot = driver.execute_cdp_cmd(
        "Page.captureScreenshot",
        {"captureBeyondViewport": True, "clip": {"x": 0, "y": 0, "width": PHONE[0], "height": height, "scale": 1}},
    )
    path.write_bytes(base64.b64decode(shot["data"]))


def fill_in_and_send(driver: webdriver.Chrome, form_url: str, photo: Path, shots: Path) -> dict[str, Any]:
    """What a person does on their phone (blocking: run in a thread while the bot serves)."""
    wait = WebDriverWait(driver, 15)
    driver.get(form_url)
    seen: dict[str, Any] = {
        "asset": driver.find_element(By.ID, "asset-hint").text,
        "location": driver.find_element(By.ID, "location").get_attribute("value"),
        "hvac_shown_before": driver.find_element(By.ID, "fields-hvac").is_displayed(),
    }
    Select(driver.find_element(By.ID, "category")).select_by_visible_text("Heating and cooling")
    seen["hvac_shown_after"] = driver.find_element(By.ID, "fields-hvac").is_displayed()
    driver.find_element(By.ID, "send").click()  # the title is still empty: the browser itself says so
    seen["blocked_by_browser"] = "/portal/status/" not in driver.current_url
    driver.find_element(By.ID, "title").send_keys("Roof unit blowing warm air")
    driver.find_element(By.ID, "description").send_keys("Since this morning, the meeting rooms are 28 °C.")
    driver.find_element(By.ID, "cf.hvac.floor").send_keys("7")
    Select(driver.find_element(By.ID, "cf.hvac.kind")).select_by_visible_text("Too hot")
    driver.find_element(By.NAME, "cf.hvac.safe").click()
    driver.find_element(By.ID, "photo").send_keys(str(photo))
    driver.find_element(By.ID, "name").send_keys("Jane Visitor")
    driver.find_element(By.ID, "email").send_keys("jane@example.com")
    seen["fits_the_phone"] = driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")
    full_page_screenshot(driver, shots / "portal-form.png")
    driver.find_element(By.ID, "send").click()
    wait.until(lambda d: "/portal/status/" in d.current_url)
    seen["status_url"] = driver.current_url
    seen["received"] = driver.find_element(By.ID, "received").text
    seen["state"] = driver.find_element(By.ID, "state").text
    full_page_screenshot(driver, shots / "portal-status.png")
    seen["console"] = [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
    return seen


async def test_a_visitor_files_a_request_from_a_phone_browser(
    bot: BotClient, db: Database, browser: webdriver.Chrome, tmp_path: Path
) -> None:
    await db.run(partial(places.add_asset, now=bot.running.deps.clock(), tag="AHU-1", name="Roof air handler",
                         location="HQ / Roof"))  # fmt: skip
    photo = tmp_path / "unit.jpg"
    Image.new("RGB", (640, 480), (30, 90, 160)).save(photo, format="JPEG")
    shots = screenshots(tmp_path)

    seen = await asyncio.to_thread(fill_in_and_send, browser, f"{bot.url}/portal?asset=AHU-1", photo, shots)

    assert seen["asset"].startswith("ASSET\nAHU-1 · Roof air handler") and seen["location"] == "HQ / Roof"
    assert (seen["hvac_shown_before"], seen["hvac_shown_after"]) == (False, True)
    assert seen["blocked_by_browser"] and seen["fits_the_phone"] and seen["console"] == []
    assert "your request REQ-1 was received" in seen["received"] and seen["state"] == "Waiting for a technician"

    await bot.fake.wait_for(lambda: posted_cards(bot))
    card = posted_cards(bot)[0]
    blocks = str(card.params["blocks"])
    assert card.params["text"].startswith("WO-1 Roof unit blowing warm air: Open")
    assert "AHU-1" in blocks and "Jane Visitor" in blocks and "Floor" in blocks and "Too hot" in blocks
    shared = (await bot.fake.wait_calls("files.completeUploadExternal", 1))[0]
    assert shared.params["channel_id"] == TEAM_CHANNEL and shared.params["thread_ts"] == card.answer["ts"]
    (uploaded,) = bot.fake.uploads.values()
    with Image.open(io.BytesIO(uploaded)) as shared_image:
        assert (shared_image.format, shared_image.size) == ("JPEG", (640, 480))
    for name in ("portal-form.png", "portal-status.png"):
        with Image.open(io.BytesIO((shots / name).read_bytes())) as shot:
            assert shot.size[0] >= PHONE[0] - 20 and len(shot.getcolors(1 << 16) or range(1000)) > 10
