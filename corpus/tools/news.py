"""News-register and report documents (Wikipedia current-events items, CRS reports, USTR press
releases): segmentation into annotator task files, the week-based split, checks and builds.

  python corpus/tools/news.py segment          # ../shared/data -> corpus/work/news/segmented.jsonl + tasks/
  python corpus/tools/news.py check FILE.jsonl  # validate one annotator file (one JSON line per document)
  python corpus/tools/news.py build PASS_DIR OUT.jsonl
  python corpus/tools/news.py agreement PASS_A PASS_B [--json OUT]   # before adjudication
  python corpus/tools/news.py diff PASS_A PASS_B                    # -> adjudication task files
  python corpus/tools/news.py check-adjudication FILE.jsonl TASK.txt
  python corpus/tools/news.py adjudicate PASS_A PASS_B               # A + decisions -> final/

Annotator files hold one line per document in the format of annotation.py
({"id": ..., "sentences": [{"n": 0, "events": [...], "entities": [...]}, ...]}).

Wikipedia items are split once, by the ISO week of the item's date, so that one story's items
stay together: weeks are taken in the order of a hash of their key and each goes to the split
furthest below its share of items (test 40%, dev 20%, train 40%). CRS and USTR documents are
train only.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import sys
from pathlib import Path

sys.path.insert(0, "corpus/tools")
from annotation import to_gold  # noqa: E402

SHARED = Path("../shared/data")
NEWS_WORK = Path("corpus/work/news")
SEGMENTED = NEWS_WORK / "segmented.jsonl"
WIKIPEDIA = SHARED / "wikipedia" / "current_events_trade.jsonl"
REPORTS = (SHARED / "crs" / "crs_trade_reports.jsonl", SHARED / "ustr" / "ustr_press_2019.jsonl")
SPLIT_SHARES = {"test": 0.4, "dev": 0.2, "train": 0.4}
# Items per Wikipedia task file: every pass annotates the same chunks.
WIKIPEDIA_CHUNKS = 3


def iso_week(date: str) -> str:
    year, week, _ = dt.date.fromisoformat(date).isocalendar()
    return f"{year}-W{week:02d}"


def week_splits(records: list[dict]) -> dict[str, str]:
    """Split of each ISO week: weeks in hash order, each to the split most below its share."""
    items_per_week: dict[str, int] = {}
    for record in records:
        week = iso_week(record["date"])
        items_per_week[week] = items_per_week.get(week, 0) + 1
    order = sorted(items_per_week, key=lambda w: hashlib.sha1(w.encode()).hexdigest())
    assigned = {split: 0 for split in SPLIT_SHARES}
    splits: dict[str, str] = {}
    for _number, week in enumerate(order):
        total = sum(assigned.values()) + items_per_week[week]
        split = max(SPLIT_SHARES, key=lambda s: SPLIT_SHARES[s] * total - assigned[s])
        splits[week] = split
        assigned[split] += items_per_week[week]
    return splits


def segment() -> None:
    sys.path.insert(0, ".")
    from pipeline.sentences import sentence_spans_for_text

    wikipedia = [json.loads(line) for line in WIKIPEDIA.read_text(encoding="utf-8").splitlines() if line.strip()]
    splits = week_splits(wikipedia)
    for record in wikipedia:
        record["split"] = splits[iso_week(record["date"])]
        record["iso_week"] = iso_week(record["date"])
        record["synthetic"] = False
    reports = []
    for path in REPORTS:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                record.update(split="train", synthetic=False)
                reports.append(record)
    tasks = NEWS_WORK / "tasks"
    tasks.mkdir(parents=True, exist_ok=True)
    segmented = []
    for record in wikipedia + reports:
        spans = sentence_spans_for_text(record["text"])
        record["sentences"] = [{"start": s, "end": e} for s, e in spans]
        segmented.append(record)
    with open(SEGMENTED, "w", encoding="utf-8") as handle:
        for record in segmented:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    chunk = -(-len(wikipedia) // WIKIPEDIA_CHUNKS)
    for number in range(WIKIPEDIA_CHUNKS):
        write_task(tasks / f"W{number + 1}.txt", segmented[number * chunk : (number + 1) * chunk])
    crs = [r for r in segmented if r["id"].startswith("crs-")]
    ustr = [r for r in segmented if r["id"].startswith("ustr-")]
    half = len(crs) // 2
    write_task(tasks / "R1.txt", crs[:half])
    write_task(tasks / "R2.txt", crs[half:] + ustr)
    counts = {s: sum(1 for r in wikipedia if r["split"] == s) for s in SPLIT_SHARES}
    print(f"{len(segmented)} documents, {sum(len(r['sentences']) for r in segmented)} sentences; "
          f"Wikipedia items per split {counts}; tasks in {tasks}")


def write_task(path: Path, records: list[dict]) -> None:
    lines = []
    for record in records:
        lines.append(f"## {record['id']} | {record['date']} | {record.get('title') or ''}")
        for n, span in enumerate(record["sentences"]):
            lines.append(f"[{n}] " + " ".join(record["text"][span["start"] : span["end"]].split()))
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")


def task_ids(path: Path) -> list[str]:
    return [line[3:].split(" | ")[0] for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("## ")]


def load_segmented() -> dict[str, dict]:
    return {r["id"]: r for r in map(json.loads, SEGMENTED.read_text(encoding="utf-8").splitlines())}


def read_annotations(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def check(path: str, task: str | None = None) -> int:
    """Problems of one annotator file; with a task file, also the task's documents it lacks."""
    records = load_segmented()
    problems: list[str] = []
    annotations = read_annotations(Path(path))
    seen = set()
    for annotation in annotations:
        doc_id = annotation.get("id")
        if doc_id not in records:
            problems.append(f"unknown document id {doc_id!r}")
            continue
        if doc_id in seen:
            problems.append(f"{doc_id}: annotated twice")
        seen.add(doc_id)
        _, issues = to_gold(records[doc_id], annotation)
        problems += [f"{doc_id}: {p}" for p in issues]
    if task:
        missing = [doc_id for doc_id in task_ids(Path(task)) if doc_id not in seen]
        if missing:
            problems.append(f"{len(missing)} documents of the task not yet annotated, first: {missing[:3]}")
    return report_problems(problems, f"{len(seen)} documents")


