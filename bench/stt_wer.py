"""Word error rate and speed of the offline speech-to-text on held-out interview answers.

    .venv/bin/python bench/stt_wer.py                     # the shipped default model
    .venv/bin/python bench/stt_wer.py --model all         # every variant (about 3x longer)
    .venv/bin/python bench/stt_wer.py --voices slt,rms,awb --sentences bench/data/stt_dev.txt

Each sentence of `bench/data/stt_heldout.txt` (written for this benchmark: not in the
language-model corpus, not in the question banks) is spoken by flite voices at 16 kHz and
transcribed through `PocketsphinxSTT.transcribe` (WAV -> bot.audio.decode -> decoder).
WER (jiwer) compares lower-cased, punctuation-free text; references spell numbers as words.
RTF = processing seconds / audio seconds, one transcription at a time. Start-up = starting a
worker process and building its decoder. `bench/data/stt_dev.txt` is the separate set the
search settings and the mixing weight were chosen on; report figures from the held-out set.

Measured on a 2-core container, pocketsphinx 5.1.1, flite 2.2 (2026-11-27):

    held-out (30 sentences)  WER slt  WER rms  WER all   RTF  start-up
    default+fulldict           0.202    0.121    0.162  0.26    0.44 s
    default                    0.202    0.121    0.162  0.23    0.30 s
    interview (shipped)        0.124    0.085    0.104  0.26    0.31 s
    awb voice: default 0.195, interview 0.148

    dev (16 sentences, used for tuning)
    default+fulldict           0.128    0.049    0.088  0.29    0.38 s
    default                    0.128    0.049    0.088  0.22    0.31 s
    interview (shipped)        0.100    0.061    0.081  0.23    0.30 s

Caveat: 13.6 % of the held-out set's trigrams
(stock phrases such as "the situation was", "as a result") also occur in the corpus, against
6.1 % for the dev set, so the held-out gain may flatter the interview model a little.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import jiwer

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import pocketsphinx  # noqa: E402

from bot.core.models import AudioClip  # noqa: E402
from bot.providers.stt.pocketsphinx import PocketsphinxSTT  # noqa: E402

VARIANTS = ("default+fulldict", "default", "interview")


@dataclass
class Result:
    refs: list[str]
    hyps: list[str]
    audio_s: float = 0.0
    processing_s: float = 0.0


def normalise(text: str) -> str:
    text = re.sub(r"[^a-z' ]+", " ", text.lower().replace("-", " "))
    return " ".join(w.strip("'") for w in text.split() if w.strip("'"))


def make_stt(variant: str) -> PocketsphinxSTT:
    if variant == "default+fulldict":
        full = Path(pocketsphinx.get_model_path("en-us/cmudict-en-us.dict"))
        return PocketsphinxSTT(model="default", dict_path=full, pool_size=1)
    if variant in ("default", "interview"):
        return PocketsphinxSTT(model=variant, pool_size=1)  # type: ignore[arg-type]
    raise SystemExit(f"unknown model {variant!r}; choose from {', '.join(VARIANTS)} or all")


def synthesize(text: str, voice: str, cache: Path) -> bytes:
    """WAV bytes of flite speaking `text` (16 kHz for slt, rms and awb)."""
    key = hashlib.sha256(f"{voice}\n{text}".encode()).hexdigest()[:20]
    path = cache / f"{voice}-{key}.wav"
    if not path.exists():
        subprocess.run(["flite", "-voice", voice, "-t", text, "-o", str(path)], check=True)
    return path.read_bytes()


async def run_variant(
    variant: str, sentences: list[str], voices: list[str], cache: Path
) -> tuple[dict[str, Result], float]:
    stt = make_stt(variant)
    started = time.perf_counter()
    await stt.warm_up()
    startup = time.perf_counter() - started
    results: dict[str, Result] = {}
    try:
        await _transcribe_all(stt, sentences, voices, cache, results)
    finally:
        stt.close()
    return results, startup


async def _transcribe_all(
    stt: PocketsphinxSTT,
    sentences: list[str],
    voices: list[str],
    cache: Path,
    results: dict[str, Result],
) -> None:
    for voice in voices:
        result = results[voice] = Result([], [])
        for sentence in sentences:
            clip = AudioClip(synthesize(sentence, voice, cache), "audio/wav", "answer.wav")
            started = time.perf_counter()
            transcript = await stt.transcribe(clip)
            result.processing_s += time.perf_counter() - started
            result.audio_s += transcript.duration_s or 0.0
            result.refs.append(normalise(sentence))
            result.hyps.append(normalise(transcript.text))


def report(variant: str, results: dict[str, Result], startup: float, show: bool) -> str:
    refs = [r for res in results.values() for r in res.refs]
    hyps = [h for res in results.values() for h in res.hyps]
    audio_s = sum(res.audio_s for res in results.values())
    processing_s = sum(res.processing_s for res in results.values())
    if show:
        for ref, hyp in zip(refs, hyps, strict=True):
            if ref != hyp:
                print(f"  ref: {ref}\n  hyp: {hyp}")
    per_voice = "  ".join(f"{jiwer.wer(r.refs, r.hyps):7.3f}" for r in results.values())
    overall, rtf = jiwer.wer(refs, hyps), processing_s / audio_s
    return f"{variant:17s} {per_voice}  {overall:7.3f}  {rtf:5.2f}  {startup:6.2f} s"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="pocketsphinx WER on held-out answers")
    parser.add_argument("--model", default="interview", help=f"{', '.join(VARIANTS)} or all")
    parser.add_argument("--voices", default="slt,rms", help="flite voices, comma-separated")
    parser.add_argument("--sentences", type=Path, default=ROOT / "bench/data/stt_heldout.txt")
    parser.add_argument("--show", action="store_true", help="print every wrong transcript")
    args = parser.parse_args(argv)
    if shutil.which("flite") is None:
        raise SystemExit("flite is required: sudo apt-get install flite")
    lines = args.sentences.read_text(encoding="utf-8").splitlines()
    sentences = [line.strip() for line in lines if line.strip()]
    voices = args.voices.split(",")
    variants = VARIANTS if args.model == "all" else (args.model,)
    header = "  ".join(f"{'WER ' + v:>7s}" for v in voices)
    print(f"{len(sentences)} sentences x {len(voices)} voices from {args.sentences.name}")
    print(f"{'model':17s} {header}  WER all    RTF  start-up")
    with tempfile.TemporaryDirectory(prefix="stt-bench-") as tmp:
        for variant in variants:
            results, startup = asyncio.run(run_variant(variant, sentences, voices, Path(tmp)))
            print(report(variant, results, startup, args.show), flush=True)


if __name__ == "__main__":
    main()
