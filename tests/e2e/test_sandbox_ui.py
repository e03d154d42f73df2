"""The sandbox's browser UI in headless Chromium against its fixture (Wrench's own Block Kit), with a stand-in
for the sandbox's HTTP contract instead of the backend: every block and element type of the fixture renders,
hostile mrkdwn stays text, and clicks and forms send the bodies the contract and Slack's payloads expect."""

import asyncio
import copy
import json
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from aiohttp import web
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.wait import WebDriverWait

from tests.e2e.sandbox_ui_fixture import FIXTURE, POSTED, app
from tests.support.browser import DESKTOP, chromium

HOSTILE = (
    '<script>window.__pwned = 1</script> <img src=x onerror="window.__pwned = 2"> '
    '&lt;img src=x onerror="window.__pwned = 3"&gt; <javascript:window.__pwned=4|click me> *still bold*'
)
SEEN = """return {
  blocks: [...document.querySelectorAll('[data-block]')].map((n) => n.dataset.block),
  elements: [...document.querySelectorAll('[data-element]')].map((n) => n.dataset.element),
}"""


def kinds(blocks: list[dict[str, Any]] | None) -> tuple[set[str], set[str]]:
    """The block types and element types (interactive elements and images) a list of blocks holds."""
    found_blocks: set[str] = set()
    found_elements: set[str] = set()
    for block in blocks or []:
        found_blocks.add(block["type"])
        elements = [block.get("accessory"), block.get("element")]
        if block["type"] in ("actions", "context"):
            elements += block["elements"]
        found_elements.update(e["type"] for e in elements if e and e["type"] not in ("mrkdwn", "plain_text"))
    return found_blocks, found_elements


@pytest.fixture
def fixture() -> dict[str, Any]:
    state: dict[str, Any] = json.loads(FIXTURE.read_text())
    hostile = copy.deepcopy(state["messages"]["C0GENERAL"][0])
    state["messages"]["C0GENERAL"].append(hostile | {"ts": "1796634000.000001", "text": HOSTILE})
    return state


@pytest.fixture
async def served(fixture: dict[str, Any]) -> AsyncIterator[tuple[str, web.Application]]:
    stand_in = app(copy.deepcopy(fixture))
    runner = web.AppRunner(stand_in, shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}/", stand_in
    finally:
        await runner.cleanup()


@pytest.fixture
def browser() -> Iterator[webdriver.Chrome]:
    with chromium("--disable-background-networking", DESKTOP) as driver:
        yield driver


def posted(stand_in: web.Application, verb: str) -> list[dict[str, Any]]:
    return [body for body in stand_in[POSTED] if body["verb"] == verb]


def go(driver: webdriver.Chrome, label: str) -> None:
    (button,) = [
        b for b in driver.find_elements(By.CSS_SELECTOR, ".nav-item")
        if b.find_element(By.CSS_SELECTOR, ".nav-label").text == label
    ]  # fmt: skip
    button.click()
    selected = ".nav-item.selected .nav-label"
    WebDriverWait(driver, 5).until(lambda d: [n.text for n in d.find_elements(By.CSS_SELECTOR, selected)] == [label])


