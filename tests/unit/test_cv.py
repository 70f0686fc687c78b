"""CV upload: text extraction and its refusals, and the engine's /cv, /jd and CV documents."""

from __future__ import annotations

import io
import logging
import os
import zipfile

import docx
import pytest
import sqlalchemy as sa
from pypdf import PdfWriter

from bot.flows.commands import parse_command
from bot.flows.cv import DOCX_MIME, SCANNED, DocumentRejected, extract_cv_text, skills_in
from bot.logs import configure_logging
from tests.fakes import FakeCoach
from tests.world import World

CV_LINE = "Backend engineer: Python, PostgreSQL and Kubernetes; cut latency 40 percent"


def text_pdf(*lines: str, pages: int = 1) -> bytes:
    """A minimal valid PDF whose pages each draw `lines` in Helvetica."""
    ops = "\n".join(
        f"BT /F1 12 Tf 72 {720 - 16 * i} Td ({line}) Tj ET" for i, line in enumerate(lines)
    )
    stream = ops.encode("latin-1")
    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    for i in range(pages):
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {5 + 2 * i} 0 R >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def blank_pdf(*, password: str | None = None) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    if password:
        writer.encrypt(user_password=password, owner_password=password + "-owner")
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def docx_bytes(*paragraphs: str) -> bytes:
    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def test_text_pdf_is_extracted() -> None:
    text = extract_cv_text(text_pdf("Jane Doe", CV_LINE), filename="cv.pdf", mime=None)
    assert "Jane Doe" in text and "Kubernetes" in text


def test_docx_and_txt_are_extracted() -> None:
    data = docx_bytes("Jane Doe", CV_LINE)
    assert "PostgreSQL" in extract_cv_text(data, filename="cv.docx", mime=DOCX_MIME)
    assert extract_cv_text("Zoë\r\n\r\n\r\nSQL".encode(), filename="cv.txt", mime=None) == (
        "Zoë\n\nSQL"
    )
    assert extract_cv_text("Zoë".encode("latin-1"), filename="x", mime="text/plain") == "Zoë"


def test_long_text_is_trimmed() -> None:
    assert len(extract_cv_text(b"word " * 10_000, filename="cv.txt", mime=None)) == 20_000


@pytest.mark.parametrize(
    ("data", "filename", "needle"),
    [
        (b"x" * 100_001, "cv.txt", "too big"),
        (text_pdf("a", pages=3), "cv.pdf", "3 pages"),
        (blank_pdf(password="secret"), "cv.pdf", "password"),
        (blank_pdf(), "cv.pdf", SCANNED),
        (os.urandom(3000), "cv.pdf", "damaged"),
        (b"%PDF-1.4\n" + os.urandom(500), "cv", "damaged"),
        (os.urandom(3000), "cv.docx", "damaged"),
        (b"PK\x03\x04 not really a zip", "cv.docx", "damaged"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "photo.png", "PDF, DOCX or TXT"),
        (b"\xd0\xcf\x11\xe0", "cv.doc", ".docx"),
        (b"bin\x00ary", "cv.txt", "PDF, DOCX or TXT"),
        (b"  \n\t ", "cv.txt", "couldn't find any text"),
        (docx_bytes(""), "cv.docx", "couldn't find any text"),
    ],
)
def test_unusable_files_are_refused_plainly(data: bytes, filename: str, needle: str) -> None:
    with pytest.raises(DocumentRejected) as caught:
        extract_cv_text(data, filename=filename, mime=None, max_bytes=100_000, max_pages=2)
    assert needle in caught.value.message


def test_empty_zip_named_docx_is_refused() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(DocumentRejected):
        extract_cv_text(buf.getvalue(), filename="cv.docx", mime=None)


def test_skills_are_bank_keywords_in_order_of_appearance() -> None:
    found = skills_in(CV_LINE)
    assert "python" in found and found.index("python") < found.index("latency")
    assert skills_in("nothing relevant zzz") == []


def test_jd_command_keeps_the_text_as_typed() -> None:
    command = parse_command("/jd We hire\nbackend engineers")
    assert command is not None and command.known and command.rest == "We hire\nbackend engineers"


