"""Purchasing through the REST API and `wrench purchasing` as an operator runs it: requests checked field by
field, orders read and listed, receipts (everything still to come, by SKU, over what was ordered only when
allowed), and the same order never received twice."""

from pathlib import Path
from typing import Any

import pytest

from scheduler import jobs
from services.contracting import vendors
from services.inventory import parts
from services.organisation.config_file import parse_organisation
from services.organisation.org import Organisation
from tests.conftest import FrozenClock
from tests.support.api import api_client
from tests.support.bot import BotClient
from tests.support.fake_slack import FakeSlack
from tests.support.org import CONFIG, MANAGER, STAFF, TECH_1, TECH_2
from tests.support.process import wrench, wrench_env, wrench_in_process

PURCHASING = "purchasing:\n  auto_approve_below: {amount: '20'}\n"
DIGEST_CHANNEL = "C0DIGEST"


@pytest.fixture
def org() -> Organisation:
    digest = f"digests:\n  - {{team: facilities, at: '08:00', channel: {DIGEST_CHANNEL}}}\n"
    return parse_organisation(CONFIG + PURCHASING + digest)


async def setup(bot: BotClient) -> None:
    deps = bot.running.deps

    async def work(session: Any) -> None:
        now = deps.clock()
        await vendors.add_vendor(session, org=deps.org, now=now, values={"key": "acme", "name": "Acme Supply"})
        await parts.add_part(session, now=now, actor_id="cli", sku="FLT-1", name="Filter", unit_cost=12.5)
        await parts.add_part(session, now=now, actor_id="cli", sku="BLT-2", name="Belt", unit_cost=3)

    await deps.db.run(work)


