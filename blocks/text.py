"""Slack's text limits and the small formatting helpers every builder shares."""

from datetime import datetime

SECTION_TEXT = 3000
HEADER_TEXT = 150
BUTTON_TEXT = 75
MODAL_TITLE = 24
OPTION_TEXT = 75
FIELD_TEXT = 2000
FALLBACK_TEXT = 3000
MESSAGE_BLOCKS = 50
MODAL_BLOCKS = 100


def clip(text: str, limit: int) -> str:
    """Cut `text` to `limit` characters, marking the cut with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def escape(text: str) -> str:
    """Escape the three characters Slack's mrkdwn treats as control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def user(user_id: str | None, *, nobody: str = "—") -> str:
    return f"<@{user_id}>" if user_id else nobody


def when(moment: datetime | None, *, nothing: str = "—") -> str:
    """A date Slack shows in each reader's own time zone, with a UTC fallback."""
    if moment is None:
        return nothing
    fallback = moment.strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} {{time}}|{fallback}>"


def plain(text: str, limit: int) -> dict[str, object]:
    return {"type": "plain_text", "text": clip(text, limit), "emoji": True}


def mrkdwn(text: str, limit: int = SECTION_TEXT) -> dict[str, object]:
    return {"type": "mrkdwn", "text": clip(text, limit)}
