"""Pick trade-dense White House documents and cut each to its densest trade passage.

Writes corpus/work/selected.jsonl: one record per document with the stored passage text,
its offset in the original text, and the split. The split is decided here once, by a hash of
the document id, and recorded in the data from then on (never recomputed in code).

Run: python corpus/tools/select_documents.py ../shared/data/whitehouse/whitehouse_trade.jsonl
"""
from __future__ import annotations

import hashlib
import json
import re
import sys
from pathlib import Path

TRADE_TERMS = re.compile(
    r"\b(tariffs?|dut(?:y|ies)|levy|levies|imports?|imported|exports?|exported|trade|trading|"
    r"retaliat\w*|reciprocal|agreement|deal|negotiat\w*|percent|steel|aluminum|autos?|"
    r"soybeans?|semiconductors?|lumber|copper|pharmaceutical\w*|surplus|deficit|customs|"
    r"USTR|WTO|quota|exempt\w*|pause\w*|suspend\w*|threat\w*|countermeasures?)\b|%",
    re.IGNORECASE,
)
MAX_WORDS = 850
MIN_WORDS = 120
N_DOCUMENTS = 165


def paragraphs(text: str) -> list[tuple[int, int]]:
    """Paragraph spans split on blank lines."""
    spans = []
    start = 0
    for match in re.finditer(r"\n\s*\n", text):
        if match.start() > start:
            spans.append((start, match.start()))
        start = match.end()
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def is_prose(chunk: str) -> bool:
    words = chunk.split()
    alpha = [w for w in words if re.search(r"[A-Za-z]{2,}", w)]
    return len(words) > 0 and len(alpha) / len(words) >= 0.6


def best_window(text: str, max_words: int = MAX_WORDS) -> tuple[int, int, int, int]:
    """(start, end, trade hits, words) of the densest run of prose paragraphs under max_words."""
    paras = [p for p in paragraphs(text)]
    best = (0, 0, 0, 0)
    for i in range(len(paras)):
        words = hits = 0
        for j in range(i, len(paras)):
            chunk = text[paras[j][0] : paras[j][1]]
            if not is_prose(chunk):
                break
            n = len(chunk.split())
            if words + n > max_words and j > i:
                break
            words += n
            hits += len(TRADE_TERMS.findall(chunk))
            if hits > best[2]:
                best = (paras[i][0], paras[j][1], hits, words)
    return best


def split_for(doc_id: str) -> str:
    bucket = int(hashlib.sha256(doc_id.encode()).hexdigest(), 16) % 100
    return "test" if bucket < 27 else "dev" if bucket < 40 else "train"


def seed_record(path: str) -> dict:
    """The seed article: it opens with " date YYYY-MM-DD " (metadata, not text)."""
    raw = Path(path).read_text(encoding="utf-8")
    header = re.match(r"\s*date\s+(\d{4}-\d{2}-\d{2})\s+", raw)
    assert header is not None
    body = raw[header.end():]
    return {
        "id": "seed-kyodo-2025-05-01", "date": header.group(1), "source": "Kyodo",
        "title": None, "category": "news", "url": None, "passage_offset": header.end(),
        "text": body, "split": "train", "synthetic": False,
    }


def main(
    source: str,
    seed: str = "../shared/data/seed/kyodo-2025-05-01-japan-us-tariff-talks.txt",
    out: str = "corpus/work/selected.jsonl",
) -> None:
    with open(source, encoding="utf-8") as handle:
        docs = [json.loads(line) for line in handle]
    scored = []
    for doc in docs:
        start, end, hits, words = best_window(doc["text"])
        if words < MIN_WORDS:
            continue
        scored.append((hits / words * min(words, 400), doc, start, end, words))
    scored.sort(key=lambda row: -row[0])
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", encoding="utf-8") as handle:
        handle.write(json.dumps(seed_record(seed), ensure_ascii=False) + "\n")
        seen: set[str] = set()
        for _, doc, start, end, _words in scored[:N_DOCUMENTS]:
            if doc["id"] in seen:
                continue  # the source repeats two documents under the same id (other URL)
            seen.add(doc["id"])
            record = {
                "id": doc["id"],
                "date": doc["date"],
                "source": "whitehouse.gov",
                "title": doc["title"],
                "category": doc["category"],
                "url": doc["url"],
                "passage_offset": start,
                "text": doc["text"][start:end],
                "split": split_for(doc["id"]),
                "synthetic": False,
            }
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    print(f"selected {min(N_DOCUMENTS, len(scored))} of {len(docs)} documents -> {out}")


if __name__ == "__main__":
    main(*sys.argv[1:])
