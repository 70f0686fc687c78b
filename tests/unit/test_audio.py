"""bot.audio: decoding uploads, encoding voice notes, limits, waveform and the CPU pool."""

from __future__ import annotations

import asyncio
import functools
import io
import os
import threading
import time
import wave
from collections.abc import Callable
from pathlib import Path

import av
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.audio import (
    AudioLimits,
    decode,
    decode_sync,
    encode_voice,
    encode_voice_sync,
    format_duration,
    pcm_from_wav,
    probe_sync,
    run_codec,
    run_cpu,
    set_cpu_workers,
    wav_bytes,
    waveform,
)
from bot.core.errors import AudioError, AudioTooLarge, AudioTooLong, EmptyAudio, NotAudio
from bot.core.models import AudioClip, Pcm

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
TONE_HZ = 440.0


class _Unseekable(io.RawIOBase):
    """An output the muxer cannot seek back into, so it cannot write a duration."""

    def __init__(self) -> None:
        self.data = bytearray()

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def write(self, b: bytes) -> int:  # type: ignore[override]
        self.data += b
        return len(b)


def _tone(seconds: float, rate: int, channels: int = 1, amplitude: float = 0.3) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    wave_ = (amplitude * np.sin(2 * np.pi * TONE_HZ * t) * 32767).astype("<i2")
    return np.repeat(wave_, channels)  # interleaved (packed) samples


@functools.cache
def tone_file(
    fmt: str, codec: str, rate: int, seconds: float = 2.0, channels: int = 1, seekable: bool = True
) -> bytes:
    """A file of a 440 Hz tone written by PyAV's own muxers and encoders."""
    layout = "mono" if channels == 1 else "stereo"
    out: io.BytesIO | _Unseekable = io.BytesIO() if seekable else _Unseekable()
    with av.open(out, "w", format=fmt) as container:
        stream = container.add_stream(codec, rate=rate, layout=layout)
        assert isinstance(stream, av.AudioStream)
        samples = _tone(seconds, rate, channels).reshape(1, -1)
        frame = av.AudioFrame.from_ndarray(samples, format="s16", layout=layout)
        frame.sample_rate = rate
        container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return bytes(out.getvalue() if isinstance(out, io.BytesIO) else out.data)


def jpeg_bytes() -> bytes:
    out = io.BytesIO()
    with av.open(out, "w", format="image2pipe") as container:
        stream = container.add_stream("mjpeg", rate=1)
        stream.width, stream.height, stream.pix_fmt = 16, 16, "yuvj420p"
        frame = av.VideoFrame.from_ndarray(np.zeros((16, 16, 3), np.uint8), format="rgb24")
        container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return out.getvalue()


def dominant_hz(pcm: Pcm) -> float:
    samples = np.frombuffer(pcm.samples, "<i2").astype(float)
    return float(np.abs(np.fft.rfft(samples)).argmax() * pcm.sample_rate / samples.size)


def tone_pcm(seconds: float, rate: int = 16000, amplitude: float = 0.3) -> Pcm:
    return Pcm(_tone(seconds, rate, amplitude=amplitude).tobytes(), rate)


@pytest.fixture(scope="module")
def answer_ogg() -> bytes:
    return (FIXTURES / "answer.ogg").read_bytes()


FORMATS = {
    "ogg-opus": ("ogg", "libopus", 48000, 1),
    "wav": ("wav", "pcm_s16le", 44100, 2),
    "mp3": ("mp3", "libmp3lame", 44100, 2),
    "m4a-aac": ("ipod", "aac", 44100, 1),
    "webm-opus": ("webm", "libopus", 48000, 2),
    "flac": ("flac", "flac", 22050, 1),
}


@pytest.mark.parametrize("name", FORMATS)
def test_each_upload_format_decodes_to_16khz_mono_with_the_same_tone(name: str) -> None:
    fmt, codec, rate, channels = FORMATS[name]
    pcm = decode_sync(tone_file(fmt, codec, rate, channels=channels))
    assert pcm.sample_rate == 16000
    assert pcm.duration_s == pytest.approx(2.0, abs=0.1)
    assert dominant_hz(pcm) == pytest.approx(TONE_HZ, abs=3)


