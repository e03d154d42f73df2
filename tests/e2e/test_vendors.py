"""The vendors register end to end: `wrench vendors` and `wrench import vendors` as an operator runs them,
the REST API's `/vendors`, the vendor on `/wo asset TAG` (what people typed shown as plain text, an expiry
a week ahead), and the line the team's digest gives a vendor whose insurance or contract runs out."""

from functools import partial
from pathlib import Path
from typing import Any

import pytest

from models.db import Database
from models.vendors import Vendor
from scheduler import jobs
from services.contracting import vendors
from services.inventory import places
from services.organisation.api_tokens import Scope
from services.organisation.config_file import parse_organisation
from services.organisation.org import Organisation
from tests.conftest import FrozenClock
from tests.support.api import api_client
from tests.support.bot import BotClient
from tests.support.fake_slack import FakeSlack
from tests.support.org import ADMIN, CONFIG, MANAGER, STAFF
from tests.support.process import wrench, wrench_env, wrench_in_process

DIGEST_CHANNEL = "C0DIGEST"


@pytest.fixture
def org() -> Organisation:
    """The test organisation with a weekday digest of the facilities team at 08:00 London time."""
    return parse_organisation(CONFIG + f"digests:\n  - {{team: facilities, at: '08:00', channel: {DIGEST_CHANNEL}}}\n")


async def add_vendor(bot: BotClient, **values: Any) -> None:
    deps = bot.running.deps
    await deps.db.run(partial(vendors.add_vendor, org=deps.org, now=deps.clock(), values=values))


