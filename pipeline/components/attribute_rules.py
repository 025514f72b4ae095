"""tariffscope_attribute_rules: the base package's attribute_ruler (its tag map plus POS, MORPH
and LEMMA exceptions) with the same output, without testing every token against every pattern.

spaCy's AttributeRuler runs a Matcher over all of its patterns (179 in en_core_web_sm), almost
all of them single tokens keyed on TAG and LOWER. Here the token tests are indexed by those two
values, and what a combination of the attributes the rules read gets assigned is worked out once
and cached: a token then costs one dict lookup. Multi-token patterns of fixed length are matched
from the same per-token results; patterns beyond that (operators, extension attributes, fuzzy
or subset predicates, sentence starts) run on a small spaCy Matcher. As in the AttributeRuler,
every match is found before any attribute is set, and later rules take precedence.

The rules are copied from the source pipeline's attribute_ruler at ``initialize`` into a versioned
JSON file that ``to_disk`` saves with the pipeline (``rules.json``).
"""
from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import srsly
from spacy.attrs import IDS, LOWER, MORPH, TAG
from spacy.errors import Errors
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.pipeline import Pipe
from spacy.strings import StringStore, get_string_id
from spacy.tokens import Doc
from spacy.tokens._retokenize import normalize_token_attrs, set_token_attrs
from spacy.training import Example
from spacy.vocab import Vocab

from ..base import BASE_PACKAGE, base_package_path
from .base import SavedDataFiles

RULES_FILE = "rules.json"
RULES_FORMAT = "tariffscope.attribute_rules.v1"
SOURCE_COMPONENT = "attribute_ruler"
# Attributes set by the base package's rules (token.* names for the pipeline's analysis).
ASSIGNED = ["token.pos", "token.morph", "token.lemma", "token.tag", "token.dep"]

# Attributes whose values are string hashes, so that REGEX can read the string as the Matcher does.
_STRING_ATTRS = frozenset(IDS[name] for name in ("ORTH", "LOWER", "NORM", "SHAPE", "PREFIX", "SUFFIX", "LEMMA",
                                                 "TAG", "DEP", "ENT_TYPE", "ENT_ID", "ENT_KB_ID"))
# Read differently by the Matcher than by Doc.to_array (or not token attributes at all): such
# patterns stay on the spaCy Matcher.
_MATCHER_ONLY_ATTRS = frozenset({"OP", "_", "SENT_START", "IS_SENT_START", "ENT_IOB"})
_ANY = -1  # index key for "no constraint on this attribute" (hashes are never negative)

Check = tuple[str, int, Any]  # (operator, column in the key, value), tested on the token's key
Assignment = tuple[dict, ...]  # normalized attrs dicts, applied in order with set_token_attrs


@dataclass(frozen=True)
class _Compiled:
    """The rules in the form ``predict`` uses; rebuilt from the rules file in every process."""

    columns: list[int]  # the token attributes the fast tests read, the key of the cache
    tests: list[tuple[tuple[Check, ...], int, int, int]]  # (checks, rule, multi-token pattern or -1, position)
    index: dict[tuple[int, int], list[int]]  # (TAG, LOWER) value or _ANY -> candidate tests, ascending
    tag_column: int | None
    lower_column: int | None
    attrs: list[dict]  # per rule, normalized as the AttributeRuler does
    indices: list[int]  # per rule, the matched span's token that gets the attrs
    multi: list[tuple[int, int, int]]  # per multi-token pattern: (rule, length, target offset)
    matcher: Matcher | None  # the patterns the fast path does not cover
    matcher_rules: dict[int, int]  # Matcher key -> rule


