"""Offline text-to-speech: flite, espeak-ng, and falling back from one provider to the next."""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from bot.core.errors import ProviderError, ProviderUnavailable
from bot.core.models import Pcm
from bot.providers.tts.espeak import EspeakTTS
from bot.providers.tts.fallback import FallbackTTS
from bot.providers.tts.flite import FliteTTS

QUESTION = "Tell me about a time you disagreed with a teammate, and how you resolved it."

# flite and espeak-ng are required system packages (`make install` adds them): fail, not skip.
for _binary in ("flite", "espeak-ng"):
    assert shutil.which(_binary), f"{_binary} is missing: run `make install` or apt-get install it"


def rms(pcm: Pcm) -> float:
    return float(np.sqrt(np.mean(np.frombuffer(pcm.samples, "<i2").astype(float) ** 2)))


def fake_binary(tmp_path: Path, script: str) -> str:
    """An executable shell script standing in for a synthesizer."""
    path = tmp_path / "fake-tts"
    path.write_text("#!/bin/sh\n" + script + "\n")
    path.chmod(0o755)
    return str(path)


@pytest.mark.parametrize("voice", ["slt", "rms"])
async def test_flite_speaks_a_question_as_audible_16khz_speech(voice: str) -> None:
    pcm = await FliteTTS(voice=voice).synthesize(QUESTION)
    assert pcm.sample_rate == 16000
    assert 2.5 < pcm.duration_s < 8  # 15 words at a speaking pace
    assert rms(pcm) > 300


async def test_flite_voice_argument_overrides_the_default_voice() -> None:
    tts = FliteTTS(voice="slt")
    assert await tts.synthesize(QUESTION, voice="rms") == await FliteTTS(voice="rms").synthesize(
        QUESTION
    )
    assert await tts.synthesize(QUESTION, voice="rms") != await tts.synthesize(QUESTION)


async def test_flite_speaks_text_with_control_characters_and_a_leading_dash() -> None:
    pcm = await FliteTTS().synthesize("-1 is a number.\x00 So is\ttwo.")
    assert pcm.duration_s > 1
    assert rms(pcm) > 300


async def test_espeak_speaks_a_question_as_audible_speech() -> None:
    pcm = await EspeakTTS().synthesize(QUESTION)
    assert pcm.sample_rate == 22050
    assert 2.5 < pcm.duration_s < 8
    assert rms(pcm) > 300


async def test_espeak_with_an_unknown_voice_is_a_provider_error() -> None:
    with pytest.raises(ProviderError) as caught:
        await EspeakTTS(voice="zzz").synthesize(QUESTION)
    assert "voice" in str(caught.value)
    assert not isinstance(caught.value, ProviderUnavailable)


@pytest.mark.parametrize(
    ("tts", "install"),
    [
        (FliteTTS(binary="/nonexistent/flite"), "apt-get install flite"),
        (EspeakTTS(binary="no-such-espeak-binary"), "apt-get install espeak-ng"),
    ],
    ids=["flite", "espeak"],
)
async def test_a_missing_binary_is_unavailable_and_says_how_to_install_it(
    tts: FliteTTS | EspeakTTS, install: str
) -> None:
    with pytest.raises(ProviderUnavailable) as caught:
        await tts.synthesize(QUESTION)
    assert install in str(caught.value)


async def test_a_hanging_synthesizer_is_killed_and_the_timeout_is_retryable(
    tmp_path: Path,
) -> None:
    pid_file = tmp_path / "pid"
    binary = fake_binary(tmp_path, f'echo $$ > "{pid_file}"\nexec sleep 30')
    with pytest.raises(ProviderError) as caught:
        await FliteTTS(binary=binary, timeout_s=0.5).synthesize(QUESTION)
    assert caught.value.retryable
    with pytest.raises(ProcessLookupError):
        os.kill(int(pid_file.read_text()), 0)


async def test_a_failing_synthesizer_is_a_provider_error_quoting_its_stderr(
    tmp_path: Path,
) -> None:
    binary = fake_binary(tmp_path, "echo 'voice data missing' >&2\nexit 3")
    with pytest.raises(ProviderError) as caught:
        await EspeakTTS(binary=binary).synthesize(QUESTION)
    assert "code 3" in str(caught.value)
    assert "voice data missing" in str(caught.value)
    assert not caught.value.retryable


async def test_a_synthesizer_that_writes_no_wav_is_a_provider_error(tmp_path: Path) -> None:
    binary = fake_binary(tmp_path, "echo 'this is not a wav file'")
    with pytest.raises(ProviderError, match="WAV"):
        await FliteTTS(binary=binary).synthesize(QUESTION)


