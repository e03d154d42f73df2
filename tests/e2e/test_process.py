"""`wrench` as an operator runs it: a real process, configured by environment and wrench.yml. Each command
a test is about runs once as the installed script; the test's other commands run in this process
(`wrench_in_process`: the same command line and environment, without a second or two of start-up each)."""

import asyncio
import os
import re
import signal
import subprocess
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import text as text_query

from models.db import Database
from models.migrate import head_revision
from models.schemas import RequestCreate
from services.inventory import places
from services.requests import service as requests
from tests.e2e.flow import request_values
from tests.support import slack_requests as sr
from tests.support.fake_slack import FakeSlack
from tests.support.org import CONFIG, MANAGER, STAFF, TEAM_CHANNEL, organisation
from tests.support.process import WRENCH, post_signed, running_wrench, wrench, wrench_env, wrench_in_process


async def test_work_order_survives_a_restart(tmp_path: Path, database_url: str, fake_slack: FakeSlack) -> None:
    env = wrench_env(tmp_path, database_url, fake_slack)
    if not database_url.startswith("sqlite"):
        assert (await wrench_in_process("db", "upgrade", env=env))[0] == 0
    async with running_wrench(env) as url, aiohttp.ClientSession() as http:
        body = sr.slash_command("/request", "leaking pipe", user_id=STAFF, response_url=fake_slack.response_url("a"))
        assert await post_signed(http, url, body) == 200
        view = (await fake_slack.wait_calls("views.open"))[0].params["view"]
        assert await post_signed(http, url, sr.view_submission(view, request_values(), user_id=STAFF)) == 200
        await fake_slack.wait_calls("chat.postMessage", 1, channel=TEAM_CHANNEL)

    async with running_wrench(env) as url, aiohttp.ClientSession() as http:
        body = sr.slash_command("/wo", "1", user_id=STAFF, response_url=fake_slack.response_url("after"))
        assert await post_signed(http, url, body) == 200
        await fake_slack.wait_for(lambda: [r for r in fake_slack.replies if r["key"] == "after"])
    reply = next(r for r in fake_slack.replies if r["key"] == "after")
    assert reply["blocks"][0]["text"]["text"] == "WO-1 · Leaking pipe in 204"


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ({"SLACK_BOT_TOKEN": ""}, "wrench: SLACK_BOT_TOKEN: must be a bot token starting with xoxb-"),
        ({"SLACK_BOT_TOKEN": "xoxb-wrong"}, "wrench: SLACK_BOT_TOKEN: Slack refused it (invalid_auth)"),
        ({"DATABASE_URL": "mysql://x"}, "wrench: DATABASE_URL: must use sqlite+aiosqlite:// or postgresql+asyncpg://"),
        (
            {"DATABASE_URL": "sqlite+aiosqlite:////nonexistent/dir/w.db"},
            "wrench: DATABASE_URL: folder /nonexistent/dir does not exist",
        ),
        ({"PORT": "eighty"}, "wrench: PORT: Input should be a valid integer, unable to parse string as an integer"),
        ({"SLACK_SIGNING_SECRET": ""}, "wrench: SLACK_SIGNING_SECRET: required for --mode http"),
        ({"WRENCH_CONFIG": "/nonexistent/wrench.yml"}, "wrench: /nonexistent/wrench.yml: cannot read the config file"),
    ],
)
async def test_bad_settings_stop_startup_with_one_line(
    tmp_path: Path, fake_slack: FakeSlack, override: dict[str, str], expected: str
) -> None:
    env = wrench_env(tmp_path, f"sqlite+aiosqlite:///{tmp_path}/w.db", fake_slack, **override)
    code, output = await wrench("run", "--mode", "http", env=env)
    assert code == 2
    lines = output.strip().splitlines()
    assert lines[-1].startswith(expected), output
    assert not any("Traceback" in line for line in lines)


