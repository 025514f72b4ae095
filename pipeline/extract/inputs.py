"""Reading input documents: JSONL (optionally gzipped), .txt files, folders of them, stdin.

Every input record becomes either an :class:`InputRecord` or an :class:`InputError`; nothing
is skipped silently. Reading streams: an archive is never held in memory.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from ..jsonl import BadLine, open_binary, parse_lines

TXT_DATE_HEADER = re.compile(r"\s*date\s+(\d{4}-\d{2}-\d{2})\s+")
JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz", ".json", ".json.gz")
TXT_SUFFIXES = (".txt", ".txt.gz")


@dataclass(frozen=True)
class FieldNames:
    """Names of the input record's fields (configurable for other archives' layouts)."""

    text: str = "text"
    id: str = "id"
    date: str = "date"
    title: str = "title"
    source: str = "source"


DEFAULT_FIELDS = FieldNames()


@dataclass
class InputRecord:
    id: str
    text: str
    date: str | None = None
    title: str | None = None
    source: str | None = None
    origin: str = ""  # file and line, for messages
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class InputError:
    id: str
    reason: str
    record: Any  # the original record (parsed JSON, or the raw line as text)
    origin: str = ""

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "reason": self.reason, "origin": self.origin, "record": self.record}


Record = InputRecord | InputError  # what reading an input yields: a document or the reason it is not one


def derived_id(origin: str, content: str) -> str:
    """A stable id for a record without one: its position plus a hash of its content."""
    digest = hashlib.sha1(content.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    return f"{origin}#{digest}"


def iter_paths(inputs: list[str]) -> Iterator[str | Path]:
    """Files named by ``inputs`` in order; folders are walked in sorted order."""
    for path, _ in iter_files(inputs):
        yield path


def iter_files(inputs: list[str]) -> Iterator[tuple[str | Path, str]]:
    """(file, name) for the files named by ``inputs``: a file found in a folder is named by
    its path inside that folder ("a/story.txt"), so that files of one name in two subfolders
    keep apart; a file given itself, by its own name."""
    for item in inputs:
        if item == "-":
            yield "-", "-"
            continue
        path = Path(item)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and child.name.endswith(JSONL_SUFFIXES + TXT_SUFFIXES):
                    yield child, child.relative_to(path).as_posix()
        else:
            yield path, path.name


def read_inputs(
    inputs: list[str], fields: FieldNames = DEFAULT_FIELDS, stdin: BinaryIO | None = None
) -> Iterator[InputRecord | InputError]:
    for path, name in iter_files(inputs):
        if path == "-":
            yield from read_jsonl_stream(stdin or sys.stdin.buffer, "<stdin>", fields)
            continue
        assert isinstance(path, Path)
        if not path.exists():
            yield InputError(str(path), "input file not found", None, str(path))
            continue
        if path.is_file() and not path.name.endswith(JSONL_SUFFIXES + TXT_SUFFIXES):
            yield InputError(str(path), f"unsupported input file type (give {', '.join(JSONL_SUFFIXES + TXT_SUFFIXES)} "
                             "files, folders of them, or - for JSONL on stdin)", None, str(path))
            continue
        try:
            if path.name.endswith(TXT_SUFFIXES):
                yield read_txt(path, name)
            else:
                with open_binary(path) as handle:
                    yield from read_jsonl_stream(handle, str(path), fields)
        except (OSError, EOFError, gzip.BadGzipFile) as error:
            yield InputError(str(path), f"cannot read file: {error}", None, str(path))


def read_txt(path: Path, name: str | None = None) -> InputRecord | InputError:
    """A text file is one document, its id its ``name`` (default: the file's name) without
    .txt; an opening " date YYYY-MM-DD " line gives its date."""
    with open_binary(path) as handle:
        data = handle.read()
    origin = str(path)
    doc_id = re.sub(r"\.txt(\.gz)?$", "", name or path.name)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        return InputError(doc_id, f"not valid UTF-8 text ({error.reason} at byte {error.start})",
                          data[:2000].decode("utf-8", "backslashreplace"), origin)
    if "\x00" in text:
        return InputError(doc_id, "binary data (NUL bytes), not text", text[:2000].encode("unicode_escape").decode("ascii"), origin)
    date = None
    header = TXT_DATE_HEADER.match(text)
    offset = 0
    if header is not None:
        date, problem = normalize_date(header.group(1))
        if problem:
            return InputError(doc_id, f"date line: {problem}", text[:2000], origin)
        offset = header.end()
    body = text[offset:]
    if not body.strip():
        return InputError(doc_id, "empty text", text, origin)
    return InputRecord(doc_id, body, date=date, origin=origin, extra={"text_offset": offset})


def read_jsonl_stream(handle: BinaryIO, origin: str, fields: FieldNames) -> Iterator[InputRecord | InputError]:
    for where, item in parse_lines(handle, origin):
        if isinstance(item, BadLine):
            yield InputError(derived_id(where, item.text), item.reason, item.text.rstrip("\n"), where)
        else:
            yield record_from_json(item, where, fields)


def record_from_json(obj: Any, where: str, fields: FieldNames) -> InputRecord | InputError:
    if not isinstance(obj, dict):
        return InputError(derived_id(where, json.dumps(obj)), f"record is a JSON {type(obj).__name__}, not an object", obj, where)
    raw_id = obj.get(fields.id)
    text = obj.get(fields.text)
    if raw_id not in (None, "") and (isinstance(raw_id, bool) or not isinstance(raw_id, str | int)):
        return InputError(derived_id(where, _dumps(obj)), f"field {fields.id!r} is a {type(raw_id).__name__}, not a string",
                          obj, where)
    doc_id = (str(raw_id) if raw_id not in (None, "")
              else derived_id(where, text if isinstance(text, str) else _dumps(obj)))
    broken = [name for name in (fields.id, fields.text, fields.date, fields.title, fields.source)
              if isinstance(obj.get(name), str) and not _encodable(obj[name])]
    if broken:
        return InputError(doc_id, f"invalid Unicode (a lone surrogate) in field {broken[0]!r}", obj, where)
    if fields.text not in obj:
        return InputError(doc_id, f"record has no {fields.text!r} field", obj, where)
    if not isinstance(text, str):
        return InputError(doc_id, f"field {fields.text!r} is a {type(text).__name__}, not a string", obj, where)
    if not text.strip():
        return InputError(doc_id, "empty text", obj, where)
    if "\x00" in text:
        return InputError(doc_id, "text contains NUL bytes (binary data)", obj, where)
    date, problem = normalize_date(obj.get(fields.date))
    if problem:
        return InputError(doc_id, f"field {fields.date!r}: {problem}", obj, where)
    title = obj.get(fields.title)
    source = obj.get(fields.source)
    return InputRecord(doc_id, text, date=date, title=title if isinstance(title, str) else None,
                       source=source if isinstance(source, str) else None, origin=where)


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _dumps(obj: Any) -> str:
    try:
        return json.dumps(obj, sort_keys=True)
    except RecursionError:
        return repr(type(obj))


def normalize_date(value: Any) -> tuple[str | None, str | None]:
    """(ISO 8601 date, None) for a date the input gives (a date, a timestamp, "May 1, 2025",
    "2025-05", "2025"), (None, None) for none, (None, reason) for one that cannot be read."""
    import datetime as dt

    from ..dates import resolve_date

    if value is None or value == "":
        return None, None
    if not isinstance(value, str):
        return None, f"a date must be a string (got {type(value).__name__})"
    text = value.strip()
    if re.fullmatch(r"\d{4}(-\d{2})?", text):
        if len(text) == 7 and not 1 <= int(text[5:]) <= 12:
            return None, f"not a date: {value!r}"
        return text, None
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).date().isoformat(), None
    except ValueError:
        if re.match(r"\d{4}-?\d{2}-?\d{2}", text):  # shaped like a date, but no such day
            return None, f"not a date: {value!r}"
    resolved = resolve_date(text, None)
    if resolved is not None:
        return resolved, None
    return None, f"not a date: {value!r} (give YYYY-MM-DD)"
