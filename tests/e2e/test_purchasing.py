"""Purchasing end to end through signed Slack payloads: low stock → Order more → a purchase request → the
approver's DM → Approve (two approvers at once: one order) → the purchase order's message and its PDF →
partial and full receipts (more than ordered confirmed in a second step) → stock at the actual cost → the
waiting work order's thread and card. And: approved at once below the threshold, rejected, wrong values."""

import asyncio
import math
from functools import partial
from typing import Any

import pypdfium2 as pdfium
import pytest
from sqlalchemy import select

from blocks.ids import Action, MoreOption
from models.db import Database
from models.parts import Part, StockMovement
from models.purchasing import PurchaseOrder
from scheduler import jobs
from services.contracting import vendors
from services.inventory import parts
from services.organisation.config_file import parse_organisation
from services.organisation.org import Organisation
from tests.conftest import FrozenClock
from tests.e2e.flow import click_card, file_request, latest_card, open_card_form, thread_lines
from tests.e2e.test_app_home import open_home
from tests.support import slack_requests as sr
from tests.support.bot import BotClient, started_bot
from tests.support.fake_slack import Call, FakeSlack
from tests.support.mail_server import mail_server
from tests.support.org import ADMIN, CONFIG, MANAGER, STAFF, TEAM_CHANNEL, TECH_1, TECH_2

PURCHASING = "C0PURCHASE"


@pytest.fixture
def org() -> Organisation:
    return parse_organisation(
        CONFIG
        + f"purchasing:\n  auto_approve_below: {{amount: '50'}}\n  channel: {PURCHASING}\n"
        + '  buyer: Test Facilities Ltd\n  address: "1 Main Street\\nSpringfield"\n'
    )


async def stock_and_vendor(bot: BotClient, clock: FrozenClock) -> None:
    deps = bot.running.deps

    async def work(session: Any) -> None:
        values = {"key": "acme", "name": "Acme Supply", "email": "orders@acme.example"}
        await vendors.add_vendor(session, org=deps.org, now=clock(), values=values)
        await parts.add_part(
            session,
            now=clock(),
            actor_id="cli",
            sku="WSH-8",
            name="Washer M8",
            unit_cost=1.5,
            on_hand=3,
            reorder_point=2,
        )

    await deps.db.run(work)


async def submit(bot: BotClient, view: dict[str, Any], values: dict[str, Any], user_id: str) -> Any:
    status, body = await bot.submit(view, values, user_id=user_id)
    assert status == 200
    return body


def request_values(
    vendor: str | None = "vendor:1", part: str | None = "part:1", quantity: str = "30", cost: str | None = "2.50"
) -> dict[str, Any]:
    return {
        "vendor": sr.select_value(vendor, kind="external_select"),
        "part": sr.select_value(part, kind="external_select"),
        "quantity": sr.number_value(quantity),
        "unit_cost": sr.text_value(cost),
        "work_order": sr.text_value("WO-1"),
        "note": sr.text_value(None),
    }


def po_messages(bot: BotClient) -> list[Call]:
    return [c for c in bot.fake.find("chat.postMessage", channel=PURCHASING) if "thread_ts" not in c.params]


def latest(bot: BotClient, posted: Call) -> dict[str, Any]:
    updates = bot.fake.find("chat.update", channel=posted.answer["channel"], ts=posted.answer["ts"])
    return updates[-1].params if updates else posted.params


def button_value(message: dict[str, Any], action_id: str) -> str:
    for block in message["blocks"]:
        for element in [*block.get("elements", []), *([block["accessory"]] if "accessory" in block else [])]:
            if element.get("action_id") == action_id:
                return str(element["value"])
    raise AssertionError(f"no {action_id} in {message['blocks']}")


async def stored(bot: BotClient) -> tuple[Part, list[tuple[float, int, str]], PurchaseOrder]:
    async def read(session: Any) -> Any:
        part = await session.scalar(select(Part))
        moves = await session.execute(
            select(StockMovement.quantity, StockMovement.unit_cost_cents, StockMovement.note)
            .where(StockMovement.kind == "receive", StockMovement.note.like("PO-%"))
            .order_by(StockMovement.id)
        )
        order = await session.scalar(select(PurchaseOrder).order_by(PurchaseOrder.id.desc()))
        return part, [tuple(m) for m in moves], order

    result: tuple[Part, list[tuple[float, int, str]], PurchaseOrder] = await bot.running.deps.db.run(read)
    return result


