"""A real IMAP server for the tests: pymap's in-memory backend, started as its own process on a free
127.0.0.1 port with one mailbox user; messages are put in its INBOX with APPEND, as a delivery would."""

import imaplib
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.support.process import free_port

USER, PASSWORD = "maintenance", "imap-secret"
PYMAP = str(Path(sys.executable).with_name("pymap"))


@dataclass
class ImapServer:
    port: int

    def _connection(self) -> imaplib.IMAP4:
        connection = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        connection.login(USER, PASSWORD)
        connection.select("INBOX")
        return connection

    def deliver(self, raw: bytes) -> None:
        connection = self._connection()
        try:
            status, _ = connection.append("INBOX", None, None, raw)  # type: ignore[arg-type]
            assert status == "OK"
        finally:
            connection.logout()

    def unseen(self) -> int:
        connection = self._connection()
        try:
            _, found = connection.uid("SEARCH", None, "UNSEEN")  # type: ignore[arg-type]
            return len((found[0] or b"").split())
        finally:
            connection.logout()


@contextmanager
def imap_server() -> Iterator[ImapServer]:
    port = free_port()
    process = subprocess.Popen(
        [
            PYMAP,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-tls",
            "dict",
            "--demo-user",
            USER,
            "--demo-password",
            PASSWORD,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"pymap did not start: {process.stderr.read().decode() if process.stderr else ''}"
                    ) from None
                time.sleep(0.05)
        yield ImapServer(port)
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
