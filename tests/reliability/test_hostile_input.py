"""Hostile and broken input: no crash, a plain message, bounded memory, nothing stored that
should not be. Inputs come from hypothesis; each test counts what it tried."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tracemalloc
import zipfile
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any, TypeVar

import aiohttp
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.adapters.telegram import TelegramConnector
from bot.flows.commands import parse_button, parse_command
from bot.flows.cv import INFLATES, MAX_CHARS, DocumentRejected, extract_cv_text
from bot.flows.engine import GENERIC_ERROR
from bot.web import SECRET_HEADER, TelegramWebhook, build_web_app, start_web
from tests.fake_servers.telegram_api import FakeBotApi, message_update
from tests.integration.test_telegram import options
from tests.world import World, make_world

ROOT = Path(__file__).parents[2]
T = TypeVar("T")
FUZZ = settings(max_examples=200, deadline=None, database=None,
                suppress_health_check=list(HealthCheck))  # fmt: skip
HOSTILE_TEXT = st.text(
    st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Z", "C")), max_size=300
) | st.sampled_from([
    "<b>bold</b> <script>alert(1)</script>", "&amp; &lt; \x00\x07\x1b[31m", "\u202eevil\u202c",
    "/start@OtherBot", "/" * 50, "/interview ../../etc/passwd senior", "/jd " + "x" * 5000,
    "/delete cancel extra", "\n\n/help\n", "ＳＴＡＲＴ", "/\u0000",
])  # fmt: skip
BUTTON_DATA = st.text(max_size=80) | st.builds(
    lambda kind, args: ":".join([kind, *args]),
    st.sampled_from(["role", "level", "restart", "continue", "stronger", "story", "age",
                     "consent", "export", "delete", "remind", "buy", "x"]),
    st.lists(st.text(max_size=12) | st.integers(-5, 10**12).map(str), max_size=4),
)  # fmt: skip


def collect(strategy: st.SearchStrategy[T], examples: int = 200) -> list[T]:
    """`examples` values drawn by hypothesis (edge cases first), for async code to use."""
    drawn: list[T] = []

    @settings(FUZZ, max_examples=examples)
    @given(strategy)
    def draw(value: T) -> None:
        drawn.append(value)

    draw()
    return drawn


# --- the audio decoder, in a subprocess under an address-space limit --------------------


def test_the_audio_decoder_refuses_hostile_files_plainly_within_512_mb(
    record_property: Callable[[str, object], None],
) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "tests.reliability.decoder_fuzz", "512", "150"],
        cwd=ROOT, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    tally = json.loads(run.stdout.strip().splitlines()[-1])
    print("\naudio decoder fuzz (RLIMIT_AS 512 MB):", tally)
    record_property("decoder_inputs", tally["inputs"])
    assert tally["inputs"] >= 600 and tally["decoded"] > 0
    for check in ("decoded", "probed"):  # every input ends one way or the other, twice
        refusals = "refused" if check == "decoded" else "probe refused"
        ends = tally[check] + sum(v for k, v in tally.items() if k.startswith(refusals + ":"))
        assert ends == tally["inputs"]


# --- CV parsers ---------------------------------------------------------------------------


def docx_bomb(uncompressed_mb: int) -> bytes:
    """A .docx whose document.xml inflates from a few hundred kB to `uncompressed_mb` MB."""
    body = b"<w:p><w:r><w:t>" + b"A" * (uncompressed_mb * 1024 * 1024) + b"</w:t></w:r></w:p>"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        z.writestr("word/document.xml", body)
    return out.getvalue()


def pdf_with_script() -> bytes:
    """A one-page PDF that says "Jane Doe, engineer" and runs JavaScript when opened."""
    script = b"app.alert('pwned'); this.exportDataObject({cName: 'x'});"
    content = b"BT /F1 12 Tf 20 100 Td (Jane Doe, engineer) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction 5 0 R /Names << /JavaScript "
        b"<< /Names [(x) 5 0 R] >> >> >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R "
        b"/Resources << /Font << /F1 6 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /S /JavaScript /JS (%s) >>" % script,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.7\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % at for at in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref,
    )  # fmt: skip
    return bytes(out)


@pytest.mark.parametrize("filename", ["cv.pdf", "cv.docx", "cv.txt", "cv", "cv.doc"])
def test_cv_parsers_answer_random_bytes_with_text_or_a_plain_refusal(filename: str) -> None:
    tried: list[int] = []

    @FUZZ
    @given(st.binary(max_size=20_000) | st.just(b"") | st.just(b"%PDF-1.7\n%%EOF"))
    def parse(data: bytes) -> None:
        tried.append(1)
        try:
            text = extract_cv_text(data, filename=filename, mime=None)
        except DocumentRejected as exc:
            assert exc.message and "Traceback" not in exc.message
            return
        assert 0 < len(text) <= MAX_CHARS and "\x00" not in text

    parse()
    print(f"\nCV fuzz ({filename}): {len(tried)} files")
    assert len(tried) >= 100


def test_a_docx_decompression_bomb_is_refused_without_inflating_it() -> None:
    bomb = docx_bomb(200)
    assert len(bomb) < 1024 * 1024
    tracemalloc.start()
    try:
        with pytest.raises(DocumentRejected) as refused:
            extract_cv_text(bomb, filename="cv.docx", mime=None)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert refused.value.message == INFLATES
    assert peak < 20 * 1024 * 1024  # the 200 MB inside was never unpacked


def test_a_pdf_with_scripts_yields_its_text_and_never_the_script() -> None:
    text = extract_cv_text(pdf_with_script(), filename="cv.pdf", mime="application/pdf")
    assert "Jane Doe" in text
    assert "alert" not in text and "exportDataObject" not in text


# --- commands and buttons, through the whole engine ------------------------------------


@given(st.text(max_size=400) | HOSTILE_TEXT)
@FUZZ
def test_the_command_parser_never_raises(text: str) -> None:
    command = parse_command(text)
    assert command is None or (command.name == command.name.lower() and " " not in command.name)


@given(st.none() | BUTTON_DATA)
@FUZZ
def test_the_button_parser_never_raises(data: str | None) -> None:
    parsed = parse_button(data)
    assert (parsed is None) == (not data)


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    w = await make_world(tmp_path)
    yield w
    await w.app.close()


async def test_hostile_texts_and_buttons_never_break_the_engine(
    world: World, record_property: Callable[[str, object], None]
) -> None:
    texts, buttons = collect(HOSTILE_TEXT, 300), collect(BUTTON_DATA, 300)
    someone = world.candidate("7001")
    await someone.consent()
    await someone.press("level:software-engineer:mid")
    await someone.say("I wrote the SECRET-PLAN migration runbook and cut incidents by half")
    c, stranger = world.candidate("7002"), world.candidate("7003")
    await c.consent()
    for text in texts:
        await c.say(text)
    for data in [*buttons, "stronger:1", "story:1", "continue", "level:sales:senior"]:
        await c.press(data)
        await stranger.press(data)  # never consented: gets the consent prompt, nothing else
    tried = len(texts) + 2 * (len(buttons) + 4)
    print(f"\nengine fuzz: {tried} texts and button presses")
    record_property("engine_inputs", tried)
    seen = c.sink.texts() + stranger.sink.texts()
    assert GENERIC_ERROR not in seen  # nothing raised inside the engine
    assert "SECRET-PLAN" not in seen  # another person's answer never leaks through a button
    assert all(reply.text.strip() for _, reply in c.sink.replies)
    assert await world.count("users") == 2  # the stranger was never stored


async def test_a_10_mb_text_answer_is_refused_plainly_and_not_stored(world: World) -> None:
    c = world.candidate()
    await c.consent()
    await c.press("level:software-engineer:mid")
    reply = await c.say("word " * (2 * 1024 * 1024))
    assert "too long" in reply.text
    assert await world.count("turns WHERE answer_text IS NOT NULL") == 0
    assert await world.count("turn_inbox") == 0


# --- the Telegram webhook ---------------------------------------------------------------


SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)
UPDATE_FIELDS = st.fixed_dictionaries(
    {"update_id": st.integers(-(2**40), 2**40) | st.text(max_size=5)},
    optional={"message": JSON, "callback_query": JSON, "edited_message": JSON},
)


async def test_the_webhook_answers_every_hostile_body_without_a_server_error(
    api: FakeBotApi, tmp_path: Path, record_property: Callable[[str, object], None]
) -> None:
    bodies: list[Any] = [
        *collect(st.binary(max_size=2000), 150),
        *(json.dumps(v).encode() for v in collect(JSON, 150)),
        *(json.dumps(v).encode() for v in collect(UPDATE_FIELDS, 300)),
        json.dumps(message_update(4242, text="<b>" * 1000 + "\x00")).encode(),
        b"{" * 100_000,
        b"",
    ]
    world = await make_world(tmp_path)
    url = "https://coach.example.org/telegram/hook"
    connector = TelegramConnector(options(api, webhook_url=url, webhook_secret="s3cret"))
    await connector.start(world.app.engine.handle)
    hook = TelegramWebhook("/telegram/hook", "s3cret", connector.feed)
    runner = await start_web(build_web_app(telegram=hook), host="127.0.0.1", port=0)
    statuses: dict[int, int] = {}
    try:
        async with aiohttp.ClientSession() as http:
            target = f"http://127.0.0.1:{runner.addresses[0][1]}/telegram/hook"
            for body in bodies:
                async with http.post(target, data=body, headers={SECRET_HEADER: "s3cret"}) as r:
                    statuses[r.status] = statuses.get(r.status, 0) + 1
            async with http.post(target, data=b"x" * (2 * 1024 * 1024),
                                 headers={SECRET_HEADER: "s3cret"}) as r:  # fmt: skip
                statuses[r.status] = statuses.get(r.status, 0) + 1
    finally:
        await runner.cleanup()
        await connector.stop()
        await world.app.close()
    print(f"\nwebhook fuzz: {len(bodies) + 1} bodies, statuses {statuses}")
    record_property("webhook_inputs", len(bodies) + 1)
    assert set(statuses) <= {200, 400, 413} and 500 not in statuses
