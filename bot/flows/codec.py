"""Turn value objects into JSON-ready dicts for storage and back."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from bot.core.models import Assessment, DimensionScore, SpeechMetrics, Transcript, Word


def transcript_to_dict(transcript: Transcript) -> dict[str, Any]:
    return asdict(transcript)


def transcript_from_dict(data: dict[str, Any]) -> Transcript:
    words = tuple(Word(**w) for w in data.get("words", ()))
    return Transcript(
        text=data["text"],
        words=words,
        language=data.get("language"),
        duration_s=data.get("duration_s"),
    )


def metrics_to_dict(metrics: SpeechMetrics) -> dict[str, Any]:
    return asdict(metrics)


def metrics_from_dict(data: dict[str, Any]) -> SpeechMetrics:
    return SpeechMetrics(**data)


def assessment_to_dict(assessment: Assessment) -> dict[str, Any]:
    return asdict(assessment)


def assessment_from_dict(data: dict[str, Any]) -> Assessment:
    return Assessment(
        overall=data["overall"],
        dimensions=tuple(DimensionScore(**d) for d in data["dimensions"]),
        strengths=tuple(data.get("strengths", ())),
        improvements=tuple(data.get("improvements", ())),
        feedback=data.get("feedback", ""),
        follow_up=data.get("follow_up"),
    )
