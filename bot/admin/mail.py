"""An optional e-mail channel (`COACH_SMTP_URL`) for the breach notice, on the standard
library: `smtplib` in a worker thread. Nothing here logs an address or a message."""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

SCHEMES = {"smtp": 587, "smtps": 465}
TIMEOUT_S = 30.0


@dataclass(frozen=True, slots=True)
class SmtpTarget:
    """Where and how to send: `smtp://` upgrades with STARTTLS, `smtps://` is TLS from the
    start. Both verify the server's certificate."""

    host: str
    port: int
    username: str
    password: str
    implicit_tls: bool


def parse_smtp_url(url: str) -> SmtpTarget:
    """`smtp://user:pass@host:587` or `smtps://user:pass@host:465` -> SmtpTarget. ValueError
    with a plain message (never the password) when it is not such a URL."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise ValueError("should look like smtp://user:password@host:587") from None
    if parts.scheme not in SCHEMES or not parts.hostname:
        raise ValueError("should look like smtp://user:password@host:587 (or smtps://...)")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError("should be only smtp[s]://user:password@host:port, nothing after it")
    return SmtpTarget(
        host=parts.hostname,
        port=port or SCHEMES[parts.scheme],
        username=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        implicit_tls=parts.scheme == "smtps",
    )


class SmtpMailer:
    """Sends one plain-text e-mail at a time; each send opens its own connection."""

    def __init__(self, target: SmtpTarget, sender: str) -> None:
        self.target = target
        self.sender = sender
        self.context = ssl.create_default_context()  # the system's CAs (or SSL_CERT_FILE)

    async def send(self, to: str, subject: str, body: str) -> None:
        """Send, or raise (smtplib.SMTPException, OSError) when the server refuses."""
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.sender, to, subject
        message.set_content(body)
        await asyncio.to_thread(self._send, message)

    def _send(self, message: EmailMessage) -> None:
        t = self.target
        smtp: smtplib.SMTP
        if t.implicit_tls:
            smtp = smtplib.SMTP_SSL(t.host, t.port, timeout=TIMEOUT_S, context=self.context)
        else:
            smtp = smtplib.SMTP(t.host, t.port, timeout=TIMEOUT_S)
        with smtp:
            if not t.implicit_tls:
                smtp.starttls(context=self.context)
            if t.username:
                smtp.login(t.username, t.password)
            smtp.send_message(message)


def smtp_mailer(url: str | None, sender: str) -> SmtpMailer | None:
    """The mailer for `COACH_SMTP_URL` / `COACH_MAIL_FROM`; None when no URL is set."""
    return SmtpMailer(parse_smtp_url(url), sender) if url else None
