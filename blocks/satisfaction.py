"""The requester's satisfaction: the DM asking for a rating once the work closes, the rating form, the
thanks, and the DM a low rating sends the team's managers."""

from typing import Any

from blocks import text as t
from blocks.card import button
from blocks.ids import INPUT_ACTION, Action, Block, Callback
from blocks.modals import input_block, modal, option, text_input
from models.schemas import WorkOrderRead

COMMENT_MAX = 1000
LABELS = {1: "1 · Poor", 2: "2 · Not good", 3: "3 · OK", 4: "4 · Good", 5: "5 · Excellent"}


def stars(rating: object) -> t.Mrkdwn:
    return t.Mrkdwn(":star:" * rating if isinstance(rating, int) and 1 <= rating <= 5 else "")


RATE_ACTIONS = {1: Action.RATE_1, 2: Action.RATE_2, 3: Action.RATE_3, 4: Action.RATE_4, 5: Action.RATE_5}


def rate_action(rating: int) -> str:
    """Each rating button's own action id (ids are unique within a block)."""
    return RATE_ACTIONS[rating]


def rate_value(work_order_id: int, rating: int) -> str:
    """What a rating button carries: "4|12" (the rating, the work order's id)."""
    return f"{rating}|{work_order_id}"


def rating_request_dm(wo: WorkOrderRead, *, permalink: str | None) -> dict[str, Any]:
    """Asked once, when the work closes: five buttons, each opening the form with that rating chosen."""
    link = t.md(" ({})", t.link(permalink, "the card")) if permalink else t.md("")
    text = t.md("How well was *{} · {}* done{}? Your rating helps the team.", wo.ref, wo.title, link)
    return t.message(
        text,
        [
            {"type": "section", "text": t.mrkdwn(t.clip(text, t.SECTION_TEXT))},
            {
                "type": "actions",
                "block_id": f"rate_{wo.id}",
                "elements": [button(LABELS[n], rate_action(n), rate_value(wo.id, n)) for n in LABELS],
            },
        ],
    )


def rating_modal(wo: WorkOrderRead, chosen: int, *, reply_to: str) -> dict[str, Any]:
    """The rating (the one clicked, changeable) and an optional comment. `reply_to` is where the DM with
    the buttons is replaced by the thanks."""
    choices = [option(label, str(n)) for n, label in LABELS.items()]
    rating = {
        "type": "radio_buttons",
        "action_id": INPUT_ACTION,
        "options": choices,
        "initial_option": choices[chosen - 1],
    }
    heading = {"type": "section", "text": t.mrkdwn(t.md("*{} · {}*", wo.ref, wo.title))}
    return modal(
        Callback.RATING_MODAL,
        f"Rate {wo.ref}",
        "Send",
        [
            heading,
            input_block(Block.RATING, "How well was it done?", rating),
            input_block(
                Block.COMMENT,
                "Anything to add?",
                text_input(COMMENT_MAX, multiline=True),
                optional=True,
                hint="The team sees your rating and comment on the work order.",
            ),
        ],
        metadata=f"{wo.id}|{reply_to}",
    )


def thanks(wo: WorkOrderRead) -> t.Mrkdwn:
    return t.md("{} Thank you: you rated *{} · {}* {} of 5.", stars(wo.rating), wo.ref, wo.title, wo.rating)


def low_rating_dm(wo: WorkOrderRead, *, permalink: str | None) -> dict[str, Any]:
    """To the team's managers, at once: who rated what, how low, and what they said."""
    said = t.md("\n“{}”", wo.rating_comment) if wo.rating_comment else t.md("\n_No comment._")
    link = t.md(" {}", t.link(permalink, "See the card.")) if permalink else t.md("")
    text = t.md(
        ":warning: {} rated *{} · {}* {} of 5 (completed by {}).{}{}",
        t.user(wo.requester_id),
        wo.ref,
        wo.title,
        wo.rating,
        t.user(wo.completed_by),
        link,
        said,
    )
    return t.message(text, [{"type": "section", "text": t.mrkdwn(t.clip(text, t.SECTION_TEXT))}])