async def test_purchase_requests_and_receipts_through_the_rest_api(bot: BotClient) -> None:
    await setup(bot)
    api = await api_client(bot)
    wrong = await api.post(
        "/purchase-requests",
        {"vendor": "nobody", "actor": TECH_1, "work_order": "WO-7",
         "lines": [{"sku": "FLT-1", "quantity": 0}, {"sku": "NOPE", "quantity": 2, "unit_cost": "1.001"}]},
    )  # fmt: skip
    assert wrong.status == 422 and wrong.problem_fields() == [  # the body's fields, as api.md says
        "vendor",
        "lines.0.quantity",
        "lines.1.sku",
        "lines.1.unit_cost",
        "work_order",
    ]
    as_float = await api.post(
        "/purchase-requests",
        {"vendor": "acme", "actor": TECH_1, "lines": [{"sku": "FLT-1", "quantity": 1, "unit_cost": 2.5}]},
    )
    assert as_float.status == 422 and as_float.body["errors"] == [
        {
            "field": "lines.0.unit_cost",
            "message": 'Write it as a decimal in a string, like "85.50": a JSON number would be a float.',
        }
    ]
    staff = await api.post(
        "/purchase-requests", {"vendor": "acme", "actor": STAFF, "lines": [{"sku": "FLT-1", "quantity": 1}]}
    )
    assert staff.status == 403

    small = await api.post(
        "/purchase-requests", {"vendor": "acme", "actor": TECH_1, "lines": [{"sku": "BLT-2", "quantity": 5}]}
    )  # 15.00: under the threshold
    assert small.status == 201, small.body
    assert {k: small.body[k] for k in ("ref", "status", "total", "currency", "decided_by")} == {
        "ref": "PO-1", "status": "ordered", "total": "15.00", "currency": "USD", "decided_by": "wrench",
    }  # fmt: skip
    big = await api.post(
        "/purchase-requests",
        {"vendor": "ACME", "actor": TECH_1, "note": "for the AHU",
         "lines": [{"sku": "FLT-1", "quantity": 4, "unit_cost": "11.25"}, {"sku": "blt-2", "quantity": 2}]},
    )  # fmt: skip
    assert big.status == 201 and (big.body["ref"], big.body["status"], big.body["total"]) == (
        "PR-2",
        "requested",
        "51.00",
    )
    assert [(line["sku"], line["unit_cost"]) for line in big.body["lines"]] == [("FLT-1", "11.25"), ("BLT-2", "3.00")]
    assert (await api.post("/purchase-orders/PR-2/receipts", {"actor": TECH_1})).status == 409  # not approved yet

    listed = await api.get("/purchase-orders", limit=1)
    assert [o["ref"] for o in listed.body["items"]] == ["PR-2"] and listed.body["next_cursor"] == "2"
    rest = await api.get("/purchase-orders", limit=1, cursor="2")
    assert [o["ref"] for o in rest.body["items"]] == ["PO-1"] and rest.body["next_cursor"] is None
    assert [o["ref"] for o in (await api.get("/purchase-orders", status="requested")).body["items"]] == ["PR-2"]
    assert (await api.get("/purchase-orders/po-1")).body["ref"] == "PO-1"
    for cursor in ("abc", "²", "9" * 20):  # refused as every listing refuses a cursor it did not give out
        strange = await api.get("/purchase-orders", cursor=cursor)
        assert strange.status == 422 and strange.problem_fields() == ["cursor"], strange.body
    odd = await api.post(
        "/purchase-requests",
        {"vendor": "acme", "actor": TECH_1, "work_order": "WO-²", "lines": [{"sku": "FLT-1", "quantity": 1}]},
    )
    assert odd.status == 422 and odd.problem_fields() == ["work_order"], odd.body
    assert (await api.get("/purchase-orders/PO-9")).status == 404

    over = await api.post(
        "/purchase-orders/PO-1/receipts", {"actor": TECH_2, "lines": [{"sku": "BLT-2", "quantity": 6}]}
    )
    assert over.status == 422 and over.body["errors"] == [
        {
            "field": "lines.0.quantity",
            "message": 'That is more than was ordered (BLT-2: 6 of 5 ordered). Send "allow_over": true to receive '
            "it all the same.",
        }
    ]
    nothing = await api.post(
        "/purchase-orders/PO-1/receipts", {"actor": TECH_2, "lines": [{"sku": "BLT-2", "quantity": 0}]}
    )
    assert nothing.status == 422 and nothing.problem_fields() == ["lines"]
    unknown = await api.post(
        "/purchase-orders/PO-1/receipts", {"actor": TECH_2, "lines": [{"sku": "FLT-1", "quantity": 1}]}
    )
    assert unknown.status == 422 and unknown.problem_fields() == ["lines.0.sku"]
    second = await api.post(  # the second line's quantity is named as the second line's, after an unknown one
        "/purchase-orders/PO-1/receipts",
        {"actor": TECH_2, "lines": [{"sku": "NOPE", "quantity": 1}, {"sku": "BLT-2", "quantity": -1}]},
    )
    assert second.status == 422 and second.problem_fields() == ["lines.0.sku", "lines.1.quantity"]
    version = (await api.get("/purchase-orders/PO-1")).body["version"]
    part = await api.post(
        "/purchase-orders/PO-1/receipts",
        {"actor": TECH_2, "version": version, "lines": [{"sku": "BLT-2", "quantity": 2, "unit_cost": "2.90"}]},
    )
    assert part.status == 200 and (part.body["status"], part.body["received_amount"]) == ("partly_received", "5.80")
    stale = await api.post(
        "/purchase-orders/PO-1/receipts",
        {"actor": TECH_2, "version": version, "lines": [{"sku": "BLT-2", "quantity": 2}]},
    )
    assert stale.status == 409
    allowed = await api.post(
        "/purchase-orders/PO-1/receipts",
        {"actor": TECH_2, "allow_over": True, "lines": [{"sku": "BLT-2", "quantity": 4}]},
    )
    assert allowed.status == 200 and allowed.body["status"] == "received" and allowed.body["lines"][0]["received"] == 6
    assert (await api.post("/purchase-orders/PO-1/receipts", {"actor": TECH_2})).status == 409
    stock = await api.get("/parts/BLT-2")
    assert (stock.body["on_hand"], stock.body["unit_cost"]) == (6, 3.0)  # the last price paid: 3.00 (as ordered)

    # spend: what arrived at its actual cost (2 x 2.90 + 4 x 3.00), by vendor, team and month
    spent = await api.get("/spend", days=30)
    assert spent.status == 200, spent.body
    assert (spent.body["total"], spent.body["orders"], spent.body["currency"]) == ("17.80", 1, "USD")
    row = {"orders": 1, "amount": "17.80"}
    assert spent.body["by_vendor"] == [{"key": "acme", "name": "Acme Supply", **row}]
    assert spent.body["by_team"] == [{"key": "facilities", "name": "Facilities", **row}]
    assert spent.body["by_month"] == [{"key": "2026-03", "name": "2026-03", **row}]
    assert (await api.get("/spend", team="it")).body["total"] == "0.00"
    assert (await api.get("/spend", team="nobody")).status == 422


