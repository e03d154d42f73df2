"""Slack's text limits, and the one way Wrench writes mrkdwn.

Slack reads `<...>` in mrkdwn as a link, a mention or a broadcast (`<!channel>`), and `&` as the start of
an entity. Text a person typed (in Slack, the portal, the REST API, a CSV file) must reach Slack with
those three characters escaped, wherever Slack reads mrkdwn: section and context text, fields, and a
message's fallback `text`. So mrkdwn is a type of its own, `Mrkdwn`, made in one of three ways:

- `md(template, *values)`: the template is written in code; every value is escaped, unless it is
  `Mrkdwn` already (a mention, a date, a link made below). This is how builders write text.
- the markup helpers `user`, `channel`, `when`, `link`, which make Slack's markup from ids and URLs.
- `Mrkdwn("...")` spelled out, for a fixed string of code that holds markup: the explicit exception.

A plain `str` handed to `mrkdwn()` or to the Web API layer (`bot.slack.web_api`) is escaped whole: text that
forgot to be `Mrkdwn` shows a stray `&lt;`, it never becomes a live link.
"""

import re
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

SECTION_TEXT = 3000
HEADER_TEXT = 150
BUTTON_TEXT = 75
MODAL_TITLE = 24
OPTION_TEXT = 75
FIELD_TEXT = 2000
FALLBACK_TEXT = 3000
MESSAGE_BLOCKS = 50
MODAL_BLOCKS = 100

# A user mention in text the services wrote ("already claimed by <@U123>"), from user ids Slack gave:
# `service_text` keeps them live while escaping the rest.
_MENTION = re.compile(r"&lt;@([UW][A-Z0-9]{2,20})&gt;")
_USER_ID = re.compile(r"[UW][A-Z0-9]{2,20}")
_CHANNEL_ID = re.compile(r"[CGD][A-Z0-9]{2,20}")
_SLACK_MARKUP = re.compile(r"<([^<>]*)>")
_OPEN_MARKUP = re.compile(r"<[^>]*$")  # a `<` whose `>` a cut removed
_OPEN_ENTITY = re.compile(r"&[a-z]{0,3}$")  # an `&amp;` or `&lt;` a cut split

S = TypeVar("S", bound=str)


class Mrkdwn(str):
    """Text Slack may read as mrkdwn: written by Wrench, every part a person typed escaped."""

    __slots__ = ()

    def __add__(self, other: str) -> "Mrkdwn":
        return Mrkdwn(str.__add__(self, safe(other)))

    def __radd__(self, other: str) -> "Mrkdwn":
        return Mrkdwn(str.__add__(safe(other), self))

    def join(self, parts: Iterable[str]) -> "Mrkdwn":
        return Mrkdwn(str.join(self, (safe(part) for part in parts)))


def escape(text: str) -> str:
    """Escape the three characters Slack's mrkdwn treats as control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def safe(value: object) -> Mrkdwn:
    """`value` as mrkdwn: Mrkdwn stays as it is, anything else is escaped."""
    return value if isinstance(value, Mrkdwn) else Mrkdwn(escape(str(value)))


def _value(value: object) -> object:
    """A template's value: numbers and dates keep their format specs (`{:g}`, `{:%d %b}`) and cannot
    carry markup."""
    if isinstance(value, int | float | Decimal | date) and not isinstance(value, bool):
        return value
    return safe(value)


def md(template: str, /, *values: object, **named: object) -> Mrkdwn:
    """Fill `template` (written in code, `str.format` syntax) with `values`, each escaped unless Mrkdwn."""
    return Mrkdwn(template.format(*map(_value, values), **{key: _value(v) for key, v in named.items()}))


def lines(parts: Iterable[object], separator: str = "\n") -> Mrkdwn:
    """Parts joined by `separator` (code), each escaped unless Mrkdwn."""
    return Mrkdwn(separator).join(safe(part) for part in parts)


def service_text(message: str) -> Mrkdwn:
    """Text the services wrote (a refusal, a pause reason) as mrkdwn: escaped whole, except the user
    mentions in it. Anything a person typed in it is escaped with the rest."""
    return Mrkdwn(_MENTION.sub(r"<@\1>", escape(message)))


def to_plain(slack_text: str) -> str:
    """What a person wrote in a Slack message, as plain text: Slack sends message text as mrkdwn (`&lt;`
    for a typed `<`, `<@U123>` for a mention, `<url|label>` for a link). Filed as a title, a description
    or a note, it is a person's text again, escaped like any other when shown."""
    return _SLACK_MARKUP.sub(_plain_markup, slack_text).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _plain_markup(found: re.Match[str]) -> str:
    target, _, label = found.group(1).partition("|")
    if target.startswith(("@", "#")):
        return target[0] + (label or target[1:])
    if target.startswith("!"):  # !here, !channel, !subteam^ID, !date^...
        return label if label else "@" + target[1:].split("^")[0]
    return f"{label} ({target})" if label and label != target else target


def clip(text: S, limit: int) -> S:
    """Cut `text` to `limit` characters, marking the cut with an ellipsis; mrkdwn is never cut inside a
    `<...>` or an entity, which would leave Slack half a link or a stray `&l`."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if isinstance(text, Mrkdwn):
        cut = _OPEN_ENTITY.sub("", _OPEN_MARKUP.sub("", cut))
        return Mrkdwn(cut + "…")  # type: ignore[return-value]
    return cut + "…"  # type: ignore[return-value]


def user(user_id: str | None, *, nobody: str = "—") -> Mrkdwn:
    """A mention of a Slack user id; anything that is not one is shown as text."""
    if not user_id:
        return safe(nobody)
    return Mrkdwn(f"<@{user_id}>") if _USER_ID.fullmatch(user_id) else safe(user_id)


def channel(channel_id: str) -> Mrkdwn:
    return Mrkdwn(f"<#{channel_id}>") if _CHANNEL_ID.fullmatch(channel_id) else safe(channel_id)


def link(url: str, label: str | Mrkdwn) -> Mrkdwn:
    """A link whose label may be a person's text (escaped; `|` cannot end it early in Slack's syntax)."""
    return Mrkdwn(f"<{url.replace('>', '%3E').replace('|', '%7C')}|{safe(label)}>")


def when(moment: datetime | None, *, nothing: str = "—") -> Mrkdwn:
    """A date Slack shows in each reader's own time zone, with a UTC fallback."""
    if moment is None:
        return safe(nothing)
    fallback = moment.strftime("%Y-%m-%d %H:%M UTC")
    return Mrkdwn(f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} {{time}}|{fallback}>")


def plain(text: str, limit: int) -> dict[str, object]:
    return {"type": "plain_text", "text": clip(text, limit), "emoji": True}


def mrkdwn(text: str, limit: int = SECTION_TEXT) -> dict[str, object]:
    """A mrkdwn text object: `text` as it is if Mrkdwn, escaped whole if a plain str."""
    return {"type": "mrkdwn", "text": clip(safe(text), limit)}


def message(text: str, blocks: list[dict[str, Any]] | None = None, **more: Any) -> dict[str, Any]:
    """A message's body: fallback `text` (escaped unless Mrkdwn, within Slack's limit) and its blocks."""
    body: dict[str, Any] = {"text": clip(safe(text), FALLBACK_TEXT), **more}
    if blocks is not None:
        body["blocks"] = blocks
    return body
