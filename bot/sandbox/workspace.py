"""What each person of the emulated workspace would see, kept from the Web API calls the bot makes:
channels and DMs with their messages and threads, ephemeral messages, App Home tabs, modal stacks, files;
plus the trigger ids and response URLs the emulator hands out, and a feed that tells subscribers of every
change (`wrench sandbox`'s browser refetches what it shows)."""

import asyncio
import itertools
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

TRIGGER_SECONDS = 3.0  # Slack: a trigger_id opens a modal within 3 s of the action, once
GENERAL = "C0GENERAL"  # the channel everyone is in
CALLS_SHOWN = 200


@dataclass
class Person:
    id: str
    name: str
    title: str | None = None

    @property
    def initials(self) -> str:
        words = [w for w in self.name.replace("-", " ").split() if w[:1].isalpha()]
        return "".join(w[0] for w in words[:2]).upper() or self.id[-2:]


@dataclass
class Channel:
    id: str
    name: str
    members: set[str] | None = None  # None: everyone


@dataclass
class ResponseTarget:
    """Where replies to one response_url go: the person, the channel, and the message or ephemeral acted on."""

    user: str
    channel: str | None = None
    message_ts: str | None = None
    ephemeral_id: str | None = None


@dataclass
class Modal:
    view_id: str
    view: dict[str, Any]
    errors: dict[str, str] = field(default_factory=dict)


def dm_of(user: str) -> str:
    """A person's DM with the app, as Slack names it when the bot posts to their user id."""
    return "D" + user[1:]


