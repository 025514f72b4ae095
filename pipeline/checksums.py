"""sha256 checks of model files: pinned weights, and the checksums.json of a pipeline folder."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from .errors import UserError

CHECKSUMS_FILE = "checksums.json"


class WeightCheckError(UserError, RuntimeError):
    """A model file does not have the sha256 it is pinned to."""


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify_file(path: Path, expected: str) -> None:
    actual = sha256_of(path)
    if actual != expected:
        raise WeightCheckError(f"{path}: sha256 {actual} does not match the pinned {expected}")


def write_checksums(folder: Path) -> None:
    """Record the sha256 of every file of a saved pipeline (checked when it is loaded)."""
    sums = {str(p.relative_to(folder)): sha256_of(p) for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != CHECKSUMS_FILE}
    (folder / CHECKSUMS_FILE).write_text(json.dumps(sums, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def verify_checksums(folder: Path) -> None:
    """Every file listed in the folder's checksums.json still has its sha256."""
    sums_file = folder / CHECKSUMS_FILE
    if not sums_file.exists():
        raise WeightCheckError(f"{folder} has no {CHECKSUMS_FILE}: rebuild it with `tariffscope assemble`")
    for name, expected in json.loads(sums_file.read_text(encoding="utf-8")).items():
        path = folder / name
        if not path.exists() or sha256_of(path) != expected:
            raise WeightCheckError(f"{path} is missing or changed since the pipeline was built (sha256 mismatch)")
