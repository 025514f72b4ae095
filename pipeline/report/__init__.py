"""HTML pages to look at results: the evaluation report (`tariffscope report`) and one extracted
document (`tariffscope show`). Each is one self-contained file: charts are inline SVG, the
filter an inline script, and nothing is fetched when it is viewed."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import UserError
from ..jsonl import BadLine, open_binary, parse_lines
from .documents import evaluated_document_html, extracted_document_html, listed_document_html
from .mismatches import by_document, event_confusion, kind_counts, mismatches_of
from .page import SCRIPT, browser_html, compare_html, confusion_html, header_html, html_page, scores_html

__all__ = ["ReportInputs", "document_page", "load_report_inputs", "report_page", "write_document_page", "write_report"]


@dataclass
class ReportInputs:
    evaluation: dict[str, Any]
    gold: list[dict[str, Any]] | None = None  # with predictions: the documents of the error browser
    predictions: list[dict[str, Any]] | None = None
    mismatches: list[dict[str, Any]] | None = None
    other: dict[str, Any] | None = None  # --compare


def read_jsonl(path: str | Path) -> list[dict[str, Any]]:
    records = []
    with open_binary(path) as handle:
        for where, item in parse_lines(handle, str(path)):
            if isinstance(item, BadLine):
                raise UserError(f"{where}: {item.reason}")
            records.append(item)
    return records


def read_evaluation(path: str | Path) -> dict[str, Any]:
    try:
        evaluation = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise UserError(f"{path}: not a JSON report of `tariffscope evaluate --output` ({error})") from error
    if not isinstance(evaluation, dict) or not {"entities", "events"} <= evaluation.keys():
        raise UserError(f"{path}: not a JSON report of `tariffscope evaluate --output` (no entities and events scores)")
    return evaluation


def recorded_path(evaluation_path: Path, recorded: Any) -> Path | None:
    """A path the evaluation recorded (relative to where evaluate ran, or to the report's folder)."""
    if not isinstance(recorded, str):
        return None
    for candidate in (Path(recorded), evaluation_path.parent / recorded):
        if candidate.is_file():
            return candidate
    return None


def load_report_inputs(evaluation_path: str | Path, gold: str | Path | None = None, predictions: str | Path | None = None,
                       errors: str | Path | None = None, compare: str | Path | None = None) -> ReportInputs:
    """The report's inputs; gold, predictions and errors default to the paths the evaluation
    recorded (its "gold", and with `evaluate --predictions/--errors` its "predictions", "errors")."""
    evaluation_path = Path(evaluation_path)
    evaluation = read_evaluation(evaluation_path)
    gold_path = Path(gold) if gold else recorded_path(evaluation_path, evaluation.get("gold"))
    predictions_path = Path(predictions) if predictions else recorded_path(evaluation_path, evaluation.get("predictions"))
    errors_path = Path(errors) if errors else recorded_path(evaluation_path, evaluation.get("errors"))
    inputs = ReportInputs(evaluation, other=read_evaluation(compare) if compare else None)
    if gold_path and predictions_path:
        inputs.gold = read_jsonl(gold_path)
        inputs.predictions = read_jsonl(predictions_path)
    if errors_path:
        inputs.mismatches = read_jsonl(errors_path)
    elif inputs.gold is not None and inputs.predictions is not None:
        # what `evaluate --errors` would have written, by the same scorer
        inputs.mismatches = mismatches_of(inputs.gold, inputs.predictions)
    return inputs


def report_page(inputs: ReportInputs) -> str:
    evaluation = inputs.evaluation
    mismatches = inputs.mismatches or []
    grouped = by_document(mismatches)
    documents: list[str] = []
    if inputs.gold is not None and inputs.predictions is not None:
        predictions = {pred["id"]: pred for pred in inputs.predictions}
        for gold in inputs.gold:
            html = evaluated_document_html(gold, predictions.get(gold["id"]), grouped.get(str(gold["id"]), []))
            documents.append(html)
        counts = kind_counts(mismatches)
        note = (f"{len(documents)} documents; entity mismatches: {counts['entities']['false_positive']} false positives, "
                f"{counts['entities']['false_negative']} false negatives; event mismatches (sentence, label): "
                f"{counts['events']['false_positive']} false positives, {counts['events']['false_negative']} false negatives.")
        confusion = event_confusion(inputs.gold, inputs.predictions)
    else:
        documents = [listed_document_html(doc_id, items) for doc_id, items in grouped.items()]
        note = (f"{len(documents)} documents with mismatches, from the errors file only: give --gold and --predictions "
                "to see the documents." if mismatches else "No documents: give --gold and --predictions (or --errors).")
        confusion = None
    body = "".join((header_html(evaluation), scores_html(evaluation), compare_html(evaluation, inputs.other),
                    confusion_html(confusion), browser_html(documents, note)))
    return html_page(f"tariffscope evaluation: {evaluation.get('model')}", body, SCRIPT)


def write_report(evaluation_path: str | Path, output: str | Path, gold: str | Path | None = None,
                 predictions: str | Path | None = None, errors: str | Path | None = None,
                 compare: str | Path | None = None) -> ReportInputs:
    inputs = load_report_inputs(evaluation_path, gold=gold, predictions=predictions, errors=errors, compare=compare)
    Path(output).write_text(report_page(inputs), encoding="utf-8")
    return inputs


def find_record(path: str | Path, doc_id: str | None) -> dict[str, Any]:
    """The record ``doc_id`` of an output JSONL file, or its first record."""
    with open_binary(path) as handle:
        for where, item in parse_lines(handle, str(path)):
            if isinstance(item, BadLine) or not isinstance(item, dict):
                raise UserError(f"{where}: not an output record of `tariffscope extract`")
            if doc_id is None or str(item.get("id")) == doc_id:
                return item
    raise UserError(f"{path}: no record with id {doc_id!r}" if doc_id else f"{path}: no records")


def input_text(record: dict[str, Any], texts: list[str]) -> str:
    """The text ``record`` was extracted from: its own "text" field, or the record of the same
    id in the inputs given to extract (a .txt file's whole text, date line included, since
    output offsets count from the file's start)."""
    if isinstance(record.get("text"), str):
        return record["text"]
    if not texts:
        raise UserError("output records carry no text: give the extraction's input with --text INPUT")
    from ..extract.inputs import InputRecord, read_inputs

    for item in read_inputs(texts):
        if isinstance(item, InputRecord) and item.id == str(record.get("id")):
            offset = item.extra.get("text_offset", 0)
            if offset:
                with open_binary(item.origin) as handle:
                    return handle.read().decode("utf-8")
            return item.text
    raise UserError(f"no input record with id {record.get('id')!r} in {', '.join(texts)}")


def document_page(record: dict[str, Any], text: str) -> str:
    return html_page(f"tariffscope: {record.get('id')}", extracted_document_html(record, text))


def write_document_page(path: str | Path, output: str | Path | None, doc_id: str | None = None,
                        texts: list[str] | None = None) -> str:
    """Writes the page of one output record to ``output`` (None: returns it only)."""
    record = find_record(path, doc_id)
    page = document_page(record, input_text(record, texts or []))
    if output is not None:
        Path(output).write_text(page, encoding="utf-8")
    return page
