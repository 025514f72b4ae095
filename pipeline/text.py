"""Length-preserving text normalization and hard sentence breaks.

News archives and government releases are hard-wrapped: a name can be split over two lines
("Scott\nBessent"). The base NER was trained on running text, so line breaks inside a
paragraph are replaced by spaces. Every replacement is one character for one character, so
character offsets computed on the normalized text are valid for the input text.
"""
from __future__ import annotations

import re

# A line that starts a list item or a markdown hard break ("  \n") ends the sentence before it.
_BULLET_START = re.compile(r"[ \t\u00a0]*(?:[-*\u00b7\u2022\u25cf]|\(?[0-9ivx]{1,4}[.)]|\([a-z]\))[ \t\u00a0]")
_SOFT_SPACES = re.compile(r"[\u00a0\u2000-\u200a\u202f\u205f\u3000\t]")
_ZERO_WIDTH = re.compile(r"[\u200b-\u200d\u2060\ufeff]")


def hard_break_offsets(text: str) -> list[int]:
    """Offsets of the first character after each paragraph break, list item or line break
    that must start a new sentence."""
    offsets: list[int] = []
    for match in re.finditer(r"\n", text):
        after = match.end()
        before = text[: match.start()]
        rest = text[after:]
        if rest.startswith("\n") or not rest.strip():
            continue
        blank_line = before.endswith("\n") or re.search(r"\n[ \t\u00a0]*$", before) is not None
        if blank_line or before.endswith("  ") or _BULLET_START.match(rest):
            offsets.append(after + (len(rest) - len(rest.lstrip())))
    return sorted(set(offsets))


def normalize_text(text: str) -> str:
    """Same-length copy of ``text`` for tokenizing: single line breaks inside a paragraph,
    no-break spaces, tabs and zero-width characters become plain spaces. Paragraph breaks and
    list-item breaks stay as newlines."""
    keep = set()
    for offset in hard_break_offsets(text):
        newline = text.rfind("\n", 0, offset)
        if newline >= 0:
            keep.add(newline)
    chars = list(_ZERO_WIDTH.sub(" ", _SOFT_SPACES.sub(" ", text)))
    for index, char in enumerate(chars):
        if char == "\n" and index not in keep:
            prev_nl = index > 0 and chars[index - 1] == "\n"
            next_nl = index + 1 < len(chars) and chars[index + 1] == "\n"
            if not (prev_nl or next_nl):
                chars[index] = " "
    if "\r" in text:
        chars = [" " if c == "\r" else c for c in chars]
    normalized = "".join(chars)
    assert len(normalized) == len(text)
    return normalized