class AttributeRules(SavedDataFiles, Pipe):
    """Sets token attributes (POS, MORPH, LEMMA, TAG, DEP) by the rules of a spaCy AttributeRuler,
    with exactly its output."""

    data_files = (RULES_FILE,)

    def __init__(self, vocab: Vocab, name: str, *, cache_size: int) -> None:
        self.vocab = vocab
        self.name = name
        self.cache_size = cache_size
        self.data: dict[str, str] = {}  # RULES_FILE -> its text
        self._compiled: _Compiled | None = None
        self._cache: dict[tuple[int, ...], tuple[tuple[int, ...], Assignment, tuple[int, ...], frozenset]] = {}
        self._merged: dict[tuple[int, ...], Assignment] = {}
        self._entries: dict[tuple, tuple] = {}

    # -- data ------------------------------------------------------------------------------
    def initialize(
        self,
        get_examples: Callable[[], Iterable[Example]] | None = None,
        *,
        nlp: Language | None = None,
        source: str | None = None,
        component: str = SOURCE_COMPONENT,
    ) -> None:
        """Copy the rules of the AttributeRuler ``component`` of the pipeline folder ``source``
        (default: the pinned base package)."""
        folder = base_package_path() if source in (None, "", BASE_PACKAGE) else Path(source)
        patterns_file = folder / component / "patterns"
        if not patterns_file.exists():
            raise FileNotFoundError(f"{self.name}: no AttributeRuler patterns at {patterns_file}")
        raw = patterns_file.read_bytes()
        meta = srsly.read_json(folder / "meta.json") if (folder / "meta.json").exists() else {}
        origin = {
            "pipeline": f"{meta.get('lang', '')}_{meta.get('name', '')}-{meta.get('version', '')}",
            "component": component,
            "patterns_sha256": hashlib.sha256(raw).hexdigest(),
        }
        self.set_data({RULES_FILE: rules_text(srsly.msgpack_loads(raw), origin)})

    def set_data(self, data: dict[str, str]) -> None:
        text = data[RULES_FILE]
        content = json.loads(text)
        if content.get("format") != RULES_FORMAT:
            raise ValueError(f"{self.name}: {RULES_FILE} is format {content.get('format')!r}, expected {RULES_FORMAT!r}")
        # Compiled now, not on first use: strings added inside nlp.memory_zone() would be freed
        # when the zone ends.
        compiled = compile_rules(self.vocab, content["rules"])
        self.data, self._compiled = {RULES_FILE: text}, compiled
        self._cache, self._merged, self._entries = {}, {}, {}

    @property
    def rules(self) -> list[dict]:
        """The rules as the AttributeRuler holds them (its ``patterns``)."""
        return json.loads(self.data[RULES_FILE])["rules"] if self.data else []

    @property
    def compiled(self) -> _Compiled:
        if self._compiled is None:
            raise ValueError(f"{self.name} has no rules: call nlp.initialize() or load a saved pipeline")
        return self._compiled

    # -- processing ------------------------------------------------------------------------
    def __call__(self, doc: Doc) -> Doc:
        error_handler = self.get_error_handler()
        try:
            self.set_annotations([doc], self.predict([doc]))
            return doc
        except Exception as error:  # noqa: BLE001  (spaCy's error handler decides, as for the AttributeRuler)
            return error_handler(self.name, self, [doc], error)

    def predict(self, docs: Iterable[Doc]) -> list[list[Assignment]]:
        """Per doc, per token, the attribute dicts to set, found before anything is set (rules
        read the attributes as they were when the component started, like the Matcher)."""
        return [self._doc_assignments(doc) for doc in docs]

    def set_annotations(self, docs: Iterable[Doc], assignments: list[list[Assignment]]) -> None:
        for doc, per_token in zip(docs, assignments):
            for token, assignment in zip(doc, per_token):
                for attrs in assignment:
                    set_token_attrs(token, attrs)

    def _doc_assignments(self, doc: Doc) -> list[Assignment]:
        compiled = self.compiled
        if compiled.columns:  # one row of attribute values per token, read in one call
            keys = list(zip(*doc.to_array(compiled.columns).reshape(len(doc), len(compiled.columns)).T.tolist()))
        else:
            keys = [()] * len(doc)
        get, resolve, strings = self._cache.get, self._resolve, doc.vocab.strings
        entries = [get(key) or resolve(key, strings) for key in keys]  # entries are 4-tuples, never falsy
        assignments = [entry[1] for entry in entries]
        if compiled.multi or compiled.matcher is not None:
            for i, rules in self._extra_rules(doc, entries).items():
                assignments[i] = self._merge(tuple(sorted(set(entries[i][0]).union(rules))))
        return assignments

    def _extra_rules(self, doc: Doc, entries: list[tuple]) -> dict[int, set[int]]:
        """Token index -> rules matched by multi-token or Matcher patterns with that target."""
        compiled = self.compiled
        extra: dict[int, set[int]] = {}
        length = len(entries)
        for start, entry in enumerate(entries):
            for pattern in entry[2]:  # multi-token patterns whose first token matches here
                rule, size, offset = compiled.multi[pattern]
                if start + size <= length and all((pattern, k) in entries[start + k][3] for k in range(1, size)):
                    extra.setdefault(start + offset, set()).add(rule)
        if compiled.matcher is not None:
            for key, start, end in compiled.matcher(doc, allow_missing=True, as_spans=False):
                rule = compiled.matcher_rules[key]
                index = compiled.indices[rule]
                target = start + index if index >= 0 else end + index
                if not start <= target < end:
                    raise ValueError(Errors.E1001.format(patterns=self.rules[rule]["patterns"],
                                                         span=[t.text for t in doc[start:end]], index=index))
                extra.setdefault(target, set()).add(rule)
        return extra

    def _resolve(self, key: tuple[int, ...], strings: StringStore) -> tuple[tuple[int, ...], Assignment, tuple[int, ...], frozenset]:
        """What a token with attribute values ``key`` matches: (single-token rules, their
        assignment, multi-token patterns starting here, (multi-token pattern, position) pairs)."""
        compiled = self.compiled
        tag = key[compiled.tag_column] if compiled.tag_column is not None else _ANY
        lower = key[compiled.lower_column] if compiled.lower_column is not None else _ANY
        candidates: set[int] = set()
        for index_key in ((tag, lower), (tag, _ANY), (_ANY, lower), (_ANY, _ANY)):
            candidates.update(compiled.index.get(index_key, ()))
        rules: list[int] = []
        starts: list[int] = []
        positions: set[tuple[int, int]] = set()
        for test in sorted(candidates):
            checks, rule, pattern, position = compiled.tests[test]
            if not all(_passes(check, key, strings) for check in checks):
                continue
            if pattern < 0:
                if not rules or rules[-1] != rule:
                    rules.append(rule)
            else:
                positions.add((pattern, position))
                if position == 0:
                    starts.append(pattern)
        outcome = (tuple(rules), tuple(starts), frozenset(positions))
        entry = self._entries.get(outcome)
        if entry is None:  # shared: most keys have one of a few hundred outcomes
            entry = self._entries[outcome] = (outcome[0], self._merge(outcome[0]), outcome[1], outcome[2])
        if len(self._cache) >= self.cache_size:
            self._cache.clear()  # bounded: a long stream of new words must not grow it for ever
        self._cache[key] = entry
        return entry

    def _merge(self, rules: tuple[int, ...]) -> Assignment:
        """The attrs of ``rules`` (ascending) as set_token_attrs calls: one dict where later rules
        simply overwrite earlier values, the rules one by one when extension attributes are set."""
        merged = self._merged.get(rules)
        if merged is None:
            attrs = [self.compiled.attrs[rule] for rule in rules]
            if any("_" in a for a in attrs):
                merged = tuple(attrs)
            else:
                combined: dict = {}
                for a in attrs:
                    combined.update(a)
                merged = (combined,) if combined else ()
            self._merged[rules] = merged
        return merged

    def __reduce__(self) -> tuple[Any, tuple]:
        # Pipe is a Cython class whose own pickling (taken before __getstate__) would ship the
        # compiled rules and the cache: the new process rebuilds them from the rules file instead.
        return (_restore, (self.vocab, self.name, self.cache_size, self.data))


