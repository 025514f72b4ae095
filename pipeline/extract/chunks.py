"""Cutting long documents into pieces that the pipeline processes one at a time."""
from __future__ import annotations

from ..defaults import CHUNK_CHARS


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
