"""Driving `wrench sandbox` in headless Chromium: the sandbox started in a temporary folder on a free
port, a browser, and a `Page` that acts as a person would (switch person, open a channel, type a command)
and crops screenshots to what it shows. Used by `scripts/screenshots.py`.

Needs Debian's `chromium` and `chromium-driver` (/usr/bin/chromium, /usr/bin/chromedriver), and a colour
emoji font for the cards' icons (`fonts-noto-color-emoji`).
"""

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
from selenium.common.exceptions import JavascriptException, StaleElementReferenceException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.wait import WebDriverWait

ROOT = Path(__file__).resolve().parents[1]
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


def emoji_font() -> bool:
    """Whether fontconfig knows a colour emoji font (Debian's fonts-noto-color-emoji); True when it cannot say."""
    try:
        listed = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return True
    return "Color Emoji" in listed
