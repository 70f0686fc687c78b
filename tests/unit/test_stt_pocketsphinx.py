"""The offline pocketsphinx speech-to-text, on speech synthesised by flite in the test."""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
import time
import wave
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import jiwer
import pocketsphinx
import pytest

from bot.audio import wav_bytes
from bot.core.errors import ProviderError
from bot.core.models import AudioClip, Pcm
from bot.providers.stt import sphinx_worker
from bot.providers.stt.lm_trie import read_vocabulary
from bot.providers.stt.pocketsphinx import PocketsphinxSTT, model_files

ANSWER = "I led a team of five engineers and we shipped the new payment service two weeks early"
OTHERS = (
    "My manager asked me to present the results to the whole company",
    "We reduced the cost of support by answering the common questions in the product",
)


def speak(text: str, tmp_path: Path, voice: str = "rms") -> bytes:
    if shutil.which("flite") is None:
        pytest.fail("flite is required for these tests: sudo apt-get install flite")
    out = tmp_path / f"{voice}-{abs(hash(text))}.wav"
    subprocess.run(["flite", "-voice", voice, "-t", text, "-o", str(out)], check=True)
    return out.read_bytes()


def wav_clip(data: bytes) -> AudioClip:
    return AudioClip(data, mime="audio/wav", filename="answer.wav")


def wav_duration(data: bytes, tmp_path: Path) -> float:
    path = tmp_path / "probe.wav"
    path.write_bytes(data)
    with wave.open(str(path)) as w:
        return float(w.getnframes() / w.getframerate())


def words_of(text: str) -> list[str]:
    return re.sub(r"[^a-z' ]", " ", text.lower()).split()


@pytest.fixture(scope="module")
def stt() -> Iterator[PocketsphinxSTT]:
    stt = PocketsphinxSTT(pool_size=2)
    yield stt
    stt.close()


async def test_a_spoken_answer_is_transcribed_with_most_words_right(
    stt: PocketsphinxSTT, tmp_path: Path
) -> None:
    transcript = await stt.transcribe(wav_clip(speak(ANSWER, tmp_path)))

    assert jiwer.wer(" ".join(words_of(ANSWER)), " ".join(words_of(transcript.text))) < 0.35
    assert {"team", "engineers", "payment", "service"} <= set(words_of(transcript.text))
    assert transcript.language == "en"
    assert transcript.text == " ".join(w.text for w in transcript.words)


async def test_word_timings_are_in_order_and_inside_the_clip(
    stt: PocketsphinxSTT, tmp_path: Path
) -> None:
    data = speak(ANSWER, tmp_path, voice="slt")
    duration = wav_duration(data, tmp_path)

    transcript = await stt.transcribe(wav_clip(data))

    assert transcript.duration_s == pytest.approx(duration, abs=0.05)
    assert len(transcript.words) >= 10
    previous_end = 0.0
    for word in transcript.words:
        assert previous_end <= word.start_s < word.end_s <= duration
        previous_end = word.end_s
    assert transcript.words[-1].end_s > duration / 2


async def test_silence_gives_an_empty_transcript(stt: PocketsphinxSTT) -> None:
    silence = wav_bytes(Pcm(b"\0\0" * 16000 * 2, 16000))

    transcript = await stt.transcribe(wav_clip(silence))

    assert transcript.text == ""
    assert transcript.words == ()
    assert transcript.duration_s == pytest.approx(2.0, abs=0.05)


async def test_an_empty_recording_gives_an_empty_transcript(stt: PocketsphinxSTT) -> None:
    transcript = await stt.transcribe(AudioClip(b"", mime="audio/ogg"))

    assert transcript.text == ""
    assert transcript.words == ()


async def test_concurrent_transcriptions_succeed_and_agree_with_sequential_ones(
    stt: PocketsphinxSTT, tmp_path: Path
) -> None:
    clips = [wav_clip(speak(text, tmp_path)) for text in (ANSWER, *OTHERS)]
    sequential = [await stt.transcribe(clip) for clip in clips]

    concurrent = await asyncio.gather(*(stt.transcribe(clip) for clip in clips))

    assert [t.text for t in concurrent] == [t.text for t in sequential]
    assert all(t.text for t in concurrent)
    assert stt.decoders_built <= stt.pool_size


