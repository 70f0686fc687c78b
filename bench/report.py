"""The results table: one row per figure, with percentiles, its target and MET or MISSED."""

from __future__ import annotations

import os
import platform
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

HEADER = ("benchmark", "measure", "p50", "p95", "p99", "value", "target", "verdict")


@dataclass(frozen=True, slots=True)
class Row:
    benchmark: str
    measure: str
    value: float | None = None
    samples: tuple[float, ...] = ()
    target: str = ""
    met: bool | None = None
    note: str = ""

    def cells(self) -> tuple[str, ...]:
        shown = (percentile(self.samples, q) if self.samples else None for q in (50, 95, 99))
        p50, p95, p99 = (_fmt(v) for v in shown)
        verdict = "" if self.met is None else ("MET" if self.met else "MISSED")
        value = self.note or _fmt(self.value)
        return (self.benchmark, self.measure, p50, p95, p99, value, self.target, verdict)


def percentile(values: tuple[float, ...] | list[float], q: int) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def at_most(limit: float) -> tuple[str, Callable[[float], bool]]:
    return f"<= {limit:g}", lambda v: v <= limit


def at_least(limit: float) -> tuple[str, Callable[[float], bool]]:
    return f">= {limit:g}", lambda v: v >= limit


Target = tuple[str, Callable[[float], bool]]


def row(
    benchmark: str, measure: str, value: float | None, target: Target | None = None,
    samples: list[float] | None = None, note: str = "",
) -> Row:  # fmt: skip
    """A row; the verdict comes from `value` and `target` (none when either is missing)."""
    text, check = target or ("", None)
    met = check(value) if check is not None and value is not None else None
    return Row(benchmark, measure, value, tuple(samples or ()), text, met, note)


def _fmt(value: float | None) -> str:
    if value is None:
        return ""
    if abs(value) >= 100 or value == int(value):
        return f"{value:.0f}"
    return f"{value:.3g}" if abs(value) < 1 else f"{value:.1f}"


def markdown(rows: list[Row], *, title: str, notes: list[str]) -> str:
    """The table with the machine and the date above it and the notes below."""
    machine = (
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}, {platform.system()} "
        f"{platform.machine()}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    )
    lines = [f"# {title}", "", machine, "", "| " + " | ".join(HEADER) + " |"]
    lines.append("|" + "|".join("---" for _ in HEADER) + "|")
    lines += ["| " + " | ".join(r.cells()) + " |" for r in rows]
    return "\n".join([*lines, "", *(f"- {n}" for n in notes), ""])


def missed(rows: list[Row]) -> list[Row]:
    return [r for r in rows if r.met is False]
