"""What the fake Slack (`bot.sandbox.emulator`) answers to each Web API method it knows: one method of
`WebApiMethods` each, found by the method's name in `ANSWERS`. Checks that come first (the token, rate
limits, failures a test asked for, Block Kit's rules) are the emulator's; these answer a call that passed
them, and keep what Slack would keep (messages, views, files) in the emulator's state."""

from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote

from bot.sandbox.workspace import Workspace, dm_of

BOT_USER = "U0WRENCHBOT"  # the bot's own user id, as auth.test tells it


class WebApiMethods:
    """Slack's answers, on the state `FakeSlack` keeps (declared here, set there)."""

    base_url: str
    exact: bool
    workspace: Workspace
    uploads: dict[str, bytes]
    ts_clock: Callable[[], float] | None
    _ts: Iterator[int]
    _messages: dict[tuple[str, str], dict[str, Any]]

    def next_ts(self) -> str:
        """A message timestamp (unique, in order)."""
        seconds = int(self.ts_clock()) if self.ts_clock is not None else 1700000000
        return f"{seconds}.{next(self._ts):06d}"

    def _answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        answer = ANSWERS.get(method)
        return answer(self, params) if answer is not None else {"ok": False, "error": "unknown_method"}

    def _connections_open(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "url": f"{self.base_url.replace('http', 'ws', 1)}/link?ticket={next(self._ts)}"}

    def _auth_test(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "user": "wrench",
            "user_id": BOT_USER,
            "team": "Test Co",
            "team_id": "T0TEST",
            "bot_id": "B0WRENCH",
            "url": "https://test.slack.com/",
        }

    def _post_message(self, params: dict[str, Any]) -> dict[str, Any]:
        if not params.get("channel"):
            return {"ok": False, "error": "channel_not_found"}
        channel = params["channel"]
        channel = "D" + channel[1:] if channel.startswith(("U", "W")) else channel
        ts = self.next_ts()
        if self.exact and params.get("thread_ts") and not self.workspace.find(channel, str(params["thread_ts"])):
            return {"ok": False, "error": "thread_not_found"}
        self._messages[(channel, ts)] = params
        self.workspace.post(channel, ts, params)
        return {"ok": True, "channel": channel, "ts": ts, "message": {"ts": ts, "text": params.get("text")}}

    def _update_message(self, params: dict[str, Any]) -> dict[str, Any]:
        key = (params.get("channel"), params.get("ts"))
        if key not in self._messages:
            return {"ok": False, "error": "message_not_found"}
        self._messages[key] = params
        self.workspace.update(key[0], key[1], params)
        return {"ok": True, "channel": key[0], "ts": key[1]}

    def _permalink(self, params: dict[str, Any]) -> dict[str, Any]:
        channel, ts = params.get("channel"), str(params.get("message_ts", ""))
        return {
            "ok": True,
            "channel": channel,
            "permalink": f"https://test.slack.com/archives/{channel}/p{ts.replace('.', '')}",
        }

    def _post_ephemeral(self, params: dict[str, Any]) -> dict[str, Any]:
        if not params.get("user") or not params.get("channel"):
            return {"ok": False, "error": "invalid_arguments"}
        ts = self.next_ts()  # shown at the bot's clock, as its messages are
        self.workspace.ephemeral(str(params["user"]), str(params["channel"]), params, at=ts)
        return {"ok": True, "message_ts": ts}

    def _delete_message(self, params: dict[str, Any]) -> dict[str, Any]:
        deleted = self.workspace.delete(str(params.get("channel")), str(params.get("ts")))
        return {"ok": True} if deleted else {"ok": False, "error": "message_not_found"}

    def _open_view(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._show_view(params, push=False)

    def _push_view(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._show_view(params, push=True)

    def _show_view(self, params: dict[str, Any], *, push: bool) -> dict[str, Any]:
        user, error = self.workspace.take_trigger(params.get("trigger_id"))
        if error is not None:
            return {"ok": False, "error": error}
        view = params.get("view", {})
        if user is None:  # a test's own trigger_id: nobody's screen to show it on
            return {"ok": True, "view": {"id": f"V{next(self._ts):08d}", **view}}
        if push and len(self.workspace.modals.get(user, [])) >= 3:
            return {"ok": False, "error": "push_limit_reached"}  # Slack stacks at most three views
        return {"ok": True, "view": self.workspace.open_view(user, view, push=push)}

    def _history(self, params: dict[str, Any]) -> dict[str, Any]:
        asked = params.get("latest") or params.get("ts")
        found = self._messages.get((str(params.get("channel")), str(asked)))
        if found is None:
            return {"ok": True, "messages": []}
        return {"ok": True, "messages": [{"type": "message", "ts": asked, **found}]}

    def _upload_url(self, params: dict[str, Any]) -> dict[str, Any]:
        if not params.get("filename") or not params.get("length"):
            return {"ok": False, "error": "invalid_arguments"}
        file_id = f"F{next(self._ts):08d}"
        self.workspace.files[file_id] = {"name": params["filename"]}
        return {"ok": True, "file_id": file_id, "upload_url": f"{self.base_url}/upload/{file_id}"}

    def _complete_upload(self, params: dict[str, Any]) -> dict[str, Any]:
        files = params.get("files") or []
        if not files or any(f.get("id") not in self.uploads for f in files):
            return {"ok": False, "error": "file_not_found"}
        self._share(params, files)
        return {"ok": True, "files": [{"id": f["id"], "title": f.get("title")} for f in files]}

    def _file_info(self, params: dict[str, Any]) -> dict[str, Any]:
        """What Slack says of a file: its type, size and where its bytes are (read with the bot token)."""
        file_id = str(params.get("file") or "")
        content = self.uploads.get(file_id)
        if content is None:
            return {"ok": False, "error": "file_not_found"}
        name = self.workspace.files.get(file_id, {}).get("name") or file_id
        url = f"{self.base_url}/files/{file_id}/{quote(name)}"
        described = {"id": file_id, "name": name, "mimetype": content_type(name), "size": len(content)}
        return {"ok": True, "file": {**described, "url_private": url, "url_private_download": url}}

    def _share(self, params: dict[str, Any], files: list[dict[str, Any]]) -> None:
        """files_upload_v2's last step: the files appear in the channel (or thread), as a message."""
        channel = params.get("channel_id") or params.get("channels")
        if not channel:
            return
        channel = dm_of(channel) if str(channel).startswith(("U", "W")) else str(channel)
        shown = []
        for sent in files:
            name = self.workspace.files.get(sent["id"], {}).get("name") or sent.get("title") or sent["id"]
            url = f"{self.base_url}/files/{sent['id']}/{name}"
            self.workspace.files[sent["id"]] = {"name": name, "title": sent.get("title") or name, "url": url}
            shown.append({"id": sent["id"], "name": name, "title": sent.get("title") or name, "url": url})
        message = {
            "text": params.get("initial_comment") or "",
            "thread_ts": params.get("thread_ts"),
            "files_shown": shown,
        }
        ts = self.next_ts()
        self._messages[(channel, ts)] = message
        self.workspace.post(channel, ts, message)

    def _user_info(self, params: dict[str, Any]) -> dict[str, Any]:
        user = str(params.get("user", ""))
        person = self.workspace.people.get(user)
        if person is None:
            if self.exact:
                return {"ok": False, "error": "user_not_found"}
            return {"ok": True, "user": {"id": user, "profile": {"display_name": f"{user.lower()}-name"}}}
        profile = {"display_name": person.name, "real_name": person.name, "title": person.title or ""}
        return {"ok": True, "user": {"id": user, "name": person.name, "real_name": person.name, "profile": profile}}

    def _publish_view(self, params: dict[str, Any]) -> dict[str, Any]:
        if not params.get("user_id"):
            return {"ok": False, "error": "invalid_arguments"}
        return {"ok": True, "view": self.workspace.publish(str(params["user_id"]), params.get("view", {}))}

    def _update_view(self, params: dict[str, Any]) -> dict[str, Any]:
        view_id = str(params.get("view_id") or "")
        shown = self.workspace.update_view(view_id, params.get("view", {}))
        if shown is not None:
            return {"ok": True, "view": shown}
        if self.exact:
            return {"ok": False, "error": "not_found"}
        return {"ok": True, "view": {"id": f"V{next(self._ts):08d}", **params.get("view", {})}}


ANSWERS: dict[str, Callable[[WebApiMethods, dict[str, Any]], dict[str, Any]]] = {
    "apps.connections.open": WebApiMethods._connections_open,
    "auth.test": WebApiMethods._auth_test,
    "chat.postMessage": WebApiMethods._post_message,
    "chat.update": WebApiMethods._update_message,
    "chat.getPermalink": WebApiMethods._permalink,
    "chat.postEphemeral": WebApiMethods._post_ephemeral,
    "chat.delete": WebApiMethods._delete_message,
    "views.open": WebApiMethods._open_view,
    "views.push": WebApiMethods._push_view,
    "conversations.history": WebApiMethods._history,
    "conversations.replies": WebApiMethods._history,
    "files.getUploadURLExternal": WebApiMethods._upload_url,
    "files.completeUploadExternal": WebApiMethods._complete_upload,
    "files.info": WebApiMethods._file_info,
    "users.info": WebApiMethods._user_info,
    "views.publish": WebApiMethods._publish_view,
    "views.update": WebApiMethods._update_view,
}


def content_type(name: str) -> str:
    """A file's type, as Slack tells it, from its name."""
    kinds = {
        "png": "image/png",
        "jpg": "image/jpeg",
        "jpeg": "image/jpeg",
        "gif": "image/gif",
        "webp": "image/webp",
        "pdf": "application/pdf",
    }
    return kinds.get(name.rsplit(".", 1)[-1].lower(), "application/octet-stream")
