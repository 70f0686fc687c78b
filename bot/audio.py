"""Audio with PyAV: uploads -> mono s16 PCM, replies -> OGG/Opus voice notes.

Bad input raises an `AudioError` whose `user_message` can be shown to the candidate as is.
Decoding and encoding run in codec processes (`run_codec`), never on the event loop."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import io
import logging
import multiprocessing
import os
import signal
import threading
import time
import wave
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, TypeVar

import av
import av.error
import numpy as np
from av.audio.frame import AudioFrame
from av.container import InputContainer
from av.stream import Stream

from bot.core.errors import AudioError, AudioTooLarge, AudioTooLong, EmptyAudio, NotAudio
from bot.core.models import AudioClip, Pcm

log = logging.getLogger(__name__)
T = TypeVar("T")

VOICE_RATE = 48000
# libopus's default complexity (10) costs ~30 ms of CPU per second of speech; 3 costs ~5 ms
# for a voice note that sounds the same on a phone speaker (low complexities are what
# embedded and mobile VoIP use). Below 7 plain VBR overshoots the bitrate by half;
# constrained VBR keeps it.
_OPUS_OPTIONS = {"compression_level": "3", "vbr": "constrained"}
_CHUNK_S = 0.1
# Only these demuxers may read candidate uploads: no playlists, no concat scripts, no images.
_DEMUXERS = "ogg,wav,mp3,mov,matroska,flac,aac"
# Header durations are estimates and codecs pad a little: do not reject 180.2 s as too long.
_GRACE_S = 0.5
_AV_ERRORS = (av.error.FFmpegError, ValueError, OSError, EOFError, RuntimeError, MemoryError)
_EMPTY = "That recording is empty. Please record your answer again."
_NOT_AUDIO = (
    "That file doesn't look like a recording I can play. Please send a voice note or an "
    "audio file (OGG, MP3, M4A, WAV, WebM or FLAC)."
)
_DAMAGED = (
    "I couldn't play that recording: it seems to be cut off or damaged. "
    "Please record your answer again."
)
# How the formats we accept begin: a file that starts like one but fails is "damaged".
_MAGIC = (b"OggS", b"RIFF", b"fLaC", b"ID3", b"\x1aE\xdf\xa3")


@dataclass(frozen=True, slots=True)
class AudioLimits:
    """What we accept from a candidate: duration in seconds and upload size in bytes."""

    max_seconds: float = 180.0
    max_bytes: int = 20 * 1024 * 1024


def format_duration(seconds: float) -> str:
    """Say a duration the way people do: '45 s', '4 min 10 s', '1 h 5 min'."""
    total = max(0, round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    if minutes:
        return f"{minutes} min {secs} s" if secs else f"{minutes} min"
    return f"{secs} s"


def decode_sync(
    data: bytes, *, sample_rate: int = 16000, limits: AudioLimits = AudioLimits()
) -> Pcm:
    """Decode any supported audio file to mono s16 PCM at `sample_rate`, within `limits`."""
    with _opened(data, limits) as (container, stream, _):
        samples = _decode_samples(container, stream, sample_rate, limits)
    return Pcm(samples=samples, sample_rate=sample_rate)


def probe_sync(data: bytes, *, limits: AudioLimits = AudioLimits()) -> float:
    """Check that `data` is a recording we can play, within `limits`, and return its length
    in seconds, decoding only up to its first sound when the container states its length.

    A whole decode costs about 6 ms of CPU per second of audio; a cloud recogniser takes
    the file as it is, so the answer is only decoded when something needs its samples.
    """
    with _opened(data, limits) as (container, stream, declared):
        if declared is None:  # no stated length: count the samples
            return len(_decode_samples(container, stream, 16000, limits)) / 2 / 16000
        heard = damaged = False
        for frames in _decoded_packets(container, stream):
            damaged |= frames is None
            if frames:
                heard = True
                break
    if not heard:
        raise NotAudio(_DAMAGED) if damaged else EmptyAudio(_EMPTY)
    return declared


@contextlib.contextmanager
def _opened(
    data: bytes, limits: AudioLimits
) -> Iterator[tuple[InputContainer, Stream, float | None]]:
    """The container, its first audio stream and its stated length (None when it states
    none), for a file within `limits`; PyAV's errors become plain `AudioError`s."""
    if not data:
        raise EmptyAudio(_EMPTY)
    if len(data) > limits.max_bytes:
        raise AudioTooLarge(
            f"That file is {len(data) / 2**20:.3g} MB; files can be up to "
            f"{limits.max_bytes / 2**20:.3g} MB. Please send a shorter recording."
        )
    try:
        with av.open(
            io.BytesIO(data),
            "r",
            container_options={"format_whitelist": _DEMUXERS},
            metadata_errors="replace",
        ) as container:
            stream, seconds = _audio_stream(container, limits)
            yield container, stream, seconds
    except AudioError:
        raise
    except _AV_ERRORS as exc:
        raise NotAudio(_DAMAGED if _looks_like_audio(data) else _NOT_AUDIO) from exc


