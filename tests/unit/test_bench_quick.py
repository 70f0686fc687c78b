"""The benchmark harness runs end to end with tiny counts and reports every figure.

Timings are not checked here (they belong to `make bench`); only that each row is there.
"""

from __future__ import annotations

from bench.report import Row
from bench.suite import Plan, run_all

TINY: Plan = {
    "overhead": {"turns": 2, "spread_s": 0.2, "scale": 0.02},
    "concurrency": {"candidates": 4, "spread_s": 0.2, "scale": 0.02},
    "concurrency_2000": {"candidates": 6, "spread_s": 0.2, "scale": 0.02},
    "cpu": {"turns": 2},
    "echo": {"one_by_one": 2, "burst": 4},
    "streaming": {"turns": 1, "scale": 0.02},
    "data": {"accounts": 3, "turns": 3},
}
EXPECTED = [
    "overhead per turn (ms)",
    "update -> voice reply sent (ms)",
    "inside provider calls (ms)",
    "audio per turn, probe + encode (ms)",
    "encode of one voice reply (ms)",
    "bot: CPU per voice turn, codec excluded (ms)",
    "echo bot, one at a time (ms)",
    "echo bot, burst of 4 (ms)",
    "turn latency, update -> voice (ms)",
    "ideal schedule latency (ms)",
    "p95 turn latency / ideal",
    "throughput / 30 msg/s limit",
    "429s received",
    "peak memory (MB)",
    "errors",
    "errors (no voice reply)",
    "CPU per voice turn, codec excluded (ms)",
    "purge 3 deleted accounts x 5 sessions (s)",
    "export of one person with 3 turns (ms)",
    "one at a time",
    "encode 20 s reply to OGG/Opus (ms)",
    "decode 60 s OGG/Opus answer (ms)",
    "probe 60 s answer, as a turn does (ms)",
    "chat actions sent per candidate",
    "loop lag, 2 encodes at once (ms)",
    "duration (s)",
]


def measures(rows: list[Row]) -> list[str]:
    return [r.measure for r in rows]


def test_the_quick_harness_reports_every_figure_with_a_verdict_where_there_is_a_target() -> None:
    rows, text = run_all(TINY, isolated=False, audio_runs=1, audio_encodes=2)

    assert [m for m in EXPECTED if m not in measures(rows)] == []
    assert [r.note for r in rows if r.measure == "not measured"] == []
    concurrency = [r for r in rows if r.benchmark.startswith("concurrency")]
    assert {r.benchmark for r in concurrency} == {
        "concurrency (4 candidates within 0.2 s)",
        "concurrency (6 candidates within 0.2 s)",
    }
    errors = [r.value for r in rows if r.measure.startswith("errors")]
    assert errors == [0, 0, 0]  # every simulated candidate got its voice reply
    assert all(r.met is not None for r in rows if r.target)
    assert "| overhead (2 turns over 0.2 s) | overhead per turn (ms) |" in text
    assert "CPUs, Python 3." in text
