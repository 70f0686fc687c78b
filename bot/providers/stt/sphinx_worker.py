"""Speech worker processes: each owns one pocketsphinx decoder, built on its first utterance.

pocketsphinx's Python binding holds the GIL for the whole search (measured: decoding a 17 s
answer in a thread stalled the event loop for 4 s), so recognition runs in a child process
(`python -m bot.providers.stt.sphinx_worker CONFIG`) that decodes one utterance at a time,
which also settles the decoder's lack of thread safety. The parent talks to it through
`WorkerProcess` over pipes: a JSON header line and the raw samples in; one JSON line out.
Plain subprocesses, not multiprocessing: spawn would re-run the parent's `__main__`.
"""

from __future__ import annotations

import json
import logging
import os
import re
import select
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any

from bot.core.models import Word

log = logging.getLogger(__name__)

_ALTERNATE = re.compile(r"\(\d+\)$")
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[3])  # the directory holding `bot`


@dataclass(frozen=True, slots=True)
class DecoderConfig:
    """Everything a worker needs to build its decoder."""

    hmm: str
    lm: str
    dict: str
    search: tuple[tuple[str, float | str], ...] = ()


class RecognitionError(Exception):
    """The decoder could not load or decode; the message names what failed, never the audio."""


class WorkerGone(Exception):
    """The worker process exited or stopped answering."""


class WorkerProcess:
    """The parent's handle on one worker process; one request at a time (callers lock)."""

    def __init__(self, config: DecoderConfig) -> None:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [_PACKAGE_ROOT, env.get("PYTHONPATH")]))
        argv = [sys.executable, "-m", __name__, json.dumps(asdict(config))]
        self._proc = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, close_fds=True
        )

    def recognise(self, samples: bytes, duration: float) -> tuple[list[Word], bool]:
        """Words of one utterance, and whether the worker had to build its decoder first.

        A worker that has not answered after `30 s + 2 x duration` (recognition takes about
        0.3 x duration) is killed and reported as gone.
        """
        assert self._proc.stdin is not None and self._proc.stdout is not None
        header = {"samples": len(samples), "duration": duration}
        try:
            self._proc.stdin.write(json.dumps(header).encode() + b"\n" + samples)
            self._proc.stdin.flush()
            ready, _, _ = select.select([self._proc.stdout], [], [], 30 + 2 * duration)
            if not ready:
                self._proc.kill()
                raise WorkerGone("speech worker did not answer in time")
            line = self._proc.stdout.readline()
        except (BrokenPipeError, OSError) as exc:
            raise WorkerGone(f"speech worker failed: {exc}") from None
        if not line:
            raise WorkerGone(f"speech worker exited with status {self._proc.poll()}")
        reply = json.loads(line)
        if "error" in reply:
            raise RecognitionError(reply["error"])
        return [Word(t, s, e) for t, s, e in reply["words"]], bool(reply["built"])

    def close(self) -> None:
        if self._proc.stdin is not None:
            self._proc.stdin.close()  # the worker exits at end of input
        try:
            self._proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        if self._proc.stdout is not None:
            self._proc.stdout.close()


# ---------------------------------------------------------------- inside the worker


def serve(config: DecoderConfig, requests: IO[bytes], replies: IO[bytes]) -> None:
    decoder: Any = None
    while line := requests.readline():
        header = json.loads(line)
        samples = requests.read(header["samples"])
        built = decoder is None
        try:
            decoder = decoder or _build(config)
            words = _decode(decoder, samples, float(header["duration"]))
            reply: dict[str, Any] = {"words": [[w.text, w.start_s, w.end_s] for w in words]}
            reply["built"] = built
        except RecognitionError as exc:
            decoder, reply = None, {"error": str(exc)}  # state unknown: build afresh next time
        replies.write(json.dumps(reply).encode() + b"\n")
        replies.flush()


def _build(config: DecoderConfig) -> Any:
    import pocketsphinx

    started = time.perf_counter()
    try:
        decoder = pocketsphinx.Decoder(
            hmm=config.hmm, lm=config.lm, dict=config.dict, loglevel="FATAL", **dict(config.search)
        )
    except (RuntimeError, ValueError, OSError) as exc:
        raise RecognitionError(f"pocketsphinx could not load its model: {exc}") from None
    log.info("pocketsphinx decoder built in %.2f s", time.perf_counter() - started)
    return decoder


def _decode(decoder: Any, samples: bytes, duration: float) -> list[Word]:
    try:
        decoder.start_utt()
        decoder.process_raw(samples, False, True)
        decoder.end_utt()
    except (RuntimeError, ValueError) as exc:
        raise RecognitionError(f"pocketsphinx could not decode the recording: {exc}") from None
    return words_of(decoder, duration)


def words_of(decoder: Any, duration: float) -> list[Word]:
    """The best hypothesis's words with times, without silences, noises and fillers."""
    frame_s = 1.0 / float(decoder.config["frate"])
    words = []
    for seg in decoder.seg():
        text = _ALTERNATE.sub("", seg.word)
        if not text or text[0] in "<[+":
            continue
        start = min(seg.start_frame * frame_s, duration)
        end = min(max((seg.end_frame + 1) * frame_s, start), duration)
        words.append(Word(text, round(start, 3), round(end, 3)))
    return words


def main(argv: list[str]) -> None:
    raw = json.loads(argv[1])
    search = tuple((str(k), v) for k, v in raw.pop("search"))
    replies = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # stray output (C libraries, prints) goes to stderr, not into the replies
    sys.stdout = sys.stderr
    serve(DecoderConfig(**raw, search=search), sys.stdin.buffer, replies)


if __name__ == "__main__":
    main(sys.argv)