def _looks_like_audio(data: bytes) -> bool:
    return data.startswith(_MAGIC) or data[4:8] == b"ftyp"


def _audio_stream(container: InputContainer, limits: AudioLimits) -> tuple[Stream, float | None]:
    """The first audio stream and its stated length, unless that is already too long."""
    if not container.streams.audio:
        raise NotAudio(_NOT_AUDIO)
    stream = container.streams.audio[0]
    seconds: float | None = None
    if container.duration is not None:
        seconds = container.duration / av.time_base
    elif stream.duration is not None and stream.time_base is not None:
        seconds = float(stream.duration * stream.time_base)
    if seconds is not None and seconds > limits.max_seconds + _GRACE_S:
        raise _too_long(f"{format_duration(seconds)} long", limits)
    return stream, seconds


def _too_long(length: str, limits: AudioLimits) -> AudioTooLong:
    return AudioTooLong(
        f"That recording is {length}; answers can be up to "
        f"{format_duration(limits.max_seconds)}. Please record a shorter answer."
    )


def _decode_samples(
    container: InputContainer, stream: Stream, sample_rate: int, limits: AudioLimits
) -> bytes:
    """Decode to PCM bytes, stopping as soon as the audio passes the duration limit."""
    max_size = int((limits.max_seconds + _GRACE_S) * sample_rate) * 2
    resampler = _MonoResampler(sample_rate)
    chunks: list[bytes] = []
    size = damaged = 0
    for frames in _decoded_packets(container, stream):
        if frames is None:
            damaged += 1
            continue
        for frame in frames:
            new = resampler.resample(frame)
            chunks.extend(new)
            size += sum(map(len, new))
        if size > max_size:
            raise _too_long(f"longer than {format_duration(limits.max_seconds)}", limits)
    samples = b"".join(chunks + resampler.flush())
    if damaged:
        log.info("audio decode skipped %s damaged packet(s)", damaged)
    if not samples:
        raise NotAudio(_DAMAGED) if damaged else EmptyAudio(_EMPTY)
    return samples


def _decoded_packets(
    container: InputContainer, stream: Stream
) -> Iterator[list[AudioFrame] | None]:
    """Each packet's audio frames, or None for a damaged packet (skipped, as ffmpeg does).

    A demuxing error (a truncated file) ends the stream: we keep what we have.
    """
    try:
        for packet in container.demux(stream):
            try:
                decoded = packet.decode()
            except _AV_ERRORS:
                yield None
                continue
            yield [f for f in decoded if isinstance(f, AudioFrame) and f.samples]
    except _AV_ERRORS:
        yield None


