"""The REST API through a real HTTP client against the running bot: tokens and scopes, filing requests
and work orders (the team's card appears in Slack), status and assignment through the same rules as
the buttons, listings with filters and cursors, the registers and KPIs, and problems naming the field."""

import base64
from functools import partial
from pathlib import Path

from models.enums import Status
from services.inventory import parts, places
from services.organisation import api_tokens
from services.organisation.api_tokens import Scope
from tests.e2e.flow import file_request, posted_cards
from tests.support.api import ApiClient, api_client
from tests.support.bot import BotClient
from tests.support.org import MANAGER, STAFF, TEAM_CHANNEL, TECH_1, TECH_2

PROBLEM = "application/problem+json"
API_DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"


async def test_no_token_a_wrong_token_and_a_revoked_one_are_refused(bot: BotClient) -> None:
    api = await api_client(bot)
    assert (await api.get("/work-orders")).status == 200
    for token in (None, "wrn_00000000_" + "x" * 43, "not a token"):
        answer = await ApiClient(bot, token).get("/work-orders")
        assert (answer.status, answer.content_type) == (401, PROBLEM)
    deps = bot.running.deps
    await deps.db.run(partial(api_tokens.revoke, now=deps.clock(), name="erp"))
    refused = await api.get("/work-orders")
    assert refused.status == 401 and "revoked" in refused.body["detail"]


async def test_a_read_token_cannot_write(bot: BotClient) -> None:
    reader = await api_client(bot, name="bi", scopes=(Scope.READ,))
    answer = await reader.post("/requests", {"category": "plumbing", "title": "Leak", "actor": STAFF})
    assert answer.status == 403 and "write scope" in answer.body["detail"]
    assert posted_cards(bot) == []


async def test_filing_a_request_posts_the_card_like_slash_request(bot: BotClient) -> None:
    api = await api_client(bot)
    answer = await api.post(
        "/requests", {"category": "plumbing", "title": "Leak under sink", "location": "Kitchen 2", "actor": STAFF}
    )
    assert answer.status == 201, answer.body
    assert answer.body["status"] == "approved" and answer.body["work_order_number"] == 1
    [card] = await bot.fake.wait_calls("chat.postMessage", channel=TEAM_CHANNEL)
    assert "Leak under sink" in str(card.params["blocks"])
    shown = await api.get("/work-orders/1")
    assert shown.body["ref"] == "WO-1" and shown.body["requester"] == STAFF and shown.body["status"] == "open"


async def test_a_request_needing_approval_waits_for_the_approver(bot: BotClient) -> None:
    api = await api_client(bot)
    answer = await api.post("/requests", {"category": "keys", "title": "Key for B2", "actor": STAFF})
    assert (answer.status, answer.body["status"], answer.body["work_order_number"]) == (201, "pending_approval", None)
    await bot.fake.wait_calls("chat.postMessage", channel=MANAGER)  # the approver is asked in Slack
    assert posted_cards(bot) == []
    listed = await api.get("/requests", status="pending_approval")
    assert [r["ref"] for r in listed.body["items"]] == [f"REQ-{answer.body['id']}"]


async def test_team_members_file_work_orders_directly_others_may_not(bot: BotClient) -> None:
    api = await api_client(bot)
    direct = await api.post(
        "/work-orders", {"category": "keys", "title": "Rekey B2", "actor": TECH_1, "requester": STAFF}
    )
    assert direct.status == 201, direct.body
    assert (direct.body["status"], direct.body["requester"]) == ("open", STAFF)
    await bot.fake.wait_calls("chat.postMessage", channel=TEAM_CHANNEL)
    refused = await api.post("/work-orders", {"category": "keys", "title": "Rekey B3", "actor": STAFF})
    assert refused.status == 403 and "Facilities technicians and managers" in refused.body["detail"]


