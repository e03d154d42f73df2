"""Screenshots of Wrench's main surfaces, made from the sandbox, for the README and the docs.

    python -m scripts.screenshots            # writes docs/screenshots/*.png and prints each file

It starts `wrench sandbox --reset` in a temporary folder on a free 127.0.0.1 port (the demo organisation
and its data, the same every time), drives a headless Chromium through selenium as a technician, a
requester and a manager would, writes one PNG per surface, and stops the sandbox and the browser.

Needs Debian's `chromium` and `chromium-driver` (/usr/bin/chromium, /usr/bin/chromedriver), and a colour
emoji font for the cards' icons: `apt-get install chromium chromium-driver fonts-noto-color-emoji`.
Dates on the cards follow the sandbox's clock (the time the script runs), shown in Europe/London.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Callable
from pathlib import Path

from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.select import Select

from scripts.sandbox_browser import DESKTOP, PHONE, Page, chromium, emoji_font, free_port, sandbox

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
# The demo organisation's people (bot/sandbox/demo/demo.yml) and what the pictures show.
TECHNICIAN = "U0FTECH1"  # Sam Ortiz, Facilities Technician
REQUESTER = "U0STAFF1"  # Ana Ruiz, Office Manager
MANAGER = "U0FMANAGER"  # Priya Shah, Facilities Manager
TEAM_CHANNEL = "facilities"
CARD = "WO-72"  # in progress, held by the technician, on an asset
ASSET = "HQ-AHU-2"  # an asset with history: work done, a recurring failure, downtime

# file name → what it shows; the README shows each of them (tests/structure keeps the two in step)
SHOTS: dict[str, str] = {
    "card.png": f"the work-order card {CARD} in #{TEAM_CHANNEL}, as the technician who holds it",
    "request-form.png": "the request form with a category chosen: that category's own fields appear",
    "home-kpis.png": "a manager's Home tab with the KPIs",
    "digest.png": "the team's morning digest with its chart",
    "asset-card.png": f"`/wo asset {ASSET}`: the asset's card with its history",
    "card-phone.png": f"the card {CARD} at phone width (390 px)",
}


# ---------------------------------------------------------------- the surfaces


def card(page: Page, out: Path) -> None:
    page.open_as(TECHNICIAN)
    page.go(TEAM_CHANNEL)
    page.shot(page.messages(f"{CARD} ·"), out / "card.png")


def request_form(page: Page, out: Path) -> None:
    page.driver.set_window_size(DESKTOP[0], 1500)  # the whole form, not its scrolled part
    try:
        page.open_as(REQUESTER)
        page.command("/request")
        form = page.until("the request form", lambda: page.js("return document.querySelector('.modal')"))
        form.find_element(By.CSS_SELECTOR, "[data-block-id=title] input").send_keys("Meeting room 2.04 is freezing")
        Select(form.find_element(By.CSS_SELECTOR, "[data-action-id=request_category]")).select_by_visible_text(
            "Heating and cooling"
        )
        page.until(
            "the category's own fields",
            lambda: page.js("return document.querySelector('.modal')?.textContent.includes('What is wrong')"),
        )
        fill(page, page.driver.find_element(By.CSS_SELECTOR, ".modal"))
        page.shot(
            lambda: page.js("return [...document.querySelectorAll('.modal')]"),
            out / "request-form.png",
            arrange="arguments[0][0].querySelector('.modal-body').scrollTop = 0",
        )
    finally:
        page.driver.set_window_size(*DESKTOP)


def fill(page: Page, form: WebElement) -> None:
    """A request half filled in, as a person would leave it before sending."""

    def field(label: str, tag: str) -> WebElement:
        return form.find_element(
            By.XPATH, f".//*[@data-block='input'][.//label[starts-with(normalize-space(.), '{label}')]]//{tag}"
        )

    field("Description", "textarea").send_keys("The radiator under the window is cold; the others are warm.")
    field("Floor", "input").send_keys("2")
    Select(field("What is wrong", "select")).select_by_visible_text("Too cold")
    where = form.find_element(By.CSS_SELECTOR, "[data-block-id=location] input")
    where.send_keys("2.04")
    with contextlib.suppress(TimeoutException):  # the location is a nicety: the form is the point
        option = page.until(
            "a location to pick",
            lambda: page.js(
                "return [...document.querySelectorAll('[data-block-id=location] .options:not([hidden]) .option')]"
                "  .find((o) => o.textContent.includes('2.04'))"
            ),
            timeout=10,
        )
        page.js("arguments[0].dispatchEvent(new MouseEvent('mousedown', {bubbles: true}))", option)


def home(page: Page, out: Path) -> None:
    """The manager's Home tab, its KPI section: from its header to the "As of" line under the workload."""
    page.driver.set_window_size(DESKTOP[0], 2400)  # the whole Home tab, not its scrolled part
    try:
        page.open_as(MANAGER)
        page.go("Home")

        def kpis() -> list[WebElement] | None:
            found: list[WebElement] | None = page.js(
                "const blocks = [...document.querySelectorAll('[data-surface=home] .block')];"
                "const first = blocks.findIndex((b) => b.dataset.block === 'header' &&"
                "  b.textContent.startsWith('KPIs'));"
                "const last = blocks.findIndex((b, at) => at > first && b.textContent.startsWith('As of'));"
                "return first >= 0 && last > first ? [blocks[first], blocks[last]] : null"
            )
            return found

        page.shot(kpis, out / "home-kpis.png", arrange="", pad=(16, 6))
    finally:
        page.driver.set_window_size(*DESKTOP)


