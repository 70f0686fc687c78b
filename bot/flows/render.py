"""Turn assessments, metrics and summaries into what the candidate reads and hears."""

from __future__ import annotations

from bot.core.models import Assessment, SpeechMetrics

DIMENSION_TITLES = {
    "star": "STAR structure",
    "specificity": "Specificity",
    "impact": "Quantified impact",
    "ownership": "Ownership",
    "relevance": "Relevance",
    "clarity": "Clarity",
}

PACE_RANGE = (110.0, 170.0)
MAX_FILLERS_PER_MINUTE = 3.0
MAX_PAUSE_S = 3.0


def bar(score: int) -> str:
    """A five-step bar for a 1-5 score, readable in any chat client."""
    score = max(0, min(5, score))
    return "●" * score + "○" * (5 - score)


def title(name: str) -> str:
    return DIMENSION_TITLES.get(name, name.replace("_", " ").capitalize())


def delivery_line(metrics: SpeechMetrics) -> str | None:
    """Pace, fillers and pauses, for spoken answers only."""
    if not metrics.timed or metrics.word_count == 0:
        return None
    parts = [
        f"{metrics.words_per_minute:.0f} words/min",
        f"{metrics.fillers_per_minute:.1f} fillers/min",
    ]
    if metrics.long_pauses:
        parts.append(f"longest pause {metrics.longest_pause_s:.1f} s")
    flags = []
    low, high = PACE_RANGE
    if metrics.words_per_minute < low:
        flags.append("a little slow")
    elif metrics.words_per_minute > high:
        flags.append("a little fast")
    if metrics.fillers_per_minute > MAX_FILLERS_PER_MINUTE:
        flags.append("watch the filler words")
    if metrics.longest_pause_s > MAX_PAUSE_S:
        flags.append("a long pause")
    line = "Delivery: " + " · ".join(parts)
    return line + (f" ({', '.join(flags)})" if flags else "")


def feedback_text(assessment: Assessment, metrics: SpeechMetrics) -> str:
    """The written feedback for one answer: score, dimensions, coaching, delivery."""
    lines = [f"Score: {assessment.overall}/100"]
    for dim in assessment.dimensions:
        lines.append(f"{bar(dim.score)} {title(dim.name)}: {dim.justification}")
    if assessment.feedback:
        lines += ["", assessment.feedback]
    if assessment.improvements:
        lines += ["", "To make it stronger:"]
        lines += [f"• {item}" for item in assessment.improvements]
    delivery = delivery_line(metrics)
    if delivery:
        lines += ["", delivery]
    return "\n".join(lines)


def spoken_feedback(assessment: Assessment) -> str:
    """A short line to say out loud; the details stay in the text."""
    return f"You scored {assessment.overall} out of 100. {first_sentence(assessment.feedback)}"


def first_sentence(text: str) -> str:
    text = text.strip()
    for end in (". ", "! ", "? "):
        cut = text.find(end)
        if cut != -1:
            return text[: cut + 1]
    return text
