"""AGENCY: named governmental and intergovernmental bodies."""
from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span

from ..gazetteer import CountryTable, read_tsv, split_forms
from .base import DataFilePipe, add_entities

# Head nouns of governmental bodies; a capitalized "X Ministry" or "Ministry of X" is a body.
BODY_HEADS = {
    "Ministry", "Department", "Office", "Agency", "Commission", "Bureau", "Council", "Secretariat",
    "Directorate", "Administration", "Service", "Authority", "Board", "Customs", "Parliament",
    "Congress", "Senate", "Assembly", "Court", "Tribunal", "Committee", "Cabinet",
}
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
        # "finance ministry", "central bank" after a possessive country ("Thailand's finance ministry")
        matcher.add("POSSESSED_BODY", [[
            {"ENT_TYPE": {"IN": ["GPE", "NORP"]}}, {"LOWER": {"IN": ["'s", "’s"]}},
            {"LOWER": {"IN": sorted(FUNCTION_WORDS | {"central", "cabinet"})}, "OP": "*"},
            {"LOWER": {"IN": ["ministry", "department", "office", "agency", "commission", "bank", "customs",
                              "parliament", "legislature", "cabinet"]}},
        ]])
        # "China customs", "Japanese customs"
        matcher.add("COUNTRY_CUSTOMS", [[{"ENT_TYPE": {"IN": ["GPE", "NORP"]}, "OP": "+"}, {"LOWER": "customs"}]])
        if self.administration_pattern:
            # "Trump administration", "Biden-Harris Administration", "Trump's administration", "U.S. administration"
            matcher.add("ADMINISTRATION", [
                [{"IS_TITLE": True}, {"TEXT": {"IN": ["-", "–", "‑", "⁠"]}, "OP": "?"}, {"IS_TITLE": True, "OP": "?"},
                 {"LOWER": {"IN": ["'s", "’s"]}, "OP": "?"}, {"LOWER": "administration"}],
                [{"TEXT": {"IN": ["U.S.", "US", "American"]}}, {"LOWER": "administration"}],
            ])
        return AgencyTables(phrase_matcher, matcher, canonical, countries, names, excluded)

    def __call__(self, doc: Doc) -> Doc:
        tables = self.compiled
        spans: list[Span] = []
        attributes: dict[tuple[int, int], tuple[str, str | None]] = {}
        for _, start, end in tables.phrase_matcher(doc):
            span = doc[start:end]
            if not self._valid_gazetteer_match(span):
                continue
            spans.append(span)
            attributes[(start, end)] = tables.canonical[span.text]
        for match_id, start, end in tables.matcher(doc):
            rule = self.vocab.strings[match_id]
            span = self._from_rule(doc, rule, start, end, tables)
            if span is not None:
                spans.append(span)
        if self.use_base_orgs:
            for ent in doc.ents:
                if ent.label_ == "ORG" and ent[-1].text in BODY_HEADS and len(ent) > 1:
                    spans.append(doc[ent.start + (1 if ent[0].lower_ == "the" else 0) : ent.end])
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

    def _valid_gazetteer_match(self, span: Span) -> bool:
        doc = span.doc
        following = doc[span.end] if span.end < len(doc) else None
        if following is not None and following.text in TITLE_AFTER:
            return False  # "Treasury" in "Treasury Secretary" is part of a job title
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
            first = next(i for i in range(start, end) if doc[i].lower_ in {"'s", "’s"}) + 1
            return doc[first:end] if first < end else None
        if rule == "ADMINISTRATION":
            head = span[0].text
            if head in {"The", "This", "That", "Our", "His", "Her", "Their", "Previous", "New", "Last"}:
                return None
            return span
        if rule == "FUNCTION_BODY":
            # include a directly preceding country word ("U.S. Agriculture Department")
            if start > 0 and tables.countries.lookup(doc[start - 1].text) and doc[start - 1].text[0].isupper():
                return doc[start - 1 : end]
            return span
        return span

    def _country_of(self, doc: Doc, span: Span, tables: AgencyTables) -> str | None:
        for token in span:
            code = tables.countries.lookup(token.text)
            if code:
                return code
        if span[-1].lower_ == "administration":
            leader = next((t.text for t in span if t.text in tables.administration_names), None)
            if leader is not None:
                return tables.administration_names[leader]
        if span.start >= 2 and doc[span.start - 1].lower_ in {"'s", "’s"}:
            return tables.countries.lookup(doc[span.start - 2].text)
        if span.start >= 1:
            return tables.countries.lookup(doc[span.start - 1].text)
        return None


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
