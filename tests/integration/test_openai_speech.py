"""OpenAISpeechTTS through the real `openai` SDK against a loopback `/v1/audio/speech`."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.core.errors import ConfigError, ProviderError
from bot.core.models import Pcm
from bot.providers.tts.fallback import FallbackTTS
from bot.providers.tts.openai_speech import OpenAISpeechTTS
from tests.fake_servers.openai_api import API_KEY, SECONDS_PER_CHAR, FakeOpenAI
from tests.fake_servers.sdk_retries import FAST, Opened, RetryWaits

TEXT = "Tell me about a time you disagreed with your manager."


class OfflineTTS:
    """Stands in for flite: half a second of silence at 8 kHz."""

    name = "flite"

    def __init__(self) -> None:
        self.texts: list[str] = []

    async def synthesize(self, text: str, *, voice: str | None = None) -> Pcm:
        self.texts.append(text)
        return Pcm(b"\x00\x00" * 4000, 8000)


@pytest.fixture
async def server() -> AsyncIterator[FakeOpenAI]:
    fake = FakeOpenAI()
    await fake.start()
    yield fake
    await fake.stop()


def speech(server: FakeOpenAI, opened: Opened, *, timeout_s: float = 5.0) -> OpenAISpeechTTS:
    return opened.keep(
        OpenAISpeechTTS(
            api_key=API_KEY,
            base_url=server.base_url,
            model="tts-under-test",
            voice="verse",
            timeout_s=timeout_s,
        )  # fmt: skip
    )


async def test_raw_24khz_pcm_comes_back_as_requested(server: FakeOpenAI, opened: Opened) -> None:
    pcm = await speech(server, opened).synthesize(TEXT)

    assert pcm.sample_rate == 24000
    assert len(pcm.samples) == 2 * int(len(TEXT) * SECONDS_PER_CHAR * 24000)
    assert server.speeches[0] == {
        "model": "tts-under-test", "voice": "verse", "input": TEXT, "response_format": "pcm",
    }  # fmt: skip


async def test_a_voice_asked_for_by_the_caller_replaces_the_configured_one(
    server: FakeOpenAI, opened: Opened
) -> None:
    await speech(server, opened).synthesize(TEXT, voice="alloy")

    assert server.speeches[0]["voice"] == "alloy"


async def test_a_rate_limit_is_retried_by_the_sdk_honouring_retry_after(
    server: FakeOpenAI, opened: Opened, retries: RetryWaits
) -> None:
    server.fail(429, retry_after="0.25")

    pcm = await speech(server, opened).synthesize(TEXT)

    assert pcm.duration_s > 0
    assert len(server.speeches) == 2
    assert retries.waits == [0.25]


async def test_a_timeout_is_retried(
    server: FakeOpenAI, opened: Opened, retries: RetryWaits
) -> None:
    server.hang()

    pcm = await speech(server, opened, timeout_s=0.2).synthesize(TEXT)

    assert pcm.duration_s > 0
    assert len(server.speeches) == 2 and len(retries.waits) == 1


async def test_a_rejected_request_is_not_retried(
    server: FakeOpenAI, opened: Opened, retries: RetryWaits
) -> None:
    server.fail(400)

    with pytest.raises(ProviderError) as caught:
        await speech(server, opened).synthesize(TEXT)

    assert not caught.value.retryable and "HTTP 400" in str(caught.value)
    assert retries.waits == []


async def test_the_offline_voice_speaks_when_the_service_is_down(
    server: FakeOpenAI, opened: Opened
) -> None:
    server.fail(500, times=10, retry_after=FAST)
    offline = OfflineTTS()
    tts = FallbackTTS(speech(server, opened), offline)

    pcm = await tts.synthesize(TEXT)

    assert pcm.sample_rate == 8000
    assert offline.texts == [TEXT]
    assert len(server.speeches) == 3


def test_coach_tts_openai_selects_openai_speech_with_the_offline_voice_behind_it() -> None:
    from bot.app import _tts
    from bot.config import load_settings

    tts = _tts(
        load_settings(
            {
                "COACH_TTS": "openai",
                "OPENAI_API_KEY": API_KEY,
                "COACH_TTS_OPENAI_VOICE": "verse",
                "OPENAI_BASE_URL": "http://127.0.0.1:9/v1",
            }
        )
    )
    assert tts is not None and tts.name == "openai-speech+flite+espeak-ng"
    with pytest.raises(ConfigError, match="OPENAI_API_KEY"):
        _tts(load_settings({"COACH_TTS": "openai"}))
