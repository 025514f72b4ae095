"""COMMODITY: traded goods from a gazetteer, with canonical name and HS chapter."""
from __future__ import annotations

from dataclasses import dataclass

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

from ..gazetteer import plural, read_tsv, split_forms
from .base import DataFilePipe, add_entities

# Base-NER labels whose spans are names, not product mentions ("Apple", "U.S. Steel", "Rice").
NAME_LABELS = {"ORG", "PERSON", "WORK_OF_ART", "LAW", "FAC", "EVENT", "PRODUCT"}
NOT_PRODUCT_POS = {"VERB", "AUX", "ADV", "ADP", "PRON", "DET", "CCONJ", "SCONJ", "PART", "NUM"}


@dataclass
class CommodityTables:
    matcher: PhraseMatcher
    exclusions: PhraseMatcher
    entries: dict[str, tuple[str, str | None]]  # lower-case form -> (canonical, HS chapter)
    single_word_lemmas: dict[str, tuple[str, str | None]]
    modifiers: PhraseMatcher
    modifier_heads: dict[str, set[str]]  # lower-case modifier -> canonical heads it applies to (empty: any)


class CommodityTagger(DataFilePipe):
    data_files = ("commodities.tsv", "commodity_exclusions.tsv", "commodity_modifiers.tsv")

    def __init__(self, nlp: Language, name: str, *, match_lemmas: bool, skip_named_entities: bool) -> None:
        super().__init__(nlp, name)
        self.match_lemmas = match_lemmas
        self.skip_named_entities = skip_named_entities

    def compile(self) -> CommodityTables:
        entries: dict[str, tuple[str, str | None]] = {}
        for row in read_tsv(self.data["commodities.tsv"]):
            target = (row["canonical"], row["hs_chapter"] or None)
            for form in [row["canonical"], *split_forms(row["forms"])]:
                for variant in (form, plural(form)):
                    entries.setdefault(variant.lower(), target)
        matcher = PhraseMatcher(self.vocab, attr="LOWER")
        for form in entries:
            matcher.add("COMMODITY", [self.tokenizer(form)])
        exclusions = PhraseMatcher(self.vocab, attr="LOWER")
        for row in read_tsv(self.data["commodity_exclusions.tsv"]):
            exclusions.add("EXCLUDED", [self.tokenizer(row["phrase"])])
        single = {form: target for form, target in entries.items() if " " not in form and "-" not in form}
        modifiers = PhraseMatcher(self.vocab, attr="LOWER")
        modifier_heads: dict[str, set[str]] = {}
        for row in read_tsv(self.data["commodity_modifiers.tsv"]):
            phrase = " ".join(t.lower_ for t in self.tokenizer(row["modifier"]))
            modifier_heads[phrase] = set(split_forms(row["heads"]))
            modifiers.add("MODIFIER", [self.tokenizer(row["modifier"])])
        return CommodityTables(matcher, exclusions, entries, single, modifiers, modifier_heads)

    def __call__(self, doc: Doc) -> Doc:
        tables = self.compiled
        excluded = [(s, e) for _, s, e in tables.exclusions(doc)]
        candidates: dict[tuple[int, int], tuple[str, str | None]] = {}
        for _, start, end in tables.matcher(doc):
            candidates[(start, end)] = tables.entries[doc[start:end].text.lower()]
        if self.match_lemmas:
            # irregular plurals and inflections the listed forms miss ("tomatoes" -> "tomato")
            for token in doc:
                target = tables.single_word_lemmas.get(token.lemma_.lower())
                if target is not None and (token.i, token.i + 1) not in candidates:
                    candidates[(token.i, token.i + 1)] = target
        spans = []
        doc_text = doc.text  # Doc.text joins every token on each access: read it once
        for (start, end), _target in candidates.items():
            span = doc[start:end]
            if any(s <= start and end <= e for s, e in excluded) or _in_url(span, doc_text):
                continue
            if len(span) == 1 and span[0].pos_ in NOT_PRODUCT_POS:
                continue  # "lead" the verb, "iron out"
            if self.skip_named_entities and any(t.ent_type_ in NAME_LABELS for t in span):
                continue
            if span[0].is_title and span[0].pos_ == "PROPN" and not span[0].is_sent_start and not _title_case_line(span):
                continue  # a proper name ("Rice", "Apple") rather than the product
            spans.append(Span(doc, start, end, label="COMMODITY"))
        spans = self._with_modifiers(doc, spans, candidates, tables)
        for span in add_entities(doc, spans):
            canonical, chapter = candidates[(span.start, span.end)]
            span._.ts_canonical = canonical
            span._.ts_hs_chapter = chapter
        return doc

    @staticmethod
    def _with_modifiers(doc: Doc, spans: list[Span], candidates: dict[tuple[int, int], tuple[str, str | None]],
                        tables: CommodityTables) -> list[Span]:
        """Extend each span over the type modifiers written right before it ("primary aluminum",
        "genetically modified corn"); the extended span keeps the head's canonical name."""
        ending_at: dict[int, list[int]] = {}
        for _, start, end in tables.modifiers(doc):
            ending_at.setdefault(end, []).append(start)
        extended = []
        for span in spans:
            target = candidates[(span.start, span.end)]
            start = span.start
            while start in ending_at:
                fitting = [s for s in ending_at[start] if _modifier_fits(doc[s:start], target[0], tables)
                           and not doc[start].is_sent_start]
                if not fitting:
                    break
                start = min(fitting)
            candidates.setdefault((start, span.end), target)  # a listed phrase keeps its own name
            extended.append(Span(doc, start, span.end, label="COMMODITY"))
        return extended


def _in_url(span: Span, text: str) -> bool:
    """Text inside a link or web address is never an entity ("...org/analysis-clean-energy-...");
    ``text`` is the document's text."""
    start = max(text.rfind(" ", 0, span.start_char), text.rfind("\n", 0, span.start_char), text.rfind("(", 0, span.start_char)) + 1
    end = min((i for i in (text.find(" ", span.end_char), text.find("\n", span.end_char), text.find(")", span.end_char)) if i >= 0),
              default=len(text))
    word = text[start:end]
    return "://" in word or "www." in word


def _modifier_fits(modifier: Span, canonical: str, tables: CommodityTables) -> bool:
    heads = tables.modifier_heads.get(" ".join(t.lower_ for t in modifier))
    if heads is None or heads and canonical not in heads:
        return False
    # part of a name ("Commercial Bank"), not a type word
    return not any(t.ent_type_ in NAME_LABELS for t in modifier)


def _title_case_line(span: Span) -> bool:
    """Headings and instrument titles are in title case; there capitals say nothing."""
    sent = span.sent
    words = [t for t in sent if t.is_alpha and len(t) > 3]
    return bool(words) and sum(t.is_title or t.is_upper for t in words) / len(words) > 0.7


@Language.factory(
    "tariffscope_commodities",
    requires=["doc.ents", "doc.sents", "token.pos", "token.lemma"],
    assigns=["doc.ents", "span._.ts_canonical", "span._.ts_hs_chapter"],
    default_config={"match_lemmas": True, "skip_named_entities": True},
)
def make_commodity_tagger(nlp: Language, name: str, match_lemmas: bool, skip_named_entities: bool) -> CommodityTagger:
    return CommodityTagger(nlp, name, match_lemmas=match_lemmas, skip_named_entities=skip_named_entities)