def test_decode_resamples_to_the_rate_the_caller_asks_for() -> None:
    pcm = decode_sync(tone_file("wav", "pcm_s16le", 16000), sample_rate=8000)
    assert pcm.sample_rate == 8000
    assert len(pcm.samples) == 2 * 8000 * 2


def test_the_answer_fixture_decodes_to_about_23_seconds_of_speech(answer_ogg: bytes) -> None:
    pcm = decode_sync(answer_ogg)
    samples = np.frombuffer(pcm.samples, "<i2")
    assert 15 <= pcm.duration_s <= 25
    assert np.sqrt(np.mean(samples.astype(float) ** 2)) > 300


def test_a_silent_recording_is_not_an_error() -> None:
    silence = encode_voice_sync(Pcm(bytes(2 * 16000), 16000)).data
    pcm = decode_sync(silence)
    assert pcm.duration_s == pytest.approx(1.0, abs=0.05)
    assert not np.frombuffer(pcm.samples, "<i2").any()


def test_voice_note_is_ogg_opus_at_48khz_mono_of_the_same_length() -> None:
    pcm = tone_pcm(3.0)
    clip = encode_voice_sync(pcm)
    assert (clip.mime, clip.filename, clip.duration_s) == ("audio/ogg", "voice.ogg", 3.0)
    assert clip.waveform == waveform(pcm) and len(clip.waveform) == 256  # for Discord
    assert clip.data.startswith(b"OggS")
    with av.open(io.BytesIO(clip.data), "r") as container:
        stream = container.streams.audio[0]
        assert stream.codec_context.name == "opus"
        assert stream.sample_rate == 48000
        assert stream.channels == 1
        assert container.duration is not None
        assert container.duration / av.time_base == pytest.approx(3.0, abs=0.1)


def test_voice_note_decodes_back_to_the_tone_it_was_made_from() -> None:
    pcm = decode_sync(encode_voice_sync(tone_pcm(2.0, rate=22050)).data)
    assert pcm.duration_s == pytest.approx(2.0, abs=0.05)
    assert dominant_hz(pcm) == pytest.approx(TONE_HZ, abs=3)


def test_encoding_no_samples_is_empty_audio() -> None:
    with pytest.raises(EmptyAudio):
        encode_voice_sync(Pcm(b"", 16000))


def test_wav_bytes_and_pcm_from_wav_round_trip_exactly() -> None:
    pcm = tone_pcm(0.5, rate=22050)
    assert pcm_from_wav(wav_bytes(pcm)) == pcm


def test_pcm_from_wav_mixes_stereo_down_to_mono() -> None:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(np.array([1000, 3000] * 80, "<i2").tobytes())
    pcm = pcm_from_wav(buffer.getvalue())
    assert pcm.sample_rate == 8000
    assert np.frombuffer(pcm.samples, "<i2").tolist() == [2000] * 80


def test_pcm_from_wav_reads_a_streamed_wav_whose_header_claims_a_huge_length() -> None:
    data = bytearray(wav_bytes(tone_pcm(0.25)))
    data[40:44] = (0x7FFFF000).to_bytes(4, "little")  # what `espeak-ng --stdout` writes
    assert pcm_from_wav(bytes(data)).duration_s == pytest.approx(0.25)


def test_pcm_from_wav_rejects_bytes_that_are_not_wav() -> None:
    with pytest.raises(NotAudio):
        pcm_from_wav(b"hello, not a wav file")


@pytest.mark.parametrize("check", [decode_sync, probe_sync], ids=["decode", "probe"])
def test_a_recording_over_the_limit_by_its_header_names_both_durations(
    check: Callable[..., object],
) -> None:
    four_min_ten = wav_bytes(Pcm(bytes(2 * 8000 * 250), 8000))
    with pytest.raises(AudioTooLong) as caught:
        check(four_min_ten)
    assert caught.value.user_message == (
        "That recording is 4 min 10 s long; answers can be up to 3 min. "
        "Please record a shorter answer."
    )


@pytest.mark.parametrize("check", [decode_sync, probe_sync], ids=["decode", "probe"])
def test_a_stream_without_a_duration_stops_decoding_once_past_the_limit(
    check: Callable[..., object],
) -> None:
    streamed = tone_file("webm", "libopus", 48000, seconds=5.0, seekable=False)
    with av.open(io.BytesIO(streamed), "r") as container:
        assert container.duration is None  # so only the decoder can notice
    with pytest.raises(AudioTooLong) as caught:
        check(streamed, limits=AudioLimits(max_seconds=2.0))
    assert "longer than 2 s" in caught.value.user_message


