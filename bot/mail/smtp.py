"""One SMTP conversation: hand a built message to the configured server, and say how it went."""

from dataclasses import dataclass

import aiosmtplib

from services.organisation.integrations import Smtp


@dataclass(frozen=True)
class Outcome:
    error: str | None = None  # None: the server took the message
    permanent: bool = False  # the server refused it for good (5xx): trying again would not help


SENT = Outcome()


async def send(smtp: Smtp, sender: str, recipient: str, message: bytes) -> Outcome:
    """Send `message` (RFC 5322 bytes) to `recipient`. Never raises for what the server, the network or
    the environment does."""
    try:
        password = smtp.login_password()
    except ValueError as missing:  # password_env unset since start-up: retried once it is set again
        return Outcome(str(missing))
    try:
        await aiosmtplib.send(
            message,
            sender=sender,
            recipients=[recipient],
            hostname=smtp.host,
            port=smtp.port,
            username=smtp.username,
            password=password,
            use_tls=smtp.security == "tls",
            start_tls=smtp.security == "starttls",
            timeout=smtp.timeout_seconds,
        )
    except aiosmtplib.SMTPRecipientsRefused as refused:
        errors = refused.recipients
        code = errors[0].code if errors else 550
        return Outcome(f"the server refused {recipient}: {_said(errors[0]) if errors else ''}", permanent=code >= 500)
    except aiosmtplib.SMTPAuthenticationError as failure:
        return Outcome(f"the server refused the login ({_said(failure)}): check smtp.username and the password")
    except aiosmtplib.SMTPResponseException as failure:
        return Outcome(_said(failure), permanent=500 <= failure.code < 600)
    except (aiosmtplib.SMTPException, OSError, TimeoutError) as failure:
        return Outcome(f"{type(failure).__name__}: {failure}" if str(failure) else type(failure).__name__)
    return SENT


def _said(failure: aiosmtplib.SMTPResponseException) -> str:
    return f"{failure.code} {failure.message}".strip()
