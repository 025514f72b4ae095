"""Re-reading existing gold sentences under amended LABELS.md section 5 rules.

  python corpus/tools/relabel.py candidates    # -> corpus/work/relabel/candidates.jsonl + tasks/RL*.txt
  python corpus/tools/relabel.py check FILE.jsonl
  python corpus/tools/relabel.py counts         # sentences changed, per rule

Candidates are the sentences an amended rule (V2, V3, V4, V7, V9, V10, V12, V14, V15) could
change, found by the cues below; a reviewer reads each one and writes its events under the
current rules, naming the rule behind any change. build_corpus.py applies the decisions
(corpus/work/relabel/decisions/*.jsonl) on top of the adjudicated annotations.
"""
from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, "corpus/tools")
from annotation import EVENT_LABELS  # noqa: E402

RELABEL = Path("corpus/work/relabel")
DECISIONS = RELABEL / "decisions"
FILES = ("train", "dev", "test", "silver", "silver_round3")
AMENDED_RULES = ("V2", "V3", "V4", "V7", "V9", "V10", "V12", "V13", "V14", "V15")
FLOW = re.compile(r"\b(imports?|exports?|trade (?:deficit|surplus|balance|gap)|shipments|purchases)\b.{0,80}"
                  r"\b(rose|risen|fell|fallen|grew|grown|surged|declined|increased|decreased|jumped|slumped|dropped|"
                  r"doubled|tripled|widened|narrowed|soared|plunged|expanded|shrank|contracted|climbed|tumbled|"
                  r"grow|rise|fall|increase|decrease|decline|surge|widen|narrow|more than)\b", re.I)
MODE = re.compile(r"\b(not|no|never|if|whether|could|might|may|would|expects?|expected|predict\w*|likely|"
                  r"hope\w*|seek\w*|want\w*|considering)\b|\?", re.I)
AGREEMENT_BACKGROUND = re.compile(r"\b(under (?:the|our|its)|existing|free trade agreement|FTA|USMCA|NAFTA|"
                                  r"ratif\w*|approv\w*|enter(?:ed|s)? into force|in force)\b", re.I)
LEGISLATION = re.compile(r"\b(bill|legislation|Act\b|Congress|Senate|House of Representatives|committee)\b")


def cues(text: str, events: set[str]) -> list[str]:
    """The amended rules a sentence's text and labels point to."""
    rules = []
    if "MEETING" in events:
        rules.append("V2")
    if "reciprocal" in text.lower() or "RETALIATION" in events:
        rules += ["V3", "V4"]
    if "PROPOSAL" in events or re.search(r"\brecommend", text, re.I):
        rules.append("V7")
    if ("AGREEMENT" in events and AGREEMENT_BACKGROUND.search(text)) or (
            not events & {"AGREEMENT"} and re.search(r"\b(ratif\w*|approv\w* the (?:deal|agreement)|entered into force)\b", text, re.I)):
        rules.append("V9")
    if FLOW.search(text) and "TRADE_DATA" not in events:
        rules.append("V10")
    if events and MODE.search(text):
        rules.append("V12")
    if events and LEGISLATION.search(text):
        rules.append("V14")
    if "PAUSE" in events:
        rules.append("V15")
    return rules


def candidates() -> None:
    rows = []
    for name in FILES:
        for line in Path(f"corpus/{name}.jsonl").read_text(encoding="utf-8").splitlines():
            doc = json.loads(line)
            if doc.get("synthetic"):
                continue
            for n, sentence in enumerate(doc["sentences"]):
                text = doc["text"][sentence["start"] : sentence["end"]]
                rules = cues(text, set(sentence["events"]))
                if rules:
                    rows.append({"key": f"{doc['id']}#{n}", "file": name, "text": " ".join(text.split()),
                                 "events": sentence["events"], "cues": rules})
    RELABEL.mkdir(parents=True, exist_ok=True)
    with open(RELABEL / "candidates.jsonl", "w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    tasks = RELABEL / "tasks"
    tasks.mkdir(exist_ok=True)
    parts = 2
    size = -(-len(rows) // parts)
    for part in range(parts):
        lines = [f"{r['key']}\t{','.join(r['events']) or '-'}\t{','.join(r['cues'])}\t{r['text']}"
                 for r in rows[part * size : (part + 1) * size]]
        (tasks / f"RL{part + 1}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(rows)} candidate sentences; cues: {Counter(c for r in rows for c in r['cues'])}")


def load_candidates() -> dict[str, dict]:
    return {r["key"]: r for r in map(json.loads, (RELABEL / "candidates.jsonl").read_text(encoding="utf-8").splitlines())}


def check(path: str) -> int:
    known = load_candidates()
    problems = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines()):
        if not line.strip():
            continue
        row = json.loads(line)
        if row.get("key") not in known:
            problems.append(f"line {n + 1}: unknown key {row.get('key')!r}")
            continue
        bad = [e for e in row.get("events", []) if e not in EVENT_LABELS]
        if bad:
            problems.append(f"{row['key']}: unknown events {bad}")
        changed = set(row.get("events", [])) != set(known[row["key"]]["events"])
        if changed and row.get("rule") not in AMENDED_RULES:
            problems.append(f"{row['key']}: a change needs its rule, one of {AMENDED_RULES}")
    for problem in problems:
        print(problem)
    print(f"{'OK' if not problems else 'PROBLEMS'}")
    return 1 if problems else 0


def decisions() -> dict[str, dict]:
    """Changed sentences by key ("<doc id>#<sentence index>"): new events and the rule."""
    known = load_candidates()
    out = {}
    for path in sorted(DECISIONS.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                if set(row["events"]) != set(known[row["key"]]["events"]):
                    out[row["key"]] = {"events": [e for e in EVENT_LABELS if e in row["events"]], "rule": row["rule"],
                                       "before": known[row["key"]]["events"], "file": known[row["key"]]["file"]}
    return out


def counts() -> None:
    changed = decisions()
    print(f"{len(changed)} sentences changed")
    for (rule, file), n in sorted(Counter((d["rule"], d["file"]) for d in changed.values()).items()):
        print(f"  {rule:5} {file:14} {n}")
    for rule, n in sorted(Counter(d["rule"] for d in changed.values()).items()):
        print(f"  {rule:5} all            {n}")


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    sys.exit({"candidates": candidates, "check": check, "counts": counts}[command](*args) or 0)