def use_the_ui(driver: webdriver.Chrome, url: str, stand_in: web.Application) -> dict[str, Any]:
    """What a person does in the browser (blocking: run in a thread while the stand-in serves)."""
    wait = WebDriverWait(driver, 10)
    seen: dict[str, Any] = {"blocks": set(), "elements": set()}

    def collect() -> None:
        found = driver.execute_script(SEEN)
        seen["blocks"].update(found["blocks"])
        seen["elements"].update(found["elements"])

    driver.get(url)
    modal = wait.until(lambda d: d.find_element(By.CSS_SELECTOR, "form.modal"))
    collect()
    seen["modal_error"] = modal.find_element(By.CSS_SELECTOR, "[data-block-id=title] .input-error").text
    seen["focused_in_modal"] = driver.execute_script("return !!document.activeElement.closest('form.modal')")
    # a dispatching input (the category) sends a block action with the view's state
    Select(modal.find_element(By.CSS_SELECTOR, "[data-block-id=category] select")).select_by_visible_text(
        "Heating and cooling"
    )
    wait.until(lambda d: posted(stand_in, "block_action"))
    title = modal.find_element(By.CSS_SELECTOR, "[data-block-id=title] input")
    title.clear()
    title.send_keys("Radiator cold in room 4")
    modal.find_element(By.CSS_SELECTOR, "[data-block-id=asset_down] input[type=checkbox]").click()
    modal.find_element(By.CSS_SELECTOR, "[data-block-id=cf_reading] input").send_keys("42")
    location = modal.find_element(By.CSS_SELECTOR, "[data-block-id=location] input")
    location.send_keys("roof")
    options = "[data-block-id=location] .option"
    wait.until(lambda d: [o.text for o in d.find_elements(By.CSS_SELECTOR, options)] == ["HQ / Roof"])
    driver.find_element(By.CSS_SELECTOR, "[data-block-id=location] .option").click()
    modal.find_element(By.CSS_SELECTOR, "[data-modal=submit]").click()
    wait.until(lambda d: not d.find_elements(By.CSS_SELECTOR, "form.modal"))

    for label in ("facilities", "general", "block-kit-gallery", "Wrench", "Home"):
        go(driver, label)
        if label == "Home":
            wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "[data-surface=home] [data-block]"))
        collect()
        if label == "general":
            hostile = driver.find_elements(By.CSS_SELECTOR, ".message .message-text")[-1]
            seen["hostile_text"] = hostile.text
            seen["hostile_tags"] = driver.execute_script(
                "return [...arguments[0].querySelectorAll('*')].map((n) => n.tagName.toLowerCase())", hostile
            )
    seen["pwned"] = driver.execute_script("return window.__pwned === undefined ? null : window.__pwned")

    go(driver, "facilities")
    card = driver.find_element(By.CSS_SELECTOR, ".message [data-block-id='card_actions:7:4']")
    card.find_element(By.CSS_SELECTOR, "[data-action-id=wo_hold]").click()
    wait.until(lambda d: [b for b in posted(stand_in, "block_action") if b["action_id"] == "wo_hold"])
    seen["card_ts"] = card.find_element(By.XPATH, "ancestor::li[@data-ts]").get_attribute("data-ts")

    composer = driver.find_element(By.ID, "composer-input")
    driver.execute_script("arguments[0].focus(); arguments[0].blur(); arguments[0].focus()", composer)
    composer.send_keys("/")  # at once after a blur (a click elsewhere): the blur's delayed close must not shut it
    time.sleep(0.3)  # past that delay
    seen["commands_offered"] = wait.until(  # the popup is drawn after the keystroke: read it once it is there
        lambda d: (shown := d.find_element(By.ID, "command-popup").text) and "/request" in shown and shown
    )
    composer.send_keys("wo mine\n")
    wait.until(lambda d: posted(stand_in, "command"))
    driver.find_element(By.CSS_SELECTOR, "[data-advance='1h']").click()
    seen["toast"] = wait.until(lambda d: d.find_element(By.CSS_SELECTOR, ".toast.error")).text
    log = driver.get_log("browser")  # type: ignore[no-untyped-call]
    seen["console"] = [entry for entry in log if entry["level"] == "SEVERE"]
    return seen


