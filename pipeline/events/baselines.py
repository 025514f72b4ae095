"""Baseline sentence event classifiers, scored by the same `tariffscope evaluate`:
keyword rules, TF-IDF + logistic regression (scikit-learn), spaCy textcat_multilabel.
The learned ones train on the train split and the silver documents and tune thresholds on dev
by the rule that held-out dev documents favour for each (benchmarks/thresholds.py), as the
transformer does."""
from __future__ import annotations

import random
import re
from typing import Protocol

import numpy as np

from ..corpus import iter_sentences, read_split, training_documents
from ..labels import EVENT_LABELS
from ..scoring import f1_of_counts
from .model import normalize_sentence
from .train import choose_thresholds


class SentenceEventModel(Protocol):
    labels: list[str]
    thresholds: list[float]

    def predict(self, texts: list[str]) -> np.ndarray: ...


KEYWORDS = {
    "MEETING": r"\b(met|meet(s|ing)?|talks|negotiat\w+|summit|visit(ed|s)?|phone call|call with|held discussions|round of)\b",
    "PROPOSAL": r"\b(propos\w+|offer(ed|s)?|considering|consider|plan(s|ned)? to|recommend\w*|package of)\b",
    "TARIFF_IMPOSITION": r"\b(impos\w+|levied|levy|raise[sd]? (the )?tariffs?|tariffs? (of|on)|duty of|duties (of|on)|ad valorem|"
                         r"take effect|subject to an? (additional )?\w* ?(duty|tariff))\b",
    "PAUSE": r"\b(pause[sd]?|suspend\w*|delay\w*|postpone\w*|reprieve|defer\w*)\b",
    "RELIEF": r"\b(exempt\w*|exclu\w+|remov\w+|eliminat\w+|reduc\w+|lower(ed|ing)?|cut|refund\w*|reimburse\w*|relief|waive\w*|duty-free)\b",
    "RETALIATION": r"\b(retaliat\w+|counter-?measures?|counter-?tariffs?|in response to|tit-for-tat)\b",
    "THREAT": r"\b(threat\w*|warn\w*|if .{0,60}\b(will|would|may) (impose|raise|increase)|should .{0,60}retaliate)\b",
    "AGREEMENT": r"\b(agreement|agreed|deal (was )?reached|signed|framework|joint statement|arrangement|intends to)\b",
    "DEMAND": r"\b(urge[sd]?|urging|demand\w*|call(ed|s)? on|press(ed|es)? .{0,20}to|insist\w*)\b",
    "TRADE_DATA": r"(\b(imports?|exports?|deficit|surplus|trade balance)\b.{0,80}"
                  r"\b(\d[\d.,]*\s*(percent|%|billion|million)|largest|fell|rose)\b)",
}


class KeywordEvents:
    def __init__(self) -> None:
        self.labels = list(EVENT_LABELS)
        self.thresholds = [0.5] * len(self.labels)
        self.patterns = [re.compile(KEYWORDS[label], re.IGNORECASE) for label in self.labels]

    def predict(self, texts: list[str]) -> np.ndarray:
        return np.array([[1.0 if p.search(text) else 0.0 for p in self.patterns] for text in texts], dtype=np.float32)


# The learned baselines train on the same documents as the transformer.
TRAIN_SPLITS = ["train", "silver"]


def _split_data(split: str) -> tuple[list[str], np.ndarray]:
    docs = training_documents(TRAIN_SPLITS) if split == "train" else read_split(split)
    rows = list(iter_sentences(docs))
    return [normalize_sentence(r["text"]) for r in rows], np.array([r["labels"] for r in rows], dtype=bool)


class TfidfEvents:
    def __init__(self, seed: int = 13, threshold_rule: str = "global") -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.multiclass import OneVsRestClassifier

        self.labels = list(EVENT_LABELS)
        texts, gold = _split_data("train")
        self.vectorizer = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
        features = self.vectorizer.fit_transform(texts)
        self.classifier = OneVsRestClassifier(LogisticRegression(C=4.0, class_weight="balanced", max_iter=2000, random_state=seed))
        self.classifier.fit(features, gold.astype(int))
        dev_texts, dev_gold = _split_data("dev")
        self.thresholds = choose_thresholds(dev_gold, self.predict(dev_texts), threshold_rule)

    def predict(self, texts: list[str]) -> np.ndarray:
        return self.classifier.predict_proba(self.vectorizer.transform(texts)).astype(np.float32)


class TextcatEvents:
    """spaCy's textcat_multilabel (its default ensemble architecture), trained per sentence."""

    def __init__(self, seed: int = 13, epochs: int = 10, threshold_rule: str = "global") -> None:
        import spacy
        from spacy.training import Example
        from spacy.util import fix_random_seed, minibatch

        fix_random_seed(seed)
        random.seed(seed)
        self.labels = list(EVENT_LABELS)
        self.nlp = spacy.blank("en")
        textcat = self.nlp.add_pipe("textcat_multilabel")
        for label in self.labels:
            textcat.add_label(label)
        texts, gold = _split_data("train")
        examples = [Example.from_dict(self.nlp.make_doc(t), {"cats": {label: float(g) for label, g in zip(self.labels, row)}})
                    for t, row in zip(texts, gold)]
        self.nlp.initialize(lambda: examples)
        dev_texts, dev_gold = _split_data("dev")
        best, best_bytes = -1.0, None
        for _ in range(epochs):
            random.shuffle(examples)
            for batch in minibatch(examples, size=16):
                self.nlp.update(batch, drop=0.2)
            probs = self.predict(dev_texts)
            predicted = probs >= 0.5
            f1 = f1_of_counts(int((dev_gold & predicted).sum()), int(predicted.sum()), int(dev_gold.sum()))
            if f1 > best:
                best, best_bytes = f1, self.nlp.to_bytes()
        assert best_bytes is not None
        self.nlp.from_bytes(best_bytes)
        self.thresholds = choose_thresholds(dev_gold, self.predict(dev_texts), threshold_rule)

    def predict(self, texts: list[str]) -> np.ndarray:
        return np.array([[doc.cats[label] for label in self.labels] for doc in self.nlp.pipe(texts, batch_size=64)],
                        dtype=np.float32)


BASELINES = {"keywords": KeywordEvents, "tfidf": TfidfEvents, "textcat": TextcatEvents}