async def open_modal(bot: BotClient, action_id: str, value: str, user_id: str, channel: str, ts: str) -> dict[str, Any]:
    before = len(bot.fake.find("views.open"))
    response, _ = await bot.click(action_id, value, user_id=user_id, channel=channel, message_ts=ts)
    assert response.status == 200
    return (await bot.fake.wait_calls("views.open", before + 1))[-1].params["view"]


async def open_receive(bot: BotClient, posted: Call, user_id: str) -> tuple[dict[str, Any], str]:
    """The Receive form of a posted order, and the id of its (first) line."""
    value = button_value(posted.params, Action.PO_RECEIVE)
    form = await open_modal(bot, Action.PO_RECEIVE, value, user_id, PURCHASING, posted.answer["ts"])
    line_id = next(b["block_id"] for b in form["blocks"] if b.get("block_id", "").startswith("received_"))[9:]
    return form, line_id


def pdf_text(data: bytes) -> str:
    document = pdfium.PdfDocument(data)
    return "\n".join(page.get_textpage().get_text_range() for page in document)


async def test_low_stock_to_order_to_receipt_and_the_waiting_work_order(
    bot: BotClient, db: Database, clock: FrozenClock
) -> None:
    await stock_and_vendor(bot, clock)
    card = await file_request(bot)
    await click_card(bot, card, Action.CLAIM, TECH_1)
    form = await open_card_form(bot, card, Action.MORE, TECH_1, type="overflow", option=MoreOption.PARTS)
    used = {"part": sr.select_value("part:1", kind="external_select"), "quantity": sr.number_value("2")}
    assert await submit(bot, form, used, TECH_1) is None
    await bot.settled()
    [alert] = [c for c in bot.fake.find("chat.postMessage", channel=TEAM_CHANNEL) if "Low stock" in c.params["text"]]
    assert button_value(alert.params, Action.ORDER_MORE) == "1"

    # Order more: the form, the part filled in with enough to be back at twice the reorder point
    form = await open_modal(bot, Action.ORDER_MORE, "1", TECH_1, TEAM_CHANNEL, alert.answer["ts"])
    assert form["callback_id"] == "purchase_modal"
    part_block = next(b for b in form["blocks"] if b.get("block_id") == "part")
    quantity_block = next(b for b in form["blocks"] if b.get("block_id") == "quantity")
    assert part_block["element"]["initial_option"]["value"] == "part:1"
    assert quantity_block["element"]["initial_value"] == str(math.ceil(2 * 2 - 1))
    status, offered = await bot.send(sr.options_request(Action.PICK_PO_VENDOR, "acm", user_id=TECH_1))
    assert status == 200 and [(o["value"], o["text"]["text"]) for o in offered["options"]] == [
        ("vendor:1", "Acme Supply (acme)")
    ]

    # wrong values: each named in its field, nothing stored
    for values, errors in (
        (request_values(quantity="0"), {"quantity": "Enter a quantity from 1 to 100,000."}),
        (request_values(quantity="-3"), {"quantity": "“-3” is not a quantity: enter a whole number, like 4."}),
        (request_values(quantity="1000001"), {"quantity": "Enter a quantity from 1 to 100,000."}),
        (
            request_values(cost="2.505"),
            {"unit_cost": "Unit cost: USD has 2 decimal places: 2.505 cannot be stored without losing part of it."},
        ),
        (
            request_values(vendor="vendor:99", part="part:99"),
            {
                "vendor": "There is no vendor “99” in the register (wrench vendors list).",
                "part": "There is no part “99” in the register.",
            },
        ),
        (request_values(vendor=None), {"vendor": "Pick the vendor to order from."}),
    ):
        assert await submit(bot, form, values, TECH_1) == {"response_action": "errors", "errors": errors}
    assert (await stored(bot))[2] is None
    forged = await submit(bot, form, request_values(vendor="vendor:x"), TECH_1)  # an option no picker offers
    assert forged["errors"] == {
        "vendor": "That button or form could not be read; it may be from an older version of Wrench. "
        "Nothing was changed."
    }
    assert (await stored(bot))[2] is None

    assert await submit(bot, form, request_values(), TECH_1) == {"response_action": "clear"}  # 75.00: approval
    await bot.settled()
    [asked] = bot.fake.find("chat.postMessage", channel=MANAGER)
    assert "Purchase approval needed: PR-1" in asked.params["text"] and "75.00 USD" in str(asked.params["blocks"])
    told = bot.fake.find("chat.postMessage", channel=TECH_1)[-1].params["text"]
    waiting = "is waiting for approval by"
    assert (
        told
        == f":hourglass_flowing_sand: Your purchase request PR-1 (75.00 USD from Acme Supply) {waiting} <@{MANAGER}>."
    )
    with_buttons = asked.params
    assert not po_messages(bot)
    again = await open_modal(bot, Action.ORDER_MORE, "1", TECH_2, TEAM_CHANNEL, alert.answer["ts"])
    assert again["blocks"][0]["elements"][0]["text"] == ":warning: Already on order: PR-1: 30 asked."
    home = await open_home(bot, MANAGER)  # the approver's Home tab lists it with Approve / Reject
    assert "Purchases waiting for your approval" in home and "Purchase approval needed: PR-1" in home
    assert f"Acme Supply · 75.00 USD · asked by <@{TECH_1}> · for WO-1" in home  # what the approver decides on
    assert "Purchases waiting" not in await open_home(bot, TECH_1)

    # Approve: the manager and an admin at once make one order
    keys = await asyncio.gather(
        *(
            bot.click(
                Action.PO_APPROVE,
                button_value(with_buttons, Action.PO_APPROVE),
                user_id=who,
                channel=who,
                message_ts=asked.answer["ts"],
            )
            for who in (MANAGER, ADMIN)
        )
    )
    await bot.settled()
    replies = [r for r in bot.fake.replies if r["key"] in {key for _, key in keys}]
    assert len(replies) == 1 and "PO-1 was already approved by" in replies[0]["text"], replies
    [posted] = po_messages(bot)
    assert posted.params["blocks"][0]["text"]["text"] == "PO-1 · Acme Supply"
    receive_value = button_value(posted.params, Action.PO_RECEIVE)
    approver_dm = bot.fake.find("chat.update", channel=asked.answer["channel"])[-1].params
    assert "Approved by" in str(approver_dm["blocks"]) and "po_approve" not in str(approver_dm["blocks"])
    assert approver_dm["blocks"][0]["text"]["text"] == ":package: *PO-1 · Acme Supply*"  # no longer "needed"
    completed = (await bot.fake.wait_calls("files.completeUploadExternal", 1))[0].params
    assert completed["channel_id"] == PURCHASING and completed["thread_ts"] == posted.answer["ts"]
    asked_upload = bot.fake.find("files.getUploadURLExternal")[0].params
    assert asked_upload["filename"] == "PO-1.pdf"
    text = pdf_text(bot.fake.uploads[completed["files"][0]["id"]])
    expected_texts = (
        "Test Facilities Ltd", "1 Main Street", "Purchase order PO-1", "Acme Supply", "orders@acme.example",
        "WO-1", "WSH-8", "Washer M8", "30 each", "2.50", "75.00 USD", "2026-03-02",
    )  # fmt: skip
    for expected in expected_texts:
        assert expected in text, (expected, text)

    # the work order waits for the parts
    hold = await open_card_form(bot, card, Action.HOLD, TECH_1)
    assert await submit(bot, hold, {"reason": sr.select_value("parts")}, TECH_1) is None

    # a partial receipt at another cost
    receive_form = await open_modal(bot, Action.PO_RECEIVE, receive_value, TECH_2, PURCHASING, posted.answer["ts"])
    line_id = next(b["block_id"] for b in receive_form["blocks"] if b.get("block_id", "").startswith("received_"))[9:]
    partial_receipt = {f"received_{line_id}": sr.number_value("10"), f"cost_{line_id}": sr.text_value("2.40")}
    bad = {f"received_{line_id}": sr.number_value("1.5"), f"cost_{line_id}": sr.text_value("2.4.0")}
    assert await submit(bot, receive_form, bad, TECH_2) == {
        "response_action": "errors",
        "errors": {f"received_{line_id}": "“1.5” is not a quantity: enter a whole number, like 4."},
    }
    assert await submit(bot, receive_form, partial_receipt, TECH_2) is None
    await bot.settled()
    part, moves, order = await stored(bot)
    assert (part.on_hand, part.unit_cost_cents, moves, order.status) == (
        11,
        240,
        [(10, 240, "PO-1")],
        "partly_received",
    )
    lines = await thread_lines(bot, card, 4)
    assert lines[-1] == ":package: Parts arrived (PO-1): 10 each of WSH-8 Washer M8. More is still to come."
    assert "Parts arrived* (PO-1)" in str(latest_card(bot, card)["blocks"])
    po_now = latest(bot, posted)
    assert "Partly received" in po_now["text"] and "10 received" in str(po_now["blocks"])

    # the same form again (drawn before that receipt): refused, nothing added
    again = await submit(bot, receive_form, partial_receipt, TECH_1)
    assert again["errors"] == {
        f"received_{line_id}": "PO-1 changed since this form was opened (something was received): open Receive again."
    }
    assert (await stored(bot))[0].on_hand == 11

    # more than ordered: a second step confirms it
    receive_form = await open_modal(
        bot, Action.PO_RECEIVE, button_value(po_now, Action.PO_RECEIVE), TECH_2, PURCHASING, posted.answer["ts"]
    )
    quantity = next(b for b in receive_form["blocks"] if b.get("block_id") == f"received_{line_id}")
    assert quantity["element"]["initial_value"] == "20"
    over = {f"received_{line_id}": sr.number_value("25"), f"cost_{line_id}": sr.text_value("2.60")}
    pushed = await submit(bot, receive_form, over, TECH_2)
    assert pushed["response_action"] == "push" and pushed["view"]["callback_id"] == "po_over_modal"
    assert "WSH-8: 35 of 30 ordered" in str(pushed["view"]["blocks"])
    assert (await stored(bot))[0].on_hand == 11
    assert await submit(bot, pushed["view"], {}, TECH_2) == {"response_action": "clear"}
    await bot.settled()
    part, moves, order = await stored(bot)
    assert (part.on_hand, part.unit_cost_cents, order.status) == (36, 260, "received")
    assert moves == [(10, 240, "PO-1"), (25, 260, "PO-1")]
    again = await submit(bot, pushed["view"], {}, TECH_2)  # confirmed twice: the second is told, nothing added
    assert again["response_action"] == "update" and "PO-1 was already received in full." in str(again["view"])
    assert (await stored(bot))[0].on_hand == 36
    assert (await thread_lines(bot, card, 5))[
        -1
    ] == ":package: Parts arrived (PO-1): 25 each of WSH-8 Washer M8. Everything ordered is here."
    assert "All parts arrived* (PO-1)" in str(latest_card(bot, card)["blocks"])
    final = latest(bot, posted)
    assert "Received" in final["text"] and "po_receive" not in str(final["blocks"])
    thread = [
        c.params["text"] for c in bot.fake.find("chat.postMessage", channel=PURCHASING, thread_ts=posted.answer["ts"])
    ]
    assert thread == [
        f":inbox_tray: <@{TECH_2}> received 10 x WSH-8.",
        f":inbox_tray: <@{TECH_2}> received 25 x WSH-8. Everything has arrived.",
    ]


