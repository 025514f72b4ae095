"""Reading JSONL (plain or gzipped) line by line; a line that is not UTF-8 or not JSON is
reported with its place instead of stopping the read. The input reader and the database
loader both read through this."""
from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO


@dataclass(frozen=True)
class BadLine:
    """A line that could not be parsed: why, and its text (undecodable bytes escaped)."""

    reason: str
    text: str


def open_binary(path: str | Path) -> BinaryIO:
    if str(path).endswith(".gz"):
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return open(path, "rb")


def parse_lines(handle: BinaryIO, origin: str,
                loads: Callable[[str | bytes], Any] = json.loads) -> Iterator[tuple[str, Any | BadLine]]:
    """("FILE:LINE", parsed value or BadLine) for every non-blank line."""
    for line_no, raw in enumerate(handle, start=1):
        if not raw.strip():
            continue
        where = f"{origin}:{line_no}"
        if line_no == 1 and raw.startswith(b"\xef\xbb\xbf"):  # a UTF-8 byte order mark
            raw = raw[3:]
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            yield where, BadLine(f"line is not valid UTF-8 ({error.reason} at byte {error.start})",
                                 raw.decode("utf-8", "backslashreplace"))
            continue
        try:
            yield where, loads(line)
        except json.JSONDecodeError as error:  # orjson's error is a subclass
            yield where, BadLine(f"malformed JSON: {error.msg} at column {error.colno}", line)
        except RecursionError:
            yield where, BadLine("JSON nested too deeply to read", line)


def sibling_path(path: str, tag: str, *, compressed: bool = True) -> str:
    """A companion file of the JSONL file ``path``: NAME.TAG.jsonl beside NAME.jsonl, and beside
    NAME.jsonl.gz NAME.TAG.jsonl.gz (or NAME.TAG.jsonl when the companion is written plain)."""
    for suffix in (".jsonl.gz", ".jsonl"):
        if path.endswith(suffix):
            return f"{path[: -len(suffix)]}.{tag}{suffix if compressed else '.jsonl'}"
    return f"{path}.{tag}.jsonl"


def dumps_line(value: Any) -> str:
    """One JSONL line (with its newline) for ``value``, whatever strings it holds: text with
    lone surrogates, which UTF-8 cannot encode, is written with \\u escapes (as JSON allows),
    and a value nested too deeply to serialize is replaced by a note saying so."""
    try:
        line = json.dumps(value, ensure_ascii=False)
    except RecursionError:
        return json.dumps({"unwritable": "value nested too deeply to write as JSON"}) + "\n"
    try:
        line.encode("utf-8")
    except UnicodeEncodeError:
        line = json.dumps(value, ensure_ascii=True)
    return line + "\n"
