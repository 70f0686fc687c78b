"""Scenario figures -> table rows, each against the issue's target."""

from __future__ import annotations

from typing import Any

from bench.report import Row, at_least, at_most, percentile, row

AudioRows = list[tuple[str, float, float, str]]


def all_rows(
    results: dict[str, dict[str, Any]], audio: AudioRows, plan: dict[str, dict[str, Any]]
) -> tuple[list[Row], list[str]]:
    """Every row of the table, in the issue's order, and the notes that go under it."""
    rows: list[Row] = []
    notes: list[str] = []
    for name, build in BUILDERS:
        figures = results.get(name, {})
        if "error" in figures:
            rows.append(row(_title(name, plan), "not measured", None, note=figures["error"][:120]))
            continue
        rows += build(figures, plan.get(name, {}))
    rows += cpu_ratios(results)
    rows += _audio(audio)
    notes += NOTES
    return rows, notes


def _title(name: str, plan: dict[str, dict[str, Any]]) -> str:
    return f"{name} {plan.get(name, {})}"


def _overhead(f: dict[str, Any], p: dict[str, Any]) -> list[Row]:
    b = f"overhead ({f.get('turns', 0)} turns over {p.get('spread_s', 0):g} s)"
    over = f.get("overhead_ms", [])
    p50, p99 = (percentile(over, q) if over else None for q in (50, 99))
    met = p50 is not None and p99 is not None and p50 <= 50 and p99 <= 150
    return [
        Row(b, "overhead per turn (ms)", None, tuple(over), "p50 <= 50, p99 <= 150",
            met if over else None),
        row(b, "update -> voice reply sent (ms)", None, samples=f.get("e2e_ms")),
        row(b, "inside provider calls (ms)", None, samples=f.get("provider_ms")),
        row(b, "audio per turn, probe + encode (ms)", None, samples=f.get("codec_ms")),
        row(b, "encode of one voice reply (ms)", None, samples=f.get("encode_ms")),
        row(b, "of the overhead: in database units of work (ms)", None, samples=f.get("db_ms")),
        row(b, "errors", f.get("errors"), at_most(0)),
    ]  # fmt: skip


def _cpu(f: dict[str, Any], p: dict[str, Any]) -> list[Row]:
    b = f"CPU per turn ({f.get('turns', 0)} voice turns one at a time)"
    return [
        row(
            b, "bot: CPU per voice turn, codec excluded (ms)", f.get("cpu_per_turn_ms"), at_most(15)
        ),
        row(b, "codec process: CPU per voice turn (ms)", f.get("codec_cpu_per_turn_ms")),
    ]


def _echo(f: dict[str, Any], p: dict[str, Any]) -> list[Row]:
    b = "CPU per update, bare PTB echo bot"
    return [
        row(b, "echo bot, one at a time (ms)", f.get("one_at_a_time_ms")),
        row(b, f"echo bot, burst of {f.get('burst', 0)} (ms)", f.get("burst_ms")),
    ]


def _concurrency(f: dict[str, Any], p: dict[str, Any]) -> list[Row]:
    n = f.get("candidates", p.get("candidates", 0))
    b = f"concurrency ({n} candidates within {p.get('spread_s', 0):g} s)"
    return [
        row(b, "turn latency, update -> voice (ms)", None, samples=f.get("e2e_ms")),
        row(b, "ideal schedule latency (ms)", None, samples=f.get("ideal_ms")),
        row(b, "p95 turn latency / ideal", f.get("p95_over_ideal"), at_most(1.10)),
        row(b, "throughput / 30 msg/s limit", f.get("throughput_fraction"), at_least(0.9)),
        row(b, "429s received", f.get("rejected_429"), at_most(0)),
        row(b, "peak memory (MB)", f.get("peak_rss_mb"), at_most(500)),
        row(b, "errors (no voice reply)", f.get("errors"), at_most(0)),
        row(
            b,
            f"of which unanswered by the {p.get('deadline_s', 600):g} s deadline",
            f.get("unanswered"),
        ),
        row(b, "CPU per voice turn, codec excluded (ms)", f.get("cpu_per_turn_ms"), at_most(15)),
        row(b, "codec process: CPU per voice turn (ms)", f.get("codec_cpu_per_turn_ms")),
        row(b, "chat actions sent per candidate", f.get("chat_actions", 0) / max(1, n)),
    ]