async def test_the_decoder_is_built_once_for_many_transcriptions(tmp_path: Path) -> None:
    stt = PocketsphinxSTT(pool_size=2)
    clip = wav_clip(speak(OTHERS[0], tmp_path))

    for _ in range(3):
        await stt.transcribe(clip)

    assert stt.decoders_built == 1


async def test_the_event_loop_keeps_running_while_an_answer_is_recognised(
    stt: PocketsphinxSTT, tmp_path: Path
) -> None:
    clip = wav_clip(speak(" ".join([ANSWER, *OTHERS]), tmp_path))
    lags: list[float] = []
    done = asyncio.Event()

    async def tick() -> None:
        while not done.is_set():
            started = time.perf_counter()
            await asyncio.sleep(0.01)
            lags.append(time.perf_counter() - started - 0.01)

    ticker = asyncio.create_task(tick())
    started = time.perf_counter()
    await stt.transcribe(clip)
    took = time.perf_counter() - started
    done.set()
    await ticker

    assert took > 1.0  # long enough for a blocked loop to show
    assert max(lags) < 0.25


def test_the_pruned_dictionaries_cover_every_language_model_word() -> None:
    cmudict = dictionary_words(Path(pocketsphinx.get_model_path("en-us/cmudict-en-us.dict")))
    for model in ("interview", "default"):
        lm_path, dict_path = model_files(model)
        lm_words = set(read_vocabulary(lm_path)) - {"<s>", "</s>"}
        pronounceable = lm_words if model == "interview" else lm_words & cmudict

        assert pronounceable - dictionary_words(dict_path) == set(), model
        assert len(pronounceable) > 50000


def dictionary_words(path: Path) -> set[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return {re.sub(r"\(\d+\)$", "", line.split()[0]) for line in lines if line.strip()}


async def test_a_missing_model_file_is_a_provider_error(tmp_path: Path) -> None:
    stt = PocketsphinxSTT(lm_path=tmp_path / "missing.lm.bin")

    with pytest.raises(ProviderError, match="missing"):
        stt.transcribe_pcm(Pcm(b"\x10\x27" * 16000, 16000))


def test_a_model_that_cannot_load_is_a_provider_error_every_time(tmp_path: Path) -> None:
    junk = tmp_path / "junk.lm.bin"
    junk.write_bytes(b"not a language model")
    stt = PocketsphinxSTT(lm_path=junk, pool_size=1)
    speech = Pcm(b"\x10\x27\xf0\xd8" * 8000, 16000)
    try:
        for _ in range(2):  # the second call would hang if the first had leaked its worker
            with pytest.raises(ProviderError, match="could not load"):
                stt.transcribe_pcm(speech)
    finally:
        stt.close()

    assert stt.decoders_built == 0


async def test_a_crashed_worker_is_a_retryable_error_and_the_next_answer_works(
    tmp_path: Path,
) -> None:
    stt = PocketsphinxSTT(pool_size=1)
    clip = wav_clip(speak(OTHERS[0], tmp_path))
    try:
        await stt.transcribe(clip)
        stt._idle[0]._proc.kill()

        with pytest.raises(ProviderError) as failure:
            await stt.transcribe(clip)
        again = await stt.transcribe(clip)
    finally:
        stt.close()

    assert failure.value.retryable
    assert "manager" in again.text.split()


def test_silences_noises_and_pronunciation_variants_are_not_reported_as_words() -> None:
    segments = [
        SimpleNamespace(word=w, start_frame=s, end_frame=e)
        for w, s, e in [
            ("<s>", 0, 9),
            ("we", 10, 29),
            ("<sil>", 30, 39),
            ("[NOISE]", 40, 49),
            ("read(2)", 50, 79),
            ("++UM++", 80, 89),
            ("</s>", 90, 99),
        ]
    ]
    decoder = SimpleNamespace(config={"frate": 100}, seg=lambda: segments)

    words = sphinx_worker.words_of(decoder, duration=1.0)

    assert [(w.text, w.start_s, w.end_s) for w in words] == [
        ("we", 0.1, 0.3),
        ("read", 0.5, 0.8),
    ]
