"""The breach notice by e-mail (`COACH_SMTP_URL`): a loopback SMTP server (aiosmtpd) that
requires STARTTLS with a test certificate and a login, and keeps what it receives."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import logging
import socket
import ssl
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from bot.core.clock import FixedClock
from storage.tables import users
from tests.fakes import Candidate, RecordingSink
from tests.world import World, make_world

ADMIN = "424242"
USER, PASSWORD = "coach", "s3cret"
LOOPBACK = ipaddress.ip_address("127.0.0.1")


@dataclass
class Inbox:
    """What the loopback server accepted: (envelope recipients, parsed message)."""

    received: list[tuple[list[str], EmailMessage]] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, _: Any):  # noqa: ANN201, N802
        if address in self.refuse:
            return "550 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.received.append((list(envelope.rcpt_tos), parsed))
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [message for rcpts, message in self.received if address in rcpts]


def _certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (the client trusts it via SSL_CERT_FILE)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1)).not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(LOOPBACK)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    cert_path, key_path = directory / "smtp.pem", directory / "smtp.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )  # fmt: skip
    )
    return cert_path, key_path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _login(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
        USER.encode(), PASSWORD.encode()
    )  # fmt: skip
    return AuthResult(success=ok)


@pytest.fixture
def smtp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Inbox, str]]:
    """A loopback SMTP server requiring STARTTLS and a login; yields (inbox, COACH_SMTP_URL)."""
    cert_path, key_path = _certificate(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert_path))  # the client's trusted CA
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(cert_path, key_path)
    inbox, port = Inbox(), _free_port()
    controller = Controller(
        inbox, hostname="127.0.0.1", port=port, tls_context=tls, require_starttls=True,
        authenticator=_login, auth_required=True, auth_require_tls=True,
    )  # fmt: skip
    controller.start()
    try:
        yield inbox, f"smtp://{USER}:{PASSWORD}@127.0.0.1:{port}"
    finally:
        controller.stop()


@pytest.fixture
async def ops(tmp_path: Path, smtp: tuple[Inbox, str]) -> AsyncIterator[World]:
    clock = FixedClock(dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.UTC))
    world = await make_world(
        tmp_path, clock=clock, COACH_ADMIN_IDS=f"telegram:{ADMIN}",
        COACH_SMTP_URL=smtp[1], COACH_MAIL_FROM="coach@example.org",
    )  # fmt: skip
    yield world
    await world.app.close()


async def person(world: World, user_id: str, email: str | None, *, confirmed: bool) -> Candidate:
    """A consented person on Telegram, with an e-mail address held (confirmed or not)."""
    c = Candidate(world.app.engine, platform="telegram", user_id=user_id)
    await c.consent()
    async with world.app.db.unit_of_work() as uow:
        user = await uow.users.find("telegram", user_id)
        assert user is not None
        if email is not None:
            await uow.users.set_profile(user, email=email)
        if confirmed:  # as a confirmation would record it
            await uow.conn.execute(
                sa.update(users).where(users.c.id == user.id).values(email_confirmed=True)
            )
    c.sink.clear()
    return c


async def test_a_breach_notice_is_emailed_to_confirmed_addresses_only(
    ops: World, smtp: tuple[Inbox, str], caplog: pytest.LogCaptureFixture
) -> None:
    inbox, _ = smtp
    confirmed = await person(ops, "2001", "ada@example.org", confirmed=True)
    unconfirmed = await person(ops, "2002", "bob@example.org", confirmed=False)
    without = await person(ops, "2003", None, confirmed=False)
    erased = await person(ops, "2004", "eve@example.org", confirmed=True)
    await erased.say("/delete")
    await erased.press("delete:now")
    telegram = RecordingSink()
    ops.app.senders.update(telegram=telegram)
    caplog.set_level(logging.DEBUG)

    boss = Candidate(ops.app.engine, platform="telegram", user_id=ADMIN)
    await boss.say("/admin breach On 26 November a backup file was exposed for two hours.")

    in_bot = {c.user_id for c, _ in telegram.replies}
    assert in_bot == {p.chat.user_id for p in (confirmed, unconfirmed, without)}
    assert [rcpts for rcpts, _ in inbox.received] == [["ada@example.org"]]
    [mail] = inbox.to("ada@example.org")
    assert mail["From"] == "coach@example.org" and "notice about your data" in mail["Subject"]
    assert "a backup file was exposed for two hours" in mail.get_content()
    assert "/delete" in mail.get_content()
    report = boss.sink.last.text
    assert (
        "sent to 3 of 3" in report
        and "E-mail: 1 of 1 confirmed addresses sent (0 failed)" in report
    )
    async with ops.app.db.unit_of_work() as uow:
        [entry] = [r for r in await uow.audit.since() if r.action == "admin.breach"]
    assert entry.detail["emails_sent"] == 1 and entry.detail["emails_failed"] == 0
    assert entry.detail["email_channel"] == "smtp"
    ours = [r.getMessage() for r in caplog.records if r.name != "mail.log"]  # not the server's
    logged = "\n".join(ours) + json.dumps(entry.detail)
    for secret in ("ada@", "bob@", "backup", PASSWORD):
        assert secret not in logged


async def test_a_refused_address_is_counted_and_the_others_still_get_theirs(
    ops: World, smtp: tuple[Inbox, str], caplog: pytest.LogCaptureFixture
) -> None:
    inbox, _ = smtp
    inbox.refuse.add("gone@example.org")
    people = [  # kept alive: the fake's update ids use id()
        await person(ops, "2001", "gone@example.org", confirmed=True),
        await person(ops, "2002", "ada@example.org", confirmed=True),
    ]
    ops.app.senders.update(telegram=RecordingSink())
    boss = Candidate(ops.app.engine, platform="telegram", user_id=ADMIN)
    await boss.say("/admin breach A laptop was stolen.")
    assert [rcpts for rcpts, _ in inbox.received] == [["ada@example.org"]]
    assert "E-mail: 1 of 2 confirmed addresses sent (1 failed)" in boss.sink.last.text
    assert "sent to 2 of 2" in boss.sink.last.text and len(people) == 2
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name != "mail.log")
    assert "SMTPRecipientsRefused" in ours and "gone@" not in ours