async def test_below_the_threshold_at_once_and_a_rejection(bot: BotClient, clock: FrozenClock) -> None:
    await stock_and_vendor(bot, clock)
    form = await open_modal(bot, Action.ORDER_MORE, "1", MANAGER, TEAM_CHANNEL, "1700000000.000001")
    small = {**request_values(quantity="4", cost=None), "work_order": sr.text_value(None)}  # 4 x 1.50 = 6.00
    assert await submit(bot, form, small, MANAGER) == {"response_action": "clear"}
    await bot.settled()
    [posted] = po_messages(bot)
    assert "Approved at once (below the approval threshold): PO-1" in str(posted.params["blocks"])
    assert not bot.fake.find("chat.postMessage", channel=MANAGER) or all(
        "approval needed" not in c.params["text"] for c in bot.fake.find("chat.postMessage", channel=MANAGER)
    )

    big = {**request_values(quantity="100"), "work_order": sr.text_value(None)}
    assert await submit(bot, form, big, TECH_1) == {"response_action": "clear"}
    await bot.settled()
    asked = [c for c in bot.fake.find("chat.postMessage", channel=MANAGER) if "approval needed" in c.params["text"]][-1]
    value = button_value(asked.params, Action.PO_REJECT)
    reject = await open_modal(bot, Action.PO_REJECT, value, MANAGER, MANAGER, asked.answer["ts"])
    assert await submit(bot, reject, {"reason": sr.text_value("")}, MANAGER) == {
        "response_action": "errors",
        "errors": {"reason": "Tell who asked why."},
    }
    assert await submit(bot, reject, {"reason": sr.text_value("Too many <!channel>")}, MANAGER) is None
    await bot.settled()
    told = bot.fake.find("chat.postMessage", channel=TECH_1)[-1].params["text"]
    assert told == f":x: Your purchase request PR-2 was not approved by <@{MANAGER}>: Too many &lt;!channel&gt;"
    _, key = await bot.click(Action.PO_APPROVE, value, user_id=MANAGER, channel=MANAGER, message_ts=asked.answer["ts"])
    assert (await bot.replies_to(key))[0]["text"] == f"PR-2 was already rejected by <@{MANAGER}>."
    _, key = await bot.click(
        Action.ORDER_MORE, "1", user_id=STAFF, channel=TEAM_CHANNEL, message_ts="1700000000.000001"
    )
    assert "Only technicians, managers and purchase approvers" in (await bot.replies_to(key))[0]["text"]
    assert len(po_messages(bot)) == 1

    # cancelling the order from its message: the team's managers and the approvers may
    value = button_value(posted.params, Action.PO_CANCEL)
    _, key = await bot.click(
        Action.PO_CANCEL, value, user_id=TECH_1, channel=PURCHASING, message_ts=posted.answer["ts"]
    )
    assert (await bot.replies_to(key))[0]["text"] == "Only Facilities managers and purchase approvers can cancel PO-1."
    cancel = await open_modal(bot, Action.PO_CANCEL, value, MANAGER, PURCHASING, posted.answer["ts"])
    assert await submit(bot, cancel, {"reason": sr.text_value("Found a box in the store")}, MANAGER) is None
    await bot.settled()
    shown = latest(bot, posted)
    assert "Cancelled" in shown["text"] and "po_receive" not in str(shown["blocks"])
    assert "Cancelled by" in str(shown["blocks"]) and "Found a box in the store" in str(shown["blocks"])
    again = await submit(bot, cancel, {"reason": sr.text_value("")}, MANAGER)
    assert again["errors"] == {"reason": "PO-1 is cancelled: there is nothing to cancel."}


