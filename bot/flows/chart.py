"""The progress chart as a PNG: scores over interviews on top, pace and fillers below.

Matplotlib's object API on the Agg canvas: no pyplot, no global figure state, no display,
so it is safe in a worker thread of a headless server.
"""

from __future__ import annotations

from io import BytesIO

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from bot.flows.progress import SessionPoint
from bot.flows.render import MAX_FILLERS_PER_MINUTE, PACE_RANGE, title
from bot.flows.rubric import RUBRIC

DPI = 100
SIZE_IN = (10.0, 6.5)


def as_percent(score: float) -> float:
    """A 1-5 dimension score on the overall's 0-100 scale (1 -> 0, 3 -> 50, 5 -> 100)."""
    return (score - 1) / 4 * 100


def render_progress_chart(points: list[SessionPoint]) -> bytes:
    """A two-panel PNG of `points` (oldest first)."""
    figure = Figure(figsize=SIZE_IN, dpi=DPI)  # fixed margins: automatic layout is slow
    figure.subplots_adjust(left=0.07, right=0.72, top=0.95, bottom=0.11, hspace=0.3)
    FigureCanvasAgg(figure)
    scores, delivery = figure.subplots(2, 1, height_ratios=(3, 2), sharex=True)
    xs = list(range(1, len(points) + 1))
    _scores(scores, xs, points)
    _delivery(delivery, xs, points)
    delivery.set_xticks(xs, [f"#{x}\n{p.day:%d %b}" for x, p in zip(xs, points, strict=True)])
    delivery.set_xlabel("Interview")
    buffer = BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _scores(ax: Axes, xs: list[int], points: list[SessionPoint]) -> None:
    for dim in RUBRIC:
        ys = [as_percent(p.dimensions[dim.id]) if dim.id in p.dimensions else None for p in points]
        if any(y is not None for y in ys):
            ax.plot(xs, _gaps(ys), marker=".", linewidth=1, alpha=0.6, label=title(dim.id))
    ax.plot(
        xs, [p.overall for p in points], marker="o", linewidth=2.5, color="black", label="Overall"
    )
    ax.set_ylim(0, 100)
    ax.set_ylabel("Score (0-100)")
    ax.set_title("Interview scores")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize="small", frameon=False)


def _delivery(axes: Axes, xs: list[int], points: list[SessionPoint]) -> None:
    pace = [p.words_per_minute for p in points]
    fillers = [p.fillers_per_minute for p in points]
    if not any(v is not None for v in pace):
        note = "No voice answers yet: pace and fillers appear here"
        axes.text(0.5, 0.5, note, ha="center", va="center", transform=axes.transAxes)
        axes.set_yticks([])
        return
    low, high = PACE_RANGE
    axes.axhspan(low, high, color="tab:green", alpha=0.12, label="Comfortable pace")
    axes.plot(xs, _gaps(pace), marker="o", color="tab:blue", label="Words per minute")
    axes.set_ylabel("Words per minute")
    twin = axes.twinx()
    twin.plot(xs, _gaps(fillers), marker="s", color="tab:red", label="Fillers per minute")
    twin.axhline(MAX_FILLERS_PER_MINUTE, color="tab:red", linestyle=":", linewidth=1)
    twin.set_ylabel("Fillers per minute")
    highest = max((v for v in fillers if v is not None), default=0.0)
    twin.set_ylim(0, max(2 * MAX_FILLERS_PER_MINUTE, highest * 1.2))
    axes.margins(y=0.2)
    axes.set_title("Delivery (voice answers)")
    handles = axes.get_legend_handles_labels()
    more = twin.get_legend_handles_labels()
    axes.legend(
        handles[0] + more[0], handles[1] + more[1], loc="upper left", bbox_to_anchor=(1.1, 1.0),
        fontsize="small", frameon=False,
    )  # fmt: skip


def _gaps(values: list[float | None]) -> list[float]:
    """None as NaN, so matplotlib leaves a gap instead of failing."""
    return [float("nan") if v is None else v for v in values]
