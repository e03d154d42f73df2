"""Every payload the builders make is valid Block Kit (slack_sdk.models) and within Slack's limits."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from blocks import card, home, messages, modals
from blocks.ids import Action
from models.enums import EventKind, Priority, Status
from models.schemas import EventRead, WorkOrderRead

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


def check_message_blocks(blocks: list[dict[str, Any]]) -> None:
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
            for button in block["elements"]:
                assert len(button["text"]["text"]) <= 75 and len(button["value"]) <= 2000
                assert len(button["action_id"]) <= 255
        assert len(block.get("block_id", "")) <= 255


@pytest.mark.parametrize("wo", ALL_WORK_ORDERS, ids=lambda wo: f"{wo.status}-{len(wo.title)}")
def test_card_and_summary_are_valid(wo: WorkOrderRead) -> None:
    for built in (
        card.card(wo, category_name="Plumbing", team_name="Facilities"),
        card.summary(wo, category_name="Plumbing", team_name="Facilities"),
    ):
        assert 0 < len(built["text"]) <= 3000
        check_message_blocks(built["blocks"])


def test_hostile_text_is_escaped_everywhere() -> None:
    built = card.card(extreme(), category_name="Plumbing <b>", team_name="Facilities & Co")
    rendered = str(built["blocks"][1:])  # the header is plain text, where Slack shows characters as typed
    assert "<!channel>" not in rendered and "<@U0BOSS>" not in rendered
    assert "&lt;!channel&gt; &amp; &lt;@U0BOSS&gt;" in rendered
    assert "Plumbing &lt;b&gt; · Facilities &amp; Co" in rendered


def buttons(wo: WorkOrderRead) -> set[str]:
    blocks = card.card(wo, category_name="P", team_name="F")["blocks"]
    return {e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]}


@pytest.mark.parametrize(
    ("status", "assignee", "expected"),
    [
        (Status.OPEN, None, {Action.CLAIM, Action.START, Action.COMPLETE}),
        (Status.OPEN, "U0TECH1", {Action.START, Action.COMPLETE}),
        (Status.IN_PROGRESS, "U0TECH1", {Action.COMPLETE}),
        (Status.ON_HOLD, None, {Action.CLAIM}),
        (Status.ON_HOLD, "U0TECH1", set()),
        (Status.COMPLETED, "U0TECH1", set()),
        (Status.CLOSED, "U0TECH1", set()),
        (Status.CANCELLED, None, set()),
    ],
)
def test_buttons_follow_the_status(status: Status, assignee: str | None, expected: set[str]) -> None:
    assert buttons(work_order(status=status, assignee_id=assignee)) == expected


def test_card_shows_the_facts() -> None:
    built = card.card(work_order(assignee_id="U0TECH1"), category_name="Plumbing", team_name="Facilities")
    assert built["blocks"][0]["text"]["text"] == "WO-1042 · Leaking pipe"
    fields = " | ".join(f["text"] for f in built["blocks"][1]["fields"])
    assert "*Assignee*\n<@U0TECH1>" in fields and "*Requester*\n<@U0STAFF>" in fields
    assert f"<!date^{int((NOW + timedelta(hours=1)).timestamp())}^" in fields
    assert built["text"] == "WO-1042 Leaking pipe: Open, high priority, held by <@U0TECH1>"


def check_modal(view: dict[str, Any]) -> None:
    assert View(**view).to_dict() == view
    assert len(view["blocks"]) <= 100
    for key in ("title", "submit", "close"):
        assert len(view[key]["text"]) <= 24
    assert len(view.get("private_metadata", "")) <= 3000
    for block in view["blocks"]:
        element = block.get("element", {})
        assert all(
            len(option["text"]["text"]) <= 75 and len(option["value"]) <= 150 for option in element.get("options", [])
        )
        assert len(element.get("options", [])) <= 100


def test_request_modal_is_valid_with_a_hundred_long_categories() -> None:
    categories = [(f"c{i}", f"Category {i} " + "x" * 100) for i in range(100)]
    view = modals.request_modal(title="y" * 500, categories=categories)
    check_modal(view)
    title = next(b for b in view["blocks"] if b["block_id"] == "title")
    assert len(title["element"]["initial_value"]) == 150


def test_request_modal_without_text_has_no_initial_title() -> None:
    view = modals.request_modal(title="  ", categories=[("plumbing", "Plumbing")])
    check_modal(view)
    assert "initial_value" not in view["blocks"][0]["element"]


@pytest.mark.parametrize("wo", [work_order(), extreme(), work_order(number=999_999_999)])
def test_complete_modal_is_valid(wo: WorkOrderRead) -> None:
    view = modals.complete_modal(wo)
    check_modal(view)
    assert view["private_metadata"] == "7"


def test_home_view_is_valid() -> None:
    listed = [work_order(number=n) for n in range(10)] + [extreme()]
    view = home.home(assigned=listed, requested=listed)
    assert View(**view).to_dict() == view and len(view["blocks"]) <= 100
    empty = home.home(assigned=[], requested=[])
    assert "Nothing assigned to you" in str(empty)


def event(kind: EventKind, to_status: Status | None = None, **data: Any) -> EventRead:
    return EventRead(
        id=1, work_order_id=7, at=NOW, actor_id="U0TECH1", kind=kind, from_status=None, to_status=to_status, data=data
    )


@pytest.mark.parametrize(
    ("built", "expected"),
    [
        (event(EventKind.CREATED, Status.OPEN), None),
        (event(EventKind.ASSIGNED, assignee_id="U0TECH1"), "<@U0TECH1> claimed this."),
        (event(EventKind.ASSIGNED, assignee_id="U0TECH2"), "<@U0TECH1> assigned this to <@U0TECH2>."),
        (event(EventKind.LABOR_LOGGED, minutes=45), "<@U0TECH1> logged 45 min."),
        (event(EventKind.STATUS_CHANGED, Status.IN_PROGRESS), "<@U0TECH1> started work."),
        (
            event(EventKind.STATUS_CHANGED, Status.COMPLETED, resolution="a<b", cause=None),
            "<@U0TECH1> completed this.\n*Resolution:* a&lt;b",
        ),
        (event(EventKind.STATUS_CHANGED, Status.ON_HOLD), "<@U0TECH1> moved this to on hold."),
    ],
)
def test_thread_lines(built: EventRead, expected: str | None) -> None:
    assert messages.thread_line(built) == expected


def test_direct_messages_fit_a_section() -> None:
    assert len(messages.completed_dm(extreme(), permalink="https://x.slack.com/archives/C/p1")) <= 3000
    assert "<https://x/p1|See the card>" in messages.filed_dm(work_order(), team_name="F", permalink="https://x/p1")
    assert "See the card" not in messages.filed_dm(work_order(), team_name="F", permalink=None)