async def test_use_parts_short_of_stock_offers_to_order(bot: BotClient, clock: FrozenClock) -> None:
    await stock_and_vendor(bot, clock)
    card = await file_request(bot)
    await click_card(bot, card, Action.CLAIM, TECH_1)
    form = await open_card_form(bot, card, Action.MORE, TECH_1, type="overflow", option=MoreOption.PARTS)
    used = {"part": sr.select_value("part:1", kind="external_select"), "quantity": sr.number_value("5")}
    pushed = await submit(bot, form, used, TECH_1)
    assert pushed["response_action"] == "push" and pushed["view"]["callback_id"] == "purchase_modal"
    shown = str(pushed["view"]["blocks"])
    assert "Only 3 each of WSH-8 in stock" in shown and "Nothing was recorded" in shown
    blocks = {b.get("block_id"): b for b in pushed["view"]["blocks"]}
    assert blocks["quantity"]["element"]["initial_value"] == "2"
    assert blocks["work_order"]["element"]["initial_value"] == "WO-1"
    assert (await stored(bot))[0].on_hand == 3


async def test_an_escalated_work_order_on_hold_still_shows_its_reason_and_its_parts(
    bot: BotClient, clock: FrozenClock
) -> None:
    await stock_and_vendor(bot, clock)
    card = await file_request(bot, priority="urgent")
    await click_card(bot, card, Action.CLAIM, TECH_1)
    clock.advance(hours=5)  # the resolution target (4 h) is missed: escalated
    assert await jobs.check_sla(bot.running.deps) == 1
    hold = await open_card_form(bot, card, Action.HOLD, TECH_1)
    assert await submit(bot, hold, {"reason": sr.select_value("parts")}, TECH_1) is None
    await bot.settled()
    shown = str(latest_card(bot, card)["blocks"])
    assert "Escalated (level" in shown and "Waiting for parts" in shown

    form = await open_modal(bot, Action.ORDER_MORE, "1", TECH_1, TEAM_CHANNEL, "1700000000.000001")
    assert await submit(bot, form, request_values(quantity="4", cost="1.00"), TECH_1) == {"response_action": "clear"}
    await bot.settled()
    [posted] = po_messages(bot)
    receive_form, line_id = await open_receive(bot, posted, TECH_1)
    values = {f"received_{line_id}": sr.number_value("4"), f"cost_{line_id}": sr.text_value("1.00")}
    assert await submit(bot, receive_form, values, TECH_1) is None
    await bot.settled()
    shown = str(latest_card(bot, card)["blocks"])
    assert "Escalated (level" in shown and "Waiting for parts" in shown and "All parts arrived* (PO-1)" in shown


