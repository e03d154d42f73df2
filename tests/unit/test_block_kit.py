"""Every payload the builders make is valid Block Kit (slack_sdk.models) and within Slack's limits."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from blocks import approvals, card, card_modals, home, lists, messages, modals
from blocks.ids import Action, parse_ref
from models.enums import EventKind, FieldType, HoldReason, Priority, RequestStatus, Status
from models.schemas import CardContext, CustomField, EventRead, Listing, ServiceRequestRead, WorkOrderRead
from models.views import Dashboard, DigestData, TeamKpis, TeamTotals
from tests.support.block_kit import violations

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
HOSTILE = "<!channel> & <@U0BOSS> *bold* `code` 💧 naïve "


def work_order(**overrides: Any) -> WorkOrderRead:
    values: dict[str, Any] = {
        "id": 7,
        "number": 1042,
        "title": "Leaking pipe",
        "description": "",
        "type": "corrective",
        "priority": Priority.HIGH,
        "status": Status.OPEN,
        "category": "plumbing",
        "team": "facilities",
        "location": "Room 204",
        "requester_id": "U0STAFF",
        "assignee_id": None,
        "created_at": NOW,
        "updated_at": NOW,
        "response_due_at": NOW + timedelta(hours=1),
        "resolution_due_at": NOW + timedelta(days=1),
        "first_response_at": None,
        "completed_at": None,
        "completed_by": None,
        "resolution": None,
        "cause": None,
        "card_channel": "C0FACILITY",
        "card_ts": "1.2",
        "version": 1,
    }
    values.update(overrides)
    return WorkOrderRead(**values)


def extreme() -> WorkOrderRead:
    """Every free-text field at its maximum, full of characters mrkdwn treats specially."""
    long = (HOSTILE * 200)[:3000]
    return work_order(
        title=(HOSTILE * 10)[:150],
        description=long,
        location=(HOSTILE * 10)[:200],
        resolution=long,
        cause=(HOSTILE * 20)[:500],
        status=Status.COMPLETED,
        assignee_id="U0TECH1",
        completed_by="U0TECH1",
        completed_at=NOW,
        first_response_at=NOW,
    )


ALL_WORK_ORDERS = [work_order(status=status) for status in Status] + [
    work_order(status=Status.ON_HOLD, hold_reason=HoldReason.OTHER, status_note=HOSTILE * 50, assignee_id="U0TECH1"),
    work_order(status=Status.CANCELLED, status_note="duplicate"),
    work_order(attachments=[{"id": "F1", "name": HOSTILE, "permalink": "https://x.slack.com/files/F1"}] * 10),
    work_order(source_link="https://x.slack.com/archives/C1/p1"),
    work_order(assignee_id="U0TECH1", status=Status.IN_PROGRESS, first_response_at=NOW),
    work_order(response_due_at=None, resolution_due_at=None, location=""),
    extreme(),
]


def text_lengths(node: Any, path: str = "") -> list[tuple[str, int]]:
    """(path, length) of every `text` string in a payload."""
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "text" and isinstance(value, str):
                found.append((path, len(value)))
            found += text_lengths(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, item in enumerate(node):
            found += text_lengths(item, f"{path}[{index}]")
    return found


CONTEXT = CardContext(
    category="Plumbing <b>",
    team="Facilities & Co",
    asset="PUMP-7 · Booster pump",
    fields=(*((f"Label {i}", HOSTILE * 20, FieldType.TEXT) for i in range(19)), ("Contact", "U0TECH2", FieldType.USER)),
)
PLAIN = CardContext(category="Plumbing", team="Facilities")


def check_message_blocks(blocks: list[dict[str, Any]]) -> None:
    assert violations({"text": "fallback", "blocks": blocks}, "message") == []
    assert 0 < len(blocks) <= 50
    for block in blocks:
        assert Block.parse(block).to_dict() == block
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= 150
        if block["type"] == "section":
            assert len(block.get("text", {}).get("text", "")) <= 3000
            assert len(block.get("fields", [])) <= 10
            assert all(len(field["text"]) <= 2000 for field in block.get("fields", []))
        if block["type"] == "actions":
            assert len(block["elements"]) <= 25
            for element in block["elements"]:
                assert len(element["action_id"]) <= 255
                if element["type"] == "button":
                    assert len(element["text"]["text"]) <= 75 and len(element["value"]) <= 2000
                for option in element.get("options", []):
                    assert len(option["text"]["text"]) <= 75 and len(option["value"]) <= 150
        assert len(block.get("block_id", "")) <= 255


@pytest.mark.parametrize("wo", ALL_WORK_ORDERS, ids=lambda wo: f"{wo.status}-{len(wo.title)}")
@pytest.mark.parametrize("context", [CONTEXT, PLAIN], ids=["context", "plain"])
def test_card_and_summary_are_valid(wo: WorkOrderRead, context: CardContext) -> None:
    for built in (card.card(wo, context), card.summary(wo, context)):
        assert 0 < len(built["text"]) <= 3000
        check_message_blocks(built["blocks"])
    check_modal(card.summary_modal(wo, context), submit=False)


def test_hostile_text_is_escaped_everywhere() -> None:
    built = card.card(extreme(), CONTEXT)
    rendered = str(built["blocks"][1:])  # the header is plain text, where Slack shows characters as typed
    assert "<!channel>" not in rendered and "<@U0BOSS>" not in rendered
    assert "&lt;!channel&gt; &amp; &lt;@U0BOSS&gt;" in rendered
    assert "Plumbing &lt;b&gt; · Facilities &amp; Co" in rendered


def controls(wo: WorkOrderRead) -> set[str]:
    blocks = card.card(wo, PLAIN)["blocks"]
    return {e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]}


ALWAYS = {Action.MORE}
ACTIVE = {Action.ASSIGN, Action.MORE, Action.MANAGE}
WORKING = {Action.HOLD, Action.COMPLETE, Action.TIMER} | ACTIVE  # open or in progress


@pytest.mark.parametrize(
    ("status", "assignee", "expected"),
    [
        (Status.OPEN, None, {Action.CLAIM, Action.START} | WORKING),
        (Status.OPEN, "U0TECH1", {Action.START, Action.UNASSIGN} | WORKING),
        (Status.IN_PROGRESS, "U0TECH1", {Action.UNASSIGN} | WORKING),
        (Status.ON_HOLD, None, {Action.CLAIM, Action.RESUME} | ACTIVE),
        (Status.ON_HOLD, "U0TECH1", {Action.RESUME, Action.UNASSIGN} | ACTIVE),
        (Status.COMPLETED, "U0TECH1", ALWAYS),
        (Status.CLOSED, "U0TECH1", ALWAYS),
        (Status.CANCELLED, None, ALWAYS),
    ],
)
def test_controls_follow_the_status(status: Status, assignee: str | None, expected: set[str]) -> None:
    assert controls(work_order(status=status, assignee_id=assignee)) == expected


def test_controls_carry_the_version_the_card_shows() -> None:
    built = card.card(work_order(version=5), PLAIN)
    actions = next(b for b in built["blocks"] if b["type"] == "actions")
    assert actions["block_id"] == "card_actions:7:5"
    claim = next(e for e in actions["elements"] if e["action_id"] == Action.CLAIM)
    assert parse_ref(claim["value"]) == (7, 5)
    menu = next(e for e in actions["elements"] if e["action_id"] == Action.MORE)
    assert [o["value"] for o in menu["options"]] == ["note|7:5", "time|7:5", "parts|7:5", "cost|7:5"]
    manage = next(e for e in actions["elements"] if e["action_id"] == Action.MANAGE)
    # no asset: not "asset down"; no contractor job: "send to contractor", not "revoke"
    assert [o["value"] for o in manage["options"]] == ["plan|7:5", "contractor|7:5", "cancel|7:5"]


def test_card_shows_the_facts() -> None:
    wo = work_order(assignee_id="U0TECH1", custom_fields={"x": 1})
    built = card.card(
        wo,
        CardContext(
            category="Plumbing", team="Facilities", asset="P-1 · Pump", fields=(("Floor", "3", FieldType.NUMBER),)
        ),
    )
    assert built["blocks"][0]["text"]["text"] == "WO-1042 · Leaking pipe"
    fields = " | ".join(f["text"] for f in built["blocks"][1]["fields"])
    assert "*Assignee*\n<@U0TECH1>" in fields and "*Requester*\n<@U0STAFF>" in fields
    assert "*Asset*\nP-1 · Pump" in fields
    assert f"<!date^{int((NOW + timedelta(hours=1)).timestamp())}^" in fields
    assert "*Floor:* 3" in str(built["blocks"])
    assert built["text"] == "WO-1042 Leaking pipe: Open, high priority, held by <@U0TECH1>"


def test_a_portal_request_shows_its_contact_not_a_mention() -> None:
    wo = work_order(requester_id="portal")
    context = CardContext(category="Plumbing", team="Facilities", requester="Jane <jane@example.com>")
    fields = " | ".join(f["text"] for f in card.card(wo, context)["blocks"][1]["fields"])
    assert "*Requester* (web portal)\nJane &lt;jane@example.com&gt;" in fields and "<@portal>" not in fields


def test_card_shows_why_it_is_on_hold() -> None:
    wo = work_order(status=Status.ON_HOLD, hold_reason=HoldReason.PARTS, status_note="valve on order")
    assert ":double_vertical_bar: *Waiting for parts* — valve on order" in str(card.card(wo, PLAIN)["blocks"])


def check_modal(view: dict[str, Any], *, submit: bool = True) -> None:
    assert violations(view, "modal") == []
    assert View(**view).to_dict() == view
    assert len(view["blocks"]) <= 100
    for key in ("title", "submit", "close") if submit else ("title",):
        assert len(view[key]["text"]) <= 24
    assert len(view.get("private_metadata", "")) <= 3000
    for block in view["blocks"]:
        element = block.get("element", {})
        assert all(
            len(option["text"]["text"]) <= 75 and len(option["value"]) <= 150 for option in element.get("options", [])
        )
        assert len(element.get("options", [])) <= 100


EVERY_FIELD = (
    CustomField(key="notes", label="Notes", type=FieldType.LONG_TEXT, required=True, help="h" * 150),
    CustomField(key="floor", label="Floor", type=FieldType.NUMBER, min=-2, max=40),
    CustomField(key="ratio", label="Ratio", type=FieldType.NUMBER, decimals=True, min=0.5),
    CustomField(key="kind", label="Kind", type=FieldType.SELECT, options=tuple(f"o{i}" + "x" * 70 for i in range(100))),
    CustomField(key="when", label="When", type=FieldType.DATE),
    CustomField(key="contact", label="Contact", type=FieldType.USER),
    CustomField(key="urgent", label="Urgent", type=FieldType.CHECKBOX),
    CustomField(key="serial", label="Serial", max_length=40),
)


def test_request_modal_is_valid_with_a_hundred_long_categories_and_every_field_type() -> None:
    categories = [(f"c{i}", f"Category {i} " + "x" * 100) for i in range(100)]
    draft = modals.RequestDraft(
        title="y" * 500,
        category="c3",
        values={"notes": "typed", "serial": "SN1"},
        source={"channel": "C1", "ts": "1.2", "user": "U1"},
    )
    view = modals.request_modal(categories=categories, fields=EVERY_FIELD, draft=draft)
    check_modal(view)
    title = next(b for b in view["blocks"] if b.get("block_id") == "title")
    assert len(title["element"]["initial_value"]) == 150
    category = next(b for b in view["blocks"] if b.get("block_id") == "category")
    assert category["dispatch_action"] is True and category["element"]["initial_option"]["value"] == "c3"
    ids = [b.get("block_id") for b in view["blocks"]]
    assert [i for i in ids if i and i.startswith("cf_")] == [f"cf_{f.key}" for f in EVERY_FIELD]
    floor = next(b for b in view["blocks"] if b.get("block_id") == "cf_floor")
    assert (floor["element"]["min_value"], floor["element"]["max_value"], floor["optional"]) == ("-2", "40", True)


def test_request_modal_without_text_has_no_initial_title() -> None:
    view = modals.request_modal(categories=[("plumbing", "Plumbing")], draft=modals.RequestDraft(title="  "))
    check_modal(view)
    assert "initial_value" not in view["blocks"][0]["element"]


@pytest.mark.parametrize("wo", [work_order(), extreme(), work_order(number=999_999_999)])
def test_card_modals_are_valid(wo: WorkOrderRead) -> None:
    for view in (
        card_modals.complete_modal(wo),
        card_modals.hold_modal(wo),
        card_modals.note_modal(wo),
        card_modals.time_modal(wo, user_id="U0TECH1"),
        card_modals.parts_modal(wo),
        card_modals.plan_modal(wo),
        card_modals.cancel_modal(wo),
        card_modals.reopen_modal(wo),
    ):
        check_modal(view)
        assert view["private_metadata"] == "7:1"


def request(**overrides: Any) -> ServiceRequestRead:
    values: dict[str, Any] = {
        "id": 3,
        "requester_id": "U0STAFF",
        "category": "keys",
        "title": HOSTILE * 3,
        "description": HOSTILE * 100,
        "location": "",
        "priority": Priority.LOW,
        "status": RequestStatus.PENDING_APPROVAL,
        "custom_fields": {},
        "attachments": [],
        "decided_by": None,
        "decided_at": None,
        "rejection_reason": None,
        "approval_messages": [],
        "created_at": NOW,
    }
    values.update(overrides)
    return ServiceRequestRead(**values)


def test_approval_messages_are_valid() -> None:
    pending = approvals.approval_request(request(), category_name="Keys")
    check_message_blocks(pending["blocks"])
    assert {e["action_id"] for e in pending["blocks"][-1]["elements"]} == {Action.APPROVE, Action.REJECT}
    rejected = request(status=RequestStatus.REJECTED, decided_by="U0MANAGER", rejection_reason=HOSTILE * 100)
    decided = approvals.approval_request(rejected, category_name="Keys")
    check_message_blocks(decided["blocks"])
    assert "Rejected by <@U0MANAGER>" in str(decided["blocks"][-1])
    check_modal(card_modals.reject_modal(rejected))
    assert len(approvals.rejected_dm(rejected)) <= 3000


def listing(count: int, total: int) -> Listing:
    return Listing(rows=(*(work_order(number=n, id=n) for n in range(count)), extreme()), total=total)


def test_result_lists_are_valid() -> None:
    built = lists.results("Matching “pump”", listing(15, 40), empty="Nothing")
    check_message_blocks(built["blocks"])
    assert "…and 24 more" in str(built["blocks"][-1])
    assert lists.results("Yours", Listing(), empty="Nothing yet")["text"] == "Nothing yet"


@pytest.mark.parametrize("expanded", [False, True])
def test_home_view_stays_under_the_block_limit(expanded: bool) -> None:
    rows = home.LONG if expanded else home.SHORT
    board = Dashboard(
        assigned=listing(rows, 200),
        requested=listing(rows, 200),
        queue=listing(rows, 200),
        overdue_assigned=3,
        overdue_queue=4,
        pending_approvals=tuple(request(id=i) for i in range(10)),
        teams=(TeamTotals(team="Facilities", open=3), TeamTotals(team="IT")),
        morning_dm=True,
    )
    kpis = [TeamKpis(team=name, days=30, as_of=NOW, rows=(("Backlog", "3"),) * 25) for name in ("Facilities", "IT")]
    view = home.home(board, category_names={"keys": "Keys"}, expanded=expanded, kpis=kpis)
    assert violations(view, "home") == []  # the KPI period buttons share a block: each has its own action id
    assert View(**view).to_dict() == view and len(view["blocks"]) <= 100
    assert (Action.HOME_MORE in str(view)) is not expanded
    empty = home.home(
        Dashboard(assigned=Listing(), requested=Listing(), queue=Listing(), overdue_assigned=0, overdue_queue=0),
        category_names={},
    )
    assert "Nothing assigned to you" in str(empty) and Action.HOME_MORE not in str(empty)


def event(
    kind: EventKind, to_status: Status | None = None, from_status: Status | None = None, **data: Any
) -> EventRead:
    return EventRead(
        id=1,
        work_order_id=7,
        at=NOW,
        actor_id="U0TECH1",
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        data=data,
    )


@pytest.mark.parametrize(
    ("built", "expected"),
    [
        (event(EventKind.CREATED, Status.OPEN), None),
        (event(EventKind.ASSIGNED, assignee_id="U0TECH1"), "<@U0TECH1> claimed this."),
        (event(EventKind.ASSIGNED, assignee_id="U0TECH2"), "<@U0TECH1> assigned this to <@U0TECH2>."),
        (event(EventKind.UNASSIGNED, previous_assignee_id="U0TECH1"), "<@U0TECH1> put this back in the queue."),
        (event(EventKind.LABOR_LOGGED, minutes=45), "<@U0TECH1> logged 45 min."),
        (event(EventKind.LABOR_LOGGED, minutes=5, user_id="U0TECH2"), "<@U0TECH1> logged 5 min for <@U0TECH2>."),
        (event(EventKind.NOTE_ADDED, text="a<b", source="card"), "<@U0TECH1> noted: a&lt;b"),
        (event(EventKind.NOTE_ADDED, text="from the thread", source="thread"), None),
        (event(EventKind.PARTS_USED, parts="2 x bolt"), "<@U0TECH1> used parts:\n2 x bolt"),
        (
            event(EventKind.PRIORITY_CHANGED, **{"from": "low", "to": "urgent"}),
            "<@U0TECH1> changed the priority from Low to Urgent.",
        ),
        (event(EventKind.STATUS_CHANGED, Status.IN_PROGRESS), "<@U0TECH1> started work."),
        (event(EventKind.STATUS_CHANGED, Status.IN_PROGRESS, Status.ON_HOLD), "<@U0TECH1> resumed work."),
        (
            event(EventKind.STATUS_CHANGED, Status.COMPLETED, resolution="a<b", cause=None),
            "<@U0TECH1> completed this.\n*Resolution:* a&lt;b",
        ),
        (
            event(EventKind.STATUS_CHANGED, Status.ON_HOLD, reason="parts", note="valve"),
            "<@U0TECH1> put this on hold: Waiting for parts — valve.",
        ),
        (event(EventKind.STATUS_CHANGED, Status.CANCELLED, reason="dup"), "<@U0TECH1> cancelled this: dup"),
        (
            event(EventKind.STATUS_CHANGED, Status.OPEN, Status.COMPLETED, reason="still drips"),
            "<@U0TECH1> reopened this: still drips",
        ),
        (
            event(EventKind.STATUS_CHANGED, Status.CLOSED, confirmed=True),
            "<@U0TECH1> confirmed the work is done; closed.",
        ),
    ],
)
def test_thread_lines(built: EventRead, expected: str | None) -> None:
    assert messages.thread_line(built) == expected


def test_direct_messages_fit_a_section() -> None:
    done = messages.completed_dm(extreme(), permalink="https://x.slack.com/archives/C/p1")
    assert len(done["text"]) <= 3000
    check_message_blocks(done["blocks"])
    assert {e["action_id"] for e in done["blocks"][1]["elements"]} == {Action.CONFIRM, Action.REOPEN}
    assert "<https://x/p1|See the card>" in messages.filed_dm(work_order(), team_name="F", permalink="https://x/p1")
    assert "See the card" not in messages.filed_dm(work_order(), team_name="F", permalink=None)
    held = work_order(status=Status.ON_HOLD, hold_reason=HoldReason.OTHER, status_note=HOSTILE * 100)
    assert len(messages.on_hold_dm(held, permalink=None)) <= 3000


def test_digest_stays_within_a_message() -> None:
    from datetime import date

    from blocks import digest

    data = DigestData(
        team=HOSTILE,
        local_date=date(2026, 3, 2),
        open=250,
        new_24h=40,
        completed_24h=12,
        overdue=listing(10, 120),
        unassigned=listing(10, 90),
        aging=(("under a day", 40), ("over 4 weeks", 3)),
        on_hold=(("Waiting for parts", 5),),
        top_assets=tuple((f"PUMP-{i} · {HOSTILE}", 9 - i) for i in range(5)),
    )
    built = digest.digest(data)
    check_message_blocks(built["blocks"])
    assert "…and 109 more" in str(built["blocks"]) and len(built["text"]) <= 3000
    assert "Overdue" in digest.as_text(built)


def message(*blocks: dict[str, Any], text: str = "fallback") -> dict[str, Any]:
    return {"text": text, "blocks": list(blocks)}


BUTTON = {"type": "button", "action_id": "a", "text": {"type": "plain_text", "text": "Go"}, "value": "1"}
SECTION = {"type": "section", "text": {"type": "mrkdwn", "text": "hello"}}


@pytest.mark.parametrize(
    ("payload", "surface", "expected"),
    [
        (message({"type": "actions", "elements": [BUTTON, BUTTON]}), "message", "action_id 'a' is also"),
        (message({**SECTION, "block_id": "x"}, {**SECTION, "block_id": "x"}), "message", "block_id 'x' is also"),
        (message(SECTION, text=""), "message", "no fallback `text`"),
        (message(*[SECTION] * 51), "message", "51 blocks"),
        (message({"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}), "message", "3000"),
        (message({"type": "header", "text": {"type": "plain_text", "text": "x" * 151}}), "message", "at most 150"),
        (
            message({"type": "actions", "elements": [{**BUTTON, "text": {"type": "plain_text", "text": "x" * 76}}]}),
            "message",
            "at most 75",
        ),
        (
            message({"type": "actions", "elements": [{**BUTTON, "action_id": f"b{i}"} for i in range(26)]}),
            "message",
            "26 actions",
        ),
        (message({"type": "section", "fields": [{"type": "mrkdwn", "text": "f"}] * 11}), "message", "11 fields"),
        (message({"type": "section", "fields": [{"type": "mrkdwn", "text": "f" * 2001}]}), "message", "at most 2000"),
        (message({**SECTION, "block_id": "b" * 256}), "message", "at most 255"),
        (message({"type": "sectionx"}), "message", "knows no 'sectionx'"),
        (message({**SECTION, "colour": "red"}), "message", ".colour is dropped"),
        (
            message(
                {
                    "type": "section",
                    "text": {"type": "mrkdwn", "text": "pick"},
                    "accessory": {
                        "type": "static_select",
                        "action_id": "s",
                        "options": [{"text": {"type": "plain_text", "text": "o"}, "value": "v" * 151}],
                    },
                }
            ),
            "message",
            "at most 150",
        ),
        (
            {"type": "modal", "title": {"type": "plain_text", "text": "x" * 25}, "blocks": [SECTION]},
            "modal",
            "at most 24",
        ),
        (
            {"type": "modal", "title": {"type": "plain_text", "text": "T"}, "blocks": [SECTION] * 101},
            "modal",
            "101 blocks",
        ),
        (
            {
                "type": "modal",
                "title": {"type": "plain_text", "text": "T"},
                "blocks": [SECTION],
                "private_metadata": "m" * 3001,
            },
            "modal",
            "private_metadata",
        ),
        ({"type": "home", "blocks": [SECTION] * 101}, "home", "101 blocks"),
        ({"type": "modal", "title": {"type": "plain_text", "text": "T"}, "blocks": [SECTION]}, "home", "not 'home'"),
    ],
)
def test_the_rules_catch_what_slack_refuses(payload: dict[str, Any], surface: str, expected: str) -> None:
    found = violations(payload, surface)  # type: ignore[arg-type]
    assert any(expected in problem for problem in found), found


def test_the_rules_take_what_slack_takes() -> None:
    assert violations(message(SECTION, {"type": "actions", "elements": [BUTTON]}), "message") == []
    assert violations({"type": "home", "blocks": [SECTION]}, "home") == []
    assert violations({"delete_original": True}, "message") == []