async def test_status_and_assignment_follow_the_slack_rules_and_update_the_card(bot: BotClient) -> None:
    api = await api_client(bot)
    card = await file_request(bot, title="Broken tap")
    number = 1
    started = await api.post(f"/work-orders/{number}/status", {"status": "in_progress", "actor": TECH_1})
    assert started.status == 200, started.body
    assert (started.body["status"], started.body["assignee"]) == ("in_progress", TECH_1)  # took it, as Start does
    await bot.fake.wait_calls("chat.update", channel=card.answer["channel"], ts=card.answer["ts"])

    stranger = await api.post(
        f"/work-orders/{number}/status", {"status": "completed", "actor": STAFF, "resolution": "Done"}
    )
    assert stranger.status == 403 and "complete" in stranger.body["detail"]
    held = await api.post(f"/work-orders/{number}/status", {"status": "on_hold", "actor": TECH_1})
    assert held.status == 422 and held.problem_fields() == ["hold_reason"]
    held = await api.post(
        f"/work-orders/{number}/status",
        {"status": "on_hold", "hold_reason": "parts", "reason": "Washer on order", "actor": TECH_1},
    )
    assert (held.body["status"], held.body["hold_reason"]) == ("on_hold", "parts")
    closed = await api.post(f"/work-orders/{number}/status", {"status": "closed", "actor": TECH_1})
    assert closed.status == 409 and "cannot become closed" in closed.body["detail"]
    old = await api.post(f"/work-orders/{number}/status", {"status": "closed", "actor": STAFF, "version": 1})
    assert old.status == 409 and "changed since version 1" in old.body["detail"]

    given = await api.post(f"/work-orders/{number}/assignment", {"assignee": TECH_2, "actor": MANAGER})
    assert given.status == 200 and given.body["assignee"] == TECH_2
    stale = await api.post(
        f"/work-orders/{number}/status",
        {"status": "in_progress", "actor": TECH_2, "version": started.body["version"]},
    )
    assert stale.status == 409
    resumed = await api.post(
        f"/work-orders/{number}/status", {"status": "in_progress", "actor": TECH_2, "version": given.body["version"]}
    )
    assert resumed.status == 200 and resumed.body["status"] == "in_progress"
    done = await api.post(
        f"/work-orders/{number}/status",
        {"status": "completed", "resolution": "New washer", "minutes": 30, "actor": TECH_2},
    )
    assert done.body["status"] == "completed" and done.body["resolution"] == "New washer"
    history = await api.get(f"/work-orders/{number}/events")
    kinds = [e["kind"] for e in history.body["items"]]
    assert kinds[0] == "created" and "labor_logged" in kinds and kinds[-1] == "status_changed"
    # the requester is told by DM, as after a Slack click
    await bot.fake.wait_for(
        lambda: any("New washer" in str(c.params) for c in bot.fake.find("chat.postMessage", channel=STAFF))
    )


async def test_a_token_made_as_someone_acts_as_them_only(bot: BotClient) -> None:
    api = await api_client(bot, name="cmms", acts_as=TECH_1)
    await file_request(bot, title="Broken tap")
    claimed = await api.post("/work-orders/1/assignment", {"assignee": TECH_1})
    assert claimed.status == 200 and claimed.body["assignee"] == TECH_1
    other = await api.post("/work-orders/1/assignment", {"assignee": None, "actor": MANAGER})
    assert other.status == 403 and "acts as" in other.body["detail"]


async def test_listing_filters_and_pages_with_a_cursor(bot: BotClient) -> None:
    api = await api_client(bot)
    for title, category in (("Leak", "plumbing"), ("Socket", "electrical"), ("Drip", "plumbing")):
        assert (await api.post("/requests", {"category": category, "title": title, "actor": STAFF})).status == 201
    first = await api.get("/work-orders", limit=2)
    assert [w["title"] for w in first.body["items"]] == ["Leak", "Socket"] and first.body["next_cursor"]
    second = await api.get("/work-orders", limit=2, cursor=first.body["next_cursor"])
    assert [w["title"] for w in second.body["items"]] == ["Drip"] and second.body["next_cursor"] is None
    high = await api.get("/work-orders", priority="high")
    assert [w["title"] for w in high.body["items"]] == ["Socket"]
    assert (await api.get("/work-orders", status=Status.COMPLETED.value)).body["items"] == []
    later = await api.get("/work-orders", updated_since="2030-01-01T00:00:00Z")
    assert later.body["items"] == []


async def test_bad_input_gets_a_problem_naming_the_field(bot: BotClient) -> None:
    api = await api_client(bot)
    empty = await api.post("/requests", {"category": "plumbing", "title": "", "actor": STAFF})
    assert (empty.status, empty.content_type, empty.problem_fields()) == (422, PROBLEM, ["title"])
    unknown = await api.post("/requests", {"category": "boats", "title": "Oar", "actor": STAFF})
    assert unknown.status == 422 and unknown.problem_fields() == ["category"]
    fields = await api.post(
        "/requests", {"category": "hvac", "title": "Cold", "actor": STAFF, "custom_fields": {"floor": 99}}
    )
    assert fields.status == 422 and fields.problem_fields() == ["custom_fields.floor"]
    no_actor = await api.post("/requests", {"category": "plumbing", "title": "Leak"})
    assert no_actor.status == 422 and no_actor.problem_fields() == ["actor"]
    no_asset = await api.post("/requests", {"category": "plumbing", "title": "Leak", "asset": "NOPE", "actor": STAFF})
    assert no_asset.status == 422 and no_asset.problem_fields() == ["asset"]
    extra = await api.post("/requests", {"category": "plumbing", "title": "Leak", "actor": STAFF, "colour": "red"})
    assert extra.status == 422 and extra.problem_fields() == ["colour"]
    malformed = await api.post("/requests", raw=b"{not json")
    assert (malformed.status, malformed.content_type) == (400, PROBLEM)
    assert (await api.get("/work-orders", cursor="garbage")).problem_fields() == ["cursor"]
    assert (await api.get("/work-orders", limit=0)).problem_fields() == ["limit"]
    assert (await api.get("/work-orders", colour="red")).problem_fields() == ["colour"]
    naive = await api.get("/work-orders", updated_since="2026-11-25T08:00:00")
    assert naive.status == 422 and naive.problem_fields() == ["updated_since"]
    huge = base64.urlsafe_b64encode(b"id:99999999999999999999999").decode()
    assert (await api.get("/work-orders", cursor=huge)).problem_fields() == ["cursor"]
    deep = await api.post("/requests", raw=b"[" * 200_000)
    assert (deep.status, deep.content_type) == (400, PROBLEM)
    big = await api.post("/requests", raw=b'{"title": "' + b"x" * 300_000 + b'"}')
    assert (big.status, big.content_type) == (413, PROBLEM)
    missing = await api.get("/work-orders/42")
    assert (missing.status, missing.content_type, missing.body["detail"]) == (404, PROBLEM, "There is no WO-42.")
    nowhere = await api.get("/nothing-here")
    assert (nowhere.status, nowhere.content_type) == (404, PROBLEM)
    assert posted_cards(bot) == []  # nothing was filed by any of these


