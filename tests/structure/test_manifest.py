"""manifest.yml, blocks/ids.py and the registered listeners name the same things."""

from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml

import handlers
from blocks import ids

MANIFEST = yaml.safe_load((Path(__file__).resolve().parents[2] / "manifest.yml").read_text())


class RecordingApp:
    """Stands in for AsyncApp: records what `handlers.register` attaches, by kind."""

    def __init__(self) -> None:
        self.registered: dict[str, list[str]] = defaultdict(list)

    def __getattr__(self, kind: str) -> Any:
        def decorator_for(identifier: str) -> Any:
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
    assert set(MANIFEST["settings"]["event_subscriptions"]["bot_events"]) == set(ids.Event)
    assert set(registered()["event"]) == set(ids.Event)


def test_every_action_and_modal_has_one_listener() -> None:
    listeners = registered()
    assert sorted(listeners["action"]) == sorted(ids.Action)
    assert sorted(listeners["view"]) == sorted(ids.Callback)
    assert set(listeners) <= {"command", "action", "view", "event"}, "a new kind of listener: extend this test"


def test_manifest_turns_on_what_the_code_uses() -> None:
    settings, features = MANIFEST["settings"], MANIFEST["features"]
    assert settings["socket_mode_enabled"] is True
    assert settings["interactivity"]["is_enabled"] is True
    assert features["app_home"]["home_tab_enabled"] is True
    assert {"commands", "chat:write"} <= set(MANIFEST["oauth_config"]["scopes"]["bot"])


def test_no_listener_is_registered_twice() -> None:
    for kind, names in registered().items():
        assert len(names) == len(set(names)), kind
