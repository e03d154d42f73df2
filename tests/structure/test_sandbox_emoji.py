"""Every emoji Wrench's messages name (`:warning:`) is one the sandbox draws: Slack knows them all, and
the sandbox's browser UI would otherwise show the bare `:name:` where Slack shows the picture."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WRITERS = ("blocks", "bot/slack", "handlers")  # where messages, cards and modals are written
NAMED = re.compile(r"(?<![\w:/]):([a-z][a-z0-9_+\-]*):(?![\w/])")


def sandbox_emoji() -> set[str]:
    script = (ROOT / "bot/sandbox/static/app.js").read_text()
    table = script[script.index("const EMOJI = {") : script.index("};", script.index("const EMOJI = {"))]
    return set(re.findall(r'"?([a-z0-9_+\-]+)"?:\s*"', table))


def test_every_emoji_a_message_names_is_drawn_by_the_sandbox() -> None:
    named = {
        (match.group(1), str(path.relative_to(ROOT)))
        for folder in WRITERS
        for path in (ROOT / folder).rglob("*.py")
        for match in NAMED.finditer(path.read_text())
    }
    assert {name for name, _ in named} >= {"warning", "calendar"}  # the scan finds what is there
    missing = sorted((name, path) for name, path in named if name not in sandbox_emoji())
    assert missing == []
