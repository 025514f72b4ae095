"""OFFICIAL: named people acting for a government, with canonical name, title and country."""
from __future__ import annotations

from dataclasses import dataclass

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

from ..gazetteer import CountryTable, read_tsv, split_forms
from .base import DataFilePipe, add_entities

# Titles that also name company or private posts: they make a name OFFICIAL when they stand
# before it ("President Trump") but an appositive with them needs a government word too.
AMBIGUOUS_TITLE_HEADS = {"president", "chairman", "chair", "director", "adviser", "advisor", "spokesperson",
                         "spokesman", "spokeswoman", "chief", "administrator", "governor", "leader", "head"}
GOVERNMENT_TITLE_HEADS = {
    "minister", "secretary", "negotiator", "representative", "ambassador", "commissioner", "senator",
    "premier", "chancellor", "lawmaker", "congressman", "congresswoman", "envoy", "undersecretary",
    "vice-president", "vice-premier", "counselor", "counsellor", "legislator", "mp", "mep",
    "secretary-general", "director-general", "king", "emir", "prince", "sheikh", "senators",
}
GOVERNMENT_WORDS = {"government", "ministry", "department", "state", "council", "cabinet", "parliament",
                    "congress", "senate", "house", "commission", "administration", "treasury", "customs",
                    "federal", "national", "bank", "trade", "economic", "white", "wto", "party"}
APPOSITIVE_STOP = {",", ".", ";", ":", "(", ")", "said", "says", "told", "was", "is", "will", "has", "had", "who", "and"}
POSSESSIVE = {"'s", "’s"}


@dataclass
class OfficialTables:
    gazetteer_matcher: PhraseMatcher
    known: dict[str, dict[str, str]]  # name or alias -> official row
    titles: dict[tuple[str, ...], str | None]  # lower-case title tokens -> default country
    max_title_len: int
    countries: CountryTable


