"""Where a benchmark result came from: the command, the commit, the machine and the date. Each
benchmark script stores this under the "provenance" key of the JSON it writes.

    from provenance import provenance   # benchmarks/ is on sys.path when run as python benchmarks/x.py
    results["provenance"] = provenance(["python", *sys.argv])
"""
from __future__ import annotations

import os
import platform
import subprocess
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _git(*args: str) -> str | None:
    try:
        done = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def _memory_gib() -> float | None:
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("MemTotal:"):
                    return round(int(line.split()[1]) / 2**20, 1)  # the value is in kB
    except (OSError, ValueError, IndexError):
        return None
    return None


def provenance(argv: list[str]) -> dict:
    """The command (``argv`` joined by spaces), the git HEAD short hash (None outside a git
    checkout), whether tracked files differ from it, the machine, and the UTC date."""
    commit = _git("rev-parse", "--short", "HEAD")
    status = _git("status", "--porcelain", "--untracked-files=no") if commit else None
    return {
        "command": " ".join(argv),
        "commit": commit,
        "dirty": bool(status),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "memory_gib": _memory_gib(),
        },
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
    }


if __name__ == "__main__":
    import json
    import sys

    print(json.dumps(provenance(["python", *sys.argv]), indent=2))