def test_a_recording_just_within_the_limit_is_accepted() -> None:
    pcm = decode_sync(tone_file("ogg", "libopus", 48000), limits=AudioLimits(max_seconds=2.0))
    assert pcm.duration_s == pytest.approx(2.0, abs=0.05)


@pytest.mark.parametrize("check", [decode_sync, probe_sync], ids=["decode", "probe"])
def test_a_file_over_the_size_limit_is_refused_before_decoding(
    check: Callable[..., object],
) -> None:
    with pytest.raises(AudioTooLarge) as caught:
        check(os.urandom(3 * 1024 * 1024), limits=AudioLimits(max_bytes=2 * 1024 * 1024))
    assert "3 MB" in caught.value.user_message
    assert "up to 2 MB" in caught.value.user_message


@pytest.mark.parametrize(
    "data", [b"", wav_bytes(Pcm(b"", 16000))], ids=["zero-bytes", "wav-with-no-samples"]
)
@pytest.mark.parametrize("check", [decode_sync, probe_sync], ids=["decode", "probe"])
def test_a_recording_with_nothing_in_it_is_empty_audio(
    data: bytes, check: Callable[..., object]
) -> None:
    with pytest.raises(EmptyAudio) as caught:
        check(data)
    assert "empty" in caught.value.user_message


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(os.urandom(4096), id="random-bytes"),
        pytest.param((FIXTURES / "not_audio.pdf").read_bytes(), id="pdf"),
        pytest.param(jpeg_bytes(), id="jpeg"),
        pytest.param(b"ffconcat version 1.0\nfile /etc/passwd\n", id="concat-script"),
        pytest.param(b"#EXTM3U\n#EXTINF:10,\nfile:///etc/passwd\n", id="hls-playlist"),
    ],
)
@pytest.mark.parametrize("check", [decode_sync, probe_sync], ids=["decode", "probe"])
def test_things_that_are_not_recordings_are_not_audio(
    data: bytes, check: Callable[..., object]
) -> None:
    with pytest.raises(NotAudio) as caught:
        check(data)
    assert "voice note" in caught.value.user_message
    assert isinstance(caught.value.__cause__, Exception)


@pytest.mark.parametrize("check", [decode_sync, probe_sync], ids=["decode", "probe"])
def test_an_ogg_cut_off_before_its_first_audio_page_is_reported_as_damaged(
    answer_ogg: bytes, check: Callable[..., object]
) -> None:
    with pytest.raises(NotAudio) as caught:
        check(answer_ogg[:4000])
    assert "cut off or damaged" in caught.value.user_message


def test_probe_gives_the_stated_length_of_the_answer_fixture(answer_ogg: bytes) -> None:
    assert probe_sync(answer_ogg) == pytest.approx(decode_sync(answer_ogg).duration_s, abs=0.05)


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_probe_measures_each_upload_format_like_a_decode(name: str) -> None:
    fmt, codec, rate, channels = FORMATS[name][:4]
    data = tone_file(fmt, codec, rate, channels=channels)
    assert probe_sync(data) == pytest.approx(decode_sync(data).duration_s, abs=0.1)