def report_problems(problems: list[str], summary: str) -> int:
    """Print a check's problems and its verdict line; the exit status (1 when any)."""
    for problem in problems:
        print(problem)
    print(f"{'OK' if not problems else 'PROBLEMS'}: {summary}")
    return 1 if problems else 0


def gold_records(pass_dir: str | Path) -> dict[str, dict]:
    """Gold records of every annotator file (*.jsonl) in a pass folder, by id."""
    records = load_segmented()
    out: dict[str, dict] = {}
    for path in sorted(Path(pass_dir).glob("*.jsonl")):
        for annotation in read_annotations(path):
            gold, problems = to_gold(records[annotation["id"]], annotation)
            if problems:
                raise SystemExit(f"{path}: {annotation['id']}: {problems[:3]}")
            out[gold["id"]] = gold
    return out


def build(pass_dir: str, out: str) -> int:
    golds = gold_records(pass_dir)
    order = list(load_segmented())
    with open(out, "w", encoding="utf-8") as handle:
        for doc_id in order:
            if doc_id in golds:
                handle.write(json.dumps(golds[doc_id], ensure_ascii=False) + "\n")
    print(f"{len(golds)} documents -> {out}")
    return 0


ADJUDICATION = NEWS_WORK / "adjudication"
FINAL = NEWS_WORK / "final"
ADJUDICATION_TASKS = 2


