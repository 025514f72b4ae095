"""The HTML report and document page: built from a small fixture (three gold documents and
hand-made predictions, no model), checked as HTML and in headless Chromium.

The browser tests need TARIFFSCOPE_TEST_CHROMIUM, the Chromium binary: `make test` sets it
(scripts/chromium.sh installs Debian's chromium package when it is missing).
"""
from __future__ import annotations

import json
import os
import re
import struct
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.evaluate import grouped_scores
from pipeline.report import load_report_inputs, report_page, write_document_page, write_report
from pipeline.report.mismatches import NO_GOLD_EVENT, event_confusion
from pipeline.scoring import score_entities, score_events


def span(text: str, part: str, label: str) -> dict[str, Any]:
    start = text.index(part)
    return {"start": start, "end": start + len(part), "label": label, "text": part}


def sentences(text: str, events: list[list[str]]) -> list[dict[str, Any]]:
    """Sentences split at ". ", each with its gold events."""
    out, start = [], 0
    for labels in events:
        end = text.find(". ", start)
        end = len(text) if end < 0 else end + 1
        out.append({"start": start, "end": end, "events": labels})
        start = end + 1
    return out


def predicted_event(gold: dict[str, Any], index: int, label: str, confidence: float) -> dict[str, Any]:
    sentence = gold["sentences"][index]
    return {"type": label, "confidence": confidence, "sentence": {"start": sentence["start"], "end": sentence["end"]},
            "date": None, "arguments": {"officials": [], "agencies": [], "countries": [], "rates": [], "commodities": [], "dates": []}}


