"""TARIFF_RATE: numbers stating a tariff, duty or levy rate, with ``value`` and ``unit``."""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span, Token

from ..gazetteer import read_tsv
from .base import DataFilePipe, add_entities

NUMBER_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30,
    "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100,
    "twenty-five": 25, "thirty-four": 34, "one hundred": 100,
}
PERCENT_UNITS = ["percent", "per", "pct", "%", "pc", "per-cent", "percentage"]
PER_UNITS = ["pound", "pounds", "lb", "kilogram", "kilograms", "kg", "ton", "tons", "tonne", "tonnes",
             "unit", "units", "barrel", "barrels", "liter", "liters", "litre", "litres", "gallon",
             "gallons", "head", "dozen", "item", "items", "piece", "pieces", "vehicle", "metric", "bushel"]
HYPHENS = {"-", "‑", "–"}
ORDINAL = re.compile(r"^\d+(st|nd|rd|th)$", re.IGNORECASE)
# "ranging from 16.88 to 25.50 percent" is a range, not a change from one rate to another
RANGE_WORDS = {"range", "ranging", "vary", "varying", "between"}
# a sentence about trade flows: a bracketed percentage there is a share, not a rate
FLOW_WORDS = {"share", "account", "proportion"}
CURRENCIES = {"$": "USD", "US$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "C$": "CAD", "A$": "AUD"}


@dataclass
class RateTables:
    matcher: Matcher
    tariff_words: set[str]
    change_verbs: set[str]
    non_tariff_words: set[str]
    level_words: set[str]  # tariff words that still count beyond the window


class TariffRateTagger(DataFilePipe):
    data_files = ("rate_context.tsv",)

    def __init__(self, nlp: Language, name: str, *, window_after: int, window_before: int, table_context_sentences: int,
                 level_window: int, list_window: int) -> None:
        super().__init__(nlp, name)
        self.window_after = window_after
        self.window_before = window_before
        self.table_context_sentences = table_context_sentences
        self.level_window = level_window
        self.list_window = list_window

    def compile(self) -> RateTables:
        words: dict[str, set[str]] = {"tariff": set(), "change": set(), "non_tariff": set(), "weak": set()}
        for row in read_tsv(self.data["rate_context.tsv"]):
            words[row["kind"]].add(row["word"].lower())
        number = {"LIKE_NUM": True}
        percent_unit = [{"LOWER": {"IN": ["percent", "pct", "%", "pc", "per-cent"]}}]
        per_cent = [{"LOWER": "per"}, {"LOWER": "cent"}]
        # "suspending 24 percentage points of that rate" (not "raised by 5 percentage points")
        points = [{"LOWER": "percentage"}, {"LOWER": {"IN": ["point", "points"]}}]
        matcher = Matcher(self.vocab)
        # a hard-wrapped, indented line leaves a whitespace token inside "25\n    percent"
        wrap = {"IS_SPACE": True, "OP": "?"}
        for unit in (percent_unit, per_cent, points):
            matcher.add("PERCENT", [[number, wrap, *unit]])
            # one span only for a range written with its unit once ("12 to 15 per cent"); "10% to
            # 12.5%" is two rates, each matched on its own
            matcher.add("PERCENT_RANGE", [[number, {"LOWER": {"IN": ["to", "-", "–", "and", "or"]}}, number, wrap, *unit]])
        matcher.add("PERCENT_ATTACHED", [[{"TEXT": {"REGEX": r"^\d+(\.\d+)?%$"}}]])
        per = {"LOWER": {"IN": ["per", "a", "/", "each"]}}
        matcher.add("PER_UNIT", [
            [{"TEXT": {"IN": sorted(CURRENCIES)}}, number, per, {"LOWER": {"IN": PER_UNITS}}],
            [{"TEXT": {"IN": sorted(CURRENCIES)}}, number, per, {"LOWER": "metric"}, {"LOWER": {"IN": ["ton", "tons"]}}],
            [number, {"LOWER": {"IN": ["cents", "cent", "dollars", "euros"]}}, per, {"LOWER": {"IN": PER_UNITS}}],
        ])
        matcher.add("ZERO", [[{"LOWER": "zero"}]])
        return RateTables(matcher, words["tariff"], words["change"], words["non_tariff"], words["tariff"] - words["weak"])

    def __call__(self, doc: Doc) -> Doc:
        tables = self.compiled
        spans = []
        values: dict[tuple[int, int], tuple[float, float | None, str]] = {}
        out_of_context: list[tuple[Span, tuple[float, float | None, str]]] = []
        for match_id, start, end in tables.matcher(doc):
            rule = self.vocab.strings[match_id]
            span = doc[start:end]
            if rule == "ZERO" and not self._zero_is_rate(doc, start, tables):
                continue
            parsed = parse_rate(span.text)
            if parsed is None or rule == "PERCENT_RANGE" and ORDINAL.match(span[0].text):
                continue  # "on December 1st to 50 percent" is a date, then a rate
            if rule == "PERCENT_RANGE" and self._is_rate_change(doc, span, parsed):
                # "from 25 to 50 percent": the old rate is the bare first number, the new one is
                # matched on its own
                span, parsed = doc[start : start + 1], (parsed[0], None, parsed[2])
                if not span[0].like_num:
                    continue
            if rule != "ZERO" and not self._is_tariff_rate(doc, span, tables):
                out_of_context.append((span, parsed))
                continue
            spans.append(span)
            values[(span.start, span.end)] = parsed
        # rates whose tariff word is further away than the window
        for span, parsed in out_of_context:
            if self._is_tariff_level(doc, span, tables) or self._place_rate(doc, span, tables):
                spans.append(span)
                values[(span.start, span.end)] = parsed
        out_of_context = [(span, parsed) for span, parsed in out_of_context if (span.start, span.end) not in values]
        # "cut from 145% to 30%": the second rate of a change is as much a tariff rate as the first;
        # "a tariff of 10% on planes and 25% on other goods": so is the next rate of a list
        for span, parsed in out_of_context:
            if any(_joined_by_change(doc, span, rate) or self._listed_after(doc, span, rate, tables) for rate in spans):
                spans.append(span)
                values[(span.start, span.end)] = parsed
        added = add_entities(doc, [Span(doc, s.start, s.end, label="TARIFF_RATE") for s in spans])
        for span in added:
            value, value_max, unit = values[(span.start, span.end)]
            span._.ts_value = value
            span._.ts_value_max = value_max
            span._.ts_unit = unit
        return doc

    @staticmethod
    def _is_rate_change(doc: Doc, span: Span, parsed: tuple[float, float | None, str]) -> bool:
        """"from 145% to 30%", "to 30% from 145%": two rates, not a range (a range never
        falls: "12 to 15 per cent")."""
        value, value_max, _ = parsed
        if value_max is not None and value_max < value:
            return True
        # "from 25 to 50 percent" is a change (two rates), "ranging from 16.88 to 25.50 percent" a range
        if span.start > 0 and doc[span.start - 1].lower_ == "from":
            return span.start < 2 or doc[span.start - 2].lemma_.lower() not in RANGE_WORDS
        return False

    def _is_tariff_rate(self, doc: Doc, span: Span, tables: RateTables) -> bool:
        sent = span.sent
        before = doc[max(sent.start, span.start - self.window_before) : span.start]
        # hyphens of a compound do not count against the window ("a 10% across-the-board tariff")
        after = [t for t in doc[span.end : sent.end] if t.text not in HYPHENS][: self.window_after]
        # "fell by 99 percent", "cut by 50 pct": a relative change, not a rate; "hit by 10%
        # import tariffs" names the tariff
        if span.start > 0 and doc[span.start - 1].lower_ == "by" and not _names_tariff(after, tables):
            return False
        # "30 percent of imports", "a 40 percent share"; "delay 25% of tariffs" is a rate
        if (len(after) >= 1 and after[0].lower_ == "of"
                and not any(t.lower_ in {"duty", "value", "customs"} for t in after[1:4])
                and not _has_word(after[1:4], tables.tariff_words)
                and not any(t.lemma_.lower() in tables.tariff_words for t in before[-3:])):
            return False
        if any(t.lower_ in tables.non_tariff_words for t in list(before[-3:]) + list(after[:2])):
            return False
        if _has_word(after, tables.tariff_words):
            return True
        if _has_word(before, tables.tariff_words):
            # "a universal tariff of 10 percent", "tariffs on Chinese goods to 145 percent";
            # "tariff revenue rose 3 percent" is a change, "tariffs rose to 25 percent" a level
            if before and before[-1].lower_ in {"to", "at", "of"}:
                return True
            return not any(t.lemma_.lower() in tables.change_verbs for t in before[-2:])
        for ancestor in list(span.root.ancestors)[:3]:
            if ancestor.lemma_.lower() in tables.tariff_words:
                return True
        return self._table_row(doc, span, tables)

    def _is_tariff_level(self, doc: Doc, span: Span, tables: RateTables) -> bool:
        """"raise tariffs on Canadian steel and aluminium imports from 25% to 50%", "tariffs on
        electric vehicles of up to 37.6%": a rate after "to", "from", "of" or "at" whose tariff
        word comes earlier in the sentence, beyond the window, with no other kind of quantity
        (growth, share, ...) or relative change ("by") in between."""
        index = span.start - 1
        if index >= 1 and doc[index].lower_ == "to" and doc[index - 1].lower_ == "up":
            index -= 1
        if index < 0 or doc[span.start - 1].lower_ not in {"to", "from", "of", "at"} or self._share_of(doc, span, tables):
            return False
        sent_start = span.sent.start
        for token in reversed(doc[max(sent_start, index - self.level_window) : index]):
            if token.lower_ in tables.non_tariff_words or token.lower_ == "by" or token.text == ";":
                return False
            if token.pos_ in {"CCONJ", "SCONJ"} and token.i > 0 and doc[token.i - 1].text == ",":
                return False  # ", and its capacity utilization rate rose ... to 61%": another clause
            if _has_word([token], tables.level_words):
                return True
        return False

    def _place_rate(self, doc: Doc, span: Span, tables: RateTables) -> bool:
        """"partners like Brazil (11.2 percent) and China (7.5 percent) have higher MFN tariff
        rates": a rate in brackets after a place, in a sentence about tariffs."""
        if span.start < 2 or span.end >= len(doc) or doc[span.start - 1].text != "(" or doc[span.end].text != ")":
            return False
        if doc[span.start - 2].ent_type_ not in {"GPE", "NORP"}:
            return False
        # "exports to China (30 percent)" is a share of a trade flow
        sent = span.sent
        if any(t.lemma_.lower() in FLOW_WORDS or t.lower_ in tables.non_tariff_words for t in sent):
            return False
        return _has_word(sent, tables.level_words)

    def _listed_after(self, doc: Doc, span: Span, rate: Span, tables: RateTables) -> bool:
        """Whether ``span`` continues a list of rates that ``rate`` starts: "a tariff of 10% on
        Airbus planes and 25% on other goods", "Brazil (11.2 percent), China (7.5 percent)"."""
        if not rate.end <= span.start <= rate.end + self.list_window or rate.sent.start != span.sent.start:
            return False
        between = doc[rate.end : span.start]
        # a verb starts another clause; one inside a compound ("European-made") does not
        verbs = [t for t in between if t.pos_ == "VERB" and not (t.i > 0 and doc[t.i - 1].text in HYPHENS)]
        if verbs or any(t.lower_ in tables.non_tariff_words or t.lower_ == "by" for t in between):
            return False
        if self._share_of(doc, span, tables):
            return False
        previous = doc[span.start - 1].lower_
        if previous == "(":
            return doc[span.end].text == ")" if span.end < len(doc) else False
        return previous in {"and", "or", ","}

    @staticmethod
    def _share_of(doc: Doc, span: Span, tables: RateTables) -> bool:
        """"30 percent of imports": a share, unless what follows "of" is a tariff ("25% of tariffs")."""
        if span.end >= len(doc) or doc[span.end].lower_ != "of":
            return False
        return not _has_word(doc[span.end + 1 : span.end + 4], tables.tariff_words)

    def _table_row(self, doc: Doc, span: Span, tables: RateTables) -> bool:
        """"Japan: 24%" rows of a tariff table: a short line with a colon, after tariff talk."""
        sent = span.sent
        if len(sent) > 10 or not any(t.text in {":", "–", "-"} for t in doc[sent.start : span.start]):
            return False
        sentences = list(doc.sents)
        index = next(i for i, s in enumerate(sentences) if s.start == sent.start)
        context = sentences[max(0, index - self.table_context_sentences) : index]
        return any(t.lemma_.lower() in tables.tariff_words for s in context for t in s)

    def _zero_is_rate(self, doc: Doc, index: int, tables: RateTables) -> bool:
        nxt = doc[index + 1] if index + 1 < len(doc) else None
        prev = doc[index - 1] if index > 0 else None
        if nxt is not None and nxt.text in HYPHENS or prev is not None and prev.text in HYPHENS:
            return False  # "zero-tariff", "zero-for-zero" are compounds, not rates
        if nxt is not None and nxt.lemma_.lower() in tables.tariff_words:
            return True  # "zero tariffs"
        if prev is not None and prev.lower_ in {"to", "at"}:
            window = doc[max(doc[index].sent.start, index - self.window_before) : index]
            return any(t.lemma_.lower() in tables.tariff_words for t in window)
        return False


def _names_tariff(after: list[Token], tables: RateTables) -> bool:
    """Whether the words after a rate are the tariff it is the rate of: "10% tariffs", "10% import
    tariffs" (not "20 percent despite tariffs")."""
    if not after:
        return False
    if _has_word(after[:1], tables.tariff_words):
        return True
    return len(after) > 1 and after[0].pos_ in {"NOUN", "ADJ", "PROPN"} and _has_word(after[1:2], tables.tariff_words)


def _has_word(tokens: Iterable[Token], words: set[str]) -> bool:
    """Whether one of ``tokens`` is one of ``words`` (lower-case), by its form or its lemma."""
    return any(t.lemma_.lower() in words or t.lower_ in words for t in tokens)


def _joined_by_change(doc: Doc, span: Span, rate: Span) -> bool:
    """Whether ``span`` and ``rate`` are the two sides of "from X to Y" / "to X from Y"."""
    if rate.end + 1 == span.start:
        between = doc[rate.end]
    elif span.end + 1 == rate.start:
        between = doc[span.end]
    else:
        return False
    return between.lower_ in {"to", "from"}


_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?|\.\d+")


def parse_number(text: str) -> float | None:
    text = text.strip().lower()
    if text in NUMBER_WORDS:
        return float(NUMBER_WORDS[text])
    match = _NUMBER.search(text)
    if match is None:
        return None
    return float(match.group(0).replace(",", ""))


def parse_rate(text: str) -> tuple[float, float | None, str] | None:
    """(value, upper bound of a range or None, unit) of a rate's text."""
    lowered = " ".join(text.lower().split())
    currency = next((code for symbol, code in CURRENCIES.items() if text.strip().startswith(symbol)), None)
    if "cent" in lowered and "per cent" not in lowered and "percent" not in lowered:
        currency, scale = "USD", 0.01
    else:
        scale = 1.0
    if lowered.startswith("zero"):
        return 0.0, None, "percent"
    numbers = [n for n in (parse_number(part) for part in re.findall(r"[\d.,]+|[a-z-]+", lowered)) if n is not None]
    if not numbers:
        return None
    value = numbers[0] * scale
    value_max = numbers[1] * scale if len(numbers) > 1 and currency is None else None
    if currency is not None:
        basis = re.search(r"(?:per|a|/|each)\s+(metric ton|[a-z]+)", lowered)
        unit = f"{currency} per {basis.group(1) if basis else 'unit'}"
        return value, None, unit
    return value, value_max, "percent"


@Language.factory(
    "tariffscope_tariff_rates",
    requires=["doc.sents", "token.lemma"],
    assigns=["doc.ents", "span._.ts_value", "span._.ts_value_max", "span._.ts_unit"],
    default_config={"window_after": 5, "window_before": 7, "table_context_sentences": 3, "level_window": 20,
                    "list_window": 10},
)
def make_tariff_rate_tagger(nlp: Language, name: str, window_after: int, window_before: int,
                            table_context_sentences: int, level_window: int, list_window: int) -> TariffRateTagger:
    return TariffRateTagger(nlp, name, window_after=window_after, window_before=window_before,
                            table_context_sentences=table_context_sentences, level_window=level_window,
                            list_window=list_window)
