"""The integration commands as an operator runs them: `wrench token`, `wrench export`, `wrench webhooks
status|retry`, `wrench labels`, and a token made by the CLI used against a running `wrench run`. Each command
runs once as the installed script, the test's other commands in this process (`wrench_in_process`)."""

import csv
import io
import json
import re
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import aiohttp
import pypdfium2 as pdfium
import zxingcpp

from models.db import Database
from models.schemas import RequestCreate
from services.delivery import webhooks
from services.inventory import places
from services.organisation.config_file import parse_organisation
from services.requests import service as requests
from tests.support.fake_slack import FakeSlack
from tests.support.org import CONFIG, STAFF, organisation
from tests.support.process import running_wrench, wrench, wrench_env, wrench_in_process

TOKEN = re.compile(r"wrn_[a-z0-9]{8}_[A-Za-z0-9_-]{43}")
WEBHOOK = "\nwebhooks:\n  - {name: erp, url: 'http://127.0.0.1:9/hook', secret_env: ERP_SECRET}\n"


async def upgraded(env: dict[str, str], database_url: str) -> None:
    if not database_url.startswith("sqlite"):
        assert (await wrench_in_process("db", "upgrade", env=env))[0] == 0


async def test_tokens_from_the_cli_open_the_api(tmp_path: Path, database_url: str, fake_slack: FakeSlack) -> None:
    env = wrench_env(tmp_path, database_url, fake_slack)
    await upgraded(env, database_url)
    code, output = await wrench("token", "create", "--name", "erp", "--scopes", "read,write", env=env)
    assert code == 0 and "created token erp (read, write)" in output, output
    [secret] = TOKEN.findall(output)
    code, output = await wrench_in_process("token", "create", "--name", "erp", env=env)
    assert code == 1 and "There is already a token named erp" in output
    code, output = await wrench_in_process("token", "create", "--name", "bi", "--scopes", "read,admin", env=env)
    assert code == 2 and "--scopes: 'admin' is not a scope" in output
    bearer = {"Authorization": f"Bearer {secret}"}
    async with running_wrench(env) as url, aiohttp.ClientSession(headers=bearer) as http:
        async with http.post(
            f"{url}/api/v1/requests", json={"category": "plumbing", "title": "Leak", "actor": STAFF}
        ) as response:
            assert response.status == 201, await response.text()
        code, output = await wrench_in_process("token", "list", env=env)
        assert code == 0 and re.search(r"erp\s+wrn_[a-z0-9]{8}\s+read,write\s+-\s+\d{4}-\d\d-\d\d .*active", output)
        assert secret not in output  # never shown again
        assert (await wrench_in_process("token", "revoke", "erp", env=env))[0] == 0
        async with http.get(f"{url}/api/v1/work-orders") as response:
            assert response.status == 401
    code, output = await wrench_in_process("token", "revoke", "nope", env=env)
    assert code == 1 and "There is no token named nope." in output


async def test_export_work_orders_assets_and_parts(tmp_path: Path, database_url: str, fake_slack: FakeSlack) -> None:
    env = wrench_env(tmp_path, database_url, fake_slack)
    await upgraded(env, database_url)
    db = Database(database_url)
    try:
        org = organisation()
        old, new = datetime(2026, 1, 5, 12, tzinfo=UTC), datetime(2026, 2, 5, 12, tzinfo=UTC)
        await db.run(partial(places.add_asset, now=old, tag="AHU-1", name="Air handler", location="HQ / Roof"))
        for when, title in ((old, "Old leak"), (new, 'New leak, "urgent"')):
            request = RequestCreate(title=title, category="hvac", custom_fields={"floor": 2})
            await db.run(partial(requests.submit, org=org, now=when, requester_id=STAFF, request=request))
    finally:
        await db.dispose()
    code, output = await wrench("export", "workorders", "--format", "csv", env=env)
    rows = list(csv.DictReader(io.StringIO(output)))
    assert code == 0 and [r["title"] for r in rows] == ["Old leak", 'New leak, "urgent"']
    assert rows[0]["ref"] == "WO-1" and json.loads(rows[0]["custom_fields"]) == {"floor": 2}
    code, output = await wrench_in_process("export", "workorders", "--format", "json", "--since", "2026-02-01", env=env)
    assert code == 0 and [w["title"] for w in json.loads(output)] == ['New leak, "urgent"']
    out = tmp_path / "assets.json"
    code, output = await wrench_in_process("export", "assets", "--format", "json", "--out", str(out), env=env)
    assert code == 0 and "exported 1 assets" in output
    assert json.loads(out.read_text())[0]["location"] == "HQ / Roof"
    code, output = await wrench_in_process("export", "parts", env=env)
    assert code == 0 and output.startswith("sku,name,unit,unit_cost,on_hand,reorder_point,location,low\n")
    code, output = await wrench_in_process("export", "workorders", "--since", "last week", env=env)
    assert code == 2 and "--since: 'last week' is not a date" in output
    code, output = await wrench_in_process("export", "boats", env=env)
    assert code == 2 and "boats" in output