class _MonoResampler:
    """An `av.AudioResampler` to mono s16 that follows mid-stream format changes."""

    def __init__(self, rate: int) -> None:
        self.rate, self._source = rate, ("", "", 0)
        self._inner: av.AudioResampler | None = None

    def resample(self, frame: AudioFrame) -> list[bytes]:
        source = (frame.format.name, frame.layout.name, frame.sample_rate)
        out: list[bytes] = []
        if self._inner is None or source != self._source:
            out = self.flush()
            self._inner = av.AudioResampler(format="s16", layout="mono", rate=self.rate)
            self._source = source
        return out + [_s16_bytes(f) for f in self._inner.resample(frame)]

    def flush(self) -> list[bytes]:
        if self._inner is None:
            return []
        inner, self._inner = self._inner, None
        return [_s16_bytes(f) for f in inner.resample(None)]


def _s16_bytes(frame: AudioFrame) -> bytes:
    """The samples of a mono s16 frame (its plane may carry padding after them)."""
    return bytes(frame.planes[0])[: frame.samples * 2]


def _pcm_array(pcm: Pcm) -> np.ndarray[Any, np.dtype[np.int16]]:
    usable = len(pcm.samples) - len(pcm.samples) % 2
    return np.frombuffer(pcm.samples[:usable], dtype="<i2")


def encode_voice_sync(pcm: Pcm, *, bitrate: int = 32000) -> AudioClip:
    """Encode PCM as a Telegram voice note: OGG container, Opus codec, 48 kHz mono.

    The samples go in `_CHUNK_S` pieces: PyAV holds the GIL while it codes, so a caller
    running this in a thread still leaves the event loop a turn between pieces."""
    samples = _pcm_array(pcm)
    if not samples.size or pcm.sample_rate <= 0:
        raise EmptyAudio("There is no audio to send.")
    resampler = av.AudioResampler(format="s16", layout="mono", rate=VOICE_RATE)
    buffer = io.BytesIO()
    step = max(1, int(pcm.sample_rate * _CHUNK_S))
    with av.open(buffer, "w", format="ogg") as container:
        stream = container.add_stream(
            "libopus", rate=VOICE_RATE, layout="mono", options=_OPUS_OPTIONS
        )
        stream.bit_rate = bitrate
        for start in range(0, samples.size, step):
            piece = samples[start : start + step].reshape(1, -1)
            frame = AudioFrame.from_ndarray(piece, format="s16", layout="mono")
            frame.sample_rate = pcm.sample_rate
            for resampled in resampler.resample(frame):
                container.mux(stream.encode(resampled))
        for resampled in resampler.resample(None):
            container.mux(stream.encode(resampled))
        container.mux(stream.encode(None))
    return AudioClip(
        data=buffer.getvalue(),
        mime="audio/ogg",
        filename="voice.ogg",
        duration_s=round(samples.size / pcm.sample_rate, 3),
        waveform=waveform(pcm),
    )


