"""OpenAIWhisperSTT through the real `openai` SDK against a loopback fake of the API."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.core.errors import ProviderError
from bot.core.models import AudioClip, Transcript, Word
from bot.providers.fallback_stt import FallbackSTT
from bot.providers.stt.openai_whisper import OpenAIWhisperSTT
from tests.fake_servers.openai_api import API_KEY, FakeOpenAI
from tests.fake_servers.sdk_retries import FAST, Opened, RetryWaits

VOICE = AudioClip(data=b"OggS\x00fake-opus-voice-note", mime="audio/ogg", filename="file_7.oga")


class OfflineSTT:
    """Stands in for pocketsphinx: always answers, without word timings."""

    name = "pocketsphinx"

    def __init__(self) -> None:
        self.calls = 0

    async def transcribe(self, clip: AudioClip, *, language: str | None = None) -> Transcript:
        self.calls += 1
        return Transcript("offline words", language="en")


@pytest.fixture
async def server() -> AsyncIterator[FakeOpenAI]:
    fake = FakeOpenAI()
    await fake.start()
    yield fake
    await fake.stop()


def whisper(
    server: FakeOpenAI, opened: Opened, *, language: str | None = None, timeout_s: float = 5.0
) -> OpenAIWhisperSTT:
    return opened.keep(
        OpenAIWhisperSTT(
            api_key=API_KEY,
            base_url=server.base_url,
            model="whisper-large-v3",
            language=language,
            timeout_s=timeout_s,
            max_retries=2,
        )  # fmt: skip
    )


async def test_words_and_their_timings_are_parsed_from_verbose_json(
    server: FakeOpenAI, opened: Opened
) -> None:
    transcript = await whisper(server, opened).transcribe(VOICE)

    assert transcript.text == "Tell me about it."
    assert transcript.words[0] == Word("Tell", 0.0, 0.3)
    assert transcript.words[-1] == Word("it.", 0.9, 1.4)
    assert transcript.language == "en"
    assert transcript.duration_s == 1.4


async def test_a_telegram_oga_voice_note_is_uploaded_as_voice_ogg(
    server: FakeOpenAI, opened: Opened
) -> None:
    await whisper(server, opened).transcribe(VOICE)

    upload = server.uploads[0]
    assert upload.filename == "voice.ogg"
    assert upload.content_type == "audio/ogg"
    assert upload.data == VOICE.data


async def test_the_model_language_and_word_granularity_are_sent(
    server: FakeOpenAI, opened: Opened
) -> None:
    await whisper(server, opened, language="de").transcribe(VOICE)

    upload = server.uploads[0]
    assert upload.field("model") == "whisper-large-v3"
    assert upload.field("language") == "de"
    assert upload.field("response_format") == "verbose_json"
    assert upload.fields["timestamp_granularities"] == ["word"]
    assert upload.authorization == f"Bearer {API_KEY}"


async def test_a_language_hint_on_the_call_wins_over_the_configured_one(
    server: FakeOpenAI, opened: Opened
) -> None:
    await whisper(server, opened, language="de").transcribe(VOICE, language="fr")

    assert server.uploads[0].field("language") == "fr"


async def test_no_language_is_sent_when_none_is_configured(
    server: FakeOpenAI, opened: Opened
) -> None:
    await whisper(server, opened).transcribe(VOICE)

    assert "language" not in server.uploads[0].fields


async def test_a_rate_limit_is_retried_by_the_sdk_honouring_retry_after(
    server: FakeOpenAI, opened: Opened, retries: RetryWaits
) -> None:
    server.fail(429, retry_after="0.25")

    transcript = await whisper(server, opened).transcribe(VOICE)

    assert transcript.text == "Tell me about it."
    assert len(server.uploads) == 2
    assert retries.waits == [0.25]


async def test_a_persistent_server_error_gives_a_retryable_provider_error(
    server: FakeOpenAI, opened: Opened, retries: RetryWaits
) -> None:
    server.fail(500, times=10, retry_after=FAST)

    with pytest.raises(ProviderError) as caught:
        await whisper(server, opened).transcribe(VOICE)

    assert caught.value.retryable
    assert "HTTP 500" in str(caught.value)
    assert len(server.uploads) == 3
    assert retries.waits == [0.01, 0.01]


async def test_a_timeout_is_retried_with_jittered_backoff(
    server: FakeOpenAI, opened: Opened, retries: RetryWaits
) -> None:
    server.hang()

    transcript = await whisper(server, opened, timeout_s=0.2).transcribe(VOICE)

    assert transcript.text == "Tell me about it."
    assert len(server.uploads) == 2
    [wait] = retries.waits
    assert 0.375 <= wait <= 0.5, "the SDK's first backoff: 0.5 s less up to 25% jitter"


async def test_a_wrong_key_is_not_retried(
    server: FakeOpenAI, opened: Opened, retries: RetryWaits
) -> None:
    stt = opened.keep(OpenAIWhisperSTT(api_key="sk-wrong", base_url=server.base_url))

    with pytest.raises(ProviderError) as caught:
        await stt.transcribe(VOICE)

    assert not caught.value.retryable
    assert retries.waits == []


async def test_a_server_refusing_verbose_json_is_asked_for_plain_json(
    server: FakeOpenAI, opened: Opened
) -> None:
    server.refuse_verbose = True
    stt = whisper(server, opened)

    first = await stt.transcribe(VOICE)
    second = await stt.transcribe(VOICE)

    assert first.text == second.text == "Tell me about it."
    assert first.words == ()
    formats = [upload.field("response_format") for upload in server.uploads]
    assert formats == ["verbose_json", "json", "json"]


async def test_the_offline_recogniser_answers_when_the_cloud_fails(
    server: FakeOpenAI, opened: Opened
) -> None:
    server.fail(503, times=10, retry_after=FAST)
    offline = OfflineSTT()
    stt = FallbackSTT(whisper(server, opened), offline)

    transcript = await stt.transcribe(VOICE)

    assert transcript.text == "offline words"
    assert offline.calls == 1
    assert stt.name == "openai-whisper+pocketsphinx"


async def test_the_offline_recogniser_is_not_used_while_the_cloud_works(
    server: FakeOpenAI, opened: Opened
) -> None:
    offline = OfflineSTT()

    transcript = await FallbackSTT(whisper(server, opened), offline).transcribe(VOICE)

    assert transcript.text == "Tell me about it."
    assert offline.calls == 0


def test_an_openai_key_selects_whisper_with_pocketsphinx_as_its_fallback() -> None:
    from bot.app import _stt
    from bot.config import load_settings

    stt = _stt(load_settings({"OPENAI_API_KEY": API_KEY, "OPENAI_BASE_URL": "http://127.0.0.1:9"}))

    assert stt.name == "openai-whisper+pocketsphinx"


def test_without_an_openai_key_recognition_stays_offline() -> None:
    from bot.app import _stt
    from bot.config import load_settings

    assert _stt(load_settings({})).name == "pocketsphinx"


def test_asking_for_openai_without_a_key_names_the_missing_variable() -> None:
    from bot.app import _stt
    from bot.config import load_settings
    from bot.core.errors import ConfigError

    with pytest.raises(ConfigError, match="OPENAI_API_KEY"):
        _stt(load_settings({"COACH_STT": "openai"}))


def test_choosing_offline_explicitly_keeps_a_configured_key_unused() -> None:
    from bot.app import _stt, _tts
    from bot.config import load_settings

    keys = {"OPENAI_API_KEY": "sk-test", "CARTESIA_API_KEY": "ck-test", "COACH_TTS_VOICE_ID": "v"}
    offline = load_settings({**keys, "COACH_STT": "pocketsphinx", "COACH_TTS": "flite"})
    assert _stt(offline).name == "pocketsphinx"
    tts = _tts(offline)
    assert tts is not None and tts.name == "flite+espeak-ng"
    auto = load_settings(keys)
    assert _stt(auto).name == "openai-whisper+pocketsphinx"
    cloud_tts = _tts(auto)
    assert cloud_tts is not None and cloud_tts.name.startswith("cartesia+")