async def test_config_check_names_the_wrong_line(tmp_path: Path, fake_slack: FakeSlack) -> None:
    env = wrench_env(tmp_path, "sqlite+aiosqlite:///unused.db", fake_slack)
    code, output = await wrench("config", "check", env=env)
    assert (code, output.strip()) == (
        0,
        f"{tmp_path}/wrench.yml: OK (2 teams, 5 categories, SLA targets for 4 priorities, timezone Europe/London)",
    )
    broken = tmp_path / "broken.yml"
    broken.write_text(CONFIG.replace("channel: C0ITDESK", "channel: it-desk"))
    code, output = await wrench_in_process("config", "check", str(broken), env=env)
    line = CONFIG.replace("channel: C0ITDESK", "channel: it-desk").splitlines().index("    channel: it-desk") + 1
    assert code == 1
    assert output.strip() == (
        f"wrench: {broken}:line {line}: teams[2] (key: it).channel: 'it-desk' is not a Slack channel id "
        "(like C012AB3CD); names can change, ids do not"
    )


@pytest.mark.postgres
async def test_postgres_needs_an_explicit_upgrade(tmp_path: Path, fake_slack: FakeSlack, templates) -> None:
    from tests.support import databases

    name = f"wrench_empty_{os.getpid()}"
    await databases._admin(f'CREATE DATABASE "{name}"')
    try:
        url = databases._with_database(databases.postgres_server_url() or "", name)
        env = wrench_env(tmp_path, url, fake_slack)
        code, output = await wrench("run", "--mode", "http", env=env)
        assert code == 2
        needs = f"wrench: DATABASE_URL: schema is at nothing, code needs {head_revision()}"
        assert output.strip().splitlines()[-1].startswith(needs)
        code, output = await wrench("db", "upgrade", env=env)
        assert (code, output.strip()) == (0, f"database is at revision {head_revision()}")
    finally:
        await databases.drop(name)


async def test_the_scheduler_process_escalates_overdue_work(
    tmp_path: Path, database_url: str, fake_slack: FakeSlack
) -> None:
    """`wrench scheduler` alone: at start it catches up, escalating work that fell overdue while it was down."""
    org = organisation()
    db = Database(database_url)
    try:
        filed = datetime.now(UTC) - timedelta(days=10)
        request = RequestCreate(title="Overdue boiler", category="plumbing")
        await db.run(partial(requests.submit, org=org, now=filed, requester_id=STAFF, request=request))
    finally:
        await db.dispose()
    env = wrench_env(tmp_path, database_url, fake_slack, WRENCH_TICK_SECONDS="3600")
    env.pop("SLACK_SIGNING_SECRET")  # the scheduler takes no Slack requests
    process = await asyncio.create_subprocess_exec(
        WRENCH, "scheduler", env=env, cwd=env["TEST_WORKDIR"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        told = await fake_slack.wait_calls("chat.postMessage", 1, channel=MANAGER)
    finally:
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), 20)
        output = (await process.stdout.read()).decode()
        print(output)  # shown by pytest when the test fails
    assert "Level 1 escalation, Facilities: *WO-1 · Overdue boiler*" in told[0].params["text"]
    assert process.returncode == 0, output
    assert "scheduler only, jobs every 3600s" in output
    assert re.search(r"\d{4,} startup objects left out of garbage collection", output)  # gc.freeze()


async def test_digest_dry_run_prints_the_digest(tmp_path: Path, database_url: str, fake_slack: FakeSlack) -> None:
    env = wrench_env(tmp_path, database_url, fake_slack)
    if not database_url.startswith("sqlite"):
        assert (await wrench_in_process("db", "upgrade", env=env))[0] == 0
    code, output = await wrench("digest", "--team", "facilities", "--dry-run", env=env)
    assert code == 0, output
    assert "Facilities backlog" in output and "nothing open, nothing new" in output
    assert "(dry run: nothing posted; the digest would go to C0FACILITY)" in output  # quiet: no chart
    code, output = await wrench_in_process("digest", "--team", "plumbers", "--dry-run", env=env)
    assert code == 2 and "--team: no team 'plumbers'" in output
    assert not fake_slack.find("chat.postMessage")