def _restore(vocab: Vocab, name: str, cache_size: int, data: dict[str, str]) -> AttributeRules:
    pipe = AttributeRules(vocab, name, cache_size=cache_size)
    if data:
        pipe.set_data(data)
    return pipe


def rules_text(rules: list[dict], origin: dict[str, str]) -> str:
    """The rules file: its format, where the rules come from, one rule per line."""
    lines = [json.dumps(rule, ensure_ascii=False) for rule in rules]
    text = ("{\n" f' "format": {json.dumps(RULES_FORMAT)},\n' f' "source": {json.dumps(origin, sort_keys=True)},\n'
            ' "rules": [\n  ' + ",\n  ".join(lines) + "\n ]\n}\n")
    if json.loads(text)["rules"] != rules:  # e.g. integer attribute keys, which JSON would turn into strings
        raise ValueError(f"the {origin.get('component')} rules do not survive JSON; write them by attribute name")
    return text


def compile_rules(vocab: Vocab, rules: list[dict]) -> _Compiled:
    """Split the rules' patterns into token tests (indexed by TAG and LOWER), multi-token
    patterns built from those tests, and patterns left to a spaCy Matcher."""
    specs: list[tuple[list[Check], int, int, int]] = []  # checks by attribute id, before columns are known
    multi: list[tuple[int, int, int]] = []
    attrs: list[dict] = []
    indices: list[int] = []
    matcher: Matcher | None = None
    matcher_rules: dict[int, int] = {}
    for rule, entry in enumerate(rules):
        attrs.append(normalize_token_attrs(vocab, entry["attrs"]))
        index = int(entry.get("index", 0))
        indices.append(index)
        for pattern in entry["patterns"]:
            token_checks = [_compile_spec(vocab, spec) for spec in pattern]
            if not pattern or any(checks is None for checks in token_checks):
                if matcher is None:
                    matcher = Matcher(vocab)
                key = vocab.strings.add(f"tariffscope_attribute_rules:{rule}")
                matcher.add(key, [pattern])
                matcher_rules[key] = rule
                continue
            size = len(pattern)
            offset = index if index >= 0 else size + index
            if not 0 <= offset < size:  # the AttributeRuler would fail on its first match
                raise ValueError(Errors.E1001.format(patterns=[pattern], span="(any match)", index=index))
            if size == 1:
                specs.append((token_checks[0], rule, -1, 0))
            else:
                for position, checks in enumerate(token_checks):
                    specs.append((checks, rule, len(multi), position))
                multi.append((rule, size, offset))
    columns = sorted({attr for checks, *_ in specs for _, attr, _ in checks})
    column_of = {attr: i for i, attr in enumerate(columns)}
    tests = [(tuple((op, column_of[attr], value) for op, attr, value in checks), rule, pattern, position)
             for checks, rule, pattern, position in specs]
    index: dict[tuple[int, int], list[int]] = {}
    for test, (checks, *_) in enumerate(specs):
        for tag in _index_values(checks, TAG):
            for lower in _index_values(checks, LOWER):
                index.setdefault((tag, lower), []).append(test)
    return _Compiled(columns=columns, tests=tests, index=index, tag_column=column_of.get(TAG),
                     lower_column=column_of.get(LOWER), attrs=attrs, indices=indices, multi=multi, matcher=matcher,
                     matcher_rules=matcher_rules)