async def test_purchasing_from_the_command_line(tmp_path: Path, database_url: str, fake_slack: FakeSlack) -> None:
    env = wrench_env(tmp_path, database_url, fake_slack, config_text=CONFIG + PURCHASING)
    if not database_url.startswith("sqlite"):
        assert (await wrench_in_process("db", "upgrade", env=env))[0] == 0
    for command in (
        ("vendors", "add", "acme", "Acme Supply", "--email", "orders@acme.example"),
        ("parts", "add", "FLT-1", "Filter", "--cost", "12.50"),
    ):
        code, output = await wrench_in_process(*command, env=env)
        assert code == 0, output
    # the installed script once (the rest run in this process: what they do is under test, not the process)
    code, output = await wrench("purchasing", "request", "acme", "FLT-1=4@11.25", "--as", TECH_1, env=env)
    assert (code, output.strip()) == (0, "PR-1 requested 45.00 USD acme (FLT-1 0/4) (waiting for approval)"), output
    code, output = await wrench_in_process(
        "purchasing", "request", "acme", "FLT-1=0", "NOPE=1@1.001", "--as", TECH_1, env=env
    )
    assert code == 1 and output.strip() == (  # each named by the item as typed, not by a form's field
        "wrench: FLT-1=0: Enter a quantity from 1 to 100,000; NOPE=1@1.001: There is no part “NOPE” in the "
        "register; Unit cost: USD has 2 decimal places: 1.001 cannot be stored without losing part of it"
    ), output
    code, output = await wrench_in_process("purchasing", "request", "acme", "FLT-1", "--as", TECH_1, env=env)
    assert code == 2 and "is not SKU=QUANTITY" in output
    code, output = await wrench_in_process("purchasing", "approve", "PR-1", "--as", TECH_2, env=env)
    assert (code, output.strip()) == (1, "wrench: Only the purchase approvers can decide on PR-1."), output
    code, output = await wrench_in_process("purchasing", "approve", "PR-1", "--as", MANAGER, env=env)
    assert (code, output.strip()) == (0, "PO-1 ordered 45.00 USD acme (FLT-1 0/4)"), output
    code, output = await wrench_in_process(
        "purchasing", "receive", "PO-1", "NOPE=1", "FLT-1=1.5", "--as", TECH_2, env=env
    )
    assert code == 1 and output.strip() == (
        "wrench: NOPE=1: PO-1 has no line of “NOPE”; FLT-1=1.5: “1.5” is not a quantity: enter a whole number, like 4"
    ), output
    code, output = await wrench_in_process("purchasing", "receive", "PO-1", "FLT-1=1", "--as", TECH_2, env=env)
    assert (code, output.strip()) == (0, "PO-1 partly_received 45.00 USD acme (FLT-1 1/4)"), output
    code, output = await wrench_in_process("purchasing", "receive", "PO-1", "FLT-1=5", "--as", TECH_2, env=env)
    assert code == 1 and output.strip() == (
        "wrench: That is more than was ordered (FLT-1: 6 of 4 ordered). Add --allow-over to receive it all the same."
    ), output
    code, output = await wrench_in_process(
        "purchasing", "receive", "PO-1", "FLT-1=5@10", "--as", TECH_2, "--allow-over", env=env
    )
    assert (code, output.strip()) == (0, "PO-1 received 45.00 USD acme (FLT-1 6/4)"), output
    code, output = await wrench_in_process("purchasing", "receive", "PO-1", "--as", TECH_2, env=env)
    assert (code, output.strip()) == (1, "wrench: PO-1 was already received in full."), output
    code, output = await wrench_in_process("parts", "list", env=env)
    assert "FLT-1" in output and " 6 " in f" {output} ".replace("\t", " "), output
    code, output = await wrench_in_process("purchasing", "request", "acme", "FLT-1=1", "--as", TECH_1, env=env)  # 10.00
    assert (code, output.strip()) == (0, "PO-2 ordered 10.00 USD acme (FLT-1 0/1)"), output
    code, output = await wrench_in_process("purchasing", "cancel", "PO-2", "--as", TECH_1, env=env)
    assert (code, output.strip()) == (1, "wrench: Only Facilities managers and purchase approvers can cancel PO-2."), (
        output
    )
    code, output = await wrench_in_process(
        "purchasing", "cancel", "PO-2", "--as", MANAGER, "--reason", "found one", env=env
    )
    assert (code, output.strip()) == (0, "PO-2 cancelled 10.00 USD acme (FLT-1 0/1)"), output
    code, output = await wrench_in_process("purchasing", "list", "--open", env=env)
    assert (code, output.strip()) == (0, ""), output
    code, output = await wrench_in_process("purchasing", "list", env=env)
    assert output.strip().splitlines() == [
        "PO-2 cancelled 10.00 USD acme (FLT-1 0/1)",
        "PO-1 received 45.00 USD acme (FLT-1 6/4)",
    ]
    code, output = await wrench_in_process("purchasing", "spend", "--days", "7", env=env)
    assert output.strip().splitlines()[:2] == [
        "Spend, last 7 days: 61.25 USD on 1 orders",  # 1 x 11.25 + 5 x 10.00 (the actual cost)
        "  vendor Acme Supply: 61.25 USD (1 orders)",
    ], output
    code, output = await wrench_in_process("report", "--team", "facilities", env=env)
    assert "Purchasing spend (received)" in output and "Spend, vendor Acme Supply" in output, output
    code, output = await wrench_in_process("export", "purchase-orders", env=env)
    lines = output.strip().splitlines()
    assert lines[0].startswith("ref,number,status,team,vendor,vendor_name,work_order,") and len(lines) == 3, output
    assert lines[1].startswith("PO-1,1,received,facilities,acme,Acme Supply,,") and '""sku"": ""FLT-1""' in lines[1]
    code, output = await wrench_in_process("purchasing", "show", "PO-1", env=env)
    assert output.strip().splitlines()[1] == "  FLT-1 Filter: 4 each at 11.25, 6 received", output


