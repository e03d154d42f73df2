"""Steps shared by end-to-end tests: file a request through the modal, find its card."""

from typing import Any

from tests.support import slack_requests as sr
from tests.support.bot import BotClient
from tests.support.fake_slack import Call
from tests.support.org import STAFF, TEAM_CHANNEL


async def open_request_modal(
    bot: BotClient, text: str = "leaking pipe in 204", *, user_id: str = STAFF
) -> dict[str, Any]:
    before = len(bot.fake.find("views.open"))
    response, _ = await bot.command("/request", text, user_id=user_id)
    assert response.status == 200
    opened = await bot.fake.wait_calls("views.open", before + 1)
    return opened[-1].params["view"]


def request_values(
    title: str = "Leaking pipe in 204",
    category: str | None = "plumbing",
    *,
    description: str | None = "Water under the sink",
    location: str | None = "Building A, room 204",
    priority: str | None = None,
) -> dict[str, dict[str, Any]]:
    return {
        "title": sr.text_value(title),
        "category": sr.select_value(category),
        "description": sr.text_value(description),
        "location": sr.select_value(f"text:{location}" if location else None, kind="external_select"),
        "priority": sr.select_value(priority),
    }


async def file_request(bot: BotClient, *, user_id: str = STAFF, **values: Any) -> Call:
    """File a request through the modal; returns the card's chat.postMessage call."""
    view = await open_request_modal(bot, user_id=user_id)
    before = len(posted_cards(bot))
    told = len(bot.fake.find("chat.postMessage", channel=user_id))
    status, body = await bot.submit(view, request_values(**values), user_id=user_id)
    assert (status, body) == (200, None)
    await bot.fake.wait_for(lambda: len(posted_cards(bot)) > before)
    await bot.fake.wait_calls("chat.postMessage", told + 1, channel=user_id)  # the card is attached by then
    return posted_cards(bot)[before]


def posted_cards(bot: BotClient) -> list[Call]:
    """Messages posted to the team channel itself: cards, not the lines in their threads (which an
    earlier click may still be writing)."""
    return [c for c in bot.fake.find("chat.postMessage", channel=TEAM_CHANNEL) if "thread_ts" not in c.params]


def card_ref(card: Call) -> tuple[str, str]:
    """(channel, ts) of a posted card, as Slack answered them."""
    return card.answer["channel"], card.answer["ts"]


async def thread_lines(bot: BotClient, card: Call, count: int) -> list[str]:
    """The card's thread replies, once there are at least `count`."""
    _, ts = card_ref(card)
    return [c.params["text"] for c in await bot.fake.wait_calls("chat.postMessage", count, thread_ts=ts)]


def latest_card(bot: BotClient, card: Call) -> dict[str, Any]:
    """The card as Slack now shows it: the last chat.update of it, else as posted."""
    channel, ts = card_ref(card)
    updates = bot.fake.find("chat.update", channel=channel, ts=ts)
    return updates[-1].params if updates else card.params


def ref_of(shown: dict[str, Any]) -> str:
    """The "id:version" every control of a card carries."""
    actions = next(b for b in shown["blocks"] if b["type"] == "actions")
    return str(actions["block_id"].partition(":")[2])


async def click_card(
    bot: BotClient, card: Call, action_id: str, user_id: str, *, element: dict[str, Any] | None = None
) -> str:
    """Click a control on the card as it now looks (once Slack has been told of every change made so
    far, as a person sees it); returns the key its ephemeral replies carry."""
    await bot.settled()
    channel, ts = card_ref(card)
    shown = latest_card(bot, card)
    ref = ref_of(shown)
    if element is not None and element.get("type") == "users_select":
        element = {**element, "block_id": f"card_actions:{ref}"}
    if element is not None and element.get("type") == "overflow":
        element = {**element, "selected_option": {"value": f"{element['option']}|{ref}"}}
    key = f"c{len(bot.fake.replies)}-{action_id}-{user_id}-{len(bot.fake.calls)}"
    body = sr.block_action(
        action_id,
        ref,
        user_id=user_id,
        channel=channel,
        message_ts=ts,
        response_url=bot.fake.response_url(key),
        element=element,
    )
    response = await bot.post(body)
    assert response.status == 200
    return key


async def open_card_form(bot: BotClient, card: Call, action_id: str, user_id: str, **element: Any) -> dict[str, Any]:
    """Click a control that opens a form; returns the form as views.open received it."""
    before = len(bot.fake.find("views.open"))
    await click_card(bot, card, action_id, user_id, element=element or None)
    return (await bot.fake.wait_calls("views.open", before + 1))[-1].params["view"]