def wav_bytes(pcm: Pcm) -> bytes:
    """Wrap PCM in a 16-bit mono WAV file."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setparams((1, 2, pcm.sample_rate, 0, "NONE", "not compressed"))
        out.writeframes(_pcm_array(pcm).tobytes())
    return buffer.getvalue()


def pcm_from_wav(data: bytes) -> Pcm:
    """Read a 16-bit PCM WAV (any channel count; mixed down to mono).

    Streamed WAVs (e.g. `espeak-ng --stdout`) whose header claims a huge length are fine.
    """
    try:
        with wave.open(io.BytesIO(data), "rb") as source:
            channels, width = source.getnchannels(), source.getsampwidth()
            rate = source.getframerate()
            raw = source.readframes(source.getnframes())
    except (wave.Error, EOFError, ValueError) as exc:
        raise NotAudio(_NOT_AUDIO) from exc
    if width != 2 or channels < 1:
        raise NotAudio(_NOT_AUDIO)
    frames = np.frombuffer(raw[: len(raw) - len(raw) % (2 * channels)], dtype="<i2")
    if channels > 1:
        frames = frames.reshape(-1, channels).mean(axis=1).astype("<i2")
    return Pcm(samples=frames.tobytes(), sample_rate=rate)


def waveform(pcm: Pcm, points: int = 256) -> bytes:
    """Discord-style waveform: `points` bytes, each the 0-255 peak of its slice (full scale)."""
    if points < 1:
        raise ValueError("points must be at least 1")
    slices = np.array_split(np.abs(_pcm_array(pcm).astype(np.int32)), points)
    return bytes(min(255, int(s.max()) * 255 // 32767) if s.size else 0 for s in slices)


# Threads start on first use, for CPU work other than the codec (pocketsphinx's client).
_pool = ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1), thread_name_prefix="cpu")
CODEC_WORKERS = max(1, min(4, (os.cpu_count() or 2) - 1))
"""Codec processes: every core but the one the event loop needs (at least one)."""
_codec_pool: ProcessPoolExecutor | None = None


def set_cpu_workers(n: int) -> None:
    """Resize the CPU pool; jobs already submitted finish in the old one."""
    global _pool
    if n < 1:
        raise ValueError("n must be at least 1")
    old, _pool = _pool, ThreadPoolExecutor(max_workers=n, thread_name_prefix="cpu")
    old.shutdown(wait=False)


async def run_cpu(fn: Callable[..., T], *args: Any) -> T:
    """Run CPU-bound `fn(*args)` in the shared bounded pool, keeping the event loop free.

    Cancelling the caller does not stop a job that already started.
    """
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_pool, fn, *args)


async def run_codec(fn: Callable[..., T], *args: Any) -> T:
    """Run codec job `fn(*args)` (picklable) in the codec processes.

    PyAV holds the GIL while it codes: in a thread, each decode or encode would stop the
    event loop and every other thread for its whole length; in its own process it runs on
    another core. A worker that dies (FFmpeg crashing on a hostile file) is replaced, and
    the job is reported as a recording that could not be played.
    """
    pool = codec_pool()
    try:
        return await asyncio.get_running_loop().run_in_executor(pool, fn, *args)
    except BrokenProcessPool as exc:
        global _codec_pool
        if _codec_pool is pool:
            _codec_pool = None
        pool.shutdown(wait=False)
        log.error("a codec process died; starting another")
        raise NotAudio(_DAMAGED) from exc


def codec_pool() -> ProcessPoolExecutor:
    """The codec processes (started on first use; `warm_up` starts them early)."""
    global _codec_pool
    if _codec_pool is None:
        spawn = multiprocessing.get_context("spawn")  # no fork of a threaded process
        _codec_pool = ProcessPoolExecutor(
            max_workers=CODEC_WORKERS, mp_context=spawn,
            initializer=_in_codec_process, initargs=(os.getpid(),),
        )  # fmt: skip
    return _codec_pool


def _in_codec_process(parent: int) -> None:
    """A codec process leaves Ctrl-C to the bot, and exits as soon as the bot is gone,
    even killed (it would otherwise live on, holding the bot's output open)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch, name="codec-parent-watch", daemon=True).start()


async def warm_up() -> None:
    """Start the codec processes now, so the first answer does not wait for them."""
    await asyncio.gather(*(run_codec(int) for _ in range(CODEC_WORKERS)))


async def decode(
    clip_or_bytes: AudioClip | bytes,
    *,
    sample_rate: int = 16000,
    limits: AudioLimits = AudioLimits(),
) -> Pcm:
    """`decode_sync` in a codec process."""
    data = clip_or_bytes.data if isinstance(clip_or_bytes, AudioClip) else clip_or_bytes
    return await run_codec(
        functools.partial(decode_sync, data, sample_rate=sample_rate, limits=limits)
    )


async def probe(data: bytes, *, limits: AudioLimits = AudioLimits()) -> float:
    """`probe_sync` in a codec process."""
    return await run_codec(functools.partial(probe_sync, data, limits=limits))


async def encode_voice(pcm: Pcm) -> AudioClip:
    """`encode_voice_sync` in a codec process."""
    return await run_codec(encode_voice_sync, pcm)