async def cv_rows(world: World) -> list[sa.Row[tuple[str, str, bytes]]]:
    async with world.app.db.engine.connect() as conn:
        query = sa.text("SELECT kind, filename, text FROM documents ORDER BY id")
        return list((await conn.execute(query)).all())


async def test_cv_is_stored_sealed_and_confirmed_with_skills(world: World) -> None:
    c = world.candidate()
    await c.consent()
    reply = await c.document(text_pdf("Jane Doe", CV_LINE), "jane.pdf", "application/pdf")
    assert "jane.pdf" in reply.text and "python" in reply.text.lower()
    rows = await cv_rows(world)
    assert [(r.kind, r.filename) for r in rows] == [("cv", "jane.pdf")]
    assert b"Kubernetes" not in rows[0].text and b"Jane" not in rows[0].text
    await c.document(docx_bytes("Second CV, SQL"), "two.docx", DOCX_MIME)
    assert [(r.kind, r.filename) for r in await cv_rows(world)] == [("cv", "two.docx")]


async def test_document_before_consent_is_not_downloaded(world: World) -> None:
    c = world.candidate()
    reply = await c.document(text_pdf(CV_LINE), "cv.pdf", "application/pdf")
    assert "consent" in reply.text.lower() and c.fetches == 0
    assert await world.count("documents") == 0


async def test_rejected_file_gets_its_message_and_nothing_is_stored(world: World) -> None:
    c = world.candidate()
    await c.consent()
    reply = await c.document(blank_pdf(), "scan.pdf", "application/pdf")
    assert reply.text == SCANNED
    reply = await c.document(b"\x89PNG....", "me.png", "image/png")
    assert "PDF, DOCX or TXT" in reply.text
    assert await world.count("documents") == 0


async def test_cv_and_jd_commands_explain_store_and_clear(world: World) -> None:
    c = world.candidate()
    await c.consent()
    reply = await c.say("/cv")
    assert "PDF, DOCX or TXT" in reply.text and "5 MB" in reply.text and "/cv clear" in reply.text
    assert "/jd" in (await c.say("/jd")).text
    assert "saved" in (await c.say("/jd Senior Python engineer, Kubernetes")).text
    assert "/cv" in (await c.say("/help")).text
    assert "deleted" in (await c.say("/jd clear")).text
    assert "no CV" in (await c.say("/cv clear")).text
    assert await world.count("documents") == 0


async def test_cv_and_jd_tailor_the_next_interview_and_are_exported(world: World) -> None:
    c = world.candidate()
    await c.consent()
    await c.document(CV_LINE.encode(), "cv.txt", "text/plain")
    await c.say("/jd Platform team, Go and Kubernetes")
    await c.press("level:software-engineer:mid")
    coach = world.app.coach
    assert isinstance(coach, FakeCoach)
    context = coach.contexts[-1]
    assert (
        context.cv_text == CV_LINE and context.job_description == "Platform team, Go and Kubernetes"
    )
    reply = await c.say("/export")
    assert reply.document is not None
    with zipfile.ZipFile(io.BytesIO(reply.document.data)) as archive:
        assert CV_LINE in archive.read("data.json").decode()


async def test_pdf_during_an_interview_is_a_cv_but_an_image_is_not_an_answer(
    world: World,
) -> None:
    c = world.candidate()
    await c.consent()
    await c.press("level:software-engineer:mid")
    reply = await c.document(text_pdf(CV_LINE), "cv.pdf", "application/pdf")
    assert "Got your CV" in reply.text
    reply = await c.document(b"\x89PNG....", "me.png", "image/png")
    assert "voice notes or audio files" in reply.text
    assert await world.count("documents") == 1


async def test_cv_text_is_never_logged(world: World, caplog: pytest.LogCaptureFixture) -> None:
    configure_logging("DEBUG")
    logging.getLogger().addHandler(caplog.handler)
    caplog.set_level(logging.DEBUG)
    c = world.candidate()
    await c.consent()
    await c.document(text_pdf("Jane Secretname", CV_LINE), "cv.pdf", "application/pdf")
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "Secretname" not in logged and "Kubernetes" not in logged
    logging.getLogger().removeHandler(caplog.handler)
