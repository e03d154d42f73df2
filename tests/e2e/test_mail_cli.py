"""Email as an operator runs it (a real SMTP server): `wrench mail test|status|retry`, `wrench config check`
on the `smtp:` section, `wrench doctor`, and a running `wrench run` (a real process) sending what was queued.
Each command runs once as the installed script, the test's other commands in this process."""

import asyncio
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from models.db import Database
from services.mail import queue
from services.mail.queue import queue_mail
from services.organisation.config_file import parse_organisation
from tests.support.fake_slack import FakeSlack
from tests.support.mail_server import MailServer, mail_server
from tests.support.org import CONFIG
from tests.support.process import running_wrench, wrench, wrench_env, wrench_in_process


def smtp_section(server: MailServer, extra: str = "") -> str:
    return (
        f"\nsmtp:\n  host: 127.0.0.1\n  port: {server.port}\n  security: none\n"
        f"  from: 'Facilities <facilities@example.com>'\n{extra}"
    )


async def test_without_a_mail_server_the_commands_say_so(
    tmp_path: Path, database_url: str, fake_slack: FakeSlack
) -> None:
    env = wrench_env(tmp_path, database_url, fake_slack)
    code, output = await wrench("mail", "status", env=env)
    assert code == 1 and "no smtp: section in the config" in output, output
    code, output = await wrench_in_process("mail", "test", "jo@acme.example", env=env)
    assert code == 1 and "no smtp: section" in output


async def test_a_test_message_reaches_the_server_or_says_why_not(
    tmp_path: Path, database_url: str, fake_slack: FakeSlack
) -> None:
    with mail_server() as server:
        env = wrench_env(tmp_path, database_url, fake_slack, config_text=CONFIG + smtp_section(server))
        code, output = await wrench("mail", "test", "jo@acme.example", env=env)
        assert code == 0 and f"sent a test message to jo@acme.example through 127.0.0.1:{server.port}" in output
        [got] = server.received
        assert got.recipients == ["jo@acme.example"]
        assert got.message()["Subject"] == "Wrench: test message"
        code, output = await wrench_in_process("mail", "test", "jo at acme", env=env)
        assert code == 1 and "“jo at acme” is not an email address." in output
        server.refuse_with = "550 5.1.1 No such user"
        code, output = await wrench_in_process("mail", "test", "nobody@acme.example", env=env)
        assert code == 1 and "550 5.1.1 No such user" in output, output
        assert len(server.received) == 1


async def test_config_check_names_a_missing_password(tmp_path: Path, database_url: str, fake_slack: FakeSlack) -> None:
    section = (
        "\nsmtp:\n  host: smtp.example.com\n  username: w@example.com\n"
        "  password_env: WRENCH_SMTP_PW\n  from: w@example.com\n"
    )
    env = wrench_env(tmp_path, database_url, fake_slack, config_text=CONFIG + section)
    code, output = await wrench_in_process("config", "check", env=env)
    assert code != 0 and "smtp.password_env" in output and "WRENCH_SMTP_PW is not set" in output, output
    env["WRENCH_SMTP_PW"] = "secret"
    code, output = await wrench_in_process("config", "check", env=env)
    assert code == 0, output
    bad = "\nsmtp:\n  host: smtp.example.com\n  from: 'not an address'\n  security: ssl\n"
    env = wrench_env(tmp_path, database_url, fake_slack, config_text=CONFIG + bad)
    code, output = await wrench_in_process("config", "check", env=env)
    assert code != 0 and "smtp.from" in output and "smtp.security" in output, output


async def test_the_running_process_sends_what_is_queued(
    tmp_path: Path, database_url: str, fake_slack: FakeSlack
) -> None:
    with mail_server() as server:
        config = CONFIG + smtp_section(server)
        env = wrench_env(tmp_path, database_url, fake_slack, config_text=config)
        if not database_url.startswith("sqlite"):
            assert (await wrench_in_process("db", "upgrade", env=env))[0] == 0
        async with running_wrench(env):
            db = Database(database_url)
            try:
                org = parse_organisation(config)
                queued = partial(queue_mail, org=org, to="jo@acme.example", subject="WO-7: the boiler", text="Hello")
                assert await db.run(queued) is True
            finally:
                await db.dispose()
            for _ in range(150):  # another process queued it: the worker finds it on its next look
                if server.received:
                    break
                await asyncio.sleep(0.1)
            assert [got.message()["Subject"] for got in server.received] == ["WO-7: the boiler"]
            code, output = await wrench_in_process("mail", "status", env=env)
            assert code == 0 and "mail: ok" in output and "sent 1" in output, output


async def test_doctor_shows_an_email_that_failed(tmp_path: Path, database_url: str, fake_slack: FakeSlack) -> None:
    with mail_server() as server:
        config = CONFIG + smtp_section(server)
        env = wrench_env(tmp_path, database_url, fake_slack, config_text=config)
        if not database_url.startswith("sqlite"):
            assert (await wrench_in_process("db", "upgrade", env=env))[0] == 0
        code, output = await wrench("doctor", env=env)
        assert code == 0 and "email: 0 pending (0 retrying), 0 failed" in output, output
        db = Database(database_url)
        try:
            org = parse_organisation(config)
            await db.run(partial(queue_mail, org=org, to="nobody@acme.example", subject="WO-8: x", text="x"))
            [leased] = await db.run(partial(queue.lease_due, now=datetime.now(UTC)))
            await db.run(
                partial(
                    queue.record_result,
                    now=datetime.now(UTC),
                    mail_id=leased.mail_id,
                    error="the server refused nobody@acme.example: 550 No such user",
                    permanent=True,
                )
            )
        finally:
            await db.dispose()
        code, output = await wrench_in_process("doctor", env=env)
        assert code == 1 and "email: 0 pending (0 retrying), 1 failed" in output, output
        assert "550 No such user" in output and "needs attention" in output
