"""Voice: runs of sentences voiced concurrently and joined in order; early audio reused."""

from __future__ import annotations

import asyncio

from bot.core.errors import ProviderError
from bot.core.models import AudioClip, Pcm
from bot.flows.voice import RUN_CHARS, EarlyVoice, Voice, join_pcm
from tests.fakes import FakeCodec

RATE = 8000


class ScriptTTS:
    """One sample per character (its code point), so the audio spells out what was said."""

    name = "script"

    def __init__(self, *, fail_on: str | None = None) -> None:
        self.said: list[str] = []
        self.fail_on = fail_on

    async def synthesize(self, text: str, *, voice: str | None = None) -> Pcm:
        self.said.append(text)
        await asyncio.sleep(0)
        if self.fail_on and self.fail_on in text:
            raise ProviderError("voice down", retryable=True)
        return Pcm(b"".join(ord(c).to_bytes(2, "little") for c in text), RATE)


class KeepCodec(FakeCodec):
    """The fake codec, keeping the PCM it was asked to encode."""

    def __init__(self) -> None:
        self.encoded: list[Pcm] = []

    async def encode_voice(self, pcm: Pcm) -> AudioClip:
        self.encoded.append(pcm)
        return await super().encode_voice(pcm)


def spoken(pcm: Pcm) -> str:
    return "".join(
        chr(int.from_bytes(pcm.samples[i : i + 2], "little")) for i in range(0, len(pcm.samples), 2)
    )


async def test_sentences_are_voiced_in_one_request_per_run_and_joined_in_order() -> None:
    tts, codec = ScriptTTS(), KeepCodec()

    clip = await Voice(tts, codec).speak("Good answer. Well done!", "Question 2 of 5:", "Why?")

    assert clip is not None
    assert tts.said == ["Good answer. Well done! Question 2 of 5: Why?"]
    assert spoken(codec.encoded[0]) == "Good answer. Well done! Question 2 of 5: Why?"


async def test_a_long_run_is_cut_at_sentence_ends_and_the_pieces_keep_their_order() -> None:
    tts, codec = ScriptTTS(), KeepCodec()
    sentences = [f"Sentence number {n} says something quite long on purpose." for n in range(9)]

    await Voice(tts, codec).speak(" ".join(sentences))

    assert len(tts.said) > 1 and all(len(run) <= RUN_CHARS for run in tts.said)
    assert " ".join(tts.said) == " ".join(sentences)
    assert spoken(codec.encoded[0]) == "".join(tts.said)


def words(text: str) -> str:
    return "".join(text.split())


async def test_sentences_voiced_early_are_reused_and_the_note_says_the_same_words() -> None:
    parts = ("Nice.", "Question 2 of 5:", "Tell me about a time. What happened?")
    plain_tts, plain_codec = ScriptTTS(), KeepCodec()
    await Voice(plain_tts, plain_codec).speak(*parts)
    tts, codec = ScriptTTS(), KeepCodec()
    voice = Voice(tts, codec)
    early = voice.early()
    assert early is not None

    for delta in ("Tell me about ", "a time. Wh", "at happened?"):
        early.feed(delta)
    assert tts.said == []  # nothing awaited yet; the first sentence's task is started
    await asyncio.sleep(0)
    assert tts.said == ["Tell me about a time."]
    early.end()
    await voice.speak(*parts, early=early)

    assert tts.said == ["Tell me about a time.", "What happened?", "Nice. Question 2 of 5:"]
    assert words(spoken(codec.encoded[0])) == words(spoken(plain_codec.encoded[0]))


async def test_early_audio_for_another_question_is_not_used() -> None:
    tts, codec = ScriptTTS(), KeepCodec()
    voice = Voice(tts, codec)
    early = voice.early()
    assert early is not None
    early.feed("A planned question?")
    early.end()

    await voice.speak("Follow-up:", "A follow-up instead?", early=early)

    assert spoken(codec.encoded[0]) == "Follow-up: A follow-up instead?"
    assert early.take("A planned question?") is None  # discarded after use


async def test_a_failed_sentence_leaves_a_text_only_reply() -> None:
    tts, codec = ScriptTTS(fail_on="broken"), KeepCodec()

    clip = await Voice(tts, codec).speak("Fine. This one is broken.")

    assert clip is None and codec.encoded == []


def test_streaming_off_or_no_voice_gives_no_early_path() -> None:
    assert Voice(ScriptTTS(), KeepCodec(), streaming=False).early() is None
    assert Voice(None, KeepCodec()).early() is None
    assert isinstance(Voice(ScriptTTS(), KeepCodec()).early(), EarlyVoice)


def test_parts_at_another_rate_are_resampled_to_the_first() -> None:
    first = Pcm(b"\x01\x00" * 100, 16000)
    other = Pcm(b"\x02\x00" * 50, 8000)

    joined = join_pcm([first, other])

    assert joined.sample_rate == 16000
    assert joined.duration_s == first.duration_s + other.duration_s
    assert joined.samples[-2:] == b"\x02\x00"
