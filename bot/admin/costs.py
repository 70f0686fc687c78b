"""Estimated provider cost from the usage log and operator-set prices (`COACH_PRICES`).

An estimate only: list prices change, and plans, discounts and taxes are not known here.
Offline providers record no usage, so they cost nothing.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

# USD list prices, approximately: OpenAI whisper-1 $0.006 per audio minute; Claude Sonnet
# $3 / $15 per million input / output tokens; Cartesia Sonic about $0.03 per 1,000 characters.
DEFAULT_PRICES = "stt=0.006/min,llm_in=3/Mtok,llm_out=15/Mtok,tts=0.03/kchar"
UNITS = {"stt": "min", "llm_in": "Mtok", "llm_out": "Mtok", "tts": "kchar"}


@dataclass(frozen=True, slots=True)
class Prices:
    """USD per audio minute (STT), per million tokens (LLM in/out), per 1,000 characters (TTS)."""

    stt_per_min: float
    llm_in_per_mtok: float
    llm_out_per_mtok: float
    tts_per_kchar: float


def parse_prices(text: str) -> Prices:
    """`"stt=0.006/min,llm_in=3/Mtok,llm_out=15/Mtok,tts=0.03/kchar"` -> Prices.

    Strict: each of the four keys exactly once, with its own unit and a finite price >= 0;
    anything else raises ValueError with a plain message."""
    found: dict[str, float] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        key, sep, value = (s.strip() for s in item.partition("="))
        amount, slash, unit = (s.strip() for s in value.partition("/"))
        if not sep or key not in UNITS:
            raise ValueError(f"{item!r}: the keys are {', '.join(UNITS)} (e.g. stt=0.006/min)")
        if key in found:
            raise ValueError(f"{key} is given twice")
        if not slash or unit != UNITS[key]:
            raise ValueError(
                f"{item!r}: {key} is priced per {UNITS[key]}, e.g. {key}=1/{UNITS[key]}"
            )
        try:
            price = float(amount)
        except ValueError:
            raise ValueError(f"{item!r}: {amount!r} is not a number") from None
        if not math.isfinite(price) or price < 0:
            raise ValueError(f"{item!r}: the price must be a number of dollars, 0 or more")
        found[key] = price
    missing = [key for key in UNITS if key not in found]
    if missing:
        raise ValueError(f"missing {', '.join(missing)} (all of {', '.join(UNITS)} are needed)")
    return Prices(found["stt"], found["llm_in"], found["llm_out"], found["tts"])


@dataclass(frozen=True, slots=True)
class CostEstimate:
    """Estimated USD per stage (stt, judge, interviewer, tts...) and in total."""

    by_stage: dict[str, float]

    @property
    def total(self) -> float:
        return sum(self.by_stage.values())


def estimate_cost(summary_rows: Iterable[Mapping[str, Any]], prices: Prices) -> CostEstimate:
    """Cost of `uow.usage.summary(...)` rows: STT by audio minutes, TTS by characters, every
    other stage (the language model's judge and interviewer) by tokens in and out."""
    by_stage: dict[str, float] = {}
    for row in summary_rows:
        stage = str(row["stage"])
        if stage == "stt":
            cost = row.get("audio_seconds", 0) / 60 * prices.stt_per_min
        elif stage == "tts":
            cost = row.get("characters", 0) / 1000 * prices.tts_per_kchar
        else:
            cost = (
                row.get("input_tokens", 0) * prices.llm_in_per_mtok
                + row.get("output_tokens", 0) * prices.llm_out_per_mtok
            ) / 1_000_000
        by_stage[stage] = by_stage.get(stage, 0.0) + cost
    return CostEstimate(by_stage)


def cost_line(label: str, estimate: CostEstimate) -> str:
    """`estimated cost today: $0.0123 (stt $0.0100, tts $0.0023)`, or $0 with no calls."""
    if not estimate.by_stage:
        return f"estimated cost {label}: $0 (no paid provider calls)"
    parts = ", ".join(f"{stage} {_usd(cost)}" for stage, cost in sorted(estimate.by_stage.items()))
    return f"estimated cost {label}: {_usd(estimate.total)} ({parts})"


def _usd(amount: float) -> str:
    return f"${amount:.4f}"