def fixture_documents() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Gold documents and predictions with one mismatch of each kind that matters:
    a partial official (FP + FN), a missed commodity, TARIFF_IMPOSITION predicted on a
    RETALIATION and on a TRADE_DATA sentence, RELIEF on a PAUSE sentence, MEETING on a
    sentence without events."""
    a = "Treasury Secretary Scott Bessent met Ryosei Akazawa on Thursday. The United States imposed a 25 percent tariff on steel. " \
        "China retaliated with tariffs on soybeans."
    b = "The President paused the tariffs for 90 days. Exports of corn rose 5 percent."
    c = "Officials will meet next week."
    gold = [
        {"id": "news-a", "text": a, "date": "2025-05-01", "collection": "wikipedia",
         "entities": [span(a, "Scott Bessent", "OFFICIAL"), span(a, "Ryosei Akazawa", "OFFICIAL"), span(a, "25 percent", "TARIFF_RATE"),
                      span(a, "steel", "COMMODITY"), span(a, "soybeans", "COMMODITY")],
         "sentences": sentences(a, [["MEETING"], ["TARIFF_IMPOSITION"], ["RETALIATION"]])},
        {"id": "wh-b", "text": b, "date": "2025-04-09", "collection": "whitehouse", "title": "Pause <tariffs>",
         "entities": [span(b, "corn", "COMMODITY")], "sentences": sentences(b, [["PAUSE"], ["TRADE_DATA"]])},
        {"id": "wh-c", "text": c, "date": "2025-04-10", "collection": "whitehouse", "entities": [], "sentences": sentences(c, [[]])},
    ]
    predictions = [
        {"id": "news-a", "entities": [span(a, "Scott Bessent", "OFFICIAL"), span(a, "Akazawa", "OFFICIAL"),
                                      span(a, "25 percent", "TARIFF_RATE"), span(a, "steel", "COMMODITY")],
         "events": [predicted_event(gold[0], 0, "MEETING", 0.91), predicted_event(gold[0], 1, "TARIFF_IMPOSITION", 0.88),
                    predicted_event(gold[0], 2, "TARIFF_IMPOSITION", 0.7)]},
        {"id": "wh-b", "entities": [span(b, "corn", "COMMODITY")],
         "events": [predicted_event(gold[1], 0, "PAUSE", 0.95), predicted_event(gold[1], 0, "RELIEF", 0.6),
                    predicted_event(gold[1], 1, "TARIFF_IMPOSITION", 0.55)]},
        {"id": "wh-c", "entities": [], "events": [predicted_event(gold[2], 0, "MEETING", 0.52)]},
    ]
    return gold, predictions


def evaluation_of(gold: list[dict[str, Any]], predictions: list[dict[str, Any]], model: str) -> dict[str, Any]:
    """The JSON report `tariffscope evaluate --by source` writes, from the same scorer."""
    return {"gold": "gold.jsonl", "model": model, "overrides": {}, "documents": len(gold),
            "sentences": sum(len(doc["sentences"]) for doc in gold), "seconds": 0.0,
            "entities": score_entities(gold, predictions).report(), "events": score_events(gold, predictions).report(),
            "by_source": grouped_scores(gold, predictions), "predictions": "predictions.jsonl"}


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")


@pytest.fixture()
def report_files(tmp_path: Path) -> Path:
    """gold.jsonl, predictions.jsonl, eval.json (recording both, as `evaluate --predictions`
    does) and baseline.json (no events predicted) in one folder."""
    gold, predictions = fixture_documents()
    write_jsonl(tmp_path / "gold.jsonl", gold)
    write_jsonl(tmp_path / "predictions.jsonl", predictions)
    (tmp_path / "eval.json").write_text(json.dumps(evaluation_of(gold, predictions, "fixture-model")), encoding="utf-8")
    no_events = [{**pred, "events": []} for pred in predictions]
    (tmp_path / "baseline.json").write_text(json.dumps(evaluation_of(gold, no_events, "fixture-baseline")), encoding="utf-8")
    return tmp_path


@pytest.fixture()
def report_html(report_files: Path) -> Path:
    output = report_files / "report.html"
    write_report(report_files / "eval.json", output, compare=report_files / "baseline.json")
    return output


def test_the_confusion_counts_false_positives_by_the_gold_labels_of_their_sentence():
    gold, predictions = fixture_documents()
    confusion = event_confusion(gold, predictions)
    assert confusion.false_positives == {"TARIFF_IMPOSITION": 2, "RELIEF": 1, "MEETING": 1}
    assert confusion.gold["TARIFF_IMPOSITION"] == {"RETALIATION": 1, "TRADE_DATA": 1}
    assert confusion.gold["RELIEF"] == {"PAUSE": 1}
    assert confusion.gold["MEETING"] == {NO_GOLD_EVENT: 1}
    # the same false positives as the scorer's
    events = score_events(gold, predictions).report()["sentence"]
    for label, count in confusion.false_positives.items():
        tp = round(events[label]["precision"] * events[label]["predicted"])
        assert events[label]["predicted"] - tp == count


def test_the_report_is_one_self_contained_page(report_html: Path):
    html = report_html.read_text(encoding="utf-8")
    assert html.count("<svg") == 6  # entities and events for all, wikipedia and whitehouse
    assert not re.search(r"<script[^>]*\bsrc=|<link\b|<img\b|@import|url\((?!#)", html), "nothing may be fetched at view time"
    assert 'class="entities"' in html  # displaCy's entity renderer
    assert "Pause &lt;tariffs&gt;" in html  # text is escaped
    assert "Comparison: F1 per label" in html and "fixture-baseline" in html
    assert html.count('<details class="doc"') == 3
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), "the inline charts' ids must not collide"


def test_the_same_inputs_give_the_same_page(report_files: Path):
    assert report_page(load_report_inputs(report_files / "eval.json")) == report_page(load_report_inputs(report_files / "eval.json"))


def test_the_compare_table_shows_f1_differences(report_files: Path):
    inputs = load_report_inputs(report_files / "eval.json", compare=report_files / "baseline.json")
    html = report_page(inputs)
    table = html[html.index('<table class="compare">'):]
    table = table[: table.index("</table>")]
    ours = inputs.evaluation["events"]["sentence"]["MEETING"]["f1"]
    assert ours > 0 and f'<td class="num pos">{ours:+.3f}</td>' in table  # the baseline predicts no events: F1 0
    assert f"<th>OFFICIAL</th><td class=\"num\">{inputs.evaluation['entities']['strict']['OFFICIAL']['f1']:.3f}" in table


def test_without_documents_the_errors_file_is_listed(report_files: Path, tmp_path: Path):
    evaluation = json.loads((report_files / "eval.json").read_text(encoding="utf-8"))
    del evaluation["predictions"]
    (tmp_path / "bare.json").write_text(json.dumps(evaluation), encoding="utf-8")
    gold, predictions = fixture_documents()
    errors = [{"kind": m.kind, "doc_id": m.doc_id, "label": m.label, "start": m.start, "end": m.end, "text": m.text, "context": m.context}
              for m in score_entities(gold, predictions).errors]
    write_jsonl(tmp_path / "errors.jsonl", errors)
    html = report_page(load_report_inputs(tmp_path / "bare.json", errors=tmp_path / "errors.jsonl"))
    assert "from the errors file only" in html and "<b>Akazawa</b>" in html
    assert "Needs the gold and predicted documents" in html


def test_the_cli_writes_report_and_document_pages(report_files: Path, tmp_path: Path):
    runner = CliRunner()
    result = runner.invoke(app, ["report", str(report_files / "eval.json"), "-o", str(tmp_path / "r.html"),
                                 "--compare", str(report_files / "baseline.json")])
    assert result.exit_code == 0, result.output
    assert "Error browser" in (tmp_path / "r.html").read_text(encoding="utf-8")
    result = runner.invoke(app, ["show", str(report_files / "gold.jsonl"), "--id", "wh-b"])  # gold records carry their text
    assert result.exit_code == 0, result.output
    assert "Exports of" in result.stdout and "corn" in result.stdout


def test_evaluate_records_its_predictions_for_the_report(tmp_path: Path):
    """`evaluate --predictions` (here with the base pipeline, baseline:naive) keeps the report's
    keys, adds the paths, and `report` finds the documents through them."""
    gold, _ = fixture_documents()
    write_jsonl(tmp_path / "gold.jsonl", gold)
    runner = CliRunner()
    result = runner.invoke(app, ["evaluate", str(tmp_path / "gold.jsonl"), "--model", "baseline:naive",
                                 "--output", str(tmp_path / "eval.json"), "--errors", str(tmp_path / "errors.jsonl"),
                                 "--predictions", str(tmp_path / "predictions.jsonl")])
    assert result.exit_code == 0, result.output
    evaluation = json.loads((tmp_path / "eval.json").read_text(encoding="utf-8"))
    assert list(evaluation) == ["gold", "model", "overrides", "documents", "sentences", "seconds", "entities", "events",
                                "errors", "predictions"]
    records = [json.loads(line) for line in (tmp_path / "predictions.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [record["id"] for record in records] == ["news-a", "wh-b", "wh-c"]
    result = runner.invoke(app, ["report", str(tmp_path / "eval.json"), "-o", str(tmp_path / "report.html")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "report.html").read_text(encoding="utf-8").count('<details class="doc"') == 3


def test_show_renders_an_extracted_record_over_its_txt_input(tmp_path: Path):
    text = "date 2025-05-01\nTreasury Secretary Scott Bessent met Ryosei Akazawa."
    (tmp_path / "inputs").mkdir()
    (tmp_path / "inputs" / "story.txt").write_text(text, encoding="utf-8")
    gold = {"text": text, "sentences": [{"start": 16, "end": len(text), "events": []}]}
    record = {"id": "story", "date": "2025-05-01", "title": None, "source": None,
              "entities": [{**span(text, "Scott Bessent", "OFFICIAL"), "canonical": "Scott Bessent", "country": "US"}],
              "events": [{**predicted_event(gold, 0, "MEETING", 0.93), "arguments": {"officials": ["Scott Bessent"]}}]}
    write_jsonl(tmp_path / "out.jsonl", [record])
    page = write_document_page(tmp_path / "out.jsonl", tmp_path / "doc.html", texts=[str(tmp_path / "inputs")])
    # output offsets count from the start of the file, date line included
    assert re.search(r"Scott Bessent\s*<span[^>]*>OFFICIAL</span>", page)
    assert "MEETING" in page and "0.93" in page and "officials: Scott Bessent" in page and "country: US" in page


# --- in the browser -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium() -> str:
    binary = os.environ.get("TARIFFSCOPE_TEST_CHROMIUM", "")
    if not binary:
        pytest.skip("TARIFFSCOPE_TEST_CHROMIUM is unset: run `make test`, which installs chromium (scripts/chromium.sh) and sets it")
    if not (Path(binary).is_file() and os.access(binary, os.X_OK)):
        pytest.fail(f"TARIFFSCOPE_TEST_CHROMIUM={binary} is not an executable file")
    return binary


def run_chromium(chromium: str, profile: Path, url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Headless Chromium on ``url``; console messages go to stderr (--enable-logging)."""
    command = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
               "--disable-extensions", "--hide-scrollbars", f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0",
               *args, url]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)