async def test_two_people_receiving_the_same_order_at_once_add_stock_once(bot: BotClient, clock: FrozenClock) -> None:
    await stock_and_vendor(bot, clock)
    form = await open_modal(bot, Action.ORDER_MORE, "1", MANAGER, TEAM_CHANNEL, "1700000000.000001")
    values = {**request_values(quantity="6", cost="1.00"), "work_order": sr.text_value(None)}
    assert await submit(bot, form, values, MANAGER) == {"response_action": "clear"}
    await bot.settled()
    [posted] = po_messages(bot)
    receive_form, line_id = await open_receive(bot, posted, TECH_1)
    values = {f"received_{line_id}": sr.number_value("6"), f"cost_{line_id}": sr.text_value("1.00")}
    answers = await asyncio.gather(*(submit(bot, receive_form, values, who) for who in (TECH_1, TECH_2)))
    assert sorted(answers, key=str)[0] is None or None in answers, answers
    assert sum(1 for a in answers if a is None) == 1, answers
    await bot.settled()
    part, moves, order = await stored(bot)
    assert (part.on_hand, moves, order.status) == (9, [(6, 100, "PO-1")], "received")


async def test_parts_and_orders_from_slash_commands(bot: BotClient, clock: FrozenClock) -> None:
    await stock_and_vendor(bot, clock)
    deps = bot.running.deps
    await deps.db.run(
        partial(parts.add_part, now=clock(), actor_id="cli", sku="BLT-2", name="Belt", on_hand=9, reorder_point=1)
    )
    await deps.db.run(partial(parts.add_part, now=clock(), actor_id="cli", sku="ZZZ-9", name="Fuse", reorder_point=5))
    _, key = await bot.command("/wo", "parts", user_id=TECH_1)
    shown = (await bot.replies_to(key))[0]
    rows = [b for b in shown["blocks"] if b.get("accessory")]
    assert [b["accessory"]["value"] for b in rows] == ["3", "2", "1"]  # the low one first, then by SKU
    assert rows[0]["text"]["text"] == "*ZZZ-9* Fuse — 0 each in stock (reorder at 5) :warning: low"
    _, key = await bot.command("/wo", "parts washer", user_id=TECH_1)
    shown = (await bot.replies_to(key))[0]
    assert [b["accessory"]["value"] for b in shown["blocks"] if b.get("accessory")] == ["1"]
    _, key = await bot.command("/wo", "po", user_id=TECH_1)
    assert "No purchase orders are open." in str((await bot.replies_to(key))[0]["blocks"])