class OfficialTagger(DataFilePipe):
    data_files = ("officials.tsv", "titles.tsv", "countries.tsv")

    def __init__(self, nlp: Language, name: str, *, appositive_window: int, link_surnames: bool) -> None:
        super().__init__(nlp, name)
        self.appositive_window = appositive_window
        self.link_surnames = link_surnames

    def compile(self) -> OfficialTables:
        known: dict[str, dict[str, str]] = {}
        matcher = PhraseMatcher(self.vocab, attr="ORTH")
        for row in read_tsv(self.data["officials.tsv"]):
            for form in [row["name"], *split_forms(row["aliases"])]:
                known.setdefault(form, row)
                matcher.add("OFFICIAL", [self.tokenizer(form)])
        titles: dict[tuple[str, ...], str | None] = {}
        for row in read_tsv(self.data["titles.tsv"]):
            key = tuple(t.lower_ for t in self.tokenizer(row["title"]))
            titles[key] = row["country"] or None
        return OfficialTables(matcher, known, titles, max(len(k) for k in titles),
                              CountryTable.from_text(self.data["countries.tsv"]))

    def __call__(self, doc: Doc) -> Doc:
        tables = self.compiled
        mentions: dict[tuple[int, int], dict[str, str | None]] = {}
        candidates: list[Span] = [e for e in doc.ents if e.label_ == "PERSON"]
        candidates += [doc[s:e] for _, s, e in tables.gazetteer_matcher(doc)]
        for span in candidates:
            span = _strip_span(span)
            if span is None or not span[0].is_title and not span[0].is_upper:
                continue
            info = self._describe(doc, span, tables)
            if info is not None:
                mentions[(span.start, span.end)] = info
        # names that follow a title but that the base NER missed ("Trade Representative Jamieson Greer")
        for start, end, title, country in self._titled_names(doc, tables):
            if not any(s < end and start < e for s, e in mentions):
                mentions[(start, end)] = {"title": title, "country": country}
        if self.link_surnames and mentions:
            self._link_surnames(doc, mentions)
        added = add_entities(doc, [Span(doc, s, e, label="OFFICIAL") for s, e in mentions])
        self._set_attributes(added, mentions, tables)
        return doc

    # -- deciding ----------------------------------------------------------------------------
    def _describe(self, doc: Doc, span: Span, tables: OfficialTables) -> dict[str, str | None] | None:
        title, country = self._title_before(doc, span.start, tables)
        if title is not None:
            return {"title": title, "country": country}
        title, country = self._appositive_title(doc, span, tables)
        if title is not None:
            return {"title": title, "country": country}
        if span.text in tables.known:
            return {"title": None, "country": None}
        return None

    def _title_before(self, doc: Doc, start: int, tables: OfficialTables) -> tuple[str | None, str | None]:
        """Longest known title ending right before token ``start``, and a country word before it."""
        for length in range(min(tables.max_title_len, start), 0, -1):
            words = tuple(t.lower_ for t in doc[start - length : start])
            if words in tables.titles:
                title_span = doc[start - length : start]
                # extend over lower-case modifiers: "chief tariff negotiator", "top trade envoy"
                first = title_span.start
                while first > 0 and doc[first - 1].is_lower and doc[first - 1].pos_ in {"ADJ", "NOUN"}:
                    first -= 1
                title_text = doc[first:start].text
                country = self._country_before(doc, first, tables) or tables.titles[words]
                return title_text, country
        return None, None

    def _country_before(self, doc: Doc, index: int, tables: OfficialTables) -> str | None:
        if index >= 2 and doc[index - 1].text in POSSESSIVE:
            return tables.countries.lookup(doc[index - 2].text)
        if index >= 1:
            return tables.countries.lookup(doc[index - 1].text)
        return None

    def _appositive_title(self, doc: Doc, span: Span, tables: OfficialTables) -> tuple[str | None, str | None]:
        """"Akazawa, Japan's minister in charge of economic revitalization, ..." -> title, country."""
        if span.end >= len(doc) or doc[span.end].text != ",":
            return None, None
        tokens = []
        for token in doc[span.end + 1 : span.end + 1 + self.appositive_window]:
            if token.text in APPOSITIVE_STOP or token.is_sent_start:
                break
            tokens.append(token)
        if not tokens:
            return None, None
        country = None
        if len(tokens) >= 2 and tokens[1].text in POSSESSIVE:
            country = tables.countries.lookup(tokens[0].text)
            tokens = tokens[2:]
        elif tokens and tables.countries.lookup(tokens[0].text):
            country = tables.countries.lookup(tokens[0].text)
        while tokens and tokens[0].lower_ in {"the", "a", "an"}:
            tokens = tokens[1:]
        lowers = {t.lower_ for t in tokens}
        if not tokens:
            return None, None
        government = bool(lowers & GOVERNMENT_TITLE_HEADS)
        ambiguous = bool(lowers & AMBIGUOUS_TITLE_HEADS)
        if government or (ambiguous and (country or lowers & GOVERNMENT_WORDS)):
            title = doc[tokens[0].i : tokens[-1].i + 1].text
            if country is None:
                for token in tokens:
                    country = country or tables.countries.lookup(token.text)
            return title, country
        return None, None

    def _titled_names(self, doc: Doc, tables: OfficialTables) -> list[tuple[int, int, str, str | None]]:
        found = []
        i = 0
        while i < len(doc):
            token = doc[i]
            if token.is_title and token.pos_ == "PROPN" and token.ent_type_ not in {"GPE", "NORP", "ORG", "DATE", "LAW"}:
                end = i
                while end < len(doc) and end - i < 4 and doc[end].is_title and doc[end].pos_ == "PROPN":
                    end += 1
                title, country = self._title_before(doc, i, tables)
                if title is not None and end > i and doc[i:end].text.lower() not in {t for t in map(" ".join, tables.titles)}:
                    found.append((i, end, title, country))
                i = end if end > i else i + 1
            else:
                i += 1
        return found

    def _link_surnames(self, doc: Doc, mentions: dict[tuple[int, int], dict[str, str | None]]) -> None:
        """Tag later surname-only mentions ("Akazawa") of officials found in the document."""
        surnames = {doc[e - 1].text for s, e in mentions if e - s >= 2}
        for token in doc:
            if token.text in surnames and token.is_title:
                key = (token.i, token.i + 1)
                inside = any(s <= token.i < e for s, e in mentions)
                if not inside and token.ent_type_ not in {"ORG", "GPE"}:
                    mentions[key] = {"title": None, "country": None}

    # -- attributes --------------------------------------------------------------------------
    def _set_attributes(self, added: list[Span], mentions: dict, tables: OfficialTables) -> None:
        names = [span.text for span in added]
        for span in added:
            canonical = _fullest(span.text, names)
            span._.ts_canonical = canonical
        by_canonical: dict[str, dict[str, str | None]] = {}
        for span in added:
            info = mentions.get((span.start, span.end), {})
            slot = by_canonical.setdefault(span._.ts_canonical, {"title": None, "country": None})
            for key in ("title", "country"):
                if slot[key] is None and info.get(key):
                    slot[key] = info[key]
        for canonical, slot in by_canonical.items():
            row = tables.known.get(canonical) or tables.known.get(canonical.split()[-1])
            if row is not None and (row["name"] == canonical or canonical in split_forms(row["aliases"])
                                    or row["name"].split()[-1] == canonical.split()[-1]):
                slot["country"] = slot["country"] or row["country"] or None
        for span in added:
            slot = by_canonical[span._.ts_canonical]
            span._.ts_title = slot["title"]
            span._.ts_country = slot["country"]


def _strip_span(span: Span) -> Span | None:
    """Drop a leading title word or trailing possessive the base NER sometimes includes."""
    start, end = span.start, span.end
    doc = span.doc
    while end > start and doc[end - 1].text in POSSESSIVE | {"'", "’"}:
        end -= 1
    while start < end and doc[start].lower_ in {"president", "secretary", "minister", "mr.", "mrs.", "ms.", "dr.", "sen.", "rep.", "the"}:
        start += 1
    return doc[start:end] if end > start else None


def _fullest(name: str, names: list[str]) -> str:
    """The longest name in the document that ends with, or equals, this one's words."""
    words = name.split()
    best = " ".join(words)
    for other in names:
        other_words = other.split()
        if len(other_words) > len(best.split()) and other_words[-len(words):] == words:
            best = " ".join(other_words)
    return best


@Language.factory(
    "tariffscope_officials",
    requires=["doc.ents", "token.pos"],
    assigns=["doc.ents", "span._.ts_canonical", "span._.ts_title", "span._.ts_country"],
    default_config={"appositive_window": 12, "link_surnames": True},
)
def make_official_tagger(nlp: Language, name: str, appositive_window: int, link_surnames: bool) -> OfficialTagger:
    return OfficialTagger(nlp, name, appositive_window=appositive_window, link_surnames=link_surnames)
