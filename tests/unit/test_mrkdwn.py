"""Text a person typed never becomes Slack markup: the one way builders write mrkdwn, and a property test
that feeds markup through every builder and finds none of it live."""

import inspect
import re
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from blocks import text as t
from tests.support import every_builder
from tests.support.block_kit import violations

# What Wrench itself writes in `<...>`: mentions and channels from ids, dates, links to Slack's own pages.
OWN_MARKUP = re.compile(
    r"<(?:@[UW][A-Z0-9]+"
    r"|#[CGD][A-Z0-9]+"
    r"|!date\^\d+\^\{date_short_pretty\} \{time\}\|[0-9: -]+UTC"
    r"|https://test\.slack\.com/[^\s<>|]*\|[^<>]*)>"
)
LIVE = re.compile(r"[<>]|&(?!amp;|lt;|gt;)")
HOSTILE = [
    "Broken lock <!channel> <https://evil.example|Approve here>",
    "<@U0BOSS> <#C0SECRET> <!here> <!subteam^S123|@admins> <!date^1^{date}|x>",
    "a & b &amp; &lt;tag&gt; > < <<>> <https://test.slack.com/x|fake card>",
]


def mrkdwn_texts(payload: Any, *, top: bool = True) -> Iterator[str]:
    """Every string Slack reads as mrkdwn: a message's fallback `text` and each mrkdwn text object."""
    if isinstance(payload, dict):
        if (top or payload.get("type") == "mrkdwn") and isinstance(payload.get("text"), str):
            yield payload["text"]
        for key, value in payload.items():
            if key != "text" or not isinstance(value, str):
                yield from mrkdwn_texts(value, top=False)
    elif isinstance(payload, list):
        for item in payload:
            yield from mrkdwn_texts(item, top=False)


def live_markup(text: str) -> list[str]:
    """The markup in `text` that Wrench did not write (a `<` or `>`, or an `&` that starts no entity)."""
    return LIVE.findall(OWN_MARKUP.sub("", text))


def test_md_escapes_values_and_keeps_markup_made_by_helpers() -> None:
    built = t.md("*{}* for {} {}", "<!channel> & co", t.user("U0TECH1"), 3)
    assert built == "*&lt;!channel&gt; &amp; co* for <@U0TECH1> 3"
    assert isinstance(built, t.Mrkdwn)
    assert t.md("{:g} on {:%d %b}", 2.50, every_builder.NOW) == "2.5 on 02 Mar"
    joined = t.md("a") + " <b>"
    assert joined == "a &lt;b&gt;" and isinstance(joined, t.Mrkdwn)
    assert t.lines(["<x>", t.user("U1AB")], ", ") == "&lt;x&gt;, <@U1AB>"


def test_a_plain_string_is_escaped_whole_wherever_slack_reads_mrkdwn() -> None:
    assert t.mrkdwn("<!channel>")["text"] == "&lt;!channel&gt;"
    assert t.message("<https://evil.example|Approve>")["text"] == "&lt;https://evil.example|Approve&gt;"
    assert t.mrkdwn(t.user("U0TECH1"))["text"] == "<@U0TECH1>"


def test_markup_helpers_refuse_what_is_not_an_id_or_a_plain_url() -> None:
    assert t.user("U0X> <!channel") == "U0X&gt; &lt;!channel"
    assert t.channel("C1|<!here>") == "C1|&lt;!here&gt;"
    assert t.link("https://x.slack.com/a>b|c", "<!channel>") == "<https://x.slack.com/a%3Eb%7Cc|&lt;!channel&gt;>"


def test_services_mentions_stay_live_and_nothing_else_does() -> None:
    said = t.service_text("WO-3 is already claimed by <@U0TECH1>; “<!channel>” & <@lower> <@U0X|alias>")
    assert said == "WO-3 is already claimed by <@U0TECH1>; “&lt;!channel&gt;” &amp; &lt;@lower&gt; &lt;@U0X|alias&gt;"


@pytest.mark.parametrize("limit", range(1, 40))
def test_a_cut_never_leaves_half_a_link_or_entity(limit: int) -> None:
    text = t.md("{} {} {}", "a<b&c", t.link("https://test.slack.com/x", "label"), t.user("U0TECH1"))
    cut = t.clip(text, limit)
    assert len(cut) <= limit and isinstance(cut, t.Mrkdwn)
    assert not live_markup(cut.rstrip("…")), cut


def test_slack_message_text_comes_back_as_what_the_person_typed() -> None:
    assert t.to_plain(
        "a &lt;b&gt; &amp;amp; <@U1> in <#C1|general> <!here> see <https://x.io|site> <mailto:a@b.c>"
    ) == ("a <b> &amp; @U1 in #general @here see site (https://x.io) mailto:a@b.c")


@given(st.text(max_size=80))
@settings(derandomize=True, max_examples=200)
def test_escaped_text_reads_back_as_typed(text: str) -> None:
    assert t.to_plain(t.escape(text)) == text
    assert not live_markup(t.escape(text))


def test_every_builder_is_fed() -> None:
    public = {
        f"{module.__name__.removeprefix('blocks.')}.{name}"
        for module in every_builder.BUILDER_MODULES
        for name, function in inspect.getmembers(module, inspect.isfunction)
        if function.__module__ == module.__name__ and not name.startswith("_")
    }
    fed = {built.builder for built in every_builder.payloads("x")}
    assert public - every_builder.NOT_BUILDERS == fed, "a new builder belongs in tests/support/every_builder.py"


markup = st.text(alphabet=st.sampled_from(list("<>&|!@#^:/.*_~` abcUC0")), min_size=1, max_size=40)


@given(st.one_of(st.sampled_from(HOSTILE), markup, st.text(min_size=1, max_size=40)))
@example(HOSTILE[0])
@settings(derandomize=True, max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_no_builder_lets_typed_markup_live(typed: str) -> None:
    for built in every_builder.payloads(typed):
        for text in mrkdwn_texts(built.payload):
            assert not live_markup(text), f"{built.builder}: {text[:300]!r}"


@pytest.mark.parametrize("typed", ["x", HOSTILE[0], "é💧"])
def test_every_builder_stays_within_slacks_limits_at_the_longest_input(typed: str) -> None:
    for built in every_builder.payloads(typed, longest=True):
        found = violations(built.payload, built.surface)  # type: ignore[arg-type]
        assert not found, f"{built.builder}: {found}"
