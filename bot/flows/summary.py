"""The end-of-session report: overall, per dimension, three strengths and three improvements
with the candidate's own words, and a stronger answer for the weakest question."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from statistics import mean

from bot.core.models import Assessment, DimensionScore, Question
from bot.core.records import TurnRecord
from bot.flows.codec import assessment_from_dict
from bot.flows.render import bar, title
from bot.flows.rewrite import Rewriter, answer_of, stronger_answer, weakest_turn

log = logging.getLogger(__name__)
HIGHLIGHTS = 3
"""Strengths and improvements shown, at most, each."""
QUOTE_WORDS = 14


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


def summarise(
    assessments: Sequence[Assessment], *, skipped: int = 0, answers: Sequence[str] = ()
) -> Summary:
    """Average the scored answers; pick up to three best and three weakest dimensions.

    `answers` (the texts behind `assessments`, in order) lend a quote to a weakness whose
    judge quoted nothing: the opening words of the answer where it was weakest.
    """
    if not assessments:
        return Summary(0, skipped, None, {}, (), ())
    by_dim: dict[str, list[tuple[DimensionScore, str]]] = {}
    for n, assessment in enumerate(assessments):
        said = answers[n] if n < len(answers) else ""
        for dim in assessment.dimensions:
            by_dim.setdefault(dim.name, []).append((dim, said))
    averages = {name: round(mean(d.score for d, _ in dims), 1) for name, dims in by_dim.items()}
    ranked = sorted(averages, key=lambda name: (averages[name], name))
    weakest = [n for n in ranked[:HIGHLIGHTS] if averages[n] < 4]
    strongest = [n for n in reversed(ranked[-HIGHLIGHTS:]) if averages[n] >= 3 and n not in weakest]
    return Summary(
        answered=len(assessments),
        skipped=skipped,
        overall=round(mean(a.overall for a in assessments)),
        dimensions=averages,
        strengths=tuple(_highlight(n, averages[n], by_dim[n], best=True) for n in strongest),
        improvements=tuple(_highlight(n, averages[n], by_dim[n], best=False) for n in weakest),
    )


def _highlight(
    name: str, average: float, dims: list[tuple[DimensionScore, str]], *, best: bool
) -> Highlight:
    if best:  # a strength is best shown with the candidate's own words
        pool = [d for d in dims if d[0].evidence] or dims
        pick, said = max(pool, key=lambda d: d[0].score)
    else:  # a weakness is shown where it was weakest
        pick, said = min(dims, key=lambda d: d[0].score)
    return Highlight(name, average, pick.evidence or opening(said), pick.justification)


def opening(text: str) -> str:
    """The first words of an answer, as a quote ("" for no answer)."""
    words = text.split()
    if not words:
        return ""
    cut = " ".join(words[:QUOTE_WORDS])
    return cut + ("…" if len(words) > QUOTE_WORDS else "")


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


def session_summary(turns: list[TurnRecord]) -> str:
    """The summary of a session's scored turns, quoting the answers."""
    scored = [t for t in turns if t.assessment]
    return summary_text(
        summarise(
            [assessment_from_dict(t.assessment) for t in scored if t.assessment],
            skipped=sum(1 for t in turns if t.status == "skipped"),
            answers=[answer_of(t) for t in scored],
        )
    )


async def weakest_rewrite(
    turns: list[TurnRecord],
    *,
    question_of: Callable[[TurnRecord], Question],
    rewriter: Rewriter | None,
) -> str | None:
    """The stronger answer for the session's weakest answer (None without scored answers).

    Sent as its own message after the summary, outside any transaction: a cloud rewriter
    may take seconds.
    """
    weakest = weakest_turn([t for t in turns if t.assessment])
    if rewriter is None or weakest is None:
        return None
    rewrite = await stronger_answer(rewriter, question_of(weakest), turns, weakest)
    return f"Your weakest answer, made stronger ({weakest.overall}/100):\n{rewrite}"
