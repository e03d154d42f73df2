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
import io
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from PIL import Image
from selenium import webdriver
from selenium.common.exceptions import JavascriptException, StaleElementReferenceException, TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.wait import WebDriverWait

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--force-device-scale-factor=1",
    "--lang=en-US",
)
DESKTOP = (1100, 900)
PHONE = (390, 844)

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


# ---------------------------------------------------------------- the sandbox


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def sandbox(port: int) -> Iterator[str]:
    """`wrench sandbox --reset` in a temporary folder (demo data); its URL until the block ends, then stopped."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "WRENCH_CONFIG"}}
    with tempfile.TemporaryDirectory(prefix="wrench-screenshots-") as folder:
        log_path = Path(folder) / "sandbox.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "bot", "sandbox", "--reset", "--host", "127.0.0.1", "--port", str(port)],
                cwd=folder,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, stopped as one
            )
            url = f"http://127.0.0.1:{port}"
            try:
                wait_until_up(url, process, log_path)
                yield url
            finally:
                stop(process)


def wait_until_up(url: str, process: subprocess.Popen[bytes], log_path: Path, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the sandbox stopped:\n{log_path.read_text(errors='replace')[-3000:]}")
        with contextlib.suppress(OSError), urllib.request.urlopen(f"{url}/sandbox/api/state", timeout=5) as answer:
            if answer.status == 200:
                return
        time.sleep(0.5)
    raise SystemExit(f"the sandbox did not answer on {url} within {timeout:.0f} s")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


# ---------------------------------------------------------------- the browser


@contextlib.contextmanager
def chromium() -> Iterator[webdriver.Chrome]:
    for path in (CHROMIUM, CHROMEDRIVER):
        if not Path(path).exists():
            raise SystemExit(f"{path} is missing: apt-get install chromium chromium-driver fonts-noto-color-emoji")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--window-size={DESKTOP[0]},{DESKTOP[1]}")
    env = {**os.environ, "TZ": "Europe/London"}  # the demo organisation's time zone
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER, env=env))
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


class Page:
    """The sandbox's UI (bot/sandbox/static/app.js) as one person sees it."""

    def __init__(self, driver: webdriver.Chrome, url: str) -> None:
        self.driver = driver
        self.url = url

    def js(self, script: str, *args: Any) -> Any:
        return self.driver.execute_script(script, *args)

    def until(self, what: str, check: Callable[[], Any], timeout: float = 30) -> Any:
        return WebDriverWait(self.driver, timeout, poll_frequency=0.2).until(
            lambda _: check(), message=f"waited {timeout:.0f} s for {what}"
        )

    def open_as(self, user: str) -> None:
        """The page as `user` (the `?as=` parameter), once the sandbox's state has been drawn."""
        self.driver.get(f"{self.url}/?as={user}")
        self.js("localStorage.clear()")  # the switcher's memory would win over ?as= on the next load
        self.until(
            f"the sandbox as {user}",
            lambda: self.js(
                "const a = window.wrenchSandbox && window.wrenchSandbox.app;"
                "return Boolean(a && a.state && a.me === arguments[0] && document.querySelector('.nav-item'))",
                user,
            ),
        )

    def go(self, label: str) -> None:
        """Click the sidebar's item `label` ("Home", a channel's name) and wait for its view."""
        clicked = self.js(
            "const item = [...document.querySelectorAll('.nav-item')]"
            "  .find((b) => b.querySelector('.nav-label').textContent === arguments[0]);"
            "if (item) item.click(); return Boolean(item);",
            label,
        )
        if not clicked:
            raise SystemExit(f"no sidebar item {label!r}")
        title = "Wrench · Home" if label == "Home" else f"# {label}"
        self.until(
            f"the view {title}",
            lambda: str(self.js("return document.getElementById('view-title')?.textContent")).endswith(title),
        )

    def command(self, text: str) -> None:
        box = self.driver.find_element(By.ID, "composer-input")
        box.send_keys(text)
        box.send_keys(Keys.ENTER)

    def message(self, containing: str, selector: str = ".messages > .message") -> WebElement | None:
        found: WebElement | None = self.js(
            "return [...document.querySelectorAll(arguments[1])].reverse()"
            "  .find((m) => m.textContent.includes(arguments[0])) || null",
            containing,
            selector,
        )
        return found

    def messages(
        self, containing: str, selector: str = ".messages > .message"
    ) -> Callable[[], list[WebElement] | None]:
        """A finder of the last message with `containing` in its text, for `until` and `shot`."""
        return lambda: [found] if (found := self.message(containing, selector)) else None

    def settle(self) -> None:
        """Images loaded, fonts ready, no toast, no pending refresh: what a person would look at."""
        self.until(
            "images and fonts",
            lambda: self.js(
                "return document.fonts.status === 'loaded' &&"
                " [...document.images].every((i) => i.complete) && !window.wrenchSandbox.app.fetching"
            ),
        )
        self.js("document.getElementById('toasts').replaceChildren(); document.activeElement?.blur()")
        time.sleep(0.3)

    def shot(
        self,
        find: Callable[[], list[WebElement] | None],
        path: Path,
        *,
        arrange: str = "arguments[0][0].scrollIntoView({block: 'center'})",
        top: float | None = None,
        pad: tuple[int, int] = (0, 0),
    ) -> None:
        """The viewport cropped to the elements `find` returns (the box around them all, `pad` (x, y) pixels more;
        from `top` when given), once `arrange` (JavaScript, the elements in arguments[0]) has placed them. The page
        redraws when the sandbox tells it something changed: then it is done again."""
        for _ in range(5):
            with contextlib.suppress(StaleElementReferenceException, JavascriptException):
                elements = self.until(f"what {path.name} shows", find)
                self.js(arrange, elements)
                self.settle()
                before = self.js(BOX, elements)
                image = Image.open(io.BytesIO(self.driver.get_screenshot_as_png())).convert("RGB")
                if self.js(BOX, elements) != before:
                    continue
                left, upper, right, lower, ratio = before
                upper = upper if top is None else top
                x, y = pad
                box = [round(value * ratio) for value in (max(0, left - x), max(0, upper - y), right + x, lower + y)]
                save(image.crop((box[0], box[1], min(box[2], image.width), min(box[3], image.height))), path)
                return
        raise SystemExit(f"{path.name}: the page kept changing under the screenshot")


# the box around the elements in arguments[0], in CSS pixels, and the device pixel ratio
BOX = """
if (!arguments[0].every((e) => e.isConnected)) throw new Error('redrawn');
const boxes = arguments[0].map((e) => e.getBoundingClientRect());
return [Math.min(...boxes.map((r) => r.left)), Math.min(...boxes.map((r) => r.top)),
  Math.max(...boxes.map((r) => r.right)), Math.max(...boxes.map((r) => r.bottom)), window.devicePixelRatio];
"""


def save(image: Image.Image, path: Path) -> None:
    """A PNG of 256 colours at most: screenshots of an interface lose nothing to see and weigh a third."""
    path.parent.mkdir(parents=True, exist_ok=True)
    image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(path, optimize=True)
    print(f"wrote {display(path)} ({image.width}x{image.height}, {path.stat().st_size // 1024} KB)", flush=True)


def display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


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


def emoji_font() -> bool:
    """Whether fontconfig knows a colour emoji font (Debian's fonts-noto-color-emoji); True when it cannot say."""
    try:
        listed = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return True
    return "Color Emoji" in listed


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