async def test_registers_and_kpis_read_what_slack_and_the_cli_wrote(bot: BotClient) -> None:
    deps = bot.running.deps
    now = deps.clock()
    await deps.db.run(
        partial(places.add_asset, now=now, tag="AHU-1", name="Air handler", location="HQ / Roof", criticality="high")
    )
    await deps.db.run(partial(places.add_asset, now=now, tag="HQ/AHU-2", name="Spare", location=None))
    await deps.db.run(
        partial(
            parts.add_part,
            now=now,
            actor_id="cli",
            sku="FLT-1",
            name="Filter",
            unit_cost=12.5,
            on_hand=1,
            reorder_point=2,
        )
    )
    api = await api_client(bot)
    await api.post(
        "/requests",
        {"category": "hvac", "title": "Noisy fan", "asset": "ahu-1", "actor": STAFF, "custom_fields": {"floor": 3}},
    )
    asset = await api.get("/assets/AHU-1")
    assert (asset.body["location"], asset.body["criticality"], asset.body["status"]) == ("HQ / Roof", "high", "running")
    assert [a["tag"] for a in (await api.get("/assets")).body["items"]] == ["AHU-1", "HQ/AHU-2"]
    assert (await api.get("/assets/HQ/AHU-2")).body["name"] == "Spare"
    assert [loc["path"] for loc in (await api.get("/locations")).body["items"]] == ["HQ", "HQ / Roof"]
    part = await api.get("/parts/flt-1")
    assert (part.body["sku"], part.body["unit_cost"], part.body["low"]) == ("FLT-1", 12.5, True)
    by_asset = await api.get("/work-orders", asset="AHU-1")
    assert [(w["title"], w["asset_tag"]) for w in by_asset.body["items"]] == [("Noisy fan", "AHU-1")]
    kpis = await api.get("/kpis", team="facilities", days=7)
    assert (kpis.body["backlog_count"], kpis.body["currency"]) == (1, "USD")
    assert (await api.get("/kpis", team="nope")).problem_fields() == ["team"]
    assert (await api.get("/pm-schedules")).body == {"items": [], "next_cursor": None}


async def test_a_body_not_sent_as_json_or_with_a_key_twice_is_refused_and_the_document_says_so(
    bot: BotClient,
) -> None:
    api = await api_client(bot)
    good = b'{"category": "plumbing", "title": "Leak", "actor": "U0STAFF"}'
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "application/octet-stream", ""):
        refused = await api.post("/requests", raw=good, content_type=content_type)
        assert (refused.status, refused.content_type) == (415, PROBLEM), (content_type, refused.body)
        assert "Content-Type: application/json" in refused.body["detail"]
    twice = await api.post("/requests", raw=b'{"category": "plumbing", "title": "a", "title": "b", "actor": "U0STAFF"}')
    assert (twice.status, twice.content_type) == (400, PROBLEM)
    assert '"title" appears twice' in twice.body["detail"] and twice.problem_fields() == ["title"]
    nested = await api.post(
        "/requests",
        raw=b'{"category": "hvac", "title": "Cold", "actor": "U0STAFF", "custom_fields": {"floor": 1, "floor": 2}}',
    )
    assert nested.status == 400 and '"floor" appears twice' in nested.body["detail"]
    assert posted_cards(bot) == []
    charset = await api.post("/requests", raw=good, content_type="application/json; charset=utf-8")
    assert charset.status == 201, charset.body
    spec = (await api.get("/openapi.json")).body
    for operation in (spec["paths"]["/requests"]["post"], spec["paths"]["/work-orders"]["post"]):
        assert {"400", "413", "415"} <= set(operation["responses"])
        assert "repeats a key" in operation["responses"]["400"]["description"]
    assert "| 415 |" in API_DOC.read_text()