def _streaming(f: dict[str, Any], p: dict[str, Any]) -> list[Row]:
    b = "streaming (model -> voice by sentence)"
    if f.get("unavailable"):
        return [row(b, "time to voice, streamed / sequential", None, note=f["unavailable"])]
    return [
        row(b, "time to first voice, streamed (ms)", None, samples=f.get("streamed_ms")),
        row(b, "time to voice, sequential (ms)", None, samples=f.get("sequential_ms")),
        row(b, "ratio streamed / sequential (p50)", f.get("ratio")),
    ]


def _data(f: dict[str, Any], p: dict[str, Any]) -> list[Row]:
    accounts, turns = f.get("accounts", 0), f.get("turns", 0)
    rows = []
    for kind in ("sqlite", "postgres"):
        if f"purge_s_{kind}" not in f:
            rows.append(
                row(
                    f"data ({kind})",
                    "purge and export",
                    None,
                    note="not run: COACH_TEST_POSTGRES_URL unset",
                )
            )
            continue
        b, purge_s = f"data ({kind})", f[f"purge_s_{kind}"]
        rows += [
            row(b, f"purge {accounts} deleted accounts x 5 sessions (s)", purge_s),
            row(b, "purge per account (ms)", purge_s / max(1, accounts) * 1000),
            row(b, f"export of one person with {turns} turns (ms)", f[f"export_s_{kind}"] * 1000),
        ]
    return rows


def _audio(audio: AudioRows) -> list[Row]:
    b = "audio (median of the runs)"
    return [
        row(b, name, value, at_most(target) if target else None) for name, value, target, _ in audio
    ]


def cpu_ratios(results: dict[str, dict[str, Any]]) -> list[Row]:
    """Our CPU per turn against the echo bot's per update, one at a time and in a burst."""
    bot_one = results.get("cpu", {}).get("cpu_per_turn_ms")
    bot_burst = results.get("concurrency", {}).get("cpu_per_turn_ms")
    echo = results.get("echo", {})
    b = "CPU per turn, bot / echo bot"
    pairs = (
        ("one at a time", bot_one, echo.get("one_at_a_time_ms")),
        ("burst (concurrency run vs echo burst)", bot_burst, echo.get("burst_ms")),
    )
    return [row(b, name, a / e if a and e else None) for name, a, e in pairs]


BUILDERS = (
    ("overhead", _overhead),
    ("cpu", _cpu),
    ("echo", _echo),
    ("concurrency", _concurrency),
    ("concurrency_2000", _concurrency),
    ("streaming", _streaming),
    ("data", _data),
)
NOTES = [
    "providers are loopback fakes in another process: transcription 0.8 s; model first token "
    "0.7 s then 40 tokens/s; voice first audio 0.15 s then 10x real time; the fake Bot API "
    "admits 30 messages/s per bot (429 with retry_after beyond it); the voice speaks at "
    "15 characters a second, as a person does",
    "overhead = update handed to the bot -> its sendVoice received, minus the union of the "
    "turn's provider calls and its audio decode/encode (reported separately)",
    "ideal schedule: each turn's measured provider time, then its voice and text messages "
    "queued first come first served at 30 messages/s",
    "CPU: the bot process's CPU time over the timed phase (audio decode/encode run in the "
    "codec process, reported beside it); one at a time runs with zero provider latency and "
    "no flood limit; peak memory adds the codec process's",
]
