"""An output record as table rows, with keys relative to the loader's batch."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import orjson

from ..labels import ENTITY_LABEL_OF_ARGUMENT
from .schema import KEY_COLUMNS, ROLE_OF_ARGUMENT


class RecordError(ValueError):
    pass


def content_hash(record: Any) -> str:
    try:
        canonical = orjson.dumps(record, option=orjson.OPT_SORT_KEYS)
    except (TypeError, orjson.JSONEncodeError) as error:
        raise RecordError(f"record cannot be serialized: {error}") from error
    return hashlib.blake2b(canonical, digest_size=16).hexdigest()


@dataclass
class PreparedRecord:
    """One output record as table rows whose keys count from 1 within the loader's batch;
    the database's current maximum key is added on insert."""

    record: Any
    doc_id: str
    content_hash: str
    rows: dict[str, list[tuple[Any, ...]]]


def rows_of(record: Any, next_key: dict[str, int] | None = None) -> PreparedRecord:
    """The table rows of one output record; raises RecordError for records that break the
    output contract. ``next_key`` holds the last batch-relative key of each table and is
    advanced."""
    if next_key is None:
        next_key = dict.fromkeys(KEY_COLUMNS, 0)
    if not isinstance(record, dict):
        raise RecordError("record is not a JSON object")
    doc_id = record.get("id")
    if not isinstance(doc_id, str) or not doc_id:
        raise RecordError("record has no string 'id'")
    for key in ("entities", "events"):
        if not isinstance(record.get(key), list):
            raise RecordError(f"record has no list {key!r}")
    digest = content_hash(record)
    start_keys = dict(next_key)
    try:
        document_key = start_keys["documents"] + 1
        entity_key = start_keys["entities"]
        entity_rows = []
        # (label, value) -> [(start, key)]: where an event argument can point to
        linkable: dict[tuple[str, Any], list[tuple[int, int]]] = {}
        for ordinal, entity in enumerate(record["entities"]):
            entity_key += 1
            start = int(entity["start"])
            label = str(entity["label"])
            text = str(entity["text"])
            get = entity.get
            canonical, value = get("canonical"), get("value")
            entity_rows.append((entity_key, document_key, ordinal, start, int(entity["end"]), label, text, canonical,
                                get("title"), get("country"), value, get("value_max"), get("unit"), get("hs_chapter")))
            if label == "TARIFF_RATE":
                linkable.setdefault((label, value), []).append((start, entity_key))
            else:
                linkable.setdefault((label, text), []).append((start, entity_key))
                if canonical is not None and canonical != text:
                    linkable.setdefault((label, canonical), []).append((start, entity_key))
        event_key = start_keys["events"]
        argument_key = start_keys["event_arguments"]
        event_rows, argument_rows = [], []
        for ordinal, item in enumerate(record["events"]):
            event_key += 1
            sentence = item.get("sentence") or {}
            sentence_start, sentence_end = sentence.get("start"), sentence.get("end")
            event_rows.append((event_key, document_key, ordinal, str(item["type"]), item.get("confidence"),
                               sentence_start, sentence_end, item.get("date")))
            for name, values in (item.get("arguments") or {}).items():
                role = ROLE_OF_ARGUMENT.get(name)
                if role is None:
                    continue
                label = ENTITY_LABEL_OF_ARGUMENT.get(name)
                for position, value in enumerate(values):
                    argument_key += 1
                    linked = None
                    if label is not None:
                        if role == "rate":
                            value = float(value)
                        for start, key in linkable.get((label, value), ()):
                            if sentence_start is None or sentence_end is None or sentence_start <= start < sentence_end:
                                linked = key
                                break
                    argument_rows.append((argument_key, event_key, document_key, role, position, str(value),
                                          value if role == "rate" else None, linked))
    except (KeyError, TypeError, ValueError) as error:
        raise RecordError(f"malformed entity or event: {type(error).__name__}: {error}") from error
    document_row = (document_key, doc_id, record.get("date"), record.get("title"), record.get("source"),
                    str(record.get("schema_version")), digest)
    next_key.update(documents=document_key, entities=entity_key, events=event_key, event_arguments=argument_key)
    return PreparedRecord(record, doc_id, digest, {"documents": [document_row], "entities": entity_rows,
                                                   "events": event_rows, "event_arguments": argument_rows})


