"""Completion rate and on-time completion end to end: work filed, approved, completed and cancelled through
signed Slack payloads, then the figures read back from the REST API, the managers' Home tab and
`wrench report --csv`. The clock starts five days before the wall clock (`wrench report` counts back
from the real now), so all the work is in the past.

The organisation is the tests' one without a resolution target for low priority: the keys category (low,
needs approval) then files work with no due time, which the on-time rate counts aside and SLA attainment
leaves out."""

import csv
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from blocks.ids import Action, MoreOption
from services.organisation.config_file import parse_organisation
from services.organisation.org import Organisation
from tests.conftest import FrozenClock
from tests.e2e.flow import file_request, open_card_form, open_request_modal, posted_cards, request_values
from tests.support import slack_requests as sr
from tests.support.api import api_client
from tests.support.bot import BotClient
from tests.support.fake_slack import Call, FakeSlack
from tests.support.org import CONFIG, MANAGER, STAFF, TECH_1
from tests.support.process import wrench_env, wrench_in_process

NO_LOW_TARGET = CONFIG.replace("  low: {respond: 1d, resolve: 2w}\n", "")
assert NO_LOW_TARGET != CONFIG


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime.now(UTC).replace(microsecond=0) - timedelta(days=5))


@pytest.fixture
def org() -> Organisation:
    return parse_organisation(NO_LOW_TARGET)


async def complete(bot: BotClient, card: Call) -> None:
    form = await open_card_form(bot, card, Action.COMPLETE, TECH_1)
    assert await bot.submit(form, {"resolution": sr.text_value("Done")}, user_id=TECH_1) == (200, None)
    await bot.settled()


async def file_for_approval(bot: BotClient, title: str) -> Call:
    """File a keys request (it needs a manager's approval): returns the manager's DM asking for it."""
    view = await open_request_modal(bot)
    before = len(bot.fake.find("chat.postMessage", channel=MANAGER))
    assert await bot.submit(view, request_values(title=title, category="keys"), user_id=STAFF) == (200, None)
    return (await bot.fake.wait_calls("chat.postMessage", before + 1, channel=MANAGER))[-1]


async def approve(bot: BotClient, dm: Call) -> Call:
    """The manager approves from the DM; returns the card it posts."""
    before = len(posted_cards(bot))
    body = sr.block_action(
        Action.APPROVE,
        dm.params["blocks"][-1]["elements"][0]["value"],
        user_id=MANAGER,
        channel=dm.answer["channel"],
        message_ts=dm.answer["ts"],
        response_url=bot.fake.response_url(f"approve-{len(bot.fake.calls)}"),
    )
    assert (await bot.post(body)).status == 200
    await bot.fake.wait_for(lambda: len(posted_cards(bot)) > before)
    return posted_cards(bot)[before]


def home_facts(bot: BotClient) -> tuple[str, dict[str, str]]:
    """The KPI header and figures of the manager's last published Home tab."""
    blocks = bot.fake.find("views.publish", user_id=MANAGER)[-1].params["view"]["blocks"]
    start = next(i for i, b in enumerate(blocks) if b["type"] == "header" and b["text"]["text"].startswith("KPIs"))
    facts = [f["text"] for b in blocks[start:] if b["type"] == "section" for f in b.get("fields", [])]
    return blocks[start]["text"]["text"], dict(fact.strip("*").split("*\n", 1) for fact in facts)


def home_opened() -> bytes:
    event = {"type": "app_home_opened", "user": MANAGER, "channel": "D0HOME", "tab": "home", "event_ts": "1.0"}
    payload = {"token": "legacy", "team_id": "T0TEST", "api_app_id": "A0WRENCH", "type": "event_callback"}
    return json.dumps(payload | {"event_id": "EvCOMPLETION", "event_time": 1, "event": event}).encode()


ROWS = {
    # requested A, B, C, D (E cancelled); completed A, B, C → 3 / 4
    "Completion rate": "75% (3 completed of 4 requested, 1 cancelled left out)",
    # A done before its due time, B after; C has no target → 1 / 2, one without a due time
    "On-time completion": "50% (1 of 2; 1 without a due time)",
    "Completion by priority": "low: 100% done (1 of 1), — on time (0 of 0); "
    "medium: 50% done (1 of 2), 100% on time (1 of 1); high: 100% done (1 of 1), 0% on time (0 of 1)",
    "Completion by category": "Electrical: 100% done (1 of 1), 0% on time (0 of 1); "
    "Keys and access: 100% done (1 of 1), — on time (0 of 0); Plumbing: 50% done (1 of 2), 100% on time (1 of 1)",
    # SLA attainment: C (low) was recorded as met but has no target, so there is no low figure
    "SLA attainment, medium": "100% (1 of 1)",
    "SLA attainment, high": "0% (0 of 1)",
}


