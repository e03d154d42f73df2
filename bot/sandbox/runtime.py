"""What a person does in the sandbox, carried out: `Sandbox.act` turns each verb (a slash command, a
message, a reaction, a shortcut, a click, a form submitted or closed, options typed for, an ephemeral
dismissed, the clock moved) into the request Slack would send the bot, over `BotLink`, and shows what
the bot answers. `state` is what one person sees. `bot.sandbox.startup` starts it; `bot.sandbox.ui_api`
serves it to the browser.
"""

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlencode

from bot.sandbox import payloads
from bot.sandbox.bot_link import FORM, BotLink
from bot.sandbox.clock import SandboxError, parse_step
from bot.sandbox.members import manifest_entries
from bot.sandbox.web_api_methods import BOT_USER
from bot.sandbox.workspace import CALLS_SHOWN, ResponseTarget, dm_of
from scheduler.jobs import JOBS
from services.delivery import outbox

SETTLE_SECONDS = 10.0  # an action's answer waits this long for the work the bot does after its ack


class Sandbox(BotLink):
    """One sandbox: what each person sees, and each verb they can do (`act`)."""

    # -- what a person sees ---------------------------------------------------------------------

    def state(self, user: str | None) -> dict[str, Any]:
        people = self.workspace.people
        me = user if user in people else next(iter(people), user or "")
        commands, shortcuts = manifest_entries()
        calls = [
            {
                "method": c.method,
                "ok": bool(c.answer.get("ok")),
                "error": c.answer.get("error"),
                "violations": c.violations,
            }
            for c in self.emulator.calls[-CALLS_SHOWN:]
        ]
        return {
            **self.workspace.state_for(me),
            "now": self.clock().isoformat(timespec="seconds"),
            "sandbox": True,
            "calls": calls,
            "commands": commands,
            "shortcuts": shortcuts,
        }

    # -- what a person does ----------------------------------------------------------------------

    async def act(self, verb: str, body: dict[str, Any]) -> dict[str, Any]:
        """Do `verb` as `body["user"]`; the answer to show, or `SandboxError`."""
        actions: dict[str, Callable[[str, dict[str, Any]], Awaitable[dict[str, Any]]]] = {
            "command": self.command,
            "message": self.message,
            "react": self.react,
            "shortcut": self.shortcut,
            "message_shortcut": self.message_shortcut,
            "home_opened": self.home_opened,
            "block_action": self.block_action,
            "view_submit": self.view_submit,
            "view_close": self.view_close,
            "options": self.options,
            "clock": self.move_clock,
            "dismiss": self.dismiss,
        }
        if verb not in actions:
            raise SandboxError(f"Unknown action {verb!r}")
        user = body.get("user")
        if not isinstance(user, str) or user not in self.workspace.people:
            raise SandboxError("Pick a person to act as")
        answer = await actions[verb](user, body)
        if self.bot is not None and self.bot.listeners is not None:  # what the action does after its ack
            await self.bot.listeners.settle(SETTLE_SECONDS)
        return answer

    async def command(self, user: str, body: dict[str, Any]) -> dict[str, Any]:
        channel, command = str(body.get("channel") or dm_of(user)), str(body.get("command") or "")
        self._visible(user, channel)
        known = [c["command"] for c in manifest_entries()[0]]
        if command not in known:
            raise SandboxError(f"{command} is not a valid command")
        target = ResponseTarget(user, channel)
        key = self.workspace.response_key(target)
        fields = payloads.slash_command_fields(
            command,
            str(body.get("text") or ""),
            user_id=user,
            response_url=self.emulator.response_url(key),
            channel_id=channel,
        )
        fields.update(
            token="sandbox-verification-token",
            channel_name=self._channel(channel)["name"],
            user_name=self._user(user)["username"],
            trigger_id=self.workspace.issue_trigger(user),
            is_enterprise_install="false",
        )
        answer = await self.send(urlencode(fields).encode(), FORM, command)
        self._reply(user, channel, answer, target)
        return {}

    async def message(self, user: str, body: dict[str, Any]) -> dict[str, Any]:
        channel, text = str(body.get("channel") or ""), str(body.get("text") or "")
        self._visible(user, channel)
        if not text.strip():
            raise SandboxError("Type a message first")
        thread_ts = body.get("thread_ts")
        ts = self.emulator.next_ts()
        self.emulator.seed_message(channel, ts, text, user=user, thread_ts=str(thread_ts) if thread_ts else None)
        if channel.startswith(("C", "G")):  # the bot subscribes to channel messages, not to its DMs
            event = {
                "type": "message",
                "channel": channel,
                "user": user,
                "text": text,
                "ts": ts,
                "event_ts": ts,
                "channel_type": "channel" if channel.startswith("C") else "group",
            }
            if thread_ts:
                event["thread_ts"] = str(thread_ts)
            await self._event(event)
        return {"ts": ts}

    async def react(self, user: str, body: dict[str, Any]) -> dict[str, Any]:
        channel, ts, name = str(body.get("channel") or ""), str(body.get("ts") or ""), str(body.get("name") or "")
        self._visible(user, channel)
        message = self.workspace.find(channel, ts)
        if message is None or not name:
            raise SandboxError("That message is gone")
        self.workspace.react(channel, ts, name, user)
        event = {
            "type": "reaction_added",
            "user": user,
            "reaction": name,
            "event_ts": self.emulator.next_ts(),
            "item": {"type": "message", "channel": channel, "ts": ts},
            "item_user": message.get("user") or BOT_USER,
        }
        await self._event(event)
        return {}

    async def shortcut(self, user: str, body: dict[str, Any]) -> dict[str, Any]:
        payload = {
            **self._base("shortcut", user),
            "callback_id": str(body.get("callback_id") or ""),
            "trigger_id": self.workspace.issue_trigger(user),
            "action_ts": f"{time.time():.6f}",
        }
        await self._interaction(payload, "The shortcut")
        return {}

    async def message_shortcut(self, user: str, body: dict[str, Any]) -> dict[str, Any]:
        channel, ts = str(body.get("channel") or ""), str(body.get("ts") or "")
        self._visible(user, channel)
        message = self.workspace.find(channel, ts)
        if message is None:
            raise SandboxError("That message is gone")
        key = self.workspace.response_key(ResponseTarget(user, channel, message_ts=ts))
        shown = {"type": "message", "ts": ts, "text": message["text"], "user": message.get("user") or BOT_USER}
        if message.get("thread_ts"):
            shown["thread_ts"] = message["thread_ts"]
        payload = {
            **self._base("message_action", user),
            "callback_id": str(body.get("callback_id") or ""),
            "channel": self._channel(channel),
            "message": shown,
            "message_ts": ts,
            "trigger_id": self.workspace.issue_trigger(user),
            "response_url": self.emulator.response_url(key),
            "action_ts": f"{time.time():.6f}",
        }
        await self._interaction(payload, "The shortcut")
        return {}

    async def home_opened(self, user: str, body: dict[str, Any]) -> dict[str, Any]:
        event: dict[str, Any] = {
            "type": "app_home_opened",
            "user": user,
            "channel": dm_of(user),
            "tab": "home",
            "event_ts": self.emulator.next_ts(),
        }
        if user in self.workspace.homes:
            event["view"] = self.workspace.homes[user]
        await self._event(event)
        return {}

    async def block_action(self, user: str, body: dict[str, Any]) -> dict[str, Any]:
        container, action = body.get("container") or {}, body.get("action") or {}
        if not isinstance(container, dict) or not isinstance(action, dict) or not body.get("action_id"):
            raise SandboxError("Nothing to click")
        payload = {**self._base("block_actions", user), "trigger_id": self.workspace.issue_trigger(user)}
        payload["actions"] = [
            {
                **action,
                "action_id": body["action_id"],
                "block_id": str(body.get("block_id") or ""),
                "action_ts": f"{time.time():.6f}",
            }
        ]
        state = {"values": (body.get("state") or {}).get("values", {})}
        target: ResponseTarget | None = None
        kind = container.get("type")
        if kind == "message":
            channel, ts = str(container.get("channel") or ""), str(container.get("ts") or "")
            self._visible(user, channel)
            message = self.workspace.find(channel, ts)
            if message is None:
                raise SandboxError("That message is gone")
            target = ResponseTarget(user, channel, message_ts=ts)
            payload["container"] = {"type": "message", "message_ts": ts, "channel_id": channel, "is_ephemeral": False}
            payload["channel"] = self._channel(channel)
            payload["message"] = {
                "type": "message",
                "ts": ts,
                "text": message["text"],
                "blocks": message["blocks"] or [],
                "user": message.get("user") or BOT_USER,
                **({"bot_id": "B0WRENCH"} if message["bot"] else {}),
            }
            payload["state"] = state
        elif kind == "ephemeral":
            shown = self.workspace.ephemeral_by_id(user, str(container.get("id")))
            if shown is None:
                raise SandboxError("That message is gone")
            target = ResponseTarget(user, shown["channel"], ephemeral_id=shown["id"])
            payload["container"] = {
                "type": "message",
                "message_ts": shown["at"],
                "channel_id": shown["channel"],
                "is_ephemeral": True,
            }
            payload["channel"] = self._channel(shown["channel"] or dm_of(user))
            payload["state"] = state
        elif kind == "view":
            view = self._view(user, str(container.get("view_id") or ""), state)
            payload["container"] = {"type": "view", "view_id": view["id"]}
            payload["view"] = view
        else:
            raise SandboxError("Nothing to click")
        if target is not None:
            payload["response_url"] = self.emulator.response_url(self.workspace.response_key(target))
        answer = await self._interaction(payload, "The action")
        if target is not None:
            self._reply(user, target.channel, answer, target)
        return {}

    async def view_submit(self, user: str, body: dict[str, Any]) -> dict[str, Any]:
        view_id = str(body.get("view_id") or "")
        view = self._view(user, view_id, {"values": (body.get("state") or {}).get("values", {})})
        payload = {
            **self._base("view_submission", user),
            "trigger_id": self.workspace.issue_trigger(user),
            "view": view,
            "response_urls": [],
        }
        answer = await self._interaction(payload, "Submitting the form") or {}
        action = answer.get("response_action")
        if action == "errors":
            self.workspace.show_errors(view_id, dict(answer.get("errors") or {}))
            return {"errors": answer.get("errors") or {}}
        if action == "update":
            self.workspace.update_view(view_id, answer.get("view") or {})
        elif action == "push":
            self.workspace.open_view(user, answer.get("view") or {}, push=True)
        elif action == "clear":
            self.workspace.close(user, everything=True)
        else:
            self.workspace.close(user, view_id)
        return {}

    async def view_close(self, user: str, body: dict[str, Any]) -> dict[str, Any]:
        view_id = str(body.get("view_id") or "")
        view = self._view(user, view_id, {"values": (body.get("state") or {}).get("values", {})})
        self.workspace.close(user, view_id)
        if view.get("notify_on_close"):
            payload = {**self._base("view_closed", user), "view": view, "is_cleared": False}
            await self._interaction(payload, "Closing the form")
        return {}

    async def options(self, user: str, body: dict[str, Any]) -> dict[str, Any]:
        view = self._view(user, str(body.get("view_id") or ""), {"values": {}})
        payload = {
            **self._base("block_suggestion", user),
            "action_id": str(body.get("action_id") or ""),
            "block_id": str(body.get("block_id") or ""),
            "value": str(body.get("value") or ""),
            "container": {"type": "view", "view_id": view["id"]},
            "view": view,
            "action_ts": f"{time.time():.6f}",
        }
        answer = await self._interaction(payload, "Loading options") or {}
        shown: dict[str, Any] = {"options": answer.get("options") or []}
        if answer.get("option_groups"):
            shown["option_groups"] = answer["option_groups"]
        return shown

    async def dismiss(self, user: str, body: dict[str, Any]) -> dict[str, Any]:
        self.workspace.dismiss(user, str(body.get("id") or ""))
        return {}

    async def move_clock(self, user: str, body: dict[str, Any]) -> dict[str, Any]:
        """Move the bot's clock forward, run every scheduler job now, and wait for what they queued to be posted."""
        self.clock.advance(parse_step(str(body.get("advance") or ""), self.org, self.clock()))
        ran = await self.run_jobs()
        self.workspace.changed()
        return {"now": self.clock().isoformat(timespec="seconds"), "ran": ran}

    async def run_jobs(self) -> dict[str, int]:
        assert self.bot is not None
        ran = {job.__name__: await job(self.bot.deps) for job in JOBS}
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(20):
                await self._delivered()
        return ran

    async def _delivered(self) -> None:
        """Until the outbox has posted everything queued (polled: the worker tells nobody)."""
        assert self.bot is not None
        while (await self.bot.deps.db.run(outbox.status)).pending:  # noqa: ASYNC110
            await asyncio.sleep(0.05)
