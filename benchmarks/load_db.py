"""Loading speed of extracted JSONL into SQLite and PostgreSQL.

The archive is made by resampling real extracted records (the output of `tariffscope extract`
on the corpus) under new ids, so row counts per document are realistic. Three loads per
database: the archive into a fresh database, the same archive again (all unchanged), and a
second archive of new documents into the loaded database.

  python benchmarks/load_db.py --source out/corpus-extracted.jsonl --documents 20000 \
      [--postgres postgresql+psycopg://postgres@127.0.0.1:54329/postgres] [--output benchmarks/results/load_db.json]
"""
from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
import uuid
from pathlib import Path

from provenance import provenance

from pipeline.db import create_database, load_jsonl


def build_archive(source: str, documents: int, folder: Path, seed: int = 13, name: str = "archive") -> tuple[Path, dict]:
    with open(source, encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle if line.strip()]
    rng = random.Random(seed)
    path = folder / f"{name}.jsonl"
    rows = {"entities": 0, "events": 0}
    with open(path, "w", encoding="utf-8") as handle:
        for index in range(documents):
            record = dict(rng.choice(records))
            record["id"] = f"{record['id']}#{name}-{index}"
            rows["entities"] += len(record["entities"])
            rows["events"] += len(record["events"])
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path, rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--source", required=True)
    parser.add_argument("--documents", type=int, default=20000)
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--postgres")
    parser.add_argument("--output")
    parser.add_argument("--keep-archive", help="also copy the resampled archive here (for benchmarks/sqlite_floor.py)")
    args = parser.parse_args()
    run_provenance = provenance(["python", *sys.argv])  # before the run: the code that ran
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        archive, rows = build_archive(args.source, args.documents, folder)
        second, _ = build_archive(args.source, args.documents, folder, seed=14, name="second")
        if args.keep_archive:
            shutil.copyfile(archive, args.keep_archive)
        results = {"documents": args.documents, "rows": rows, "batch_size": args.batch_size}
        targets = {"sqlite": f"sqlite:///{folder / 'bench.db'}"}
        if args.postgres:
            targets["postgresql"] = create_database(args.postgres, f"bench_{uuid.uuid4().hex[:10]}")
        for name, url in targets.items():
            summary = load_jsonl([str(archive)], url, batch_size=args.batch_size)
            assert summary.failed == 0 and summary.inserted == args.documents
            rerun = load_jsonl([str(archive)], url, batch_size=args.batch_size)
            more = load_jsonl([str(second)], url, batch_size=args.batch_size)
            assert more.inserted == args.documents
            results[name] = {"first_load": summary.as_json(), "rerun_unchanged": rerun.as_json(),
                             "second_file_into_loaded_database": more.as_json()}
            print(f"{name:12} first load {summary.docs_per_second:>9,.0f} documents/s   rerun (all unchanged) "
                  f"{rerun.docs_per_second:>9,.0f} documents/s   new documents into the loaded database "
                  f"{more.docs_per_second:>9,.0f} documents/s")
    if args.output:
        results["provenance"] = run_provenance
        Path(args.output).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
