"""manifest.yml, blocks/ids.py and the registered listeners name the same things."""

import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml

import handlers
from blocks import ids

KNOWN_IDS = [*ids.Action, *ids.Callback]
MANIFEST = yaml.safe_load((Path(__file__).resolve().parents[2] / "manifest.yml").read_text())


class RecordingApp:
    """Stands in for AsyncApp: records what `handlers.register` attaches, by kind."""

    def __init__(self) -> None:
        self.registered: dict[str, list[str]] = defaultdict(list)

    def __getattr__(self, kind: str) -> Any:
        def decorator_for(identifier: str | re.Pattern[str]) -> Any:
            if isinstance(identifier, re.Pattern):  # one listener for a group of ids
                self.registered[kind] += [known for known in KNOWN_IDS if identifier.fullmatch(known)]
            else:
                self.registered[kind].append(str(identifier))
            return lambda listener: listener

        return decorator_for


def registered() -> dict[str, list[str]]:
    app = RecordingApp()
    handlers.register(app)
    return app.registered


def test_slash_commands_match() -> None:
    in_manifest = {c["command"] for c in MANIFEST["features"]["slash_commands"]}
    assert in_manifest == set(ids.Command) == set(registered()["command"])


def test_events_match() -> None:
    # message.channels and message.groups both arrive as `message` events
    subscribed = {name.split(".")[0] for name in MANIFEST["settings"]["event_subscriptions"]["bot_events"]}
    assert subscribed == set(ids.Event)
    assert set(registered()["event"]) == set(ids.Event)


def test_shortcuts_match() -> None:
    in_manifest = {s["callback_id"]: s["type"] for s in MANIFEST["features"]["shortcuts"]}
    assert in_manifest == {ids.Shortcut.MESSAGE_TO_REQUEST: "message", ids.Shortcut.NEW_REQUEST: "global"}
    assert sorted(registered()["shortcut"]) == sorted(ids.Shortcut)


def test_every_action_and_modal_has_one_listener() -> None:
    listeners = registered()
    pickers = {
        ids.Action.PICK_LOCATION,
        ids.Action.PICK_ASSET,
        ids.Action.PICK_PART,
        ids.Action.PICK_VENDOR,
        ids.Action.PICK_PO_VENDOR,
    }  # answered through `options`, not `action`
    assert sorted(listeners["action"]) == sorted(set(ids.Action) - pickers)
    assert sorted(listeners["options"]) == sorted(pickers)
    assert sorted(listeners["view"]) == sorted(ids.Callback)
    assert set(listeners) <= {"command", "action", "view", "event", "shortcut", "options"}, "extend this test"


def test_manifest_turns_on_what_the_code_uses() -> None:
    settings, features = MANIFEST["settings"], MANIFEST["features"]
    assert settings["socket_mode_enabled"] is True
    assert settings["interactivity"]["is_enabled"] is True
    assert features["app_home"]["home_tab_enabled"] is True
    scopes = set(MANIFEST["oauth_config"]["scopes"]["bot"])
    assert {
        "commands",
        "chat:write",
        "im:write",
        "reactions:read",
        "channels:history",
        "groups:history",
        "files:read",
        "files:write",
        "users:read",
    } <= scopes


def test_no_listener_is_registered_twice() -> None:
    for kind, names in registered().items():
        assert len(names) == len(set(names)), kind


def test_emoji_intake_reads_channels_only() -> None:
    """docs/decisions.md, "Emoji intake is for channels": no scope reads DMs or group DMs, and
    handlers.intake leaves them alone."""
    from handlers import intake

    scopes = set(MANIFEST["oauth_config"]["scopes"]["bot"])
    assert not {"im:history", "mpim:history"} & scopes
    assert intake.CHANNELS == ("C", "G")
