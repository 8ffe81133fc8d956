"""The class report's figures: matplotlib drawings as SVG text to put inline in the page.

matplotlib's object-oriented API (``Figure``, no pyplot) keeps no global state, so figures can
be made from any thread. The SVG is deterministic (no date in its metadata, a fixed salt for
its ids), holds its text as text (``svg.fonttype: none``: smaller, searchable, the page's
font), and each figure's ids get a prefix of their own so that several can share one page.
"""
from __future__ import annotations

import functools
import io
import re

WIDTH = 7.5   # inches: the page's text width at matplotlib's 100 dpi for SVG
_RC = {"svg.hashsalt": "grader-class-report", "svg.fonttype": "none", "font.size": 10,
       "axes.spines.top": False, "axes.spines.right": False}
_IDS = re.compile(r'(\bid="|url\(#|href="#)')


def _styled(draw):
    """Run ``draw`` with the report's matplotlib settings (a context: nothing global changes)."""
    @functools.wraps(draw)
    def styled(*args, **kwargs):
        from matplotlib import rc_context

        with rc_context(_RC):
            return draw(*args, **kwargs)
    return styled


@_styled
def score_histogram(scores: list, maximum: float, prefix: str) -> str:
    """How many students got each score (bars one point wide, or 20 bins for large maxima)."""
    figure, axes = _figure(2.8)
    top = max(maximum, max(scores, default=0.0), 1.0)
    bins = [x for x in range(int(top) + 2)] if top <= 60 else 20
    axes.hist(scores, bins=bins, range=(0, top + 1) if isinstance(bins, int) else None, color="#4a78b5",
              edgecolor="white", align="left" if not isinstance(bins, int) else "mid")
    axes.set_xlabel(f"score (out of {_number(maximum)})")
    axes.set_ylabel("students")
    axes.yaxis.get_major_locator().set_params(integer=True)
    axes.set_xlim(-0.8, top + 0.8)
    return _svg(figure, prefix)


@_styled
def failure_heatmap(functions: list, checks: list, counts: dict, prefix: str) -> str:
    """The share of students failing each function's check, as a grid of cells coloured from
    white (none) to red (all), each with its rate written in it (so no colour bar is needed)."""
    height = 1.2 + 0.42 * len(functions)
    figure, axes = _figure(height)
    grid = [[_rate(counts.get((f, c))) for c in checks] for f in functions]
    shown = [[value if value is not None else float("nan") for value in row] for row in grid]
    # pcolormesh draws each cell as a vector path (imshow would embed a PNG, which the page's
    # Content-Security-Policy rightly refuses to load).
    axes.pcolormesh(shown, cmap="Reds", vmin=0, vmax=1, edgecolors="white", linewidth=2)
    axes.set_xticks([x + 0.5 for x in range(len(checks))], labels=checks)
    axes.set_yticks([y + 0.5 for y in range(len(functions))], labels=functions)
    axes.invert_yaxis()
    axes.tick_params(top=True, labeltop=True, bottom=False, labelbottom=False, length=0)
    for spine in axes.spines.values():
        spine.set_visible(False)
    for y, row in enumerate(grid):
        for x, value in enumerate(row):
            text = "n/a" if value is None else f"{value:.0%}"
            axes.text(x + 0.5, y + 0.5, text, ha="center", va="center", color="white" if (value or 0) > 0.55 else "black")
    return _svg(figure, prefix)


def _rate(count) -> float | None:
    if not count or not count[1]:
        return None
    return count[0] / count[1]


def _figure(height: float):
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH, height), layout="constrained")
    return figure, figure.add_subplot()


def _svg(figure, prefix: str) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    text = buffer.getvalue()
    text = text[text.index("<svg"):]   # the XML declaration and DOCTYPE are not for inline SVG
    return _IDS.sub(lambda m: m.group(1) + prefix + "-", text)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