async def test_empty_text_is_refused_before_running_anything() -> None:
    with pytest.raises(ProviderError):
        await FliteTTS(binary="/nonexistent/flite").synthesize(" \n\x00 ")


class FakeTTS:
    """A `TextToSpeech` that records its calls and either speaks or fails."""

    def __init__(self, name: str, error: Exception | None = None) -> None:
        self.name = name
        self.error = error
        self.calls: list[tuple[str, str | None]] = []

    async def synthesize(self, text: str, *, voice: str | None = None) -> Pcm:
        self.calls.append((text, voice))
        if self.error is not None:
            raise self.error
        return Pcm(samples=self.name.encode().ljust(8, b"\0"), sample_rate=16000)


async def test_fallback_speaks_with_the_next_provider_when_the_first_fails(
    caplog: pytest.LogCaptureFixture,
) -> None:
    broken = FakeTTS("cloud", ProviderError("HTTP 503", retryable=True))
    spare = FakeTTS("flite")
    with caplog.at_level(logging.WARNING):
        pcm = await FallbackTTS(broken, spare).synthesize("My secret answer text", voice="nova")
    assert pcm.samples.startswith(b"flite")
    assert broken.calls == [("My secret answer text", "nova")]
    assert spare.calls == [("My secret answer text", None)]  # voice names are per provider
    assert "cloud" in caplog.text
    assert "secret" not in caplog.text


async def test_fallback_does_not_call_fallbacks_when_the_primary_works() -> None:
    primary, spare = FakeTTS("flite"), FakeTTS("espeak-ng")
    pcm = await FallbackTTS(primary, spare).synthesize(QUESTION)
    assert pcm.samples.startswith(b"flite")
    assert spare.calls == []


async def test_fallback_raises_a_provider_error_when_every_provider_fails() -> None:
    tts = FallbackTTS(
        FakeTTS("cloud", ProviderError("timeout", retryable=True)),
        FakeTTS("flite", ProviderUnavailable("not installed")),
    )
    with pytest.raises(ProviderError) as caught:
        await tts.synthesize(QUESTION)
    assert not isinstance(caught.value, ProviderUnavailable)
    assert caught.value.retryable
    assert "cloud, flite" in str(caught.value)


async def test_fallback_is_unavailable_when_no_provider_can_run() -> None:
    tts = FallbackTTS(
        FliteTTS(binary="/nonexistent/flite"), EspeakTTS(binary="/nonexistent/espeak-ng")
    )
    assert tts.name == "flite+espeak-ng"
    with pytest.raises(ProviderUnavailable):
        await tts.synthesize(QUESTION)


async def test_fallback_lets_a_programming_error_through_without_trying_others() -> None:
    spare = FakeTTS("flite")
    with pytest.raises(TypeError):
        await FallbackTTS(FakeTTS("bad", TypeError("bug")), spare).synthesize(QUESTION)
    assert spare.calls == []


async def test_fallback_from_a_missing_binary_to_real_flite_speaks() -> None:
    pcm = await FallbackTTS(FliteTTS(binary="/nonexistent/flite"), FliteTTS()).synthesize(QUESTION)
    assert pcm.duration_s > 2.5
    assert rms(pcm) > 300


def test_the_spoken_text_never_appears_on_the_command_line(tmp_path: Path) -> None:
    from bot.providers.tts._command import SpeechFiles
    from bot.providers.tts.flite import FliteTTS

    files = SpeechFiles(tmp_path / "text.txt", tmp_path / "speech.wav")
    for tts in (FliteTTS(), EspeakTTS()):
        argv, _ = tts._command("my private answer", "slt", files)
        assert not any("private" in arg for arg in argv)


async def test_a_bounded_voice_never_runs_more_requests_than_its_limit() -> None:
    import asyncio

    from bot.providers.tts.bounded import BoundedTTS

    class Slow:
        name = "cloud"

        def __init__(self) -> None:
            self.running = 0
            self.peak = 0

        async def synthesize(self, text: str, *, voice: str | None = None) -> Pcm:
            self.running += 1
            self.peak = max(self.peak, self.running)
            await asyncio.sleep(0.01)
            self.running -= 1
            return Pcm(b"\x00\x00", 16000)

    slow = Slow()
    bounded = BoundedTTS(slow, limit=2)
    results = await asyncio.gather(*(bounded.synthesize(f"line {i}") for i in range(8)))
    assert len(results) == 8 and slow.peak == 2 and bounded.name == "cloud"