async def test_the_digest_lists_open_purchase_orders_with_their_age(bot: BotClient, clock: FrozenClock) -> None:
    await setup(bot)
    api = await api_client(bot)
    ordered = await api.post(
        "/purchase-requests", {"vendor": "acme", "actor": TECH_1, "lines": [{"sku": "BLT-2", "quantity": 5}]}
    )
    assert ordered.body["ref"] == "PO-1"
    waiting = await api.post(
        "/purchase-requests", {"vendor": "acme", "actor": TECH_1, "lines": [{"sku": "FLT-1", "quantity": 5}]}
    )
    assert waiting.body["status"] == "requested"  # a request is not an order: not listed
    clock.advance(days=3)
    assert await jobs.post_digests(bot.running.deps) == 1
    await bot.settled()
    shown = str(bot.fake.find("chat.postMessage", channel=DIGEST_CHANNEL)[-1].params["blocks"])
    assert "*:package: Open purchase orders* (1)\\n• PO-1 · Acme Supply · 15.00 USD · Ordered · 3 days" in shown
    assert (await api.post("/purchase-orders/PO-1/receipts", {"actor": TECH_2})).status == 200
    clock.advance(days=1)
    assert await jobs.post_digests(bot.running.deps) == 1
    await bot.settled()
    assert "Open purchase orders" not in str(bot.fake.find("chat.postMessage", channel=DIGEST_CHANNEL)[-1].params)
