"""Cutting long documents into pieces that the pipeline processes one at a time."""
from __future__ import annotations

from ..defaults import CHUNK_CHARS


def split_for_processing(text: str, limit: int = CHUNK_CHARS) -> list[tuple[int, str]]:
    """(offset, piece) pairs covering ``text``, no piece longer than ``limit``. A piece ends at
    the last paragraph or line break of its second half, else after the last sentence end
    (". ", "? ", "! ") there, else at a space: a name is never cut in two unless a whole half
    piece is one sentence."""
    pieces: list[tuple[int, str]] = []
    start = 0
    while len(text) - start > limit:
        window = text[start : start + limit]
        cut = max(window.rfind("\n\n"), window.rfind("\n"))
        if cut < limit // 2:
            cut = max(window.rfind(". "), window.rfind("? "), window.rfind("! ")) + 1  # after the mark
        if cut < limit // 2:
            cut = window.rfind(" ")
        if cut <= 0:
            cut = limit
        pieces.append((start, text[start : start + cut]))
        start += cut
    pieces.append((start, text[start:]))
    return pieces
