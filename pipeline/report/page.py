"""HTML assembly: one self-contained page (inline CSS, SVG and script; nothing loaded at view time)."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from ..labels import ENTITY_LABELS, EVENT_LABELS
from .charts import label_scores_svg
from .mismatches import KINDS, NO_GOLD_EVENT, EventConfusion

STYLE = """
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 1.2em 2em; color: #1f2328; }
h1 { font-size: 1.5em; margin: 0 0 .2em; } h2 { font-size: 1.2em; margin: 1.4em 0 .5em; border-bottom: 1px solid #ddd; }
h3 { font-size: 1em; margin: 1em 0 .3em; } h4 { margin: 0 0 .3em; font-size: .9em; color: #555; }
.muted { color: #6e7781; font-size: .9em; }
[hidden] { display: none !important; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(400px, 1fr)); gap: .6em 1.5em; }
.charts svg { max-width: 100%; height: auto; }
table { border-collapse: collapse; margin: .4em 0; font-size: .9em; }
th, td { border: 1px solid #d0d7de; padding: .2em .5em; text-align: left; vertical-align: top; }
th { background: #f6f8fa; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.pos { background: #dafbe1; } td.neg { background: #ffebe9; }
.chip { display: inline-block; border-radius: .3em; padding: 0 .35em; margin: .05em 0; font-size: .85em; white-space: nowrap; }
.chip.ok { background: #dafbe1; } .chip.fp { background: #ffcecb; } .chip.fn { background: #fff; outline: 2px solid #cf222e; }
.chip.label { background: #eaeef2; }
.filters { position: sticky; top: 0; background: #fff; padding: .5em 0; border-bottom: 1px solid #ddd; z-index: 1; }
.filters label { margin-right: 1em; }
details.doc { border: 1px solid #d0d7de; border-radius: .4em; margin: .6em 0; padding: .3em .7em; }
details.doc > summary { cursor: pointer; } .counts { font-size: .85em; color: #57606a; margin-left: .6em; }
.sides { display: grid; grid-template-columns: 1fr 1fr; gap: 1em; margin: .5em 0; }
.ents { max-height: 22em; overflow: auto; border: 1px solid #eee; padding: 0 .5em; font-size: .9em; }
.ents.single { max-height: none; }
table.events { width: 100%; } td.sentence { width: 60%; }
ul.mismatches, ul.events-list { margin: .3em 0; padding-left: 1.2em; }
"""

# Applies the label and kind filters to every .item of the error browser; the state lives in the
# URL hash (#label=TARIFF_IMPOSITION&kind=false_positive), so a filtered view can be linked to.
SCRIPT = """
(function () {
  var labelSelect = document.getElementById('filter-label');
  var kindSelect = document.getElementById('filter-kind');
  var counter = document.getElementById('filter-count');
  var docs = Array.prototype.slice.call(document.querySelectorAll('#browser details.doc'));
  function optionValues(select) {
    return Array.prototype.map.call(select.options, function (option) { return option.value; });
  }
  function matches(item, label, kind) {
    if (kind === 'all') {
      return label === 'all' || (' ' + item.getAttribute('data-labels') + ' ').indexOf(' ' + label + ' ') >= 0;
    }
    return (item.getAttribute('data-errors') || '').split(' ').some(function (token) {
      var parts = token.split(':');
      return token !== '' && (kind === 'errors' || parts[0] === kind) && (label === 'all' || parts[1] === label);
    });
  }
  function apply() {
    var label = labelSelect.value, kind = kindSelect.value, shownItems = 0, allItems = 0, shownDocs = 0;
    docs.forEach(function (doc) {
      var shown = 0;
      doc.querySelectorAll('.item').forEach(function (item) {
        var visible = matches(item, label, kind);
        item.hidden = !visible;
        allItems += 1;
        if (visible) { shown += 1; }
      });
      doc.hidden = shown === 0 && !(label === 'all' && kind === 'all');
      shownItems += shown;
      if (!doc.hidden) { shownDocs += 1; }
    });
    counter.textContent = 'showing ' + shownItems + ' of ' + allItems + ' items in ' + shownDocs + ' of ' + docs.length + ' documents';
  }
  function fromHash() {
    var state = {label: 'all', kind: 'all'};
    location.hash.replace(/^#/, '').split('&').forEach(function (pair) {
      var parts = pair.split('=');
      if (parts.length === 2 && parts[0] in state) { state[parts[0]] = decodeURIComponent(parts[1]); }
    });
    labelSelect.value = optionValues(labelSelect).indexOf(state.label) >= 0 ? state.label : 'all';
    kindSelect.value = optionValues(kindSelect).indexOf(state.kind) >= 0 ? state.kind : 'all';
    apply();
  }
  function toHash() {
    history.replaceState(null, '', '#label=' + encodeURIComponent(labelSelect.value) + '&kind=' + encodeURIComponent(kindSelect.value));
    apply();
  }
  labelSelect.addEventListener('change', toHash);
  kindSelect.addEventListener('change', toHash);
  window.addEventListener('hashchange', fromHash);
  fromHash();
  document.body.setAttribute('data-filter-ready', '1');
})();
"""


def html_page(title: str, body: str, script: str = "") -> str:
    script_tag = f"<script>{script}</script>" if script else ""
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><style>{STYLE}</style></head>'
            f"<body>{body}{script_tag}</body></html>\n")


def header_html(evaluation: Mapping[str, Any]) -> str:
    overrides = evaluation.get("overrides") or {}
    settings = f", settings {escape(str(overrides))}" if overrides else ""
    return (f"<h1>Evaluation of {escape(str(evaluation.get('model')))}</h1>"
            f'<p class="muted">on {escape(str(evaluation.get("gold")))}: {evaluation.get("documents")} documents, '
            f"{evaluation.get('sentences')} sentences, {evaluation.get('seconds')} s{settings}. "
            "Entities: strict matching (same span and label); events: sentence level.</p>")


def scopes_of(evaluation: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    """(name, scores) of the whole split, then of each source when the report has them."""
    scopes: list[tuple[str, Mapping[str, Any]]] = [("all", evaluation)]
    return scopes + [(source, scores) for source, scores in (evaluation.get("by_source") or {}).items()]


def scores_html(evaluation: Mapping[str, Any]) -> str:
    """A chart per scope, entities in one row and events in the next, so sources line up."""
    entity_charts, event_charts = [], []
    for name, scores in scopes_of(evaluation):
        size = f"{name} ({scores['documents']:,} documents, {scores['sentences']:,} sentences)"
        entities, events = scores["entities"]["strict"], scores["events"]["sentence"]
        entity_charts.append(label_scores_svg(entities, (*ENTITY_LABELS, "micro"),
                                              f"{size}\nmicro-F1 {entities['micro']['f1']:.3f}"))
        event_charts.append(label_scores_svg(events, (*EVENT_LABELS, "micro"),
                                             f"{size}\nmicro-F1 {events['micro']['f1']:.3f}, macro-F1 {events['macro']['f1']:.3f}"))
    return ('<h2>Scores per label</h2><p class="muted">Precision, recall and F1 of each label (support in brackets), '
            "for all documents and for each source.</p>"
            f'<h3>Entities (strict)</h3><div class="charts">{"".join(entity_charts)}</div>'
            f'<h3>Events (sentence level)</h3><div class="charts">{"".join(event_charts)}</div>')


def confusion_html(confusion: EventConfusion | None) -> str:
    head = ("<h2>Event confusion</h2><p class=\"muted\">For the false positives of each predicted label (rows): "
            "the gold labels their sentences carried (columns), or none. A sentence with two gold labels counts in both.</p>")
    if confusion is None:
        return head + '<p class="muted">Needs the gold and predicted documents (--gold and --predictions).</p>'
    columns = (*EVENT_LABELS, NO_GOLD_EVENT)
    peak = max((count for row in confusion.gold.values() for count in row.values()), default=0) or 1
    rows = []
    for label in EVENT_LABELS:
        cells = []
        for column in columns:
            count = confusion.gold[label][column]
            # shade by count, so the big confusions stand out
            shade = f' style="background: rgba(207, 34, 46, {0.08 + 0.6 * count / peak:.2f})"' if count else ""
            cells.append(f'<td class="num"{shade}>{count or ""}</td>')
        rows.append(f"<tr><th>{label}</th><td class=\"num\">{confusion.false_positives[label]}</td>{''.join(cells)}</tr>")
    header = "".join(f"<th>{column}</th>" for column in columns)
    return f"{head}<table class=\"confusion\"><thead><tr><th>predicted</th><th>false positives</th>{header}</tr></thead>" \
           f"<tbody>{''.join(rows)}</tbody></table>"


def compare_html(evaluation: Mapping[str, Any], other: Mapping[str, Any] | None) -> str:
    """Per-label F1 of this report against ``other``, for the whole split and each source both have."""
    if other is None:
        return ""
    scopes: list[tuple[str, Mapping[str, Any], Mapping[str, Any]]] = [("all", evaluation, other)]
    theirs = other.get("by_source") or {}
    for source, scores in (evaluation.get("by_source") or {}).items():
        if source in theirs:
            scopes.append((source, scores, theirs[source]))
    this_name, other_name = escape(str(evaluation.get("model"))), escape(str(other.get("model")))
    header = "".join(f'<th colspan="3">{escape(name)}</th>' for name, _, _ in scopes)
    subheader = "<th>this</th><th>other</th><th>Δ</th>" * len(scopes)
    rows = []
    tables = (("entities", "strict", (*ENTITY_LABELS, "micro")), ("events", "sentence", (*EVENT_LABELS, "micro", "macro")))
    for kind, level, labels in tables:
        rows.append(f'<tr><th colspan="{1 + 3 * len(scopes)}">{kind} ({level})</th></tr>')
        for label in labels:
            cells = []
            for _, ours, theirs_scores in scopes:
                mine = ours[kind][level].get(label, {}).get("f1")
                them = theirs_scores[kind][level].get(label, {}).get("f1")
                cells.append(f'<td class="num">{_f1(mine)}</td><td class="num">{_f1(them)}</td>{_delta_cell(mine, them)}')
            rows.append(f"<tr><th>{label}</th>{''.join(cells)}</tr>")
    return (f"<h2>Comparison: F1 per label</h2><p class=\"muted\">this: {this_name}; other: {other_name} "
            f"(on {escape(str(other.get('gold')))}). Δ = this − other.</p>"
            f"<table class=\"compare\"><thead><tr><th rowspan=\"2\">label</th>{header}</tr><tr>{subheader}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>")


def _f1(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}"


def _delta_cell(mine: float | None, them: float | None) -> str:
    if mine is None or them is None:
        return '<td class="num"></td>'
    delta = mine - them
    css = " pos" if delta >= 0.005 else " neg" if delta <= -0.005 else ""
    return f'<td class="num{css}">{delta:+.3f}</td>'


def browser_html(documents: Sequence[str], note: str) -> str:
    """The error browser: filters over the documents' items (page SCRIPT)."""
    label_options = "".join(f'<option value="{label}">{label}</option>' for label in (*ENTITY_LABELS, *EVENT_LABELS))
    kind_options = "".join(f'<option value="{kind}">{kind.replace("_", " ")}s</option>' for kind in KINDS)
    return ('<h2>Error browser</h2>'
            f'<p class="muted">{escape(note)} Chips: <span class="chip ok">correct</span> '
            '<span class="chip fp">false positive</span> <span class="chip fn">false negative</span>.</p>'
            '<div class="filters">'
            f'<label>label <select id="filter-label"><option value="all">all labels</option>{label_options}</select></label>'
            '<label>kind <select id="filter-kind"><option value="all">everything</option>'
            f'<option value="errors">errors (FP or FN)</option>{kind_options}</select></label>'
            '<span id="filter-count" class="muted"></span></div>'
            f'<div id="browser">{"".join(documents)}</div>')
