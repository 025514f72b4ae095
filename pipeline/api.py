"""Python API: load the pipeline once per process and turn texts into output records."""
from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from spacy.language import Language

from .base import WeightCheckError, sha256_of

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MODEL = REPO_ROOT / "models" / "tariffscope-entities"
DEFAULT_CONFIG = REPO_ROOT / "configs" / "entities.cfg"
FULL_MODEL = REPO_ROOT / "models" / "tariffscope"
FULL_CONFIG = REPO_ROOT / "configs" / "tariffscope.cfg"
# Pieces of a long document are processed separately (spaCy's parser and NER need memory in
# proportion to the text); cut at paragraph breaks.
CHUNK_CHARS = 100_000


def verify_checksums(folder: Path) -> None:
    sums_file = folder / "checksums.json"
    if not sums_file.exists():
        raise WeightCheckError(f"{folder} has no checksums.json: rebuild it with `tariffscope assemble`")
    for name, expected in json.loads(sums_file.read_text(encoding="utf-8")).items():
        path = folder / name
        if not path.exists() or sha256_of(path) != expected:
            raise WeightCheckError(f"{path} is missing or changed since the pipeline was built (sha256 mismatch)")


EVENT_MODEL = REPO_ROOT / "models" / "event-classifier"


def ensure_model(path: str | Path | None = None) -> Path:
    """The pipeline folder. By default the full pipeline (entities and events) when the trained
    event classifier is present, else the entity pipeline; the repository's pipelines are
    assembled from configs/ when absent."""
    if path is None:
        folder = FULL_MODEL if (EVENT_MODEL / "event_model.json").exists() else DEFAULT_MODEL
    else:
        folder = Path(path)
    if (folder / "meta.json").exists():
        return folder
    from .assemble import assemble

    if folder.resolve() in (DEFAULT_MODEL.resolve(), FULL_MODEL.resolve()):
        if not (DEFAULT_MODEL / "meta.json").exists():
            assemble(DEFAULT_CONFIG, DEFAULT_MODEL)
        if folder.resolve() == FULL_MODEL.resolve():
            assemble(FULL_CONFIG, FULL_MODEL, {"paths.entities": str(DEFAULT_MODEL), "paths.event_model": str(EVENT_MODEL)})
        return folder
    raise FileNotFoundError(f"no pipeline at {folder}")


@lru_cache(maxsize=4)
def load_pipeline(path: str | None = None, verify: bool = True, overrides: tuple[tuple[str, Any], ...] = ()) -> Language:
    """Load (once per process) the pipeline folder after checking its files' sha256
    (default: see :func:`ensure_model`). ``overrides``: config settings as (dotted key, value)
    pairs, e.g. (("components.event_classifier.quantize", False),)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import spacy

    from . import base, components  # noqa: F401  (factories and tokenizer, also without entry points)

    folder = ensure_model(path)
    if verify:
        verify_checksums(folder)
    return spacy.load(folder, config=dict(overrides))


def split_for_processing(text: str, limit: int = CHUNK_CHARS) -> list[tuple[int, str]]:
    """(offset, piece) pairs covering ``text``; pieces end at paragraph or line breaks when
    there is one, else at a space, so that no piece is longer than ``limit``."""
    pieces: list[tuple[int, str]] = []
    start = 0
    while len(text) - start > limit:
        window = text[start : start + limit]
        cut = max(window.rfind("\n\n"), window.rfind("\n"))
        if cut < limit // 2:
            cut = window.rfind(" ")
        if cut <= 0:
            cut = limit
        pieces.append((start, text[start : start + cut]))
        start += cut
    pieces.append((start, text[start:]))
    return pieces

