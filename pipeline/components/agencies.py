"""AGENCY: named governmental and intergovernmental bodies."""
from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span

from ..gazetteer import CountryTable, read_tsv, split_forms
from .base import POSSESSIVES, DataFilePipe, add_entities

# Head nouns of governmental bodies; a capitalized "X Ministry" or "Ministry of X" is a body.
BODY_HEADS = {
    "Ministry", "Department", "Office", "Agency", "Commission", "Bureau", "Council", "Secretariat",
    "Directorate", "Administration", "Service", "Authority", "Board", "Customs", "Parliament",
    "Congress", "Senate", "Assembly", "Court", "Tribunal", "Committee", "Cabinet", "Navy", "Army",
}
# Lower-case heads of bodies that news names by a country word and a function ("Chinese commerce
# ministry", "Norwegian police", "Russian embassy", "Australian parliament").
COUNTRY_BODY_HEADS = {"ministry", "department", "parliament", "legislature", "police", "embassy", "navy", "army"}
# Lower-case heads that a function word alone names ("the commerce ministry", "Foreign ministry");
# a bare "the ministry" is not a body.
FUNCTION_ONLY_HEADS = {"ministry", "department"}
# Title-case adjectives that begin a body's name before "X of Y" ("European Court of Justice").
NAME_ADJECTIVES = {"European", "International", "Federal", "National", "Supreme", "Central", "Royal",
                   "Constitutional", "Imperial"}
FUNCTION_WORDS = {
    "commerce", "trade", "finance", "economy", "economic", "foreign", "agriculture", "agricultural",
    "industry", "industrial", "treasury", "customs", "statistics", "statistical", "energy",
    "fisheries", "labor", "labour", "defense", "defence", "tax", "revenue", "competition",
    "planning", "development", "transport", "transportation", "environment", "health",
    "interior", "justice", "external", "international", "investment",
}
# Words after which "White House" is a place, not the office.
PLACE_BEFORE_WHITE_HOUSE = {"at", "in", "outside", "inside", "to", "from", "on", "near", "into", "visit"}
TITLE_AFTER = {"Secretary", "Secretaries", "Minister", "Ministers", "Representative", "Commissioner",
               "Chair", "Chairman", "Director", "Undersecretary", "Spokesperson", "spokesperson",
               "spokesman", "spokeswoman", "secretary", "minister"}


@dataclass
class AgencyTables:
    phrase_matcher: PhraseMatcher
    matcher: Matcher
    canonical: dict[str, tuple[str, str | None]]  # alias text -> (canonical, country)
    countries: CountryTable
    administration_names: dict[str, str]  # surname of a known official -> country
    excluded: set[str]


