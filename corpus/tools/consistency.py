"""Consistency report for adjudication, and the A/B diff of doubly annotated documents.

  python corpus/tools/consistency.py report DIR OUT.txt      # same string labelled differently
  python corpus/tools/consistency.py diff DIR_A DIR_B OUT.txt  # sentence-by-sentence A/B differences
"""
from __future__ import annotations

import json
import re
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, ".")
sys.path.insert(0, "corpus/tools")
from annotation import load_segmented, to_gold  # noqa: E402


def load_dir(folder: str) -> list[dict]:
    records = load_segmented()
    out = []
    for path in sorted(Path(folder).glob("*.json")):
        annotation = json.loads(path.read_text(encoding="utf-8"))
        out.append(to_gold(records[annotation["id"]], annotation)[0])
    return out


def report(folder: str, out: str) -> None:
    docs = load_dir(folder)
    labels_of: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for doc in docs:
        for e in doc["entities"]:
            labels_of[" ".join(doc["text"][e["start"]:e["end"]].split()).lower()][e["label"]] += 1
    lines = []
    for doc in docs:
        text = doc["text"]
        tagged = {(e["start"], e["end"]) for e in doc["entities"]}
        covered = [(e["start"], e["end"]) for e in doc["entities"]]
        for n, sentence in enumerate(doc["sentences"]):
            s, t = sentence["start"], sentence["end"]
            for string, counts in labels_of.items():
                if sum(counts.values()) < 2 or len(string) < 3:
                    continue
                pattern = re.compile(r"(?<!\w)" + r"\s+".join(map(re.escape, string.split())) + r"(?!\w)", re.I)
                for m in pattern.finditer(text, s, t):
                    a, b = m.start(), m.end()
                    if (a, b) in tagged or any(x <= a and b <= y for x, y in covered):
                        continue
                    if "http" in text[max(s, a - 40):a]:
                        continue
                    lines.append(f"{doc['id']}\t[{n}]\tuntagged {m.group(0)!r} (tagged {dict(counts)} elsewhere)")
        for e in doc["entities"]:
            string = " ".join(text[e["start"]:e["end"]].split()).lower()
            counts = labels_of[string]
            if len(counts) > 1:
                lines.append(f"{doc['id']}\t-\t{string!r} labelled {e['label']} here, elsewhere {dict(counts)}")
    Path(out).write_text("\n".join(sorted(set(lines))) + "\n", encoding="utf-8")
    print(f"{len(set(lines))} report lines -> {out}")


def diff(dir_a: str, dir_b: str, out: str) -> None:
    docs_b = {d["id"]: d for d in load_dir(dir_b)}
    lines = []
    for doc in load_dir(dir_a):
        other = docs_b.get(doc["id"])
        if other is None:
            continue
        text = doc["text"]
        for n, (sa, sb) in enumerate(zip(doc["sentences"], other["sentences"])):
            ea = {(e["start"], e["end"], e["label"]) for e in doc["entities"] if sa["start"] <= e["start"] < sa["end"]}
            eb = {(e["start"], e["end"], e["label"]) for e in other["entities"] if sb["start"] <= e["start"] < sb["end"]}
            if sa["events"] != sb["events"] or ea != eb:
                lines.append(f"== {doc['id']} [{n}] {' '.join(text[sa['start']:sa['end']].split())}")
                if sa["events"] != sb["events"]:
                    lines.append(f"   events A={sa['events']} B={sb['events']}")
                for s, t, label in sorted(ea - eb):
                    lines.append(f"   entity only A: {label} {text[s:t]!r}")
                for s, t, label in sorted(eb - ea):
                    lines.append(f"   entity only B: {label} {text[s:t]!r}")
    Path(out).write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{sum(line.startswith('==') for line in lines)} differing sentences -> {out}")


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    {"report": report, "diff": diff}[command](*args)
