"""Synthetic news documents (train only, "synthetic": true): checks, build and the diversity report.

  python corpus/tools/synthetic_news.py check FILE.jsonl
  python corpus/tools/synthetic_news.py build corpus/work/synthetic_news corpus/synthetic/synthetic_news.jsonl
  python corpus/tools/synthetic_news.py report corpus/synthetic/synthetic_news.jsonl [--json OUT]

Writers put one document per line:
  {"id": "S1-001", "genre": "wire", "sentences": [{"text": "...", "events": ["THREAT"]}, ...]}
genre is one of GENRES; a "headline" document has one sentence. Sentences are joined into the
document text (a headline-led genre's first sentence is followed by a blank line). Entities are
not annotated in synthetic documents ("entities": [], "entity_annotation": false): they train
the event classifier only.
"""
from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, "corpus/tools")
from annotation import EVENT_LABELS  # noqa: E402

# "brief": a current-events digest item of 1-3 sentences (encyclopedic, present tense)
GENRES = ("wire", "newspaper", "explainer", "liveblog", "headline", "brief")
# Genres whose first sentence is the story's headline.
HEADLINE_LED = ("wire", "newspaper", "explainer")
WORD = re.compile(r"[a-z]+(?:'[a-z]+)?|\d+")
# Function words, and words of place names: a 3-gram made of these alone ("on u s", "the united
# states") is no phrasing pattern.
FUNCTION_WORDS = set(["a", "an", "the", "of", "on", "in", "at", "to", "for", "from", "by", "with", "and", "or", "but", "as", "is", "are",
                      "was", "were", "be", "been", "has", "have", "had", "it", "its", "this", "that", "these", "those", "their", "his",
                      "her", "he", "she", "they", "we", "you", "i", "not", "no", "will", "would", "could", "should", "may", "might", "can",
                      "said", "says", "s", "u", "k", "uk", "us", "eu", "over", "after", "before", "into", "than", "about", "per", "pct",
                      "percent"])


def place_words() -> set[str]:
    words: set[str] = set()
    path = Path("pipeline/data/countries.tsv")
    for line in path.read_text(encoding="utf-8").splitlines()[1:]:
        for field in line.split("\t"):
            words.update(w for w in WORD.findall(field.lower()) if not w.isdigit())
    return words


def problems_of(document: dict) -> list[str]:
    problems = []
    if document.get("genre") not in GENRES:
        problems.append(f"genre {document.get('genre')!r} not in {GENRES}")
    sentences = document.get("sentences") or []
    if not sentences:
        problems.append("no sentences")
    if document.get("genre") == "headline" and len(sentences) != 1:
        problems.append("a headline document has exactly one sentence")
    if document.get("genre") == "brief" and not 1 <= len(sentences) <= 3:
        problems.append("a brief document has 1-3 sentences")
    for n, sentence in enumerate(sentences):
        text = sentence.get("text", "")
        if not text.strip() or text != text.strip() or "\n" in text:
            problems.append(f"sentence {n}: empty, or surrounding or inner line breaks")
        bad = [e for e in sentence.get("events", []) if e not in EVENT_LABELS]
        if bad:
            problems.append(f"sentence {n}: unknown events {bad}")
    return problems


def to_record(document: dict, origin: str) -> dict:
    text, spans = "", []
    for n, sentence in enumerate(document["sentences"]):
        if n:
            text += "\n\n" if (n == 1 and document["genre"] in HEADLINE_LED) else " "
        start = len(text)
        text += sentence["text"]
        spans.append({"start": start, "end": len(text),
                      "events": [e for e in EVENT_LABELS if e in sentence.get("events", [])]})
    return {"id": f"synthetic-news-{document['id']}", "date": None, "source": "synthetic", "title": None,
            "genre": document["genre"], "origin": origin, "split": "train", "synthetic": True,
            "entity_annotation": False, "text": text, "entities": [], "sentences": spans}


def read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def check(path: str) -> int:
    documents = read(Path(path))
    problems, ids = [], Counter(d.get("id") for d in documents)
    problems += [f"id {i!r} used {c} times" for i, c in ids.items() if c > 1]
    for document in documents:
        problems += [f"{document.get('id')}: {p}" for p in problems_of(document)]
    for problem in problems:
        print(problem)
    records = [to_record(d, Path(path).stem) for d in documents if not problems_of(d)]
    sentences = [s for r in records for s in r["sentences"]]
    labels = Counter(e for s in sentences for e in s["events"])
    print(f"{'OK' if not problems else 'PROBLEMS'}: {len(records)} documents, {len(sentences)} sentences, "
          f"{sum(1 for s in sentences if not s['events'])} without an event, "
          f"{sum(1 for r in records if r['genre'] == 'headline')} headlines")
    print("  " + ", ".join(f"{label} {labels[label]}" for label in EVENT_LABELS))
    return 1 if problems else 0