async def test_the_ui_renders_the_fixture_and_sends_the_contract(
    browser: webdriver.Chrome, served: tuple[str, web.Application], fixture: dict[str, Any]
) -> None:
    url, stand_in = served
    seen = await asyncio.wait_for(asyncio.to_thread(use_the_ui, browser, url, stand_in), 60)

    expected_blocks: set[str] = set()
    expected_elements: set[str] = set()
    surfaces = [m.get("blocks") for messages in fixture["messages"].values() for m in messages]
    surfaces += [e.get("blocks") for e in fixture["ephemeral"]]
    surfaces += [fixture["home"]["view"]["blocks"], *(m["view"]["blocks"] for m in fixture["modals"])]
    for blocks in surfaces:
        found_blocks, found_elements = kinds(blocks)
        expected_blocks |= found_blocks
        expected_elements |= found_elements
    assert expected_blocks >= {"header", "section", "context", "divider", "image", "actions", "input"}
    assert expected_elements >= {
        *("button", "overflow", "static_select", "external_select", "users_select", "datepicker", "checkboxes"),
        *("radio_buttons", "plain_text_input", "number_input"),
    }
    assert expected_blocks <= seen["blocks"], expected_blocks - seen["blocks"]
    assert expected_elements <= seen["elements"], expected_elements - seen["elements"]

    assert seen["modal_error"] == "Say what needs fixing" and seen["focused_in_modal"]
    assert seen["pwned"] is None and seen["console"] == []
    assert set(seen["hostile_tags"]) <= {"strong", "span"}, seen["hostile_tags"]
    assert '<script>window.__pwned = 1</script> <img src=x onerror="window.__pwned = 2">' in seen["hostile_text"]
    assert '<img src=x onerror="window.__pwned = 3">' in seen["hostile_text"]
    assert "still bold" in seen["hostile_text"] and "*still bold*" not in seen["hostile_text"]

    dispatched = posted(stand_in, "block_action")[0]
    assert dispatched["container"] == {"type": "view", "view_id": "VMODAL0001"}
    assert (dispatched["block_id"], dispatched["action_id"]) == ("category", "request_category")
    assert dispatched["action"]["type"] == "static_select"
    assert dispatched["action"]["selected_option"]["value"] == "hvac"
    assert dispatched["state"]["values"]["title"]["value"] == {
        "type": "plain_text_input",
        "value": "Kitchen tap leaking",
    }

    (submitted,) = posted(stand_in, "view_submit")
    values = submitted["state"]["values"]
    assert submitted["view_id"] == "VMODAL0001" and submitted["user"] == "U0TECH1"
    assert values["title"]["value"] == {"type": "plain_text_input", "value": "Radiator cold in room 4"}
    assert values["category"]["request_category"]["selected_option"]["value"] == "hvac"
    assert values["description"]["value"] == {"type": "plain_text_input", "value": None}
    assert values["location"]["pick_location"] == {
        "type": "external_select",
        "selected_option": {"text": {"type": "plain_text", "text": "HQ / Roof"}, "value": "loc:1"},
    }
    assert values["asset_down"]["value"]["selected_options"][0]["value"] == "yes"
    assert values["priority"]["value"] == {"type": "static_select", "selected_option": None}
    assert values["cf_reading"]["value"] == {"type": "number_input", "value": "42"}
    assert values["cf_noticed"]["value"] == {"type": "datepicker", "selected_date": None}
    assert values["cf_contact"]["value"] == {"type": "users_select", "selected_user": None}
    assert values["cf_safe"]["value"] == {"type": "checkboxes", "selected_options": []}
    (typed,) = [b for b in posted(stand_in, "options") if b["value"] == "roof"]
    assert (typed["view_id"], typed["block_id"], typed["action_id"]) == ("VMODAL0001", "location", "pick_location")

    (click,) = [b for b in posted(stand_in, "block_action") if b["action_id"] == "wo_hold"]
    assert click["container"] == {"type": "message", "channel": "C0FACILITY", "ts": seen["card_ts"]}
    assert click["block_id"] == "card_actions:7:4" and "state" not in click
    action = click["action"]
    assert {k: action[k] for k in ("type", "action_id", "block_id", "value")} == {
        "type": "button", "action_id": "wo_hold", "block_id": "card_actions:7:4", "value": "7:4"}  # fmt: skip
    assert action["text"]["text"] == "Hold" and float(action["action_ts"]) > 0

    assert "/request" in seen["commands_offered"] and "/wo" in seen["commands_offered"]
    assert posted(stand_in, "command")[0] | {"verb": None} == {
        "verb": None, "user": "U0TECH1", "channel": "C0FACILITY", "command": "/wo", "text": "mine"}  # fmt: skip
    assert posted(stand_in, "home_opened") == [{"verb": "home_opened", "user": "U0TECH1"}]
    assert "did not answer in time" in seen["toast"]


SLOW_ANSWERS_FOR = """
const [slowFor, delay] = arguments;
const realFetch = window.fetch;
window.fetch = (url, options) => realFetch(url, options).then((answer) =>
  String(url).includes(`user=${encodeURIComponent(slowFor)}`)
    ? new Promise((resolve) => setTimeout(() => resolve(answer), delay))
    : answer);
window.wrenchSandbox.refresh();
"""


def switch_while_an_answer_is_on_its_way(driver: webdriver.Chrome, url: str) -> tuple[str, str]:
    wait = WebDriverWait(driver, 15)
    driver.get(url + "?as=U0TECH1")
    wait.until(lambda d: d.execute_script("return window.wrenchSandbox.app.state && window.wrenchSandbox.app.me"))
    driver.execute_script(SLOW_ANSWERS_FOR, "U0TECH1", 700)  # Tomás's view is still on its way…
    Select(driver.find_element(By.ID, "person")).select_by_value("U0MANAGER")  # …when Morgan takes over
    wait.until(lambda d: d.execute_script("return window.wrenchSandbox.app.fetching") is False)
    driver.execute_script("return new Promise((resolve) => setTimeout(resolve, 1000))")
    return (
        driver.execute_script("return window.wrenchSandbox.app.me"),
        Select(driver.find_element(By.ID, "person")).first_selected_option.get_attribute("value"),
    )


async def test_switching_person_while_a_view_is_on_its_way_stays_switched(
    browser: webdriver.Chrome, served: tuple[str, web.Application]
) -> None:
    """The answer asked for the person before is someone else's view: it must not switch the page back."""
    url, _ = served
    me, selected = await asyncio.wait_for(asyncio.to_thread(switch_while_an_answer_is_on_its_way, browser, url), 60)
    assert (me, selected) == ("U0MANAGER", "U0MANAGER")