def _index_values(checks: list[Check], attr: int) -> Iterable[int]:
    """The values of ``attr`` a token must have to pass ``checks`` (_ANY: unconstrained); a
    superset is enough, the checks themselves are run on every candidate."""
    for op, check_attr, value in checks:
        if check_attr == attr and op == "eq":
            return (value,)
        if check_attr == attr and op == "in":
            return tuple(value)
    return (_ANY,)


def _compile_spec(vocab: Vocab, spec: Any) -> list[Check] | None:
    """A token spec as checks on attribute values, with the Matcher's reading of each value;
    None when only the Matcher can test it."""
    if not isinstance(spec, dict):
        return None
    checks: list[Check] = []
    for name, value in spec.items():
        if not isinstance(name, str):
            return None
        name = "ORTH" if name.upper() == "TEXT" else name.upper()
        attr = IDS.get(name)
        if name in _MATCHER_ONLY_ATTRS or attr is None:
            return None
        if isinstance(value, bool):  # before int: bool is an int
            checks.append(("eq", attr, int(value)))
        elif isinstance(value, int):
            checks.append(("eq", attr, value))
        elif isinstance(value, str):
            checks.append(("eq", attr, vocab.strings.add(value)))
        elif isinstance(value, dict):
            for op, argument in value.items():
                op = op.upper() if isinstance(op, str) else op
                if op in ("IN", "NOT_IN") and attr != MORPH and isinstance(argument, list) \
                        and all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in argument):
                    checks.append((op.lower(), attr, frozenset(get_string_id(v) for v in argument)))
                elif op == "REGEX" and attr in _STRING_ATTRS and isinstance(argument, str):
                    checks.append(("regex", attr, re.compile(argument)))
                else:
                    return None
        else:
            return None
    return checks


def _passes(check: Check, key: tuple[int, ...], strings: StringStore) -> bool:
    op, column, value = check
    actual = key[column]
    if op == "eq":
        return actual == value
    if op == "in":
        return actual in value
    if op == "not_in":
        return actual not in value
    return bool(value.search(strings[actual]))  # regex, on the doc's string as the Matcher reads it


@Language.factory(
    "tariffscope_attribute_rules",
    requires=["token.tag"],
    assigns=ASSIGNED,
    default_config={"cache_size": 100_000},
)
def make_attribute_rules(nlp: Language, name: str, *, cache_size: int) -> AttributeRules:
    return AttributeRules(nlp.vocab, name, cache_size=cache_size)