@dataclass
class Workspace:
    people: dict[str, Person] = field(default_factory=dict)
    channels: dict[str, Channel] = field(default_factory=dict)
    trigger_seconds: float | None = None  # None: any trigger_id not used before (the tests' payloads)
    messages: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # channel → top-level, oldest first
    threads: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)  # (channel, ts) → replies
    ephemerals: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # person → theirs
    homes: dict[str, dict[str, Any]] = field(default_factory=dict)  # person → published Home view
    modals: dict[str, list[Modal]] = field(default_factory=dict)  # person → stack, top last
    files: dict[str, dict[str, Any]] = field(default_factory=dict)  # file id → name, title, url
    responses: dict[str, ResponseTarget] = field(default_factory=dict)
    _index: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    _triggers: dict[str, tuple[str, float]] = field(default_factory=dict)  # issued: id → (person, when)
    _used: set[str] = field(default_factory=set)
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    _subscribers: set[asyncio.Queue[dict[str, Any]]] = field(default_factory=set)

    # -- the feed -------------------------------------------------------------------------------

    def subscribe(self) -> asyncio.Queue[dict[str, Any]]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=100)
        self._subscribers.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[dict[str, Any]]) -> None:
        self._subscribers.discard(queue)

    def changed(self) -> None:
        for queue in self._subscribers:
            if queue.empty():  # one pending notice is enough: the reader refetches everything
                queue.put_nowait({"type": "changed"})

    # -- who is where ---------------------------------------------------------------------------

    def person(self, user: str) -> Person:
        return self.people.get(user) or Person(user, user)

    def sees(self, user: str, channel: str) -> bool:
        if channel.startswith("D"):
            return channel == dm_of(user)
        known = self.channels.get(channel)
        return known is None or known.members is None or user in known.members

    # -- trigger ids and response URLs ----------------------------------------------------------

    def issue_trigger(self, user: str) -> str:
        trigger = f"{next(self._ids)}.{int(time.time())}.{time.monotonic_ns():x}"
        self._triggers[trigger] = (user, time.monotonic())
        return trigger

    def take_trigger(self, trigger: str | None) -> tuple[str | None, str | None]:
        """(the person it was issued to, None) or (None, Slack's error): valid once, and only for a while."""
        if not trigger:
            return None, "invalid_arguments"
        if trigger in self._used:
            return None, "invalid_trigger_id"
        issued = self._triggers.get(trigger)
        if self.trigger_seconds is not None:
            if issued is None:
                return None, "invalid_trigger_id"
            if time.monotonic() - issued[1] > self.trigger_seconds:
                return None, "expired_trigger_id"
        self._used.add(trigger)
        return (issued[0] if issued else None), None

    def response_key(self, target: ResponseTarget) -> str:
        key = f"R{next(self._ids):06d}"
        self.responses[key] = target
        return key

    # -- messages -------------------------------------------------------------------------------

    def find(self, channel: str, ts: str) -> dict[str, Any] | None:
        return self._index.get((channel, ts))

    def post(self, channel: str, ts: str, params: dict[str, Any], *, user: str | None = None) -> dict[str, Any]:
        """A message in `channel`: the bot's (user None) or a person's; a reply when it has thread_ts."""
        message = _message(ts, params, user=user)
        self._index[(channel, ts)] = message
        parent = self._index.get((channel, str(message["thread_ts"]))) if message["thread_ts"] else None
        if parent is not None and message["thread_ts"] != ts:
            self.threads.setdefault((channel, parent["ts"]), []).append(message)
            parent["reply_count"] += 1
            if params.get("reply_broadcast"):
                self.messages.setdefault(channel, []).append({**message, "broadcast": True})
        else:
            message["thread_ts"] = None
            self.messages.setdefault(channel, []).append(message)
        self.changed()
        return message

    def update(self, channel: str, ts: str, params: dict[str, Any]) -> bool:
        message = self._index.get((channel, ts))
        if message is None:
            return False
        for name in ("text", "blocks", "attachments", "metadata"):
            if name in params:
                message[name] = params[name]
        message["edited"] = True
        self.changed()
        return True

    def delete(self, channel: str, ts: str) -> bool:
        message = self._index.pop((channel, ts), None)
        if message is None:
            return False
        for listing in (self.messages.get(channel, []), *self.threads.values()):
            if message in listing:
                listing.remove(message)
        self.changed()
        return True

    def react(self, channel: str, ts: str, name: str, user: str) -> bool:
        message = self._index.get((channel, ts))
        if message is None:
            return False
        message.setdefault("reacted", {}).setdefault(name, set()).add(user)
        self.changed()
        return True

    def ephemeral(self, user: str, channel: str | None, params: dict[str, Any], *, at: str | None = None) -> str:
        """Shown to `user` only; `at` is the message ts of the bot's clock (the emulator's), else now."""
        ephemeral_id = f"E{next(self._ids):08d}"
        self.ephemerals.setdefault(user, []).append(
            {
                "id": ephemeral_id,
                "channel": channel,
                "text": params.get("text") or "",
                "blocks": params.get("blocks"),
                "at": at or f"{time.time():.6f}",
            }
        )
        self.changed()
        return ephemeral_id

    def respond(self, key: str, body: dict[str, Any], ts: str) -> bool:
        """A response_url post: an ephemeral (the default), in the channel, replacing or deleting the original."""
        target = self.responses.get(key)
        if target is None:
            return False
        if body.get("delete_original"):
            if target.ephemeral_id:
                self._drop_ephemeral(target.user, target.ephemeral_id)
            elif target.channel and target.message_ts:
                self.delete(target.channel, target.message_ts)
        elif body.get("replace_original"):
            if target.ephemeral_id:
                for shown in self.ephemerals.get(target.user, []):
                    if shown["id"] == target.ephemeral_id:
                        shown.update(text=body.get("text") or "", blocks=body.get("blocks"))
                self.changed()
            elif target.channel and target.message_ts:  # the whole message is replaced: text alone drops its blocks
                self.update(target.channel, target.message_ts, {"blocks": None, "attachments": None, **body})
        elif body.get("response_type") == "in_channel" and target.channel:
            self.post(target.channel, ts, body)
        else:
            ephemeral_id = self.ephemeral(target.user, target.channel, body, at=ts)
            if not target.message_ts and not target.ephemeral_id:  # a command's reply is what later ones replace
                target.ephemeral_id = ephemeral_id
        return True

    def _drop_ephemeral(self, user: str, ephemeral_id: str) -> None:
        self.ephemerals[user] = [e for e in self.ephemerals.get(user, []) if e["id"] != ephemeral_id]
        self.changed()

    def dismiss(self, user: str, ephemeral_id: str) -> None:
        self._drop_ephemeral(user, ephemeral_id)

    def ephemeral_by_id(self, user: str, ephemeral_id: str) -> dict[str, Any] | None:
        return next((e for e in self.ephemerals.get(user, []) if e["id"] == ephemeral_id), None)

    # -- views ----------------------------------------------------------------------------------

    def new_view_id(self) -> str:
        return f"V{next(self._ids):08d}"

    def open_view(self, user: str, view: dict[str, Any], *, push: bool = False) -> dict[str, Any]:
        view_id = self.new_view_id()
        stack = self.modals.setdefault(user, [])
        if not push:
            stack.clear()
        shown = {**view, "id": view_id}
        stack.append(Modal(view_id, shown))
        self.changed()
        return shown

    def owner_of(self, view_id: str) -> tuple[str, Modal] | None:
        for user, stack in self.modals.items():
            for modal in stack:
                if modal.view_id == view_id:
                    return user, modal
        return None

    def update_view(self, view_id: str, view: dict[str, Any]) -> dict[str, Any] | None:
        found = self.owner_of(view_id)
        if found is None:
            for user, home in self.homes.items():
                if home.get("id") == view_id:
                    return self.publish(user, view, view_id=view_id)
            return None
        _, modal = found
        modal.view = {**view, "id": view_id}
        modal.errors = {}
        self.changed()
        return modal.view

    def publish(self, user: str, view: dict[str, Any], *, view_id: str | None = None) -> dict[str, Any]:
        known = self.homes.get(user)
        shown = {**view, "id": view_id or (known or {}).get("id") or self.new_view_id()}
        self.homes[user] = shown
        self.changed()
        return shown

    def close(self, user: str, view_id: str | None = None, *, everything: bool = False) -> None:
        stack = self.modals.get(user, [])
        if everything:
            stack.clear()
        elif stack and (view_id is None or stack[-1].view_id == view_id):
            stack.pop()
        self.changed()

    def show_errors(self, view_id: str, errors: dict[str, str]) -> None:
        found = self.owner_of(view_id)
        if found is not None:
            found[1].errors = dict(errors)
            self.changed()

    # -- what a person sees ---------------------------------------------------------------------

    def conversations(self, user: str) -> list[dict[str, Any]]:
        shown = [
            {"id": c.id, "name": c.name, "kind": "channel", "unread": 0}
            for c in self.channels.values()
            if self.sees(user, c.id)
        ]
        shown += [
            {"id": channel, "name": channel, "kind": "channel", "unread": 0}
            for channel in self.messages
            if channel not in self.channels and not channel.startswith("D")
        ]
        shown.append({"id": dm_of(user), "name": "Wrench", "kind": "dm", "unread": 0})
        return shown

    def state_for(self, user: str) -> dict[str, Any]:
        conversations = self.conversations(user)
        visible = {c["id"] for c in conversations}
        return {
            "me": user,
            "people": [
                {"id": p.id, "name": p.name, "initials": p.initials, "title": p.title} for p in self.people.values()
            ],
            "conversations": conversations,
            "messages": {c: [self._shown(m, user) for m in self.messages.get(c, [])] for c in visible},
            "threads": {
                f"{channel}:{ts}": [self._shown(m, user) for m in replies]
                for (channel, ts), replies in self.threads.items()
                if channel in visible
            },
            "ephemeral": list(self.ephemerals.get(user, [])),
            "home": {"view": self.homes[user]} if user in self.homes else None,
            "modals": [{"view_id": m.view_id, "view": m.view, "errors": m.errors} for m in self.modals.get(user, [])],
        }

    @staticmethod
    def _shown(message: dict[str, Any], user: str) -> dict[str, Any]:
        reacted: dict[str, set[str]] = message.get("reacted", {})
        return {
            **{k: v for k, v in message.items() if k != "reacted"},
            "reactions": [{"name": n, "count": len(who), "mine": user in who} for n, who in reacted.items()],
        }


def _message(ts: str, params: dict[str, Any], *, user: str | None) -> dict[str, Any]:
    thread_ts = params.get("thread_ts")
    return {
        "ts": ts,
        "user": user,
        "bot": user is None,
        "text": params.get("text") or "",
        "blocks": params.get("blocks"),
        "attachments": params.get("attachments"),
        "thread_ts": str(thread_ts) if thread_ts else None,
        "reply_count": 0,
        "files": list(params.get("files_shown") or []),
    }