async def test_an_order_is_emailed_to_its_vendor_with_its_pdf(
    database_url: str, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    with mail_server() as server:
        smtp = (
            f"smtp:\n  host: 127.0.0.1\n  port: {server.port}\n  security: none\n  from: 'Facilities <f@example.com>'\n"
        )
        org = parse_organisation(
            CONFIG + f"purchasing:\n  auto_approve_below: {{amount: '50'}}\n  channel: {PURCHASING}\n" + smtp
        )
        async with started_bot(database_url, fake_slack, org, clock=clock) as bot:
            await stock_and_vendor(bot, clock)
            form = await open_modal(bot, Action.ORDER_MORE, "1", MANAGER, TEAM_CHANNEL, "1700000000.000001")
            await file_request(bot)
            note = "Pricier than last time: approve anyway"  # for the approver, not the vendor
            values = {**request_values(quantity="4", cost="1.25"), "note": sr.text_value(note)}  # for WO-1
            assert await submit(bot, form, values, MANAGER) == {"response_action": "clear"}
            await bot.settled()
            for _ in range(200):  # the mail worker sends it once the order's transaction is committed
                if server.received:
                    break
                await asyncio.sleep(0.05)  # the SMTP server runs in its own thread: polled
            [sent] = server.received
            message = sent.message()
            assert sent.recipients == ["orders@acme.example"]
            assert message["Subject"] == "PO-1: purchase order from Facilities for WO-1"  # as docs/email.md says
            assert "4 x WSH-8 Washer M8 at 1.25" in message.get_body(("plain",)).get_content()
            [attached] = list(message.iter_attachments())
            assert attached.get_filename() == "PO-1.pdf" and attached.get_content_type() == "application/pdf"
            assert "Purchase order PO-1" in pdf_text(attached.get_content())
            assert "Pricier" not in pdf_text(attached.get_content())
            assert "Pricier" not in message.get_body(("plain",)).get_content()
            [posted] = po_messages(bot)
            assert "Emailed to orders@acme.example" in str(posted.params["blocks"])