def build(folder: str, out: str) -> int:
    records, seen_text = [], set()
    for path in sorted(Path(folder).glob("*.jsonl")):
        for document in read(path):
            problems = problems_of(document)
            if problems:
                raise SystemExit(f"{path}: {document.get('id')}: {problems[:3]}")
            record = to_record(document, path.stem)
            if record["text"] in seen_text:
                continue
            seen_text.add(record["text"])
            records.append(record)
    with open(out, "w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    print(f"{len(records)} synthetic documents, {sum(len(r['sentences']) for r in records)} sentences -> {out}")
    return 0


def words(text: str) -> list[str]:
    return WORD.findall(text.lower())


def trigrams(text: str) -> set[tuple[str, ...]]:
    tokens = words(text)
    return set(zip(tokens, tokens[1:], tokens[2:]))


def real_share(gram: tuple[str, ...], label: str, real: list[str], real_events: list[list[str]]) -> float | None:
    """The share of the real corpus sentences of ``label`` that contain ``gram``: how common the
    phrasing is in real text."""
    texts = [t for t, events in zip(real, real_events) if label in events]
    return round(sum(gram in trigrams(t) for t in texts) / len(texts), 3) if texts else None


def report(path: str, *args: str) -> dict:
    """Counts per label, eventless share, distinct 3-grams per label, the most common 3-gram's
    share of each label's sentences, and each sentence's nearest real corpus sentence (3-gram
    Jaccard similarity against every real sentence of the gold and silver files)."""
    records = read(Path(path))
    rows = [(r["text"][s["start"] : s["end"]], s["events"], r["genre"]) for r in records for s in r["sentences"]]
    real, real_events = [], []
    for name in ("train", "dev", "test", "silver", "silver_round3"):
        for d in read(Path("corpus") / f"{name}.jsonl"):
            if not d.get("synthetic"):
                real += [d["text"][s["start"] : s["end"]] for s in d["sentences"]]
                real_events += [s["events"] for s in d["sentences"]]
    real_grams = [trigrams(t) for t in real]
    index: dict[tuple[str, ...], list[int]] = {}
    for i, grams in enumerate(real_grams):
        for gram in grams:
            index.setdefault(gram, []).append(i)
    nearest = []
    for text, _, _ in rows:
        grams = trigrams(text)
        shared: Counter[int] = Counter()
        for gram in grams:
            shared.update(index.get(gram, ()))
        best, best_i = 0.0, None
        for i, n in shared.items():
            score = n / len(grams | real_grams[i])
            if score > best:
                best, best_i = score, i
        nearest.append((best, text, real[best_i] if best_i is not None else None))
    per_label = {}
    plain = FUNCTION_WORDS | place_words()
    for label in EVENT_LABELS:
        texts = [t for t, events, _ in rows if label in events]
        grams: Counter[tuple[str, ...]] = Counter()
        for text in texts:
            grams.update(trigrams(text))
        # the most frequent phrasing: a 3-gram with a content word that is no number or place name
        patterns = [(g, n) for g, n in grams.most_common() if any(w not in plain and not w.isdigit() for w in g)]
        per_label[label] = {"sentences": len(texts), "distinct_trigrams": len(grams),
                            "distinct_trigrams_per_sentence": round(len(grams) / max(len(texts), 1), 2),
                            "top_patterns": [{"trigram": " ".join(g), "share": round(n / len(texts), 3),
                                              "share_in_real_sentences_of_label": real_share(g, label, real, real_events)}
                                             for g, n in patterns[:3]]}
    similarity = sorted(score for score, _, _ in nearest)
    result = {
        "documents": len(records), "sentences": len(rows),
        "genres": dict(Counter(r["genre"] for r in records)),
        "headlines": sum(1 for r in records if r["genre"] == "headline"),
        "without_event": sum(1 for _, events, _ in rows if not events),
        "without_event_share": round(sum(1 for _, events, _ in rows if not events) / len(rows), 3),
        "tariff_imposition_without_retaliation": sum(1 for _, e, _ in rows if "TARIFF_IMPOSITION" in e and "RETALIATION" not in e),
        "threat_without_would_if": sum(1 for t, e, _ in rows
                                       if "THREAT" in e and not (re.search(r"\bwould\b", t) and re.search(r"\bif\b", t))),
        "per_label": per_label,
        "nearest_real_sentence_similarity": {"real_sentences": len(real), "median": similarity[len(similarity) // 2],
                                             "p99": similarity[int(len(similarity) * 0.99)], "max": similarity[-1]},
        "most_similar_pairs": [{"similarity": round(s, 3), "synthetic": t, "real": r} for s, t, r in sorted(nearest, reverse=True)[:5]],
    }
    text = json.dumps(result, indent=2, ensure_ascii=False)
    if "--json" in args:
        Path(args[args.index("--json") + 1]).write_text(text + "\n", encoding="utf-8")
    print(text)
    return result


if __name__ == "__main__":
    command, *rest = sys.argv[1:]
    result = {"check": check, "build": build, "report": report}[command](*rest)
    sys.exit(result if isinstance(result, int) else 0)