async def test_completion_rates_from_slack_to_the_api_the_home_tab_and_the_report(
    bot: BotClient, clock: FrozenClock, tmp_path: Path, database_url: str, fake_slack: FakeSlack
) -> None:
    t0 = clock.now
    a = await file_request(bot, title="Leak A")  # plumbing, medium: due in 3 days
    clock.advance(hours=1)
    b = await file_request(bot, title="Socket B", category="electrical")  # high: due in 1 day
    await complete(bot, a)  # after 1 h: on time
    clock.advance(days=2, hours=-1)  # t0 + 2 days
    await complete(bot, b)  # 23 h after B's due time: late
    dm = await file_for_approval(bot, "Key C")  # low: no resolution target, requested at t0 + 2 days
    clock.advance(hours=1)
    c = await approve(bot, dm)  # the work order is created an hour after the request
    clock.advance(hours=1)
    await complete(bot, c)  # completed, no due time
    clock.advance(hours=22)  # t0 + 3 days
    await file_request(bot, title="Drip D")  # stays open
    e = await file_request(bot, title="Drip E")
    form = await open_card_form(bot, e, Action.MANAGE, STAFF, type="overflow", option=MoreOption.CANCEL)
    assert await bot.submit(form, {"reason": sr.text_value("Duplicate of D")}, user_id=STAFF) == (200, None)
    await bot.settled()

    api = await api_client(bot)
    clock.advance(minutes=30)
    # the last day (from t0 + 2 days 30 min): C was requested before it although approved in it, so it
    # counts as completed but not as requested; D is requested, B was completed before it
    day = (await api.get("/kpis", team="facilities", days=1)).body["completion"]
    assert (day["requested"], day["completed"], day["rate"], day["cancelled"]) == (1, 1, 1.0, 1)

    clock.advance(days=1)  # t0 + 4 days 30 min, still before the wall clock
    assert clock.now < datetime.now(UTC) and clock.now - t0 < timedelta(days=5)
    kpis = (await api.get("/kpis", team="facilities", days=30)).body
    assert kpis["completion"] == {
        "requested": 4,
        "completed": 3,
        "rate": 0.75,
        "on_time": 1,
        "late": 1,
        "without_due_time": 1,
        "on_time_rate": 0.5,
        "cancelled": 1,
    }
    by_priority: dict[str, Any] = kpis["completion_by_priority"]
    assert {p: (c["requested"], c["completed"], c["on_time"], c["late"]) for p, c in by_priority.items()} == {
        "low": (1, 1, 0, 0),
        "medium": (2, 1, 1, 0),
        "high": (1, 1, 0, 1),
    }
    by_category: dict[str, Any] = kpis["completion_by_category"]
    assert {k: (c["requested"], c["completed"], c["cancelled"]) for k, c in by_category.items()} == {
        "electrical": (1, 1, 0),
        "keys": (1, 1, 0),
        "plumbing": (2, 1, 1),
    }
    assert set(kpis["sla_attainment"]) == {"medium", "high"}  # C, with no target, is left out

    # the managers' Home tab: the team's two rates, under a header that gives the period
    before = len(bot.fake.find("views.publish", user_id=MANAGER))
    assert (await bot.post(home_opened(), content_type="application/json")).status == 200
    await bot.fake.wait_calls("views.publish", before + 1, user_id=MANAGER)
    header, facts = home_facts(bot)
    assert header == "KPIs · last 7 days"
    assert (facts["Completion rate"], facts["On-time completion"]) == (
        ROWS["Completion rate"],
        ROWS["On-time completion"],
    )

    # `wrench report`, from the real now: the last 30 days hold all of it
    env = wrench_env(tmp_path, database_url, fake_slack, config_text=NO_LOW_TARGET)
    if not database_url.startswith("sqlite"):
        assert (await wrench_in_process("db", "upgrade", env=env))[0] == 0
    out = tmp_path / "kpis.csv"
    code, output = await wrench_in_process("report", "--team", "facilities", "--days", "30", "--csv", str(out), env=env)
    assert code == 0, output
    assert output.startswith("Facilities, last 30 days")
    with out.open(newline="", encoding="utf-8") as written:
        rows = dict(csv.reader(written))
    assert {name: rows.get(name) for name in ROWS} == ROWS
    assert "SLA attainment, low" not in rows
    printed = {line.split("  ", 1)[0]: line.split("  ", 1)[1].strip() for line in output.splitlines() if "  " in line}
    assert printed["Completion rate"] == ROWS["Completion rate"]
