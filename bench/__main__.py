"""`make bench`: run every benchmark and print one table per benchmark."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bench import audio_costs

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    print("Audio costs (median of 7 runs; 2-core machine)")
    print(f"{'measure':40} {'value':>8}  {'target':>13}  verdict")
    for name, value, target, verdict in audio_costs.main():
        shown = f"{target:g}" if target else "-"
        print(f"{name:40} {value:8.1f}  {'<= ' + shown:>13}  {verdict}")
    print("\nOffline speech recognition (held-out interview answers)")
    return subprocess.call([sys.executable, str(ROOT / "bench" / "stt_wer.py")])


if __name__ == "__main__":
    raise SystemExit(main())
