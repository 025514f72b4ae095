"""Decision thresholds of the event classifier: the rules, and re-tuning a trained model."""
from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from pipeline.events.train import best_threshold, choose_thresholds, f1_table, retune_thresholds, train

REPO = Path(__file__).resolve().parents[2]


def scores_and_gold() -> tuple[np.ndarray, np.ndarray]:
    # label 0 is separated at 0.3, label 1 at 0.8; 6 positives each
    probs = np.array([[0.35, 0.85]] * 6 + [[0.25, 0.75]] * 6 + [[0.05, 0.05]] * 8, dtype=np.float32)
    gold = np.zeros((20, 2), dtype=bool)
    gold[:6, 0] = True
    gold[:6, 1] = True
    return gold, probs


def test_per_label_rule_fits_each_label():
    gold, probs = scores_and_gold()
    assert choose_thresholds(gold, probs, "per_label") == [0.3, 0.8]
    assert f1_table(gold, probs >= np.array([0.3, 0.8]), ["A", "B"])["micro"] == 1.0


def test_global_rule_gives_one_threshold_with_the_best_micro_f1():
    gold, probs = scores_and_gold()
    # micro-F1 at 0.1: 0.667; 0.3: 0.8 (label 1 has 6 false positives); 0.5: 0.5; 0.8: 0.667
    assert best_threshold(gold, probs, [0.1, 0.3, 0.5, 0.8]) == 0.3
    assert choose_thresholds(gold, probs, "global", grid=[0.1, 0.3, 0.5, 0.8]) == [0.3, 0.3]


def test_few_positives_keep_one_half_and_unknown_rule_fails():
    gold, probs = scores_and_gold()
    assert choose_thresholds(gold, probs, "per_label", min_positives=7) == [0.5, 0.5]
    with pytest.raises(ValueError, match="threshold rule"):
        choose_thresholds(gold, probs, "median")


def test_retune_thresholds_changes_only_settings_and_report(tmp_path):
    model = tmp_path / "event-classifier"
    shutil.copytree(REPO / "models" / "event-classifier", model)
    weights = hashlib.sha256((model / "event_model.safetensors").read_bytes()).hexdigest()
    config = tmp_path / "global.cfg"
    text = (REPO / "configs" / "event_classifier.cfg").read_text()
    config.write_text(text.replace('threshold_rule = "per_label"', 'threshold_rule = "global"'))
    report = retune_thresholds(model, config)
    saved = json.loads((model / "event_model.json").read_text())
    assert len(set(saved["thresholds"])) == 1 and report["threshold_rule"] == "global"
    assert list(report["thresholds"].values()) == saved["thresholds"]
    assert saved["dev_micro_f1_tuned"] == report["dev_f1_tuned"]["micro"]
    assert hashlib.sha256((model / "event_model.safetensors").read_bytes()).hexdigest() == weights

    per_label = tmp_path / "per_label.cfg"
    per_label.write_text(text.replace('threshold_rule = "global"', 'threshold_rule = "per_label"'))
    retune_thresholds(model, per_label)
    assert json.loads((model / "training_report.json").read_text())["threshold_rule"] == "per_label"


def test_retune_refuses_a_model_trained_on_dev(tmp_path):
    model = tmp_path / "event-classifier"
    shutil.copytree(REPO / "models" / "event-classifier", model)
    report = json.loads((model / "training_report.json").read_text())
    (model / "training_report.json").write_text(json.dumps({**report, "train_splits": ["train", "dev"]}))
    with pytest.raises(ValueError, match="trained on dev"):
        retune_thresholds(model, REPO / "configs" / "event_classifier.cfg")


def test_training_tunes_thresholds_on_the_saved_weights(tmp_path):
    """A one-epoch run on a few documents: the model is saved with its report, and its
    thresholds are those that re-tuning the saved (fp16) model on dev gives."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for split, count in (("train", 4), ("dev", 3)):
        lines = (REPO / "corpus" / f"{split}.jsonl").read_text(encoding="utf-8").splitlines()
        real = [line for line in lines if not json.loads(line).get("synthetic")][:count]
        (corpus / f"{split}.jsonl").write_text("\n".join(real) + "\n", encoding="utf-8")
    text = (REPO / "configs" / "event_classifier.cfg").read_text()
    config = tmp_path / "tiny.cfg"
    config.write_text(text.replace('corpus = "corpus"', f'corpus = "{corpus}"').replace("epochs = 6", "epochs = 1")
                      .replace("max_length = 128", "max_length = 32").replace('["train", "silver"]', '["train"]'))
    model = tmp_path / "model"
    logged: list[str] = []
    report = train(config, model, log=logged.append)
    assert report["best_epoch"] == 1 and len(report["history"]) == 1 and report["train_splits"] == ["train"]
    assert any(line.startswith("epoch 1: loss") for line in logged)
    saved = (model / "event_model.json").read_bytes()
    thresholds = json.loads(saved)["thresholds"]
    assert len(set(thresholds)) == 1 and list(report["thresholds"].values()) == thresholds  # the config's "global" rule
    assert json.loads((model / "training_report.json").read_text())["dev_f1_tuned"] == report["dev_f1_tuned"]
    retune_thresholds(model, config, log=logged.append)
    assert (model / "event_model.json").read_bytes() == saved
