"""Versioned TSV data files: parsing, plural forms and country lookup."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DATA_DIR = Path(__file__).parent / "data"


def read_tsv(text: str) -> list[dict[str, str]]:
    """Rows of a data file: '#' lines are comments, the first other line names the columns."""
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    if not lines:
        return []
    header = lines[0].split("\t")
    rows = []
    for line in lines[1:]:
        cells = line.split("\t")
        cells += [""] * (len(header) - len(cells))
        rows.append({key: cell.strip() for key, cell in zip(header, cells)})
    return rows


def split_forms(cell: str) -> list[str]:
    return [form.strip() for form in cell.split("|") if form.strip()]


_NO_PLURAL = {"fish", "seafood", "cattle", "livestock", "poultry", "sheep", "swine", "corn", "rice",
              "wheat", "barley", "cotton", "steel", "aluminum", "copper", "apparel", "clothing",
              "machinery", "electronics", "furniture", "footwear", "jewelry", "lumber", "timber"}


def plural(phrase: str) -> str:
    words = phrase.split(" ")
    last = words[-1]
    if last in _NO_PLURAL or last.endswith("ware"):
        return phrase
    if re.search(r"(s|x|z|ch|sh)$", last):
        last += "es"
    elif re.search(r"[^aeiou]y$", last):
        last = last[:-1] + "ies"
    else:
        last += "s"
    return " ".join(words[:-1] + [last])


@dataclass(frozen=True)
class CountryTable:
    """Country names, adjectives and capitals to ISO codes (case-sensitive)."""

    by_name: dict[str, str]

    @classmethod
    def from_text(cls, text: str) -> CountryTable:
        by_name: dict[str, str] = {}
        for row in read_tsv(text):
            for name in split_forms(row["names"]):
                by_name.setdefault(name, row["iso2"])
        return cls(by_name)

    def lookup(self, text: str) -> str | None:
        text = text.strip()
        bare = re.sub(r"^[Tt]he\s+", "", text)  # "the United States", "The European Union"
        for candidate in (text, re.sub(r"['’]s$", "", text), text.rstrip("."), bare, re.sub(r"['’]s$", "", bare)):
            if candidate in self.by_name:
                return self.by_name[candidate]
        return None
