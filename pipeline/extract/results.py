"""The result of one input record: an output record, or an error record with the reason."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Extracted:
    """An output record (LABELS.md section 4)."""

    record: dict[str, Any]

    @property
    def id(self) -> str:
        return self.record["id"]


@dataclass(frozen=True)
class Failed:
    """An error record: the input's id, the reason, its origin and the original record."""

    error: dict[str, Any]

    @property
    def id(self) -> str:
        return self.error["id"]


Result = Extracted | Failed