def annotations_by_id(pass_dir: str | Path) -> dict[str, dict]:
    return {a["id"]: a for path in sorted(Path(pass_dir).glob("*.jsonl")) for a in read_annotations(path)}


def sentence_view(record: dict, gold: dict, n: int) -> tuple[tuple[str, ...], tuple[tuple[str, str, int], ...]]:
    """A sentence's events and entities (label, text, offset in the sentence) from a gold record."""
    span = record["sentences"][n]
    entities = tuple((e["label"], record["text"][e["start"] : e["end"]], e["start"] - span["start"])
                     for e in gold["entities"] if span["start"] <= e["start"] < span["end"])
    return tuple(gold["sentences"][n]["events"]), entities


def agreement(dir_a: str, dir_b: str, *args: str) -> dict:
    """Entity strict F1 and sentence event F1 of pass B against pass A (F1 is symmetric)."""
    sys.path.insert(0, ".")
    from pipeline.scoring import gold_as_prediction, score_entities, score_events

    a, b = gold_records(dir_a), gold_records(dir_b)
    ids = sorted(set(a) & set(b))
    gold_a, gold_b = [a[i] for i in ids], [b[i] for i in ids]
    entities = score_entities(gold_a, [gold_as_prediction(g) for g in gold_b]).report()
    events = score_events(gold_a, [gold_as_prediction(g) for g in gold_b]).report()
    sentences = sum(len(g["sentences"]) for g in gold_a)
    same = sum(1 for x, y in zip(gold_a, gold_b) for s, t in zip(x["sentences"], y["sentences"]) if s["events"] == t["events"])
    result = {"documents": len(ids), "sentences": sentences, "sentences_with_identical_events": same,
              "entities_strict": entities["strict"], "events_sentence": events["sentence"]}
    print(f"{len(ids)} documents, {sentences} sentences, identical event sets {same / sentences:.3f}")
    for name in ("entities_strict", "events_sentence"):
        print(name)
        for label, row in result[name].items():
            extra = f"  (A {row['support']}, B {row['predicted']})" if "support" in row else ""
            print(f"  {label:18} F1 {row['f1']:.3f}{extra}")
    if "--json" in args:
        Path(args[args.index("--json") + 1]).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return result


def differing_sentences(dir_a: str, dir_b: str) -> list[tuple[str, int]]:
    records = load_segmented()
    a, b = gold_records(dir_a), gold_records(dir_b)
    out = []
    for doc_id in sorted(set(a) & set(b), key=list(records).index):
        for n in range(len(records[doc_id]["sentences"])):
            if sentence_view(records[doc_id], a[doc_id], n) != sentence_view(records[doc_id], b[doc_id], n):
                out.append((doc_id, n))
    return out


