"""Fuzz the audio decoder under an address-space limit; run as a subprocess.

`python -m tests.reliability.decoder_fuzz LIMIT_MB EXAMPLES` sets RLIMIT_AS, then feeds
`bot.audio.decode_sync` and `bot.audio.probe_sync` random bytes, truncated and bit-flipped
OGG, a 0-byte file and headers claiming ten hours. Every input must end as a length within
the duration limit or as a plain `AudioError` message; anything else is a crash. Prints the
counts as one JSON line.
"""

from __future__ import annotations

import json
import resource
import struct
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

FIXTURE = Path(__file__).parents[1] / "fixtures" / "answer.ogg"
LIMITS_S = 180.0
tally: Counter[str] = Counter()


def check(data: bytes) -> None:
    from bot.audio import AudioLimits, decode_sync, probe_sync

    tally["inputs"] += 1
    limits = AudioLimits(max_seconds=LIMITS_S)
    judge(lambda: decode_sync(data, limits=limits).duration_s, "decoded", "refused")
    judge(lambda: probe_sync(data, limits=limits), "probed", "probe refused")


def judge(measure: Callable[[], float], accepted: str, refused: str) -> None:
    """Run `measure`: an accepted input is within the limit, a refusal a plain message."""
    from bot.core.errors import AudioError

    try:
        seconds = measure()
    except AudioError as exc:
        assert exc.user_message.strip() and "Traceback" not in exc.user_message
        tally[f"{refused}: {type(exc).__name__}"] += 1
        return
    assert seconds <= LIMITS_S + 1
    tally[accepted] += 1


def wav_claiming(seconds: float, body: bytes) -> bytes:
    """A WAV header whose sizes claim `seconds` of 16 kHz mono audio, then `body`."""
    size = int(seconds * 16000 * 2)
    fmt = struct.pack("<HHIIHH", 1, 1, 16000, 32000, 2, 16)
    return (
        b"RIFF" + struct.pack("<I", min(size + 36, 2**32 - 1)) + b"WAVEfmt "
        + struct.pack("<I", 16) + fmt + b"data" + struct.pack("<I", min(size, 2**32 - 1)) + body
    )  # fmt: skip


def ogg_claiming(seconds: float, ogg: bytes) -> bytes:
    """The fixture with its last page's granule position pushed to `seconds` at 48 kHz."""
    last = ogg.rfind(b"OggS")
    granule = struct.pack("<q", int(seconds * 48000))
    return ogg[: last + 6] + granule + ogg[last + 14 :]


def run(examples: int) -> None:
    ogg = FIXTURE.read_bytes()
    fuzz = settings(
        max_examples=examples, deadline=None, database=None,
        suppress_health_check=list(HealthCheck),
    )  # fmt: skip

    @fuzz
    @given(st.binary(max_size=4096))
    def random_bytes(data: bytes) -> None:
        check(data)

    @fuzz
    @given(st.integers(min_value=0, max_value=len(ogg)))
    def truncated_ogg(cut: int) -> None:
        check(ogg[:cut])

    @fuzz
    @given(st.lists(st.tuples(st.integers(0, len(ogg) - 1), st.integers(0, 255)), max_size=40))
    def damaged_ogg(flips: list[tuple[int, int]]) -> None:
        data = bytearray(ogg)
        for at, value in flips:
            data[at] = value
        check(bytes(data))

    @fuzz
    @given(st.binary(max_size=2048), st.sampled_from([b"OggS", b"RIFF", b"fLaC", b"ID3"]))
    def magic_then_noise(noise: bytes, magic: bytes) -> None:
        check(magic + noise)

    for test in (random_bytes, truncated_ogg, damaged_ogg, magic_then_noise):
        test()
    check(b"")
    for body in (b"", b"\x00\x01" * 16000, b"\x7f" * 4096):
        check(wav_claiming(10 * 3600, body))
    check(ogg_claiming(10 * 3600, ogg))
    check(b"\x00" * (5 * 1024 * 1024))  # 5 MB of silence-looking nothing


def main() -> None:
    limit_mb, examples = int(sys.argv[1]), int(sys.argv[2])
    limit = limit_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    run(examples)
    print(json.dumps(dict(tally)))


if __name__ == "__main__":
    main()
