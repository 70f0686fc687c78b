"""The end-of-interview summary: overall, per dimension, strengths and improvements."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from statistics import mean

from bot.core.models import Assessment, DimensionScore
from bot.flows.render import bar, title


@dataclass(frozen=True, slots=True)
class Highlight:
    dimension: str
    average: float
    quote: str
    advice: str


@dataclass(frozen=True, slots=True)
class Summary:
    answered: int
    skipped: int
    overall: int | None
    dimensions: dict[str, float]
    strengths: tuple[Highlight, ...]
    improvements: tuple[Highlight, ...]


def summarise(assessments: Sequence[Assessment], *, skipped: int = 0) -> Summary:
    """Average the scored answers; pick the two best and two weakest dimensions."""
    if not assessments:
        return Summary(0, skipped, None, {}, (), ())
    by_dim: dict[str, list[DimensionScore]] = {}
    for assessment in assessments:
        for dim in assessment.dimensions:
            by_dim.setdefault(dim.name, []).append(dim)
    averages = {name: round(mean(d.score for d in dims), 1) for name, dims in by_dim.items()}
    ranked = sorted(averages, key=lambda name: (averages[name], name))
    weakest = [n for n in ranked[:2] if averages[n] < 4]
    strongest = [n for n in reversed(ranked[-2:]) if averages[n] >= 3 and n not in weakest]
    return Summary(
        answered=len(assessments),
        skipped=skipped,
        overall=round(mean(a.overall for a in assessments)),
        dimensions=averages,
        strengths=tuple(_highlight(n, averages[n], by_dim[n], best=True) for n in strongest),
        improvements=tuple(_highlight(n, averages[n], by_dim[n], best=False) for n in weakest),
    )


def _highlight(name: str, average: float, dims: list[DimensionScore], *, best: bool) -> Highlight:
    if best:  # a strength is best shown with the candidate's own words
        pool = [d for d in dims if d.evidence] or dims
        pick = max(pool, key=lambda d: d.score)
    else:  # a weakness is shown where it was weakest, quoted or not
        pick = min(dims, key=lambda d: d.score)
    return Highlight(name, average, pick.evidence, pick.justification)


def summary_text(summary: Summary) -> str:
    if summary.answered == 0:
        skipped = f" ({summary.skipped} skipped)" if summary.skipped else ""
        return f"Interview finished. No answers were scored{skipped}, so there's no summary yet."
    lines = [
        "Interview summary",
        f"Answers scored: {summary.answered}"
        + (f", skipped: {summary.skipped}" if summary.skipped else ""),
        f"Overall: {summary.overall}/100",
        "",
    ]
    for name, avg in summary.dimensions.items():
        lines.append(f"{bar(round(avg))} {title(name)} {avg:.1f}/5")
    if summary.strengths:
        lines += ["", "Strengths:"]
        lines += [_line(h) for h in summary.strengths]
    if summary.improvements:
        lines += ["", "Work on:"]
        lines += [_line(h) for h in summary.improvements]
    lines += ["", "Send /interview to practise again, or /progress to see your trend."]
    return "\n".join(lines)


def _line(highlight: Highlight) -> str:
    quoted = highlight.quote and highlight.quote not in highlight.advice
    quote = f' You said: "{highlight.quote}"' if quoted else ""
    return f"• {title(highlight.dimension)} ({highlight.average:.1f}/5): {highlight.advice}{quote}"