def diff(dir_a: str, dir_b: str) -> None:
    """Adjudication task files: every sentence where the passes differ, with both versions."""
    records = load_segmented()
    a, b = gold_records(dir_a), gold_records(dir_b)
    rows = differing_sentences(dir_a, dir_b)
    tasks = ADJUDICATION / "tasks"
    tasks.mkdir(parents=True, exist_ok=True)
    size = -(-len(rows) // ADJUDICATION_TASKS)
    for part in range(ADJUDICATION_TASKS):
        lines = []
        for doc_id, n in rows[part * size : (part + 1) * size]:
            record = records[doc_id]
            span = record["sentences"][n]
            lines.append(f"## {doc_id} #{n} | {record['date']}")
            if n:
                previous = record["sentences"][n - 1]
                lines.append("previous: " + " ".join(record["text"][previous["start"] : previous["end"]].split()))
            lines.append("sentence: " + " ".join(record["text"][span["start"] : span["end"]].split()))
            for name, gold in (("A", a[doc_id]), ("B", b[doc_id])):
                events, entities = sentence_view(record, gold, n)
                lines.append(f"{name} events: {list(events)}")
                lines.append(f"{name} entities: "
                             + json.dumps([{"text": t, "label": label} for label, t, _ in entities], ensure_ascii=False))
            lines.append("")
        (tasks / f"ADJ{part + 1}.txt").write_text("\n".join(lines), encoding="utf-8")
    print(f"{len(rows)} differing sentences -> {tasks}")


def check_adjudication(path: str, task: str) -> int:
    """Problems of an adjudicator's file: unknown sentences, bad labels or entity strings, and
    the task's sentences it lacks."""
    records = load_segmented()
    wanted = [(line[3:].split(" #")[0], int(line.split(" #")[1].split(" |")[0]))
              for line in Path(task).read_text(encoding="utf-8").splitlines() if line.startswith("## ")]
    problems, seen = [], set()
    for decision in read_annotations(Path(path)):
        key = (decision.get("id"), decision.get("n"))
        if key not in wanted:
            problems.append(f"{key}: not a sentence of the task")
            continue
        seen.add(key)
        record = records[key[0]]
        annotation = {"id": key[0], "sentences": [{"n": i, "events": [], "entities": []} for i in range(len(record["sentences"]))]}
        annotation["sentences"][key[1]] = {"n": key[1], "events": decision.get("events", []), "entities": decision.get("entities", [])}
        _, issues = to_gold(record, annotation)
        problems += [f"{key}: {p}" for p in issues]
        if decision.get("chose") not in ("A", "B", "neither"):
            problems.append(f"{key}: chose must be A, B or neither")
    missing = [k for k in wanted if k not in seen]
    if missing:
        problems.append(f"{len(missing)} sentences of the task not decided, first {missing[:3]}")
    return report_problems(problems, f"{len(seen)} of {len(wanted)} sentences")


CONSISTENCY = NEWS_WORK / "consistency"


def adjudicate(dir_a: str, dir_b: str) -> None:
    """Final annotations: pass A, with each differing sentence replaced by the adjudicator's
    decision (corpus/work/news/adjudication/*.jsonl: {"id", "n", "events", "entities"}), then
    the events of sentences that contradicted a recurring decision (GUIDELINES.md section 6)
    set by the consistency pass (corpus/work/news/consistency/*.jsonl: {"id", "n", "events",
    "rule"})."""
    decisions = {(d["id"], d["n"]): d for path in sorted(ADJUDICATION.glob("*.jsonl")) for d in read_annotations(path)}
    consistency = {(d["id"], d["n"]): d for path in sorted(CONSISTENCY.glob("*.jsonl")) for d in read_annotations(path)}
    rows = differing_sentences(dir_a, dir_b)
    undecided = [r for r in rows if r not in decisions]
    if undecided:
        raise SystemExit(f"{len(undecided)} differing sentences without a decision, first {undecided[:3]}")
    FINAL.mkdir(parents=True, exist_ok=True)
    for path in sorted(Path(dir_a).glob("*.jsonl")):
        with open(FINAL / path.name, "w", encoding="utf-8") as handle:
            for annotation in read_annotations(path):
                for sentence in annotation["sentences"]:
                    decision = decisions.get((annotation["id"], sentence["n"]))
                    if decision:
                        sentence["events"], sentence["entities"] = decision["events"], decision["entities"]
                    fix = consistency.pop((annotation["id"], sentence["n"]), None)
                    if fix:
                        sentence["events"] = fix["events"]
                handle.write(json.dumps(annotation, ensure_ascii=False) + "\n")
    if consistency:
        raise SystemExit(f"consistency decisions for unknown sentences: {sorted(consistency)[:3]}")
    print(f"{len(rows)} sentences adjudicated -> {FINAL}")


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    commands = {"segment": segment, "check": check, "build": build, "agreement": agreement, "diff": diff,
                "adjudicate": adjudicate, "check-adjudication": check_adjudication}
    result = commands[command](*args)
    sys.exit(result if isinstance(result, int) else 0)