async def test_pm_schedules_import_from_csv_all_or_nothing(
    tmp_path: Path, database_url: str, fake_slack: FakeSlack
) -> None:
    env = wrench_env(tmp_path, database_url, fake_slack)
    if not database_url.startswith("sqlite"):
        assert (await wrench_in_process("db", "upgrade", env=env))[0] == 0
    code, template = await wrench_in_process("import", "pm", "--template", env=env)
    assert code == 0 and template.startswith("key,title,team,category,")
    good = tmp_path / "pm.csv"
    good.write_text(
        "key,title,team,repeat,every,weekdays,starts_on,checklist,priority\n"
        'boiler,Inspect boiler,facilities,weeks,1,"mon,thu",2026-03-02,Check flue | Pressure [number bar 1..2],high\n'
        "filters,Change filters,facilities,months,3,,2026-04-01,,\n"
    )
    code, output = await wrench_in_process("import", "pm", str(good), "--dry-run", env=env)
    assert code == 0, output
    assert "would create line 2: PM-1 Inspect boiler" in output and "(dry run: nothing written)" in output

    bad = tmp_path / "bad.csv"
    bad.write_text(
        "key,title,team,repeat,starts_on\n"
        "a,Fine,facilities,days,2026-03-02\n"
        "b,,facilities,fortnightly,2026-03-02\n"
        "c,Wrong team,plumbers,days,soon\n"
    )
    code, output = await wrench_in_process("import", "pm", str(bad), env=env)
    assert code == 1
    assert "bad.csv: line 3: title: This is required." in output
    assert "bad.csv: line 3: repeat: Input should be 'days', 'weeks', 'months', 'years' or 'cron'" in output
    assert "bad.csv: line 4: starts_on: Write dates as YYYY-MM-DD." in output
    assert "problems; nothing was imported" in output

    code, output = await wrench("import", "pm", str(good), env=env)
    assert code == 0 and output.strip().endswith("2 created, 0 updated, 0 unchanged"), output
    good.write_text("key,title,team,repeat,starts_on\nboiler,Boiler check,facilities,weeks,2026-03-02\n")
    code, output = await wrench_in_process("import", "pm", str(good), env=env)
    assert code == 0 and "updated line 2: PM-" in output and "Boiler check" in output, output

    db = Database(database_url)
    try:
        async with db.unit_of_work() as session:
            titles = sorted((await session.execute(text_query("SELECT title FROM pm_schedules"))).scalars())
    finally:
        await db.dispose()
    assert titles == ["Boiler check", "Change filters"]


async def test_report_prints_a_teams_kpis_and_writes_csv(
    tmp_path: Path, database_url: str, fake_slack: FakeSlack
) -> None:
    env = wrench_env(tmp_path, database_url, fake_slack)
    if not database_url.startswith("sqlite"):
        assert (await wrench_in_process("db", "upgrade", env=env))[0] == 0
    db = Database(database_url)
    try:
        request = RequestCreate(title="Leak", category="plumbing")
        await db.run(
            partial(requests.submit, org=organisation(), now=datetime.now(UTC), requester_id=STAFF, request=request)
        )
    finally:
        await db.dispose()
    out = tmp_path / "kpis.csv"
    code, output = await wrench("report", "--team", "facilities", "--days", "7", "--csv", str(out), env=env)
    assert code == 0, output
    assert "Facilities, last 7 days" in output and "Backlog (open work orders)" in output
    lines = out.read_text().splitlines()
    assert lines[0] == "kpi,value" and "Backlog (open work orders),1" in lines
    code, output = await wrench_in_process("report", "--team", "nobody", env=env)
    assert code == 2 and "--team: no team 'nobody'" in output


