"""Documents as HTML: entities through displaCy's entity renderer, events as one row per sentence.

Every row or list item the error browser can filter carries ``data-labels`` (the labels it
shows) and ``data-errors`` ("KIND:LABEL" tokens), which the page's script matches (page.py).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Any

from ..labels import ARGUMENT_ROLES, ENTITY_ATTRIBUTES, ENTITY_LABELS
from ..scoring import assign_to_gold_sentence
from .mismatches import is_event_mismatch

# displaCy colours the labels it knows (PERSON, ORG, ...); ours get theirs here.
ENTITY_COLORS: dict[str, str] = dict(zip(ENTITY_LABELS, ("#aa9cfc", "#7aecec", "#feca74", "#bfe1d9")))
KIND_NAMES: dict[str, str] = {"false_positive": "false positive", "false_negative": "false negative"}
KIND_SHORT: dict[str, str] = {"false_positive": "FP", "false_negative": "FN"}


def entities_html(text: str, entities: Sequence[dict[str, Any]]) -> str:
    """``text`` with ``entities`` ({start, end, label}) marked by displaCy."""
    from spacy import displacy

    # displaCy's manual format wants entities in text order
    ents = sorted(({"start": e["start"], "end": e["end"], "label": e["label"]} for e in entities),
                  key=lambda e: (e["start"], e["end"]))
    return displacy.render({"text": text, "ents": ents, "title": None}, style="ent", manual=True, page=False, jupyter=False,
                           options={"ents": list(ENTITY_LABELS), "colors": ENTITY_COLORS})


@dataclass
class SentenceRow:
    start: int
    end: int
    gold: list[str] = field(default_factory=list)
    predicted: dict[str, float] = field(default_factory=dict)  # label -> highest confidence

    def errors(self) -> list[tuple[str, str]]:
        """(kind, label) pairs, as scoring.score_events counts them for this sentence."""
        gold = set(self.gold)
        return ([("false_positive", label) for label in self.predicted if label not in gold]
                + [("false_negative", label) for label in self.gold if label not in self.predicted])


def sentence_rows(gold: dict[str, Any], prediction: dict[str, Any]) -> list[SentenceRow]:
    """The gold sentences with a gold or predicted event; each predicted event goes to the gold
    sentence the scorer assigns it to."""
    rows = [SentenceRow(s["start"], s["end"], gold=list(s["events"])) for s in gold["sentences"]]
    for event in prediction.get("events", []):
        sentence = event.get("sentence") or {}
        index = assign_to_gold_sentence(gold["sentences"], sentence.get("start", 0), sentence.get("end", 0))
        if index is None:  # outside every gold sentence: not scored, not shown
            continue
        confidence = float(event.get("confidence") or 0.0)
        row = rows[index]
        row.predicted[event["type"]] = max(confidence, row.predicted.get(event["type"], 0.0))
    return [row for row in rows if row.gold or row.predicted]


def filter_attributes(labels: Sequence[str], errors: Sequence[tuple[str, str]]) -> str:
    tokens = " ".join(f"{kind}:{label}" for kind, label in errors)
    return f'data-labels="{escape(" ".join(dict.fromkeys(labels)))}" data-errors="{escape(tokens)}"'


def chip(text: str, css: str, tooltip: str = "") -> str:
    title = f' title="{escape(tooltip)}"' if tooltip else ""
    return f'<span class="chip {css}"{title}>{escape(text)}</span>'


def sentence_text(text: str, start: int, end: int) -> str:
    return escape(" ".join(text[start:end].split()))


def event_rows_html(gold: dict[str, Any], prediction: dict[str, Any]) -> str:
    rows = sentence_rows(gold, prediction)
    if not rows:
        return '<p class="muted">No gold or predicted events.</p>'
    body = []
    for row in rows:
        errors = row.errors()
        gold_chips = " ".join(chip(label, "ok" if label in row.predicted else "fn", "found" if label in row.predicted
                                   else KIND_NAMES["false_negative"]) for label in row.gold)
        predicted_chips = " ".join(chip(f"{label} {confidence:.2f}", "ok" if label in row.gold else "fp",
                                        "correct" if label in row.gold else KIND_NAMES["false_positive"])
                                   for label, confidence in sorted(row.predicted.items(), key=lambda item: -item[1]))
        css = "item has-errors" if errors else "item"
        body.append(f'<tr class="{css}" {filter_attributes([*row.gold, *row.predicted], errors)}>'
                    f'<td class="sentence">{sentence_text(gold["text"], row.start, row.end)}'
                    f' <span class="muted">[{row.start}:{row.end}]</span></td>'
                    f"<td>{gold_chips}</td><td>{predicted_chips}</td></tr>")
    return ('<table class="events"><thead><tr><th>sentence</th><th>gold events</th><th>predicted (confidence)</th></tr>'
            f'</thead><tbody>{"".join(body)}</tbody></table>')


def mismatch_items_html(mismatches: Sequence[dict[str, Any]]) -> str:
    """One list item per mismatch: kind, label, the span and its context."""
    if not mismatches:
        return ""
    items = []
    for mismatch in mismatches:
        kind, label = mismatch["kind"], mismatch["label"]
        context = mismatch.get("context") or mismatch.get("text") or ""
        # scoring marks the span in its context as [[span]]
        shown = escape(" ".join(context.split())).replace("[[", "<b>").replace("]]", "</b>")
        items.append(f'<li class="item has-errors" {filter_attributes([label], [(kind, label)])}>'
                     f'{chip(KIND_SHORT.get(kind, kind), "fp" if kind == "false_positive" else "fn", KIND_NAMES.get(kind, kind))} '
                     f'{chip(label, "label")} <span class="muted">[{mismatch["start"]}:{mismatch["end"]}]</span> {shown}</li>')
    return f'<ul class="mismatches">{"".join(items)}</ul>'


def summary_counts(mismatches: Sequence[dict[str, Any]]) -> str:
    """"entities 2 FP / 1 FN, events 0 FP / 3 FN" for a document's mismatches."""
    parts = []
    for name, events in (("entities", False), ("events", True)):
        kinds = [m["kind"] for m in mismatches if is_event_mismatch(m) == events]
        parts.append(f"{name} {kinds.count('false_positive')} FP / {kinds.count('false_negative')} FN")
    return ", ".join(parts)


