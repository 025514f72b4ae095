"""Score charts as inline SVG (matplotlib, no pyplot: no GUI backend and no global figure state)."""
from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# (report key, legend, colour) of the bars; colour-blind safe Okabe-Ito blue, orange, bluish green.
METRICS: tuple[tuple[str, str, str], ...] = (("precision", "P", "#0072B2"), ("recall", "R", "#E69F00"), ("f1", "F1", "#009E73"))



def label_scores_svg(rows: Mapping[str, Mapping[str, Any]], labels: Sequence[str], title: str) -> str:
    """Horizontal grouped bars of precision, recall and F1 for each of ``labels`` (rows of a
    report's score table, e.g. report["events"]["sentence"]), support beside each label."""
    from matplotlib.figure import Figure

    shown = [label for label in labels if label in rows]
    height = 0.3 * len(shown) + 0.9
    figure = Figure(figsize=(4.8, height), dpi=100, layout="constrained")
    axes = figure.subplots()
    bar = 0.27
    for offset, (metric, legend, color) in enumerate(METRICS):
        positions = [index + (offset - 1) * bar for index in range(len(shown))]
        values = [float(rows[label].get(metric, 0.0)) for label in shown]
        axes.barh(positions, values, height=bar, color=color, label=legend)
        if metric == "f1":  # F1 written out: the figure a reader compares
            for y, value in zip(positions, values):
                axes.text(min(value, 1.0) + 0.01, y, f"{value:.2f}", va="center", fontsize=7)
    axes.set_yticks(range(len(shown)),
                    [f"{label} ({rows[label]['support']})" if "support" in rows[label] else label for label in shown], fontsize=8)
    axes.invert_yaxis()  # the contract's label order, top to bottom
    axes.set_xlim(0, 1.08)
    axes.set_xticks([0, 0.2, 0.4, 0.6, 0.8, 1.0])
    axes.tick_params(axis="x", labelsize=8)
    axes.grid(axis="x", color="#dddddd", linewidth=0.6)
    axes.set_axisbelow(True)
    axes.spines[["top", "right"]].set_visible(False)
    figure.suptitle(title, x=0.02, ha="left", fontsize=9)  # over the whole figure: long titles are not cut
    axes.legend(loc="upper left", fontsize=7, frameon=False, bbox_to_anchor=(1.0, 1.0))  # beside the bars, never on them
    return figure_svg(figure)


def figure_svg(figure: Figure) -> str:
    """``figure`` as an <svg> element to inline in HTML: text stays text (smaller, searchable),
    no XML prolog, no date, and ids unique on the page."""
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "tariffscope"}):
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg"):]
    # matplotlib's ids (clip paths, tick marks) repeat from one figure to the next, and inline
    # SVGs share the page's id space: each chart's ids get a prefix from its content (the same
    # page twice is the same bytes)
    prefix = f"c{hashlib.sha1(svg.encode('utf-8')).hexdigest()[:8]}-"
    svg = re.sub(r'\bid="', f'id="{prefix}', svg)
    svg = re.sub(r"url\(#", f"url(#{prefix}", svg)
    return re.sub(r'href="#', f'href="#{prefix}', svg)
