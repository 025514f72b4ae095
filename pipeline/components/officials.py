"""OFFICIAL: named people acting for a government, with canonical name, title and country."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

from ..gazetteer import CountryTable, read_tsv, split_forms
from .base import POSSESSIVES, DataFilePipe, add_entities

# Titles that also name company or private posts: they make a name OFFICIAL when they stand
# before it ("President Trump") but an appositive with them needs a government word too.
AMBIGUOUS_TITLE_HEADS = {"president", "chairman", "chair", "director", "adviser", "advisor", "spokesperson",
                         "spokesman", "spokeswoman", "chief", "administrator", "governor", "leader", "head"}
GOVERNMENT_TITLE_HEADS = {
    "minister", "secretary", "negotiator", "representative", "ambassador", "commissioner", "senator",
    "premier", "chancellor", "lawmaker", "congressman", "congresswoman", "envoy", "undersecretary",
    "vice-president", "vice-premier", "counselor", "counsellor", "legislator", "mp", "mep",
    "secretary-general", "director-general", "king", "emir", "prince", "sheikh", "senators", "rapporteur",
    "counterpart",
}
GOVERNMENT_WORDS = {"government", "ministry", "department", "state", "council", "cabinet", "parliament",
                    "congress", "senate", "house", "commission", "administration", "treasury", "customs",
                    "federal", "national", "bank", "trade", "economic", "white", "wto", "party"}
# A title's "of"/"for" complement ("President of Belarus", "Speaker of the House", "High Representative
# for Foreign Affairs and Security Policy"): capitalized words joined by these, at most this long.
COMPLEMENT_GLUE = {"the", "of", "and", "-", "–"} | POSSESSIVES
MAX_COMPLEMENT = 7
# Words that make a title a past one: "former U.S. president", "ex-President".
FORMER_WORDS = {"former", "ex"}
CASE_VERSUS = {"v.", "vs.", "v", "vs"}
# Words _strip_span removes from the front of a base-NER person span ("President Trump").
LEADING_TITLE_WORDS = {"president", "secretary", "minister", "mr.", "mrs.", "ms.", "dr.", "sen.", "rep.", "the"}
APPOSITIVE_STOP = {",", ".", ";", ":", "(", ")", "said", "says", "told", "was", "is", "will", "has", "had", "who", "and"}


@dataclass
class OfficialTables:
    gazetteer_matcher: PhraseMatcher
    known: dict[str, dict[str, str]]  # name or alias -> official row
    titles: dict[tuple[str, ...], str | None]  # lower-case title tokens -> default country
    country_titles: set[tuple[str, ...]]  # titles that name an official only after a country word
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
        country_titles: set[tuple[str, ...]] = set()
        for row in read_tsv(self.data["titles.tsv"]):
            key = tuple(t.lower_ for t in self.tokenizer(row["title"]))
            titles[key] = row["country"] or None
            if row.get("needs_country") == "yes":
                country_titles.add(key)
        return OfficialTables(matcher, known, titles, country_titles, max(len(k) for k in titles),
                              CountryTable.from_text(self.data["countries.tsv"]))

    def __call__(self, doc: Doc) -> Doc:
        tables = self.compiled
        mentions: dict[tuple[int, int], dict[str, str | None]] = {}
        candidates: list[Span] = [e for e in doc.ents if e.label_ == "PERSON"]
        candidates += [doc[s:e] for _, s, e in tables.gazetteer_matcher(doc)]
        for span in candidates:
            span = _strip_span(span, tables.countries)
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
        if span.start > 0 and doc[span.start - 1].lower_ in CASE_VERSUS:
            return None  # a party named in a court case ("Learning Resources v. Trump")
        name_start = _name_start(span, tables.countries)
        found = self._find_title(doc, name_start, tables, loose=True)
        if found is not None:
            title, country, first = found
            if _is_former(doc, first):
                return None  # "former U.S. president Ronald Reagan" no longer acts for a government
            return {"title": title, "country": country}
        title, country = self._appositive_title(doc, span, tables)
        if title is not None:
            return {"title": title, "country": country}
        if span.text in tables.known and (name_start == span.start or doc[name_start : span.end].text in tables.known):
            # a known surname inside another full name ("Hillary Clinton") is someone else
            return {"title": None, "country": None}
        return None

    def _title_before(self, doc: Doc, start: int, tables: OfficialTables) -> tuple[str | None, str | None]:
        """Longest known title ending right before token ``start``, and a country word before it."""
        found = self._find_title(doc, start, tables, loose=False)
        if found is None or _is_former(doc, found[2]):
            return None, None
        return found[0], found[1]

    def _find_title(self, doc: Doc, start: int, tables: OfficialTables, *, loose: bool) -> tuple[str, str | None, int] | None:
        """(title text, country, index of its first token) of the title right before a name.
        ``loose`` also accepts a title with an "of"/"for" complement ("President of Belarus",
        "Speaker of the House") and one set off by a comma ("The Prime Minister of Australia,
        Malcolm Turnbull"); only for names the base NER or the gazetteer found, since there the
        name's first token is known."""
        ends = [start]
        if loose and start > 0 and doc[start - 1].text == "," and not doc[start].is_sent_start:
            ends.append(start - 1)
        for end in ends:
            for first, words in _titles_ending_at(doc, end, tables):
                found = self._titled(doc, first, end, words, None, tables, strict=end != start)
                if found is not None:
                    return found
            if not loose:
                continue
            for of in range(end - 2, max(end - 2 - MAX_COMPLEMENT, 0), -1):
                if doc[of].lower_ not in {"of", "for"} or not _complement(doc[of + 1 : end]):
                    continue
                for first, words in _titles_ending_at(doc, of, tables):
                    found = self._titled(doc, first, end, words, doc[of + 1 : end], tables, strict=True)
                    if found is not None:
                        return found
        return None

    def _titled(self, doc: Doc, title_start: int, end: int, words: tuple[str, ...], complement: Span | None,
                tables: OfficialTables, *, strict: bool) -> tuple[str, str | None, int] | None:
        # extend over lower-case modifiers: "chief tariff negotiator", "top trade envoy"
        first = title_start
        while first > 0 and doc[first - 1].is_lower and doc[first - 1].pos_ in {"ADJ", "NOUN"}:
            first -= 1
        country = None
        if complement is not None:
            country = next((c for c in map(tables.countries.lookup, _country_candidates(complement)) if c), None)
        country = country or self._country_before(doc, first, tables)
        if words in tables.country_titles and country is None:
            return None  # "Cuban leader Raúl Castro", but not "business leader"
        if strict and set(words) & AMBIGUOUS_TITLE_HEADS and not set(words) & GOVERNMENT_TITLE_HEADS:
            # "President of Belarus", "President of Algeria", not "Chairman of Toyota"
            context = list(complement) if complement is not None else []
            place = any(t.ent_type_ == "GPE" for t in context)
            if country is None and not place and not {t.lower_ for t in context} & GOVERNMENT_WORDS:
                return None
        country = country or (tables.titles[words] if complement is None else None)
        return doc[first:end].text, country, first

    def _country_before(self, doc: Doc, index: int, tables: OfficialTables) -> str | None:
        if index >= 2 and doc[index - 1].text in POSSESSIVES:
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
            if token.ent_type_ == "PERSON" and tokens:
                if tokens[-1].is_title:
                    # "In a message on Twitter, U.S. President Donald Trump said": the title is
                    # the next name's
                    return None, None
                break
            tokens.append(token)
        if not tokens:
            return None, None
        country = None
        if len(tokens) >= 2 and tokens[1].text in POSSESSIVES:
            country = tables.countries.lookup(tokens[0].text)
            tokens = tokens[2:]
        elif tokens and tables.countries.lookup(tokens[0].text):
            country = tables.countries.lookup(tokens[0].text)
        while tokens and tokens[0].lower_ in {"the", "a", "an"}:
            tokens = tokens[1:]
        lowers = {t.lower_ for t in tokens}
        if not tokens:
            return None, None
        # "Jacques Chirac, the president of France": a country after "of"/"for" counts too
        country = country or next((c for c in (tables.countries.lookup(doc[t.i + 1 : t.i + 3].text) or
                                               tables.countries.lookup(doc[t.i + 1].text)
                                               for t in tokens[:-1] if t.lower_ in {"of", "for"}) if c), None)
        government = bool(lowers & GOVERNMENT_TITLE_HEADS)
        ambiguous = bool(lowers & AMBIGUOUS_TITLE_HEADS)
        if government or (ambiguous and (country or lowers & GOVERNMENT_WORDS)):
            return doc[tokens[0].i : tokens[-1].i + 1].text, country
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
                if title is None:
                    # "President of Russia Dmitry Medvedev": a complement that is a country name
                    titled = self._find_title(doc, i, tables, loose=True)
                    if titled is not None and not _is_former(doc, titled[2]) and _country_complement(doc, titled[2], i, tables):
                        title, country = titled[0], titled[1]
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
            if token.text in surnames and token.is_title and not (token.i > 0 and doc[token.i - 1].lower_ in CASE_VERSUS):
                if token.ent_iob_ == "I" and doc[token.i - 1].ent_type_ == "PERSON":
                    continue  # another person of that surname ("Fidel Castro" after "Raúl Castro")
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


def _strip_span(span: Span, countries: CountryTable) -> Span | None:
    """Drop a leading title word or a possessive and what follows it ("Trump's Section" -> "Trump")
    the base NER sometimes includes."""
    start, end = span.start, span.end
    doc = span.doc
    end = next((i for i in range(start + 1, end) if doc[i].text in POSSESSIVES), end)
    while end > start and doc[end - 1].text in POSSESSIVES | {"'", "’"}:
        end -= 1
    while start < end and doc[start].lower_ in LEADING_TITLE_WORDS:
        start += 1
    # "President of Belarus Alexander Lukashenko": the base NER sometimes takes in the country
    while end - start > 2 and countries.lookup(doc[start].text) and doc[start].ent_type_ == "PERSON":
        start += 1
    return doc[start:end] if end > start else None


def _titles_ending_at(doc: Doc, end: int, tables: OfficialTables) -> Iterator[tuple[int, tuple[str, ...]]]:
    """The known titles that end right before token ``end``, longest first: (first token, lower-case words)."""
    for length in range(min(tables.max_title_len, end), 0, -1):
        words = tuple(t.lower_ for t in doc[end - length : end])
        if words in tables.titles:
            yield end - length, words


def _name_start(span: Span, countries: CountryTable) -> int:
    """First token of the base-NER name a gazetteer surname is part of ("Ronald" of "Reagan"), so
    the title before the whole name is found."""
    doc, start = span.doc, span.start
    while (start > 0 and doc[start].ent_iob_ == "I" and doc[start - 1].ent_type_ == "PERSON"
           and doc[start - 1].is_title and doc[start - 1].lower_ not in LEADING_TITLE_WORDS
           and not countries.lookup(doc[start - 1].text)):
        start -= 1
    return start


def _is_former(doc: Doc, first: int) -> bool:
    """Whether the title starting at ``first`` is a past one ("former U.S. president")."""
    return any(t.lower_ in FORMER_WORDS for t in doc[max(0, first - 2) : first + 1])


def _country_complement(doc: Doc, first: int, end: int, tables: OfficialTables) -> bool:
    """Whether a title found before ``end`` ends in "of" + a country name ("President of Russia")."""
    for of in range(end - 2, first, -1):
        if doc[of].lower_ == "of":
            return tables.countries.lookup(doc[of + 1 : end].text) is not None
    return False


def _complement(words: Span) -> bool:
    """Whether ``words`` can complete a title after "of"/"for": "Belarus", "the House", "the
    People's Republic of China"."""
    if not 1 <= len(words) <= MAX_COMPLEMENT or any(t.is_sent_start for t in words):
        return False
    if not (words[-1].is_title or words[-1].is_upper) or words[0].lower_ in {"and", "of"}:
        return False
    return all(t.is_title or t.is_upper or t.lower_ in COMPLEMENT_GLUE for t in words)


def _country_candidates(words: Span) -> list[str]:
    """The complement, its pairs and its words, for a country lookup ("the United States",
    "South Korea", "Belarus")."""
    pairs = [words[i : i + 2].text for i in range(len(words) - 1)]
    return [words.text, *pairs, *(t.text for t in words)]


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
