"""Who is in the sandbox and where: the organisation's people, its channels and their members, and the
commands and shortcuts of the app's manifest."""

from pathlib import Path
from typing import Any

import yaml

from bot.sandbox import demo
from bot.sandbox.workspace import GENERAL, Channel, Person
from services.organisation.org import Organisation

MANIFEST = Path(__file__).resolve().parents[2] / "manifest.yml"
SANDBOX_REQUESTER = "U0SANDBOXREQ"  # someone to file requests as, when the organisation names no requester


def people_of(org: Organisation, extra: dict[str, str] | None = None) -> dict[str, Person]:
    """Everyone the workspace shows: the organisation's people (`demo.people_of`: named by its `people:`
    section, else after their role), anyone in `extra` (id → name), and a requester to act as when
    everyone named is staff (a wrench.yml names no requesters)."""
    found = {user: Person(user, p.name, p.title) for user, p in demo.people_of(org).items()}
    for user, name in (extra or {}).items():
        found.setdefault(user, Person(user, name, "Requester"))
    staff = set(org.admins) | {u for team in org.teams for u in (*team.managers, *team.technicians)}
    staff |= {u for category in org.categories for u in category.approvers}
    if not set(found) - staff:
        found[SANDBOX_REQUESTER] = Person(SANDBOX_REQUESTER, "Sam Requester", "Requester")
    return found


def channels_of(org: Organisation) -> dict[str, Channel]:
    """The general channel (everyone), each team's channel (its technicians, managers and the admins),
    its escalation channel (managers and admins) and a digest channel of its own if it has one."""
    channels = {GENERAL: Channel(GENERAL, "general")}
    admins = set(org.admins)
    for team in org.teams:
        staff = set(team.technicians) | set(team.managers) | admins
        channels.setdefault(team.channel, Channel(team.channel, team.key, staff))
        if team.escalation_channel:
            name = f"{team.key}-escalations"
            channels.setdefault(
                team.escalation_channel, Channel(team.escalation_channel, name, set(team.managers) | admins)
            )
    for digest in org.digests:
        if digest.channel and digest.channel not in channels:
            team = org.team(digest.team)
            members = set(team.technicians) | set(team.managers) | admins
            channels[digest.channel] = Channel(digest.channel, f"{team.key}-digest", members)
    return channels


def manifest_entries() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The slash commands (with their hints) and shortcuts of manifest.yml."""
    try:
        features = yaml.safe_load(MANIFEST.read_text())["features"]
    except (OSError, KeyError, TypeError, yaml.YAMLError):  # an installed wheel has no manifest.yml
        commands = [{"command": c, "description": "", "usage_hint": ""} for c in ("/request", "/wo")]
        return commands, [
            {"callback_id": "new_request", "name": "New work request", "type": "global"},
            {"callback_id": "create_work_order", "name": "Create work order", "type": "message"},
        ]
    commands = [
        {"command": c["command"], "description": c.get("description", ""), "usage_hint": c.get("usage_hint", "")}
        for c in features.get("slash_commands", [])
    ]
    shortcuts = [
        {"callback_id": s["callback_id"], "name": s["name"], "type": s["type"]} for s in features.get("shortcuts", [])
    ]
    return commands, shortcuts