class AgencyTagger(DataFilePipe):
    data_files = ("agencies.tsv", "agency_exclusions.tsv", "countries.tsv", "officials.tsv")

    def __init__(self, nlp: Language, name: str, *, use_base_orgs: bool, administration_pattern: bool) -> None:
        super().__init__(nlp, name)
        self.use_base_orgs = use_base_orgs
        self.administration_pattern = administration_pattern

    def compile(self) -> AgencyTables:
        countries = CountryTable.from_text(self.data["countries.tsv"])
        canonical: dict[str, tuple[str, str | None]] = {}
        for row in read_tsv(self.data["agencies.tsv"]):
            for alias in [row["canonical"], *split_forms(row["aliases"])]:
                canonical.setdefault(alias, (row["canonical"], row["country"] or None))
        phrase_matcher = PhraseMatcher(self.vocab, attr="ORTH")
        for alias in canonical:
            phrase_matcher.add("AGENCY", [self.tokenizer(alias)])
        names: dict[str, str] = {}
        for row in read_tsv(self.data["officials.tsv"]):
            for form in [row["name"], *split_forms(row["aliases"])]:
                names.setdefault(form.split()[-1], row["country"])
        excluded = {row["phrase"] for row in read_tsv(self.data["agency_exclusions.tsv"])}
        matcher = Matcher(self.vocab)
        # "Ministry of Economy, Trade and Industry", "Department of the Treasury"
        matcher.add("BODY_OF", [[
            {"TEXT": {"IN": sorted(BODY_HEADS)}}, {"LOWER": "of"}, {"LOWER": "the", "OP": "?"},
            {"IS_TITLE": True, "OP": "+"},
            {"TEXT": {"IN": [",", "and", "&"]}, "OP": "?"}, {"IS_TITLE": True, "OP": "*"},
            {"LOWER": "and", "OP": "?"}, {"IS_TITLE": True, "OP": "*"},
        ]])
        # "Commerce Ministry", "U.S. Agriculture Department", "Ministry of Commerce" handled above
        matcher.add("FUNCTION_BODY", [[
            {"IS_TITLE": True, "LOWER": {"IN": sorted(FUNCTION_WORDS)}, "OP": "+"},
            {"TEXT": {"IN": sorted(BODY_HEADS)}},
        ]])
        # "the commerce ministry", "Foreign ministry officials", "Philippine agriculture department"
        matcher.add("FUNCTION_BODY_LOWER", [[
            {"LOWER": {"IN": sorted(FUNCTION_WORDS)}, "OP": "+"},
            {"LOWER": {"IN": sorted(FUNCTION_ONLY_HEADS)}, "IS_LOWER": True},
        ]])
        # "Chinese commerce ministry", "Norwegian police", "Russian embassy" (the country word is
        # checked against the country table in _from_rule)
        matcher.add("COUNTRY_BODY", [[
            {"ENT_TYPE": {"IN": ["GPE", "NORP"]}, "IS_TITLE": True, "OP": "+"},
            {"LOWER": {"IN": sorted(FUNCTION_WORDS)}, "IS_LOWER": True, "OP": "*"},
            {"LOWER": {"IN": sorted(COUNTRY_BODY_HEADS)}, "IS_LOWER": True},
        ]])
        # "finance ministry", "central bank" after a possessive country ("Thailand's finance ministry")
        matcher.add("POSSESSED_BODY", [[
            {"ENT_TYPE": {"IN": ["GPE", "NORP"]}}, {"LOWER": {"IN": sorted(POSSESSIVES)}},
            {"LOWER": {"IN": sorted(FUNCTION_WORDS | {"central", "cabinet"})}, "OP": "*"},
            {"LOWER": {"IN": ["ministry", "department", "office", "agency", "commission", "bank", "customs",
                              "parliament", "legislature", "cabinet"]}},
        ]])
        # "China customs", "Japanese customs"
        matcher.add("COUNTRY_CUSTOMS", [[{"ENT_TYPE": {"IN": ["GPE", "NORP"]}, "OP": "+"}, {"LOWER": "customs"}]])
        if self.administration_pattern:
            # "Trump administration", "Biden-Harris Administration", "Trump's administration", "U.S. administration"
            # a hard-wrapped, indented line leaves a whitespace token before "Administration"
            matcher.add("ADMINISTRATION", [
                [{"IS_TITLE": True}, {"TEXT": {"IN": ["-", "–", "‑", "⁠"]}, "OP": "?"}, {"IS_TITLE": True, "OP": "?"},
                 {"LOWER": {"IN": sorted(POSSESSIVES)}, "OP": "?"}, {"IS_SPACE": True, "OP": "?"}, {"LOWER": "administration"}],
                [{"TEXT": {"IN": ["U.S.", "US", "American"]}}, {"LOWER": "administration"}],
            ])
            # "the Maduro regime", "Maduro's regime": a named leader's government, like an administration
            matcher.add("REGIME", [[{"IS_TITLE": True}, {"LOWER": {"IN": sorted(POSSESSIVES)}, "OP": "?"}, {"LOWER": "regime"}]])
        return AgencyTables(phrase_matcher, matcher, canonical, countries, names, excluded)

    def __call__(self, doc: Doc) -> Doc:
        tables = self.compiled
        spans: list[Span] = []
        attributes: dict[tuple[int, int], tuple[str, str | None]] = {}
        for _, start, end in tables.phrase_matcher(doc):
            span = doc[start:end]
            if not self._valid_gazetteer_match(span):
                continue
            # an intergovernmental body takes no country word ("the U.S. UN envoy")
            bounded = self._bounded(doc, span, tables, prefix=tables.canonical[span.text][1] not in {"INT", "EU"})
            spans.append(bounded)
            attributes.setdefault((bounded.start, bounded.end), tables.canonical[span.text])
        # A rule or base-NER span that cuts through a listed body is mis-bounded ("U.S. Department
        # of the Treasury Office" of "... Treasury Office of Foreign Assets Control").
        listed = [(s.start, s.end) for s in spans]
        for match_id, start, end in tables.matcher(doc):
            rule = self.vocab.strings[match_id]
            span = self._from_rule(doc, rule, start, end, tables)
            if span is not None:
                span = self._bounded(doc, span, tables)
                if not _crosses(span, listed):
                    spans.append(span)
        if self.use_base_orgs:
            found = [(s.start, s.end) for s in spans]
            for ent in doc.ents:
                if ent.label_ == "ORG" and ent[-1].text in BODY_HEADS and len(ent) > 1:
                    span = self._bounded(doc, doc[ent.start + (1 if ent[0].lower_ == "the" else 0) : ent.end], tables)
                    if not _crosses(span, found):
                        spans.append(span)
        spans = [s for s in spans if _clean(s.text) not in tables.excluded]
        added = add_entities(doc, [Span(doc, s.start, s.end, label="AGENCY") for s in spans])
        for span in added:
            canonical, country = attributes.get((span.start, span.end), (None, None))
            if canonical is None:
                canonical = _clean(span.text)
                country = self._country_of(doc, span, tables)
            span._.ts_canonical = canonical
            span._.ts_country = country or self._country_of(doc, span, tables)
        return doc

    def _bounded(self, doc: Doc, span: Span, tables: AgencyTables, *, prefix: bool = True) -> Span:
        """The span as the contract bounds it: without a possessive country ("China's Ministry of
        Commerce" -> "Ministry of Commerce"), with a country word or name adjective written right
        before it ("Norwegian Ministry of Foreign Affairs", "European Court of Justice") and, for a
        body named by a lower-case function, an "of" + country after it ("commerce department of
        the United States"); a proper name is complete without it ("National People's Congress of
        China")."""
        start, end = span.start, span.end
        for i in range(start + 1, end - 1):
            if doc[i].text in POSSESSIVES and tables.countries.lookup(doc[start:i].text):
                start = i + 1
                break
        else:
            while prefix:
                if (start > 0 and not doc[start].is_sent_start and doc[start].text in BODY_HEADS
                        and doc[start - 1].text in NAME_ADJECTIVES):
                    start -= 1
                    continue
                country = _country_words_before(doc, start, tables)
                if country and not tables.countries.lookup(doc[start].text):
                    start -= country
                    continue
                break
        if doc[end - 1].is_lower and end < len(doc) and doc[end].lower_ == "of":
            after = end + 1 + (1 if end + 1 < len(doc) and doc[end + 1].lower_ == "the" else 0)
            for length in (3, 2, 1):
                words = doc[after : after + length]
                if (len(words) == length and all(t.is_title or t.is_upper for t in words)
                        and tables.countries.lookup(words.text) and not _possessive_at(doc, after + length)):
                    end = after + length
                    break
        return doc[start:end]

    def _valid_gazetteer_match(self, span: Span) -> bool:
        doc = span.doc
        following = doc[span.end] if span.end < len(doc) else None
        portfolio_word = len(span) == 1 and not span.text.isupper()
        if following is not None and following.text in TITLE_AFTER and portfolio_word:
            # "Treasury" in "Treasury Secretary" is part of a job title; a full name before a
            # title is still the body ("White House spokesman", "Federal Reserve Bank Chairman")
            return False
        if portfolio_word and span.start >= 2:
            # "Treasury" in "Secretary of the Treasury" is part of the job title too
            of = span.start - 1 - (1 if doc[span.start - 1].lower_ == "the" else 0)
            if of >= 1 and doc[of].lower_ == "of" and doc[of - 1].text in TITLE_AFTER:
                return False
        if span.text == "White House" and span.start >= 2:
            before = doc[span.start - 1]
            if before.lower_ == "the" and doc[span.start - 2].lower_ in PLACE_BEFORE_WHITE_HOUSE:
                return False
        return True

    def _from_rule(self, doc: Doc, rule: str, start: int, end: int, tables: AgencyTables) -> Span | None:
        span = doc[start:end]
        if rule == "BODY_OF":
            # stop before a trailing conjunction or comma
            while len(span) > 2 and span[-1].text in {",", "and", "&"}:
                span = doc[span.start : span.end - 1]
            return span
        if rule == "POSSESSED_BODY":
            # the span starts after the possessive: "China's Commerce Ministry" -> "Commerce Ministry"
            first = next(i for i in range(start, end) if doc[i].lower_ in POSSESSIVES) + 1
            return doc[first:end] if first < end else None
        if rule == "ADMINISTRATION":
            head = span[0].text
            if head in {"The", "This", "That", "Our", "His", "Her", "Their", "Previous", "New", "Last"}:
                return None
            return span
        if rule == "REGIME":
            leader = span[0]
            return span if leader.text in tables.administration_names or leader.ent_type_ == "PERSON" else None
        if rule == "COUNTRY_BODY":
            # the leading words must name a country ("Hong Kong police"), not any group ("Republican")
            first_lower = next(i for i in range(start, end) if doc[i].is_lower)
            for first in range(start, first_lower):
                if tables.countries.lookup(doc[first:first_lower].text):
                    return doc[first:end]
            return None
        return span  # a country word before the body is added by _bounded ("U.S. Agriculture Department")

    def _country_of(self, doc: Doc, span: Span, tables: AgencyTables) -> str | None:
        for token in span:
            code = tables.countries.lookup(token.text)
            if code:
                return code
        if span[-1].lower_ == "administration":
            leader = next((t.text for t in span if t.text in tables.administration_names), None)
            if leader is not None:
                return tables.administration_names[leader]
        if span.start >= 2 and doc[span.start - 1].lower_ in POSSESSIVES:
            return tables.countries.lookup(doc[span.start - 2].text)
        if span.start >= 1:
            return tables.countries.lookup(doc[span.start - 1].text)
        return None