def asset_card(page: Page, out: Path) -> None:
    page.driver.set_window_size(DESKTOP[0], 1400)
    try:
        page.open_as(TECHNICIAN)
        page.go(TEAM_CHANNEL)
        page.command(f"/wo asset {ASSET}")
        page.shot(
            page.messages(ASSET, ".messages > .message.ephemeral"),
            out / "asset-card.png",
            arrange="arguments[0][0].scrollIntoView({block: 'end'})",
        )
    finally:
        page.driver.set_window_size(*DESKTOP)


def digest(page: Page, out: Path) -> None:
    """The clock moved to the next digest (the sidebar's button), then the team's channel: the digest and its
    chart (a file posted after it)."""
    page.driver.set_window_size(DESKTOP[0], 2000)
    try:
        page.open_as(MANAGER)
        page.go(TEAM_CHANNEL)
        page.driver.find_element(By.CSS_SELECTOR, "[data-advance=digest]").click()
        page.until("the digest's chart", page.messages("backlog-"), timeout=60)

        def digest_and_chart() -> list[WebElement] | None:
            text, chart = page.message("backlog ·"), page.message("backlog-")
            return [text, chart] if text and chart else None

        page.shot(
            digest_and_chart,
            out / "digest.png",
            # the morning's PM work orders may be posted between the digest and its chart: not shown here
            arrange="const [text, chart] = arguments[0]; let next = text.nextElementSibling;"
            "while (next && next !== chart) { next.style.display = 'none'; next = next.nextElementSibling; }"
            "text.scrollIntoView({block: 'start'})",
        )
    finally:
        page.driver.set_window_size(*DESKTOP)


def card_phone(page: Page, out: Path) -> None:
    """A phone's screen, from the top (the banner, the channel) down to the end of the card: tall enough to
    hold the whole card, as a person would see it scrolling."""
    width, height = PHONE
    page.driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height + 400, "deviceScaleFactor": 2, "mobile": True},
    )
    try:
        page.open_as(TECHNICIAN)
        page.go(TEAM_CHANNEL)
        page.shot(
            page.messages(f"{CARD} ·"),
            out / "card-phone.png",
            arrange="arguments[0][0].scrollIntoView({block: 'start'})",
            top=0,
        )
    finally:
        page.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


# the order matters: the digest moves the clock, so it comes after the others
STEPS: dict[str, Callable[[Page, Path], None]] = {
    "card.png": card,
    "request-form.png": request_form,
    "home-kpis.png": home,
    "asset-card.png": asset_card,
    "card-phone.png": card_phone,
    "digest.png": digest,
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m scripts.screenshots", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="folder for the PNGs (default: docs/screenshots)")
    parser.add_argument("--port", type=int, default=0, help="port for the sandbox (default: a free one)")
    args = parser.parse_args(argv)
    assert set(STEPS) == set(SHOTS)
    if not emoji_font():
        print(
            "warning: no colour emoji font, the cards' emoji will be boxes: apt-get install fonts-noto-color-emoji",
            file=sys.stderr,
        )
    with sandbox(args.port or free_port()) as url, chromium() as driver:
        page = Page(driver, url)
        for step in STEPS.values():
            step(page, args.out)


if __name__ == "__main__":
    main()