async def test_parts_register_from_the_cli(tmp_path: Path, database_url: str, fake_slack: FakeSlack) -> None:
    env = wrench_env(tmp_path, database_url, fake_slack)
    if not database_url.startswith("sqlite"):
        assert (await wrench_in_process("db", "upgrade", env=env))[0] == 0
    code, output = await wrench(
        "parts", "add", "BLT-M8", "M8 bolt", "--cost", "0.35", "--on-hand", "40", "--reorder-point", "50", env=env
    )
    assert code == 0 and output.strip() == "added BLT-M8 M8 bolt: 40 each in stock", output
    code, output = await wrench_in_process("parts", "add", "blt-m8", "Again", env=env)
    assert code == 1 and "There is already a part BLT-M8." in output
    code, output = await wrench_in_process("parts", "receive", "BLT-M8", "25", "--note", "PO 1182", env=env)
    assert code == 0 and output.strip() == "BLT-M8: 65 each in stock", output
    code, output = await wrench_in_process("parts", "list", env=env)
    assert code == 0 and "BLT-M8" in output and "65" in output and "0.35" in output and "LOW" not in output
    code, output = await wrench_in_process("parts", "receive", "NOPE", "1", env=env)
    assert code == 1 and "There is no part NOPE." in output


async def test_asset_and_location_registers_from_the_cli(
    tmp_path: Path, database_url: str, fake_slack: FakeSlack
) -> None:
    env = wrench_env(tmp_path, database_url, fake_slack)
    if not database_url.startswith("sqlite"):
        assert (await wrench_in_process("db", "upgrade", env=env))[0] == 0
    code, output = await wrench("locations", "add", "HQ/ Plant room /Basement", env=env)
    assert code == 0 and output.strip() == "added HQ / Plant room / Basement", output
    code, output = await wrench(
        "assets", "add", "BLR-1", "Boiler", "--location", "HQ / Plant room", "--criticality", "critical",
        "--manufacturer", "Viessmann", "--installed", "2019-04-01", env=env,
    )  # fmt: skip
    assert code == 0 and output.strip() == "added BLR-1 Boiler in HQ / Plant room", output
    code, output = await wrench_in_process("assets", "add", "PMP-1", "Boiler pump", "--parent", "blr-1", env=env)
    assert code == 0, output
    code, output = await wrench_in_process("assets", "add", "blr-1", "Again", env=env)
    assert code == 1 and "There is already an asset BLR-1." in output
    code, output = await wrench_in_process("assets", "add", "FAN-1", "Fan", "--parent", "NOPE", env=env)
    assert code == 1 and "There is no asset tagged “NOPE”." in output
    code, output = await wrench_in_process("assets", "add", "FAN 1", "Fan", env=env)
    assert code == 1 and "is not an asset tag" in output
    code, output = await wrench_in_process("assets", "add", "FAN-1", "Fan", "--installed", "2019-13-01", env=env)
    assert code == 2 and "--installed" in output

    code, output = await wrench_in_process("locations", "list", env=env)
    assert output.split("\n")[:3] == ["HQ", "HQ / Plant room", "HQ / Plant room / Basement"], output
    code, output = await wrench_in_process("assets", "list", env=env)
    lines = output.strip().splitlines()
    assert [line.split()[0] for line in lines] == ["tag", "BLR-1", "PMP-1"]
    assert "critical" in lines[1] and lines[1].endswith("HQ / Plant room") and "running" in lines[2]
    db = Database(database_url)
    try:
        async with db.unit_of_work() as session:
            pump = await places.asset_by_tag(session, "PMP-1")
            boiler = await places.asset_by_tag(session, "BLR-1")
    finally:
        await db.dispose()
    assert (pump.parent_id, boiler.manufacturer, str(boiler.installed_on)) == (boiler.id, "Viessmann", "2019-04-01")