def evaluated_document_html(gold: dict[str, Any], prediction: dict[str, Any] | None,
                            mismatches: Sequence[dict[str, Any]]) -> str:
    """One document of the error browser: gold and predicted entities side by side, entity
    mismatches, and each sentence's gold and predicted events."""
    prediction = prediction or {"id": gold["id"], "entities": [], "events": []}
    entity_mismatches = [m for m in mismatches if not is_event_mismatch(m)]
    title = gold.get("title") or ""
    source = gold.get("collection") or gold.get("source") or ""
    return (f'<details class="doc" open data-doc="{escape(str(gold["id"]))}">'
            f'<summary><b>{escape(str(gold["id"]))}</b> <span class="muted">{escape(source)} {escape(title)}</span>'
            f' <span class="counts">{summary_counts(mismatches)}</span></summary>'
            '<div class="sides">'
            f'<div class="side"><h4>gold entities</h4><div class="ents">{entities_html(gold["text"], gold["entities"])}</div></div>'
            f'<div class="side"><h4>predicted entities</h4><div class="ents">'
            f'{entities_html(gold["text"], prediction.get("entities", []))}</div></div></div>'
            f"{mismatch_items_html(entity_mismatches)}"
            f"{event_rows_html(gold, prediction)}</details>")


def listed_document_html(doc_id: str, mismatches: Sequence[dict[str, Any]]) -> str:
    """A document known only from the errors file: its mismatches with their context."""
    return (f'<details class="doc" open data-doc="{escape(doc_id)}"><summary><b>{escape(doc_id)}</b>'
            f' <span class="counts">{summary_counts(mismatches)}</span></summary>{mismatch_items_html(mismatches)}</details>')


def argument_text(arguments: dict[str, Any]) -> str:
    parts = [f"{role}: {', '.join(str(value) for value in arguments[role])}" for role in ARGUMENT_ROLES if arguments.get(role)]
    return escape("; ".join(parts))


def extracted_document_html(record: dict[str, Any], text: str) -> str:
    """An output record of `tariffscope extract` over its input ``text``: entities through
    displaCy with their attributes, and its events sentence by sentence."""
    sentences: dict[tuple[int, int], list[dict[str, Any]]] = {}
    for event in record.get("events", []):
        span = event.get("sentence") or {}
        sentences.setdefault((span.get("start", 0), span.get("end", 0)), []).append(event)
    rows = []
    for (start, end), events in sorted(sentences.items()):
        cells = "".join(f'<li>{chip(event["type"], "label")} {float(event.get("confidence") or 0.0):.2f}'
                        f' <span class="muted">date {escape(str(event.get("date")))}</span>'
                        f' {argument_text(event.get("arguments") or {})}</li>' for event in events)
        rows.append(f'<tr><td class="sentence">{sentence_text(text, start, end)} <span class="muted">[{start}:{end}]</span></td>'
                    f'<td><ul class="events-list">{cells}</ul></td></tr>')
    events_table = ('<table class="events"><thead><tr><th>sentence</th><th>events (confidence, date, arguments)</th></tr></thead>'
                    f'<tbody>{"".join(rows)}</tbody></table>' if rows else '<p class="muted">No events.</p>')
    entity_rows = "".join(
        f'<tr><td>{chip(e["label"], "label")}</td><td>{escape(text[e["start"]:e["end"]])}</td>'
        f'<td class="muted">[{e["start"]}:{e["end"]}]</td>'
        f'<td>{escape("; ".join(f"{name}: {e[name]}" for name in ENTITY_ATTRIBUTES.get(e["label"], ()) if e.get(name) is not None))}'
        "</td></tr>" for e in record.get("entities", []))
    meta = " ".join(f"{name} {escape(str(record[name]))}" for name in ("date", "source") if record.get(name))
    return (f'<h1>{escape(str(record.get("id")))}</h1><p class="muted">{escape(str(record.get("title") or ""))} {meta}</p>'
            f'<h2>Entities</h2><div class="ents single">{entities_html(text, record.get("entities", []))}</div>'
            f'<details><summary>{len(record.get("entities", []))} entities with their attributes</summary>'
            f'<table class="entities"><tbody>{entity_rows}</tbody></table></details>'
            f"<h2>Events</h2>{events_table}")