async def test_vendors_from_the_command_line_and_a_csv_file(
    tmp_path: Path, database_url: str, fake_slack: FakeSlack
) -> None:
    env = wrench_env(tmp_path, database_url, fake_slack)
    if not database_url.startswith("sqlite"):
        assert (await wrench_in_process("db", "upgrade", env=env))[0] == 0
    # the installed script once (the rest run in this process: what they do is under test, not the process)
    code, output = await wrench(
        "vendors", "add", "acme-hvac", "Acme Heating", "--trades", "hvac,plumbing", "--contact", "Jo Smith",
        "--email", "jo@acme.example", "--phone", "+44 20 7946 0000", "--rate", "85.50", "--currency", "eur",
        "--expires", "2020-01-31", env=env,
    )  # fmt: skip
    assert (code, output.strip()) == (0, "added acme-hvac Acme Heating"), output
    code, output = await wrench_in_process(
        "vendors", "add", "bad", "Bad", "--email", "nope", "--trades", "roofing", "--rate=-5", "--currency", "EURO",
        "--expires", "2027-13-01", env=env,
    )  # fmt: skip
    assert code == 1, output
    assert output.strip() == (
        "wrench: email: “nope” is not an email address, like jo@example.com; trades: no category “roofing” in "
        "wrench.yml (trades are category keys: plumbing, electrical, laptops, keys, hvac); currency: “EURO” is not "
        "a currency: write its ISO 4217 code, like EUR, USD or GBP; hourly_rate: an hourly rate cannot be negative; "
        "expires_on: “2027-13-01” is not a date: write it as YYYY-MM-DD, like 2027-03-31"
    )
    code, output = await wrench_in_process("vendors", "edit", "ACME-HVAC", "--phone", "", "--rate", "90", env=env)
    assert (code, output.strip()) == (0, "changed acme-hvac Acme Heating"), output
    code, output = await wrench_in_process("vendors", "edit", "nobody", "--name", "N", env=env)
    assert (code, output.strip()) == (1, "wrench: There is no vendor “nobody”.")

    sheet = tmp_path / "vendors.csv"
    sheet.write_text(
        "key,name,trades,email,hourly_rate,currency,expires_on\n"
        "bolt,Bolt Electric,electrical,ops@bolt.example,60,GBP,2099-12-31\n"
        "carl,Carl,hvac,carl@,1.5,JPY,\n"
    )
    code, output = await wrench_in_process("import", "vendors", str(sheet), env=env)
    assert code == 1 and "wrench: 2 problems; nothing was imported" in output, output
    assert f"{sheet}: line 3: email: “carl@” is not an email address, like jo@example.com" in output
    assert (
        f"{sheet}: line 3: hourly_rate: JPY has no decimal places: 1.5 cannot be stored without losing part of it"
    ) in output
    sheet.write_text(
        "key,name,trades,hourly_rate,currency,expires_on\nbolt,Bolt Electric,electrical,60,GBP,2099-12-31\n"
    )
    code, output = await wrench_in_process("import", "vendors", str(sheet), env=env)
    assert (code, output.strip().splitlines()[-1]) == (0, "1 created, 0 updated, 0 unchanged"), output
    code, output = await wrench_in_process("import", "--template", "vendors", env=env)
    assert output.splitlines()[0] == "key,name,trades,contact_name,email,phone,hourly_rate,currency,expires_on,notes"

    code, output = await wrench_in_process("vendors", "list", env=env)
    lines = output.strip().splitlines()
    assert code == 0 and len(lines) == 3, output
    assert lines[1].split() == [
        "acme-hvac", "Acme", "Heating", "hvac,plumbing", "90.00", "EUR", "2020-01-31", "Jo", "Smith", "·",
        "jo@acme.example", "EXPIRED",
    ]  # fmt: skip
    assert lines[2].split() == ["bolt", "Bolt", "Electric", "electrical", "60.00", "GBP", "2099-12-31"]

    code, output = await wrench_in_process(
        "assets", "add", "AHU-1", "Air handler", "--service-vendor", "acme-hvac", env=env
    )
    assert code == 0, output
    code, output = await wrench_in_process(
        "assets", "add", "AHU-2", "Air handler", "--service-vendor", "nobody", env=env
    )
    assert code == 1 and "There is no vendor “nobody”." in output, output

    async def serviced_by() -> str | None:
        db = Database(env["DATABASE_URL"])
        try:
            async with db.unit_of_work() as session:
                asset = await places.asset_by_tag(session, "AHU-1")
                vendor = await session.get(Vendor, asset.service_vendor_id) if asset.service_vendor_id else None
                return vendor.key if vendor else None
        finally:
            await db.dispose()

    code, output = await wrench_in_process("assets", "service-vendor", "AHU-1", "bolt", env=env)
    assert (code, output.strip(), await serviced_by()) == (0, "AHU-1 is serviced by bolt", "bolt"), output
    code, output = await wrench_in_process("assets", "service-vendor", "AHU-1", "nobody", env=env)
    assert code == 1 and "There is no vendor “nobody”." in output and await serviced_by() == "bolt", output
    code, output = await wrench_in_process("assets", "service-vendor", "AHU-1", env=env)  # neither a key nor --none
    assert code != 0 and "--none" in output and await serviced_by() == "bolt", output
    code, output = await wrench_in_process("assets", "service-vendor", "AHU-1", "--none", env=env)
    assert (code, output.strip(), await serviced_by()) == (0, "AHU-1 has no vendor now", None), output