def test_probe_accepts_an_ogg_damaged_after_its_first_sound_that_decode_still_plays(
    answer_ogg: bytes,
) -> None:
    """The probe stops at the first sound; the rest is the recogniser's (or decode's) job."""
    damaged = bytearray(answer_ogg)
    for at in range(len(damaged) // 2, len(damaged) // 2 + 2000):
        damaged[at] ^= 0x5A
    assert probe_sync(bytes(damaged)) == pytest.approx(23.3, abs=0.2)
    assert decode_sync(bytes(damaged)).duration_s > 10


def test_an_ogg_cut_in_half_keeps_the_half_that_arrived(answer_ogg: bytes) -> None:
    whole = decode_sync(answer_ogg).duration_s
    half = decode_sync(answer_ogg[: len(answer_ogg) // 2]).duration_s
    assert whole * 0.3 < half < whole * 0.7


def _seed_files() -> list[bytes]:
    return [tone_file(*spec[:3], seconds=0.3) for spec in FORMATS.values()]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.binary(max_size=2048),
        st.tuples(
            st.sampled_from(_seed_files()), st.integers(0, 10_000), st.binary(max_size=64)
        ).map(lambda t: t[0][: t[1]] + t[2] + t[0][t[1] + len(t[2]) :]),
    )
)
def test_decoding_arbitrary_bytes_only_ever_raises_audio_errors(data: bytes) -> None:
    try:
        pcm = decode_sync(data, limits=AudioLimits(max_seconds=5.0))
    except AudioError as exc:
        assert exc.user_message
    else:
        assert pcm.sample_rate == 16000


def test_waveform_has_one_byte_per_point_scaled_to_the_peak() -> None:
    loud_then_silent = Pcm(tone_pcm(1.0, amplitude=0.5).samples + bytes(2 * 16000), 16000)
    shape = waveform(loud_then_silent, points=64)
    assert len(shape) == 64
    assert all(120 <= v <= 130 for v in shape[:32])
    assert set(shape[32:]) == {0}


def test_waveform_of_a_clip_shorter_than_its_points_still_has_every_point() -> None:
    shape = waveform(Pcm(np.array([32767, -32768, 0], "<i2").tobytes(), 16000))
    assert len(shape) == 256
    assert shape[:3] == bytes([255, 255, 0])


def test_waveform_needs_at_least_one_point() -> None:
    with pytest.raises(ValueError):
        waveform(tone_pcm(0.1), points=0)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (45, "45 s"),
        (250, "4 min 10 s"),
        (180, "3 min"),
        (59.6, "1 min"),
        (0, "0 s"),
        (3900, "1 h 5 min"),
    ],
)
def test_format_duration_says_it_the_way_people_do(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text


async def test_decode_accepts_an_audio_clip_as_well_as_bytes() -> None:
    data = tone_file("wav", "pcm_s16le", 16000)
    from_clip = await decode(AudioClip(data, mime="audio/wav", filename="a.wav"))
    assert from_clip == await decode(data)
    assert from_clip.duration_s == pytest.approx(2.0)


async def test_encode_voice_makes_an_ogg_voice_note_off_the_loop() -> None:
    clip = await encode_voice(tone_pcm(1.0))
    assert clip.data.startswith(b"OggS")
    assert clip.duration_s == 1.0


async def test_run_cpu_runs_the_function_in_a_worker_thread() -> None:
    loop_thread = threading.get_ident()
    worker_thread = await run_cpu(threading.get_ident)
    assert worker_thread != loop_thread


async def test_codec_jobs_run_in_another_process() -> None:
    assert await run_codec(os.getpid) != os.getpid()


async def test_a_codec_process_that_dies_is_replaced_and_the_job_is_a_plain_audio_error() -> None:
    with pytest.raises(NotAudio) as caught:
        await run_codec(functools.partial(os._exit, 3))  # as FFmpeg crashing would
    assert "cut off or damaged" in caught.value.user_message
    clip = await encode_voice(tone_pcm(0.5))  # the next job gets a new process
    assert clip.data.startswith(b"OggS")


async def test_the_event_loop_keeps_ticking_while_eight_decodes_run(answer_ogg: bytes) -> None:
    ticks = 0
    done = asyncio.Event()

    async def ticker() -> None:
        nonlocal ticks
        while not done.is_set():
            ticks += 1
            await asyncio.sleep(0.001)

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0)
    before = ticks
    results = await asyncio.gather(*(decode(answer_ogg) for _ in range(8)))
    during = ticks - before
    done.set()
    await task
    assert all(pcm.duration_s > 15 for pcm in results)
    assert during >= 20  # a decode on the loop itself would block every tick until it ends


async def test_set_cpu_workers_bounds_how_many_jobs_run_at_once() -> None:
    active = peak = 0
    lock = threading.Lock()

    def job() -> None:
        nonlocal active, peak
        with lock:
            active += 1
            peak = max(peak, active)
        time.sleep(0.02)
        with lock:
            active -= 1

    set_cpu_workers(1)
    try:
        await asyncio.gather(*(run_cpu(job) for _ in range(4)))
    finally:
        set_cpu_workers(min(4, os.cpu_count() or 1))
    assert peak == 1
