"""`make bench` / `make bench-quick`: run every benchmark, print one table, write it down.

    python -m bench            # full counts, each scenario in its own process (<= 10 min)
    python -m bench --quick    # small counts, in this process (<= 60 s): keeps the harness working

The table goes to stdout and to bench/results/latest.md (bench/results/quick.md with --quick).
The offline recogniser's word error rate is its own run (`make bench-stt`, about 4 minutes).
Timing never fails the run: targets are reported as MET or MISSED.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bench.report import missed
from bench.suite import FULL, QUICK, ROOT, run_all

RESULTS = ROOT / "bench" / "results"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="interview-coach benchmarks")
    parser.add_argument("--quick", action="store_true", help="small counts, under a minute")
    parser.add_argument("--out", type=Path, help="where to write the Markdown table")
    args = parser.parse_args(argv)
    if args.quick:
        rows, text = run_all(QUICK, isolated=False, audio_runs=3, audio_encodes=32)
    else:
        rows, text = run_all(FULL, isolated=True)
    print(text)
    out = args.out or RESULTS / ("quick.md" if args.quick else "latest.md")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    names = "; ".join(f"{r.benchmark}: {r.measure}" for r in missed(rows)) or "none"
    print(f"targets missed: {names}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