async def test_vendors_through_the_rest_api(bot: BotClient) -> None:
    api = await api_client(bot)
    body = {
        "actor": MANAGER,
        "key": "acme-hvac",
        "name": "Acme Heating",
        "trades": ["hvac"],
        "email": "jo@acme.example",
        "hourly_rate": "85.50",
        "currency": "EUR",
        "expires_on": "2026-03-01",
    }
    created = await api.post("/vendors", body)
    assert created.status == 201, created.body
    assert {k: created.body[k] for k in ("key", "hourly_rate", "currency", "expires_on", "expired", "phone")} == {
        "key": "acme-hvac",
        "hourly_rate": "85.50",
        "currency": "EUR",
        "expires_on": "2026-03-01",
        "expired": True,  # the clock says 2 March 2026
        "phone": "",
    }
    again = await api.post("/vendors", body)
    assert again.status == 422 and again.problem_fields() == ["key"]
    wrong = await api.post(
        "/vendors",
        {"key": "bolt", "name": "Bolt", "email": "bolt@", "trades": ["roofing"], "hourly_rate": "1.234",
         "currency": "EUR", "expires_on": "tomorrow", "actor": MANAGER},
    )  # fmt: skip
    assert wrong.status == 422 and wrong.problem_fields() == ["email", "trades", "hourly_rate", "expires_on"]
    assert wrong.body["errors"][2]["message"] == (
        "EUR has 2 decimal places: 1.234 cannot be stored without losing part of it"
    )
    as_float = await api.post("/vendors", {"key": "bolt", "name": "Bolt", "hourly_rate": 85.5, "actor": MANAGER})
    assert as_float.status == 422 and as_float.problem_fields() == ["hourly_rate"]
    assert as_float.body["errors"][0]["message"] == (
        'Write it as a decimal in a string, like "85.50": a JSON number would be a float.'
    )
    # a rate or a key of the wrong shape is named with the others, in words, not as a pattern
    shapes = await api.post(
        "/vendors",
        {"key": "bad key!", "name": "", "email": "jo at acme", "hourly_rate": "-5", "actor": MANAGER},
    )
    assert shapes.status == 422 and shapes.problem_fields() == ["key", "name", "email", "hourly_rate"]
    assert shapes.body["errors"][3]["message"] == "an hourly rate cannot be negative"
    assert "pattern" not in str(shapes.body)
    comma = await api.patch("/vendors/acme-hvac", {"hourly_rate": "1,000.00", "actor": MANAGER})
    assert comma.status == 422 and comma.body["errors"] == [
        {"field": "hourly_rate", "message": "“1,000.00” is not an hourly rate: write it like 85 or 85.50"}
    ]

    changed = await api.patch(
        "/vendors/ACME-HVAC", {"phone": "+1 555 0100", "hourly_rate": "90", "expires_on": None, "actor": ADMIN}
    )
    assert changed.status == 200, changed.body
    assert (
        changed.body["phone"],
        changed.body["hourly_rate"],
        changed.body["expires_on"],
        changed.body["expired"],
    ) == (
        "+1 555 0100",
        "90.00",
        None,
        False,
    )
    assert (await api.get("/vendors/acme-hvac")).body["hourly_rate"] == "90.00"
    listed = await api.get("/vendors")
    assert [vendor["key"] for vendor in listed.body["items"]] == ["acme-hvac"]
    assert (await api.patch("/vendors/nobody", {"name": "N", "actor": MANAGER})).status == 404
    staff = await api.patch("/vendors/acme-hvac", {"name": "Mine now", "actor": STAFF})
    assert staff.status == 403 and staff.body["detail"] == "Only managers and admins can change the vendors register."
    as_staff = await api_client(bot, name="portal", acts_as=STAFF)
    assert (await as_staff.post("/vendors", {"key": "mine", "name": "Mine"})).status == 403

    reader = await api_client(bot, name="bi", scopes=(Scope.READ,))
    refused = await reader.patch("/vendors/acme-hvac", {"name": "Taken over", "actor": MANAGER})
    assert refused.status == 403 and "write scope" in refused.body["detail"]
    deps = bot.running.deps
    await deps.db.run(
        partial(places.add_asset, tag="AHU-1", name="AHU", location=None, now=deps.clock(), service_vendor="acme-hvac")
    )
    assert (await api.get("/assets/AHU-1")).body["service_vendor"] == "acme-hvac"


def mrkdwn_texts(value: Any) -> list[str]:
    """Every mrkdwn text in `value` (blocks), however deep."""
    if isinstance(value, list):
        return [text for item in value for text in mrkdwn_texts(item)]
    if isinstance(value, dict):
        own = [value["text"]] if value.get("type") == "mrkdwn" else []
        return own + [text for item in value.values() for text in mrkdwn_texts(item)]
    return []