async def test_registers_import_from_csv_all_or_nothing_and_update_by_key(
    tmp_path: Path, database_url: str, fake_slack: FakeSlack
) -> None:
    env = wrench_env(tmp_path, database_url, fake_slack)
    if not database_url.startswith("sqlite"):
        assert (await wrench_in_process("db", "upgrade", env=env))[0] == 0
    code, template = await wrench_in_process("import", "--template", "assets", env=env)
    assert code == 0 and template.startswith("tag,name,location,category,parent,")
    code, output = await wrench_in_process("import", "--template", "vehicles", env=env)
    assert code == 2 and "--template: no kind 'vehicles'" in output

    locations = tmp_path / "locations.csv"
    locations.write_text("path\nHQ / Plant room\nhq/plant room\nhq / Building A / Room 204\n")
    code, output = await wrench_in_process("import", "locations", str(locations), env=env)
    assert code == 0 and output.strip().endswith("2 created, 0 updated, 1 unchanged"), output
    assert "unchanged line 3: HQ / Plant room" in output  # paths match regardless of case

    assets = tmp_path / "assets.csv"
    assets.write_text(
        "tag,name,location,parent,installed_on,criticality\n"
        "BLR-1,Boiler,HQ / Plant room,,2019-04-01,critical\n"
        "PMP-1,Feed pump,HQ / Plant room,BLR-1,,\n"
        "FAN-1,,,NOPE,01/04/2019,severe\n"
        "pmp-1,Again,,,,\n"
    )
    code, output = await wrench_in_process("import", "assets", str(assets), env=env)
    assert code == 1
    assert "assets.csv: line 4: installed_on: “01/04/2019”: write a date as YYYY-MM-DD" in output
    assert "assets.csv: line 4: criticality: “severe”: one of low, medium, high, critical" in output
    assert "assets.csv: line 5: tag: 'pmp-1' is also on line 3" in output
    assert "3 problems; nothing was imported" in output
    assets.write_text(
        "tag,name,location,parent,installed_on,criticality\n"
        "BLR-1,Boiler,HQ / Plant room,,2019-04-01,critical\n"
        "PMP-1,Feed pump,HQ / Plant room,BLR-1,,\n"
    )
    code, output = await wrench_in_process("import", "assets", str(assets), "--dry-run", env=env)
    assert code == 0 and "would create line 2: BLR-1 Boiler" in output and "nothing written" in output, output
    code, output = await wrench_in_process("import", "assets", str(assets), env=env)
    assert code == 0 and output.strip().endswith("2 created, 0 updated, 0 unchanged"), output
    assets.write_text("tag,name,criticality\nblr-1,,low\n")  # an empty cell keeps what is stored
    code, output = await wrench_in_process("import", "assets", str(assets), env=env)
    assert code == 0 and "updated line 2: BLR-1 Boiler" in output, output

    stock = tmp_path / "parts.csv"
    stock.write_text("sku,name,unit_cost,on_hand,reorder_point\nFLT-20,Air filter,12.50,24,6\nBLT-2,Belt,x,-1,\n")
    code, output = await wrench_in_process("import", "parts", str(stock), env=env)
    assert code == 1 and "line 3: unit_cost: “x”: write a number, 0 or more" in output
    assert "line 3: on_hand: “-1”: write a number, 0 or more" in output
    stock.write_text("sku,name,unit_cost,on_hand,reorder_point\nFLT-20,Air filter,12.50,24,6\n")
    code, output = await wrench_in_process("import", "parts", str(stock), env=env)
    assert code == 0 and "created line 2: FLT-20 Air filter" in output, output
    stock.write_text("sku,on_hand\nflt-20,20\n")  # a stock count: a movement of -4
    code, output = await wrench_in_process("import", "parts", str(stock), env=env)
    assert code == 0 and "updated line 2: FLT-20 Air filter" in output, output
    code, output = await wrench_in_process("import", "parts", str(stock), env=env)
    assert code == 0 and "unchanged line 2: FLT-20 Air filter" in output, output

    db = Database(database_url)
    try:
        async with db.unit_of_work() as session:
            boiler = await places.asset_by_tag(session, "BLR-1")
            pump = await places.asset_by_tag(session, "PMP-1")
            moves = await session.execute(text_query("SELECT kind, quantity FROM stock_movements ORDER BY id"))
            paths = await places.location_paths(session)
    finally:
        await db.dispose()
    assert (boiler.name, boiler.criticality.value, str(boiler.installed_on)) == ("Boiler", "low", "2019-04-01")
    assert pump.parent_id == boiler.id
    assert [tuple(row) for row in moves] == [("receive", 24.0), ("count", -4.0)]
    assert paths == ["HQ", "HQ / Building A", "HQ / Building A / Room 204", "HQ / Plant room"]