def _country_words_before(doc: Doc, index: int, tables: AgencyTables) -> int:
    """How many tokens right before ``index`` spell a country name or adjective ("Chinese",
    "United States"); 0 when none do. A possessive country ("China's") is not part of a name."""
    for length in (3, 2, 1):
        if index - length < 0:
            continue
        words = doc[index - length : index]
        if doc[index].is_sent_start or any(t.is_sent_start for t in words[1:]) or words[0].lower_ == "the":
            continue  # "The United States" is looked up without "The"; a name never spans sentences
        if all(t.is_title or t.is_upper for t in words) and tables.countries.lookup(words.text):
            return 0 if words[-1].text in POSSESSIVES else length
    return 0


def _crosses(span: Span, ranges: list[tuple[int, int]]) -> bool:
    return any(s < span.start < e < span.end or span.start < s < span.end < e for s, e in ranges)


def _possessive_at(doc: Doc, index: int) -> bool:
    return index < len(doc) and doc[index].text in POSSESSIVES


def _clean(text: str) -> str:
    return re.sub(r"['’]s\b", "", " ".join(text.split()))


@Language.factory(
    "tariffscope_agencies",
    requires=["doc.ents", "token.pos"],
    assigns=["doc.ents", "span._.ts_canonical", "span._.ts_country"],
    default_config={"use_base_orgs": True, "administration_pattern": True},
)
def make_agency_tagger(nlp: Language, name: str, use_base_orgs: bool, administration_pattern: bool) -> AgencyTagger:
    return AgencyTagger(nlp, name, use_base_orgs=use_base_orgs, administration_pattern=administration_pattern)