def context_of(blocks: list[dict[str, Any]], heading: str) -> list[dict[str, Any]]:
    return next(b["elements"] for b in blocks if b["type"] == "context" and b["elements"][0]["text"] == heading)


async def test_the_asset_card_names_its_vendor_as_plain_text(bot: BotClient, db: Database, clock: FrozenClock) -> None:
    await add_vendor(
        bot,
        key="acme",
        name="Acme <!channel> & *Sons*",
        contact_name="<@U0MANAGER>",
        phone="+44 20 7946 0000",
        email="jo@acme.example",
        expires_on="2026-03-06",
    )
    await db.run(partial(places.add_asset, tag="AHU-1", name="AHU", location=None, now=clock(), service_vendor="acme"))
    _, key = await bot.command("/wo", "asset AHU-1", user_id=STAFF)
    shown = (await bot.replies_to(key))[0]
    _, details, warning = context_of(shown["blocks"], "*Serviced by*")
    assert details == {
        "type": "plain_text",
        "text": "Acme <!channel> & *Sons* · <@U0MANAGER> · +44 20 7946 0000 · jo@acme.example",
        "emoji": False,
    }
    assert warning == {"type": "mrkdwn", "text": ":warning: Insurance or contract expires on Fri 06 Mar 2026"}
    live = [text for text in mrkdwn_texts(shown["blocks"]) if "<!channel>" in text or "<@U0MANAGER>" in text]
    assert live == [] and "<!channel>" not in shown["text"]

    await db.run(partial(vendors.edit_vendor, org=bot.running.deps.org, now=clock(), key="acme",
                         values={"expires_on": "2026-02-27"}))  # fmt: skip
    _, key = await bot.command("/wo", "asset AHU-1", user_id=STAFF)
    *_, warning = context_of((await bot.replies_to(key))[0]["blocks"], "*Serviced by*")
    assert warning["text"] == ":warning: Insurance or contract expired on Fri 27 Feb 2026"

    await db.run(partial(vendors.edit_vendor, org=bot.running.deps.org, now=clock(), key="acme",
                         values={"expires_on": "2026-03-10"}))  # fmt: skip
    _, key = await bot.command("/wo", "asset AHU-1", user_id=STAFF)
    assert len(context_of((await bot.replies_to(key))[0]["blocks"], "*Serviced by*")) == 2  # no warning yet


async def test_the_digest_names_the_teams_vendors_whose_cover_runs_out(bot: BotClient, clock: FrozenClock) -> None:
    await bot.fake.wait_calls("chat.postMessage", 1, channel=DIGEST_CHANNEL)  # Monday's, at start
    await add_vendor(bot, key="acme", name="Acme <HVAC>", trades="hvac", expires_on="2026-03-05")
    await add_vendor(bot, key="old", name="Old Pipes", trades="plumbing", expires_on="2026-01-31")
    await add_vendor(bot, key="later", name="Later Sparks", trades="electrical", expires_on="2026-03-11")
    await add_vendor(bot, key="geeks", name="Laptop Geeks", trades="laptops", expires_on="2026-03-04")  # IT's
    clock.advance(days=1)  # Tuesday 3 March, 09:00
    assert await jobs.post_digests(bot.running.deps) == 1
    await bot.settled()
    posted = bot.fake.find("chat.postMessage", channel=DIGEST_CHANNEL)[-1].params
    [section] = [b for b in posted["blocks"] if "Vendors*" in b.get("text", {}).get("text", "")]
    assert section["text"]["text"] == (
        "*:handshake: Vendors* (2)\n"
        "• Old Pipes: :warning: Insurance or contract expired on Sat 31 Jan 2026\n"
        "• Acme &lt;HVAC&gt;: :warning: Insurance or contract expires on Thu 05 Mar 2026"
    )
