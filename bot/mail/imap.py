"""The requests mailbox over IMAP (the standard library's client, run in a thread: a poll is a few short
commands). Messages are read with BODY.PEEK, so reading does not mark them; Wrench marks a message seen
only once what it did with it is stored."""

import imaplib
import ssl
from contextlib import suppress
from typing import Any

from services.organisation.integrations import Imap

BATCH = 50  # messages taken per poll: a flood is worked through over several polls


class MailboxError(Exception):
    """The server could not be reached or refused a command (the message says which)."""


def connect(config: Imap) -> imaplib.IMAP4:
    """A logged-in connection with `config.folder` selected (blocking: run it in a thread)."""
    try:
        if config.security == "tls":
            connection: imaplib.IMAP4 = imaplib.IMAP4_SSL(
                config.host, config.port, ssl_context=ssl.create_default_context(), timeout=config.timeout_seconds
            )
        else:
            connection = imaplib.IMAP4(config.host, config.port, timeout=config.timeout_seconds)
            if config.security == "starttls":
                connection.starttls(ssl_context=ssl.create_default_context())
        connection.login(config.username, config.login_password())
        status, _ = connection.select(_quoted(config.folder))
    except (OSError, imaplib.IMAP4.error, ValueError) as failure:
        raise MailboxError(f"{config.host}:{config.port}: {type(failure).__name__}: {failure}") from None
    if status != "OK":
        disconnect(connection)
        raise MailboxError(f"the folder {config.folder} cannot be opened")
    return connection


def disconnect(connection: imaplib.IMAP4) -> None:
    with suppress(OSError, imaplib.IMAP4.error):
        connection.logout()


def unseen(connection: imaplib.IMAP4, limit: int = BATCH) -> list[bytes]:
    """The UIDs of messages not yet marked seen, oldest first."""
    status, found = _command(connection, "SEARCH", None, "UNSEEN")
    if status != "OK":
        raise MailboxError("the server refused SEARCH UNSEEN")
    return (found[0] or b"").split()[:limit]


def fetch(connection: imaplib.IMAP4, uid: bytes) -> bytes | None:
    """The whole message, without marking it seen; None when it is gone."""
    status, found = _command(connection, "FETCH", uid.decode(), "(BODY.PEEK[])")
    if status != "OK":
        raise MailboxError(f"the server refused FETCH {uid.decode()}")
    for item in found:
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], bytes):
            return item[1]
    return None


def mark_seen(connection: imaplib.IMAP4, uid: bytes) -> None:
    status, _ = _command(connection, "STORE", uid.decode(), "+FLAGS", r"(\Seen)")
    if status != "OK":
        raise MailboxError(f"the server refused to mark {uid.decode()} seen")


def _command(connection: imaplib.IMAP4, *args: str | None) -> tuple[str, list[Any]]:
    try:
        return connection.uid(*args)  # type: ignore[arg-type]
    except (OSError, imaplib.IMAP4.error) as failure:
        raise MailboxError(f"{args[0]}: {type(failure).__name__}: {failure}") from None


def _quoted(folder: str) -> str:
    """A folder name as an IMAP quoted string (INBOX, "Requests/Facilities")."""
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'
