"""Prometheus metrics of one process, served at `GET /metrics`.

Per-stage provider latency (histograms) and provider errors by kind, fed by the
`UsageMeter` (every cloud provider call), turns (handled updates), turns in flight (queue
depth) and purge runs. Labels are stages, providers,
outcomes and error kinds: never a person, a chat or any content.
"""

from __future__ import annotations

from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily
from prometheus_client.registry import Collector

from bot.core.tracing import handled, in_flight
from bot.core.usage import Usage

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
STAGE_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.stage_seconds = Histogram(
            "coach_stage_seconds", "Provider call latency per stage (stt, llm, tts)",
            ["stage", "provider"], buckets=STAGE_BUCKETS, registry=self.registry,
        )  # fmt: skip
        self.provider_errors = Counter(
            "coach_provider_errors", "Failed provider calls by stage and kind of error",
            ["stage", "provider", "kind"], registry=self.registry,
        )  # fmt: skip
        in_flight_gauge = Gauge(
            "coach_updates_in_flight", "Updates being handled right now (queue depth)",
            registry=self.registry,
        )  # fmt: skip
        in_flight_gauge.set_function(in_flight)
        self.registry.register(_Turns())

    def observe_stage(
        self, stage: str, provider: str, seconds: float, *, error: str | None = None
    ) -> None:
        """One provider call: its latency, and its error kind when it failed."""
        self.stage_seconds.labels(stage, provider).observe(max(0.0, seconds))
        if error:
            self.provider_errors.labels(stage, provider, error).inc()

    def record_usage(self, usage: Usage) -> None:
        """A `UsageMeter` listener: each reported provider call feeds the stage metrics."""
        self.observe_stage(usage.stage, usage.provider, usage.latency_s, error=usage.error_kind)

    def count_purge_runs(self, runs: Any) -> None:
        """Expose the purge job's run counts (`PurgeJob.runs`, a Counter by outcome)."""
        self.registry.register(_PurgeRuns(runs))

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


class _Turns(Collector):
    def collect(self) -> Any:
        yield CounterMetricFamily(
            "coach_turns", "Updates handled, each a turn with its own turn id", value=handled()
        )


class _PurgeRuns(Collector):
    def __init__(self, runs: Any) -> None:
        self.runs = runs

    def collect(self) -> Any:
        family = CounterMetricFamily("coach_purge_runs", "Purge job runs", labels=["outcome"])
        for outcome in ("done", "skipped"):
            family.add_metric([outcome], float(self.runs.get(outcome, 0)))
        yield family