async def test_webhooks_status_shows_failing_deliveries_and_retry_requeues(
    tmp_path: Path, database_url: str, fake_slack: FakeSlack
) -> None:
    env = wrench_env(tmp_path, database_url, fake_slack, config_text=CONFIG + WEBHOOK, ERP_SECRET="x" * 20)
    await upgraded(env, database_url)
    code, output = await wrench("webhooks", "status", env=env)
    assert code == 0 and "erp → http://127.0.0.1:9/hook: ok" in output and "delivered 0, pending 0" in output
    db = Database(database_url)
    hook = parse_organisation(CONFIG + WEBHOOK).webhooks
    try:
        now = datetime(2026, 3, 2, 9, tzinfo=UTC)
        request = RequestCreate(title="Key", category="keys")
        await db.run(partial(requests.submit, org=organisation(), now=now, requester_id=STAFF, request=request))
        await db.run(partial(webhooks.fan_out, webhooks=hook, now=now))
        [sent] = await db.run(partial(webhooks.lease_due, webhooks=hook, now=now))
        for _ in range(webhooks.MAX_ATTEMPTS):
            await db.run(
                partial(
                    webhooks.record_result,
                    now=now,
                    delivery_id=sent.delivery_id,
                    status=None,
                    error="ClientConnectorError: connection refused",
                )
            )
    finally:
        await db.dispose()
    code, output = await wrench_in_process("webhooks", "status", env=env)
    assert code == 1 and "erp → http://127.0.0.1:9/hook: FAILING" in output
    assert "failed 1" in output and "last error: ClientConnectorError: connection refused" in output
    code, output = await wrench_in_process("webhooks", "retry", "erp", env=env)
    assert code == 0 and "erp: 1 failed deliveries queued again" in output
    code, output = await wrench_in_process("webhooks", "retry", "crm", env=env)
    assert code == 1 and "There is no webhook named crm" in output
    env_without_secret = {**env, "ERP_SECRET": ""}
    code, output = await wrench_in_process("config", "check", env=env_without_secret)
    assert code == 1 and "ERP_SECRET must hold a secret" in output


PORTAL = "\nportal:\n  enabled: true\n  public_url: https://wrench.example.com/\n"


def decoded_labels(pdf: bytes) -> tuple[int, list[str], str]:
    """(pages, what every QR code says, the text) of a labels PDF, read the way a phone would: rendered
    to pixels and scanned."""
    document = pdfium.PdfDocument(pdf)
    urls, text = [], ""
    for page in document:
        urls += [found.text for found in zxingcpp.read_barcodes(page.render(scale=200 / 72).to_pil())]
        text += page.get_textpage().get_text_range()
    return len(document), urls, text


