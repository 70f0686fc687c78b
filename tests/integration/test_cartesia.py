"""CartesiaTTS through the real `cartesia` SDK against a loopback fake of `/tts/bytes`."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.core.errors import ProviderError
from bot.core.models import Pcm
from bot.providers.tts.cartesia import CartesiaTTS
from bot.providers.tts.fallback import FallbackTTS
from tests.fake_servers.cartesia_api import API_KEY, SECONDS_PER_CHAR, FakeCartesia
from tests.fake_servers.sdk_retries import FAST, Opened, RetryWaits

VOICE_ID = "voice-under-test"
TEXT = "Tell me about a time you disagreed with your manager."


class OfflineTTS:
    """Stands in for flite: one second of silence at 8 kHz."""

    name = "flite"

    def __init__(self) -> None:
        self.texts: list[str] = []

    async def synthesize(self, text: str, *, voice: str | None = None) -> Pcm:
        self.texts.append(text)
        return Pcm(b"\x00\x00" * 8000, 8000)


@pytest.fixture
async def server() -> AsyncIterator[FakeCartesia]:
    fake = FakeCartesia()
    await fake.start()
    yield fake
    await fake.stop()


def cartesia(
    server: FakeCartesia, opened: Opened, *, sample_rate: int = 24000, timeout_s: float = 5.0
) -> CartesiaTTS:
    return opened.keep(
        CartesiaTTS(
            api_key=API_KEY,
            voice_id=VOICE_ID,
            base_url=server.base_url,
            model="sonic-2",
            sample_rate=sample_rate,
            timeout_s=timeout_s,
            max_retries=2,
        )  # fmt: skip
    )


async def test_raw_pcm_comes_back_at_the_requested_rate_and_length(
    server: FakeCartesia, opened: Opened
) -> None:
    pcm = await cartesia(server, opened).synthesize(TEXT)

    assert pcm.sample_rate == 24000
    assert len(pcm.samples) == 2 * int(len(TEXT) * SECONDS_PER_CHAR * 24000)
    assert pcm.samples[:4] == bytes.fromhex("f0d8") + bytes.fromhex("54d9")


async def test_raw_s16le_at_the_configured_rate_is_requested(
    server: FakeCartesia, opened: Opened
) -> None:
    pcm = await cartesia(server, opened, sample_rate=16000).synthesize(TEXT)

    assert server.requests[0]["output_format"] == {
        "container": "raw", "encoding": "pcm_s16le", "sample_rate": 16000,
    }  # fmt: skip
    assert pcm.sample_rate == 16000
    assert pcm.duration_s == pytest.approx(len(TEXT) * SECONDS_PER_CHAR, abs=1e-3)


async def test_the_voice_model_transcript_and_api_version_are_sent(
    server: FakeCartesia, opened: Opened
) -> None:
    await cartesia(server, opened).synthesize(TEXT)

    body = server.requests[0]
    assert body["voice"] == {"id": VOICE_ID}
    assert body["model_id"] == "sonic-2"
    assert body["transcript"] == TEXT
    assert server.headers[0]["cartesia-version"]


async def test_a_voice_asked_for_by_the_caller_replaces_the_configured_one(
    server: FakeCartesia, opened: Opened
) -> None:
    await cartesia(server, opened).synthesize(TEXT, voice="another-voice")

    assert server.requests[0]["voice"] == {"id": "another-voice"}


async def test_a_rate_limit_is_retried_by_the_sdk_honouring_retry_after(
    server: FakeCartesia, opened: Opened, retries: RetryWaits
) -> None:
    server.fail(429, retry_after="0.25")

    pcm = await cartesia(server, opened).synthesize(TEXT)

    assert len(pcm.samples) > 0
    assert len(server.requests) == 2
    assert retries.waits == [0.25]


async def test_a_timeout_is_retried_with_jittered_backoff(
    server: FakeCartesia, opened: Opened, retries: RetryWaits
) -> None:
    server.hang()

    pcm = await cartesia(server, opened, timeout_s=0.2).synthesize(TEXT)

    assert len(pcm.samples) > 0
    assert len(server.requests) == 2
    [wait] = retries.waits
    assert 0.375 <= wait <= 0.5, "the SDK's first backoff: 0.5 s less up to 25% jitter"


async def test_a_persistent_outage_gives_a_retryable_provider_error(
    server: FakeCartesia, opened: Opened
) -> None:
    server.fail(503, times=10, retry_after=FAST)

    with pytest.raises(ProviderError) as caught:
        await cartesia(server, opened).synthesize(TEXT)

    assert caught.value.retryable
    assert "HTTP 503" in str(caught.value)
    assert len(server.requests) == 3


async def test_a_rejected_request_is_not_retried(
    server: FakeCartesia, opened: Opened, retries: RetryWaits
) -> None:
    server.fail(422)

    with pytest.raises(ProviderError) as caught:
        await cartesia(server, opened).synthesize(TEXT)

    assert not caught.value.retryable
    assert len(server.requests) == 1
    assert retries.waits == []


async def test_the_offline_voice_speaks_when_cartesia_is_down(
    server: FakeCartesia, opened: Opened
) -> None:
    server.fail(500, times=10, retry_after=FAST)
    offline = OfflineTTS()
    tts = FallbackTTS(cartesia(server, opened), offline)

    pcm = await tts.synthesize(TEXT)

    assert pcm.sample_rate == 8000
    assert offline.texts == [TEXT]
    assert tts.name == "cartesia+flite"


def test_an_unsupported_sample_rate_is_refused_at_construction() -> None:
    with pytest.raises(ValueError, match="11025"):
        CartesiaTTS(
            api_key=API_KEY, voice_id=VOICE_ID, base_url="http://127.0.0.1:9", sample_rate=11025
        )


def test_a_cartesia_key_selects_cartesia_with_the_offline_voice_as_its_fallback() -> None:
    from bot.app import _tts
    from bot.config import load_settings

    settings = load_settings({"CARTESIA_API_KEY": API_KEY, "COACH_TTS_VOICE_ID": VOICE_ID})
    tts = _tts(settings)

    assert tts is not None
    assert tts.name == "cartesia+flite+espeak-ng"


def test_a_cartesia_key_without_a_voice_id_names_the_missing_variable() -> None:
    from bot.app import _tts
    from bot.config import load_settings
    from bot.core.errors import ConfigError

    with pytest.raises(ConfigError, match="COACH_TTS_VOICE_ID"):
        _tts(load_settings({"CARTESIA_API_KEY": API_KEY}))


def test_the_privacy_note_names_the_cloud_processors_but_not_the_offline_fallbacks() -> None:
    from bot.app import processors_note

    class Named:
        def __init__(self, name: str) -> None:
            self.name = name

    note = processors_note(
        Named("openai-whisper+pocketsphinx"),  # type: ignore[arg-type]
        Named("cartesia+flite+espeak-ng"),  # type: ignore[arg-type]
        Named("rules"),  # type: ignore[arg-type]
    )

    assert note == "Sent to these processors to run the service: cartesia, openai-whisper."