def console_messages(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


class BrowserItems(HTMLParser):
    """The error browser's documents and items in a DOM dump: (doc id, hidden) and
    (doc id, data-labels, data-errors, hidden)."""

    def __init__(self) -> None:
        super().__init__()
        self.docs: list[tuple[str, bool]] = []
        self.items: list[tuple[str, set[str], set[str], bool]] = []
        self.attributes: dict[str, str | None] = {}
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append(tag if attributes.get("id") != "browser" else "#browser")
        classes = (attributes.get("class") or "").split()
        if "doc" in classes:
            self.docs.append((attributes.get("data-doc") or "", "hidden" in attributes))
        elif "item" in classes:
            self.items.append((self.docs[-1][0], set((attributes.get("data-labels") or "").split()),
                               set((attributes.get("data-errors") or "").split()), "hidden" in attributes))
        elif tag == "body":
            self.attributes = attributes


def dump_dom(chromium: str, profile: Path, page: Path, fragment: str = "") -> BrowserItems:
    result = run_chromium(chromium, profile, page.as_uri() + fragment, "--dump-dom")
    assert console_messages(result.stderr) == [], "the page logged to the console"
    parsed = BrowserItems()
    parsed.feed(result.stdout)
    assert parsed.attributes.get("data-filter-ready") == "1", "the filter script did not run to its end"
    return parsed


def test_console_errors_are_caught(chromium: str, tmp_path: Path):
    """The check the other browser tests rely on: an uncaught error reaches stderr."""
    page = tmp_path / "broken.html"
    page.write_text("<!DOCTYPE html><html><body><script>notDefined();</script></body></html>", encoding="utf-8")
    result = run_chromium(chromium, tmp_path / "profile", page.as_uri(), "--dump-dom")
    assert any("Uncaught ReferenceError" in line for line in console_messages(result.stderr))


def test_the_report_loads_in_chromium_and_its_filter_works(chromium: str, report_html: Path, tmp_path: Path):
    profile = tmp_path / "profile"
    everything = dump_dom(chromium, profile, report_html)
    assert everything.tags.count("svg") == 6 and "#browser" in everything.tags  # the charts and the error browser
    assert [doc for doc, _ in everything.docs] == ["news-a", "wh-b", "wh-c"]
    assert everything.items and not any(hidden for *_, hidden in everything.items)
    assert not any(hidden for _, hidden in everything.docs)

    # a label: only the items showing it stay
    by_label = dump_dom(chromium, profile, report_html, "#label=TARIFF_IMPOSITION")
    matching = {(doc, hidden) for doc, labels, _, hidden in by_label.items if "TARIFF_IMPOSITION" in labels}
    assert matching == {("news-a", False), ("wh-b", False)}
    assert all(hidden for _, labels, _, hidden in by_label.items if "TARIFF_IMPOSITION" not in labels)
    assert dict(by_label.docs) == {"news-a": False, "wh-b": False, "wh-c": True}

    # a label and an error kind
    fp = dump_dom(chromium, profile, report_html, "#label=TARIFF_IMPOSITION&kind=false_positive")
    shown = [(doc, errors) for doc, _, errors, hidden in fp.items if not hidden]
    assert [doc for doc, _ in shown] == ["news-a", "wh-b"]
    assert all("false_positive:TARIFF_IMPOSITION" in errors for _, errors in shown)
    assert all("false_positive:TARIFF_IMPOSITION" not in errors for _, _, errors, hidden in fp.items if hidden)

    fn = dump_dom(chromium, profile, report_html, "#label=COMMODITY&kind=false_negative")
    assert [(doc, errors) for doc, _, errors, hidden in fn.items if not hidden] == [("news-a", {"false_negative:COMMODITY"})]
    assert dict(fn.docs) == {"news-a": False, "wh-b": True, "wh-c": True}


def test_a_screenshot_of_the_report(chromium: str, report_html: Path, tmp_path: Path):
    screenshot = tmp_path / "report.png"
    result = run_chromium(chromium, tmp_path / "profile", report_html.as_uri(), f"--screenshot={screenshot}", "--window-size=1400,2000")
    assert console_messages(result.stderr) == []
    data = screenshot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", data[16:24]) == (1400, 2000)  # IHDR width, height
    assert len(data) > 30_000, "the screenshot looks blank"