async def test_labels_print_a_qr_code_per_asset_at_the_site(
    tmp_path: Path, database_url: str, fake_slack: FakeSlack
) -> None:
    env = wrench_env(tmp_path, database_url, fake_slack, config_text=CONFIG + PORTAL)
    await upgraded(env, database_url)
    db = Database(database_url)
    try:
        add = partial(places.add_asset, now=datetime.now(UTC))
        for number in range(1, 11):
            await db.run(partial(add, tag=f"AHU-{number}", name=f"Air handler {number}", location="Main site / Roof"))
        await db.run(partial(add, tag="GATE/1", name="Yard gate — north", location="main site / Yard"))
        await db.run(partial(add, tag="LIFT-1", name="Lift", location="Östersund / Core"))
        await db.run(partial(add, tag="SPARE-1", name="Spare pump", location=None))
    finally:
        await db.dispose()

    code, output = await wrench("labels", "--site", "MAIN SITE", "--out", "labels.pdf", env=env)
    assert code == 0 and "wrote 11 labels on 2 pages to labels.pdf" in output, output
    pages, urls, text = decoded_labels((tmp_path / "labels.pdf").read_bytes())
    expected = [f"https://wrench.example.com/portal?asset=AHU-{n}" for n in range(1, 11)]
    assert pages == 2 and sorted(urls) == sorted([*expected, "https://wrench.example.com/portal?asset=GATE%2F1"])
    assert "Yard gate - north" in text and "Main site / Yard" in text and "LIFT-1" not in text

    code, output = await wrench_in_process("labels", "--site", "Nowhere", "--out", "labels.pdf", env=env)
    assert code == 1 and "--site: no assets at 'Nowhere' (sites: Main site, Östersund)" in output
    code, output = await wrench_in_process("labels", "--site", "ÖSTERSUND", "--out", "lift.pdf", env=env)
    assert code == 0 and "wrote 1 label on 1 page to lift.pdf" in output, output
    env = wrench_env(tmp_path, database_url, fake_slack)  # the portal is off
    code, output = await wrench_in_process("labels", "--site", "Main site", "--out", "labels.pdf", env=env)
    assert code == 2 and "set portal.enabled and portal.public_url" in output


async def test_a_location_typo_is_refused_with_the_closest_path_and_the_way_to_create_it(
    tmp_path: Path, database_url: str, fake_slack: FakeSlack
) -> None:
    env = wrench_env(tmp_path, database_url, fake_slack)
    await upgraded(env, database_url)
    assert (await wrench_in_process("locations", "add", "North site / Plant room", env=env))[0] == 0

    # the installed script: a refusal on stderr, with the typographic quotes of the message
    code, output = await wrench("assets", "add", "PMP-1", "Pump", "--location", "Nort site / Plant room", env=env)
    assert code == 1 and output.strip() == (
        "wrench: There is no location “Nort site / Plant room”; did you mean “North site / Plant room”? "
        'To add it: wrench locations add "Nort site / Plant room" (or add the asset with --create-location).'
    ), output
    code, output = await wrench_in_process("assets", "add", "PMP-1", "Pump", "--location", "Nowhere / Room", env=env)
    assert code == 1 and output.startswith("wrench: There is no location “Nowhere / Room”. To add it:"), output
    listed = (await wrench_in_process("locations", "list", env=env))[1].strip().splitlines()
    assert listed == ["North site", "North site / Plant room"]  # nothing was created

    code, output = await wrench_in_process(
        "assets", "add", "PMP-1", "Pump", "--location", "north SITE/plant room", env=env
    )
    assert code == 0 and output.strip() == "added PMP-1 Pump in north SITE/plant room", output  # case and spaces
    code, output = await wrench_in_process(
        "assets", "add", "PMP-2", "Pump", "--location", "South site / Yard", "--create-location", env=env
    )
    assert code == 0, output
    assert "South site / Yard" in (await wrench_in_process("locations", "list", env=env))[1]

    sheet = tmp_path / "assets.csv"
    sheet.write_text("tag,name,location\nFAN-1,Fan,North site / Plant rom\nFAN-2,Fan,South site / Yard\n")
    code, output = await wrench_in_process("import", "assets", str(sheet), env=env)
    assert code == 1 and "1 problem" in output, output
    assert (
        f"{sheet}: line 2: location: There is no location “North site / Plant rom”; did you mean “North site / "
        "Plant room”? Locations are created by `wrench import locations` (or `wrench locations add`)."
    ) in output
    sheet.write_text("key,title,team,repeat,starts_on,location\nfan,Clean fan,facilities,weeks,2026-03-02,Nort site\n")
    code, output = await wrench_in_process("import", "pm", str(sheet), env=env)
    assert code == 1 and "line 2: location: There is no location “Nort site”; did you mean “North site”?" in output
