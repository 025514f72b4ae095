"""Decision thresholds of the event classifier: the rules, and re-tuning a trained model."""
from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from pipeline.events.model import EventModel, keep_layers
from pipeline.events.train import (
    best_threshold,
    choose_thresholds,
    epoch_batches,
    f1_table,
    inference_settings,
    pipeline_logits,
    retune_thresholds,
    train,
)

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


def dev_free_copy_of_the_shipped_model(folder: Path) -> Path:
    """The shipped weights standing in for a dev-selected run: the shipped model trained on dev,
    so its report is rewritten to say it did not (these tests exercise the mechanics only)."""
    shutil.copytree(REPO / "models" / "event-classifier", folder)
    report = json.loads((folder / "training_report.json").read_text())
    report["train_splits"] = [split for split in report["train_splits"] if split != "dev"]
    (folder / "training_report.json").write_text(json.dumps(report))
    return folder


def test_retune_thresholds_changes_only_settings_and_report(tmp_path):
    model = dev_free_copy_of_the_shipped_model(tmp_path / "event-classifier")
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


def test_tuning_on_the_pipeline_runtime_reads_its_settings_and_batches_per_document(tmp_path):
    """tune_on_pipeline: the thresholds are tuned on the outputs the pipeline computes (its
    runtime, int8 weights, max_length, each document's sentences batched on their own)."""
    assert inference_settings({}) is None
    pipeline_settings = inference_settings({"tune_on_pipeline": str(REPO / "configs" / "tariffscope.cfg")})
    assert pipeline_settings == {"runtime": "onnxruntime", "quantize": True, "fp32_layers": [], "max_length": 96,
                                 "sentence_batch_size": 8, "num_threads": 0}
    model = dev_free_copy_of_the_shipped_model(tmp_path / "event-classifier")
    texts = ["The United States imposes a 25% tariff on steel from Canada.", "Canada vows to retaliate.",
             "Shares fell 2% on Monday.", "The two sides will meet in Geneva next week to discuss the tariffs."]
    rows = [{"doc_id": "a"}, {"doc_id": "a"}, {"doc_id": "b"}, {"doc_id": "b"}]
    int8 = pipeline_logits(model, rows, texts, None, pipeline_settings)
    alone = [pipeline_logits(model, rows[i:i + 2], texts[i:i + 2], None, pipeline_settings) for i in (0, 2)]
    # a document's logits do not depend on the other documents
    assert np.array_equal(int8, np.concatenate(alone))
    fp32 = pipeline_logits(model, rows, texts, None, {**pipeline_settings, "quantize": False})
    assert np.allclose(fp32, EventModel.load(model).logits(texts), atol=0.05)
    assert 0 < np.abs(int8 - fp32).max() < 1.5  # quantized, and close

    # the shipped recipe tunes on the pipeline's outputs (the path made absolute for the test)
    config = tmp_path / "int8.cfg"
    text = (REPO / "configs" / "event_classifier.cfg").read_text()
    shipped = 'tune_on_pipeline = "configs/tariffscope.cfg"'
    assert shipped in text
    config.write_text(text.replace(shipped, f'tune_on_pipeline = "{REPO / "configs" / "tariffscope.cfg"}"'))
    report = retune_thresholds(model, config)
    assert report["tuned_on"]["quantize"] is True and report["tuned_on"]["sentence_batch_size"] == 8


def test_retune_refuses_a_model_trained_on_dev(tmp_path):
    model = dev_free_copy_of_the_shipped_model(tmp_path / "event-classifier")
    report = json.loads((model / "training_report.json").read_text())
    (model / "training_report.json").write_text(json.dumps({**report, "train_splits": ["train", "dev"]}))
    with pytest.raises(ValueError, match="trained on dev"):
        retune_thresholds(model, REPO / "configs" / "event_classifier.cfg")


def test_length_pools_cover_every_sentence_once_and_pad_less():
    lengths = list(np.random.RandomState(0).randint(5, 300, size=1000))
    plain = epoch_batches(lengths, 16, 0, np.random.RandomState(1))
    pooled = epoch_batches(lengths, 16, 20, np.random.RandomState(1))
    for batches in (plain, pooled):
        assert sorted(int(i) for batch in batches for i in batch) == list(range(1000))
        assert sorted(len(batch) for batch in batches) == [8] + [16] * 62  # 1,000 = 62 x 16 + 8

    def padding(batches: list[np.ndarray]) -> int:
        return sum(max(lengths[i] for i in batch) * len(batch) - sum(lengths[i] for i in batch) for batch in batches)

    assert padding(pooled) < padding(plain) / 4
    # plain batches are the old training order: one permutation, cut in order
    order = np.random.RandomState(1).permutation(1000)
    assert [list(batch) for batch in plain] == [list(order[b : b + 16]) for b in range(0, 1000, 16)]
    # pooled batches differ between epochs
    rng = np.random.RandomState(1)
    first, second = epoch_batches(lengths, 16, 20, rng), epoch_batches(lengths, 16, 20, rng)
    assert [list(b) for b in first] != [list(b) for b in second]


def test_training_tunes_thresholds_on_the_saved_weights(tmp_path):
    """A one-epoch run on a few documents: the model is saved with its report, and its
    thresholds are those that re-tuning the saved (fp16) model on dev gives."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for split, count in (("train", 4), ("dev", 3)):
        records = [json.loads(line) for line in (REPO / "corpus" / f"{split}.jsonl").read_text(encoding="utf-8").splitlines()]
        # White House documents and Wikipedia items (dev's Wikipedia items choose epoch and thresholds)
        real = ([r for r in records if r["collection"] == "whitehouse"][:count]
                + [r for r in records if r["collection"] == "wikipedia"][:count * 4])
        (corpus / f"{split}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in real), encoding="utf-8")
    # the teacher's recipe, tuned on the torch weights (tuning on the pipeline is tested above)
    text = re.sub(r"(?m)^tune_on_pipeline = .*\n", "", (REPO / "configs" / "event_classifier_teacher.cfg").read_text())
    config = tmp_path / "tiny.cfg"
    tiny = re.sub(r"(?m)^epochs = \d+$", "epochs = 1",
                  text.replace('corpus = "corpus"', f'corpus = "{corpus}"').replace("max_length = 128", "max_length = 32"))
    config.write_text(re.sub(r"(?m)^train_splits = .*$", 'train_splits = ["train"]', tiny))
    model = tmp_path / "model"
    logged: list[str] = []
    report = train(config, model, log=logged.append)
    assert report["best_epoch"] == 1 and len(report["history"]) == 1 and report["train_splits"] == ["train"]
    assert any(line.startswith("epoch 1: loss") for line in logged)
    saved = (model / "event_model.json").read_bytes()
    thresholds = json.loads(saved)["thresholds"]
    assert len(set(thresholds)) == 1 and list(report["thresholds"].values()) == thresholds  # the config's "global" rule
    assert json.loads((model / "training_report.json").read_text())["dev_f1_tuned"] == report["dev_f1_tuned"]
    # selection on the Wikipedia items, White House dev reported beside them, calibration measured
    assert report["selection_collections"] == ["wikipedia"] and report["headline_inputs"] is True
    assert set(report["dev_micro_f1_tuned_by_collection"]) == {"whitehouse", "wikipedia"}
    assert report["calibration"]["temperature"] == json.loads(saved)["temperature"]
    assert 0 <= report["calibration"]["ece_after"] <= 1
    retune_thresholds(model, config, log=logged.append)
    assert (model / "event_model.json").read_bytes() == saved

    # the final model's recipe: dev joins training, and the thresholds come from the run above
    refit_config = tmp_path / "refit.cfg"
    refit_config.write_text(re.sub(r"(?m)^train_splits = .*$",
                                   f'train_splits = ["train", "dev"]\nthresholds_from = "{model / "event_model.json"}"', tiny))
    refit = tmp_path / "refit"
    logged.clear()
    refit_report = train(refit_config, refit, log=logged.append)
    assert refit_report["train_splits"] == ["train", "dev"] and refit_report["train_sentences"] > report["train_sentences"]
    assert json.loads((refit / "event_model.json").read_text())["thresholds"] == thresholds
    assert any("in-sample" in line for line in logged if line.startswith("epoch 1:"))
    assert (refit / "dev_selected_training_report.json").read_bytes() == (model / "training_report.json").read_bytes()
    with pytest.raises(ValueError, match="trained on dev"):
        retune_thresholds(refit, config)

    # a two-layer student of pretrained layers 0 and 2, learning from the run above as its teacher
    student_config = tmp_path / "student.cfg"
    student_config.write_text(config.read_text().replace("[training.repeat_collections]",
                                           f'encoder_layers = [0, 2]\ndistill_from = "{model}"\ndistill_weight = 0.5\n\n'
                                           "[training.repeat_collections]"))
    student = tmp_path / "student"
    logged.clear()
    student_report = train(student_config, student, log=logged.append)
    assert student_report["encoder_layers"] == [0, 2] and student_report["distill_from"] == str(model)
    assert any(line.startswith(f"teacher {model}:") for line in logged)
    assert json.loads((student / "config.json").read_text())["num_hidden_layers"] == 2
    loaded = EventModel.load(student)
    assert loaded.settings.extra["encoder_layers"] == [0, 2]
    assert loaded.predict(["The United States imposes a 25% tariff on steel."]).shape == (1, 10)
    # the teacher must read the inputs the student is trained on
    other_teacher = tmp_path / "other-teacher"
    shutil.copytree(model, other_teacher)
    settings = json.loads((other_teacher / "event_model.json").read_text())
    (other_teacher / "event_model.json").write_text(json.dumps({**settings, "headline_inputs": False}))
    student_config.write_text(student_config.read_text().replace(str(model), str(other_teacher)))
    with pytest.raises(ValueError, match="other inputs"):
        train(student_config, tmp_path / "never", log=logged.append)


def test_the_shipped_student_config_is_its_teachers_plus_the_student_settings():
    """configs/event_classifier.cfg (the shipped student) differs from its teacher's config only
    in where it is written, how long and on how many threads it trains, the layers it keeps and
    what it learns from."""
    from thinc.api import Config

    teacher = Config().from_disk(REPO / "configs" / "event_classifier_teacher.cfg")
    student = Config().from_disk(REPO / "configs" / "event_classifier.cfg")
    assert student["paths"]["output"] == "models/event-classifier"
    assert student["training"]["distill_from"] == teacher["paths"]["output"]
    assert 0 < student["training"]["distill_weight"] < 1
    assert len(student["training"]["encoder_layers"]) < 6
    assert "distill_from" not in teacher["training"] and "encoder_layers" not in teacher["training"]
    student_only = {"encoder_layers", "distill_from", "distill_weight", "epochs", "threads"}
    assert {k: v for k, v in student["training"].items() if k not in student_only} == \
        {k: v for k, v in teacher["training"].items() if k not in student_only}
    assert student["paths"]["corpus"] == teacher["paths"]["corpus"]


def test_a_student_without_its_teacher_says_so(tmp_path):
    config = tmp_path / "student.cfg"
    text = (REPO / "configs" / "event_classifier.cfg").read_text()
    config.write_text(re.sub(r"(?m)^distill_from = .*$", f'distill_from = "{tmp_path / "no-teacher"}"', text))
    with pytest.raises(FileNotFoundError, match="train the teacher first"):
        train(config, tmp_path / "never", log=lambda message: None)


def test_keep_layers_renumbers_the_chosen_pretrained_layers():
    state = {"embeddings.word_embeddings.weight": 0, "encoder.layer.0.attention.self.query.weight": 10,
             "encoder.layer.1.output.dense.bias": 11, "encoder.layer.2.attention.self.query.weight": 12}
    assert keep_layers(state, [0, 2]) == {"embeddings.word_embeddings.weight": 0, "encoder.layer.0.attention.self.query.weight": 10,
                                          "encoder.layer.1.attention.self.query.weight": 12}
    with pytest.raises(ValueError, match="no layers \\[7\\]"):
        keep_layers(state, [0, 7])


def test_calibration_helpers():
    from pipeline.events.train import expected_calibration_error, fit_temperature, positive_ece

    gold = np.array([[1, 0], [0, 0], [1, 1], [0, 1]], dtype=bool)
    # perfectly confident and right: no calibration error
    assert expected_calibration_error(gold, gold.astype(float)) == 0.0
    # every cell 0.9 confident in the decision taken; one of the eight decisions is wrong
    probs = np.array([[0.9, 0.1], [0.9, 0.1], [0.9, 0.9], [0.1, 0.9]])
    # 7 of 8 right at confidence 0.9 -> |0.875 - 0.9| = 0.025
    assert expected_calibration_error(gold, probs) == pytest.approx(0.025)
    # emitted: 5 cells at 0.9, 4 right -> |0.8 - 0.9| = 0.1
    assert positive_ece(gold, probs) == pytest.approx(0.1)
    # the fitted temperature undoes a scaling of the logits: twice the logits, twice the T
    rng = np.random.RandomState(0)
    truth = rng.rand(2000, 1) < 0.3
    logits = np.where(truth, 1.0, -1.0) + rng.randn(2000, 1) * 1.0
    t2, t4 = fit_temperature(truth, logits * 2), fit_temperature(truth, logits * 4)
    assert t4 > 1.5 and t4 == pytest.approx(2 * t2, abs=0.06)


def test_repeat_collections_weighs_a_register_without_touching_the_others():
    from pipeline.events.train import repeat_collections

    rows = [{"collection": "wikipedia", "n": 1}, {"collection": "whitehouse", "n": 2}, {"collection": "wikipedia", "n": 3}]
    assert [r["n"] for r in repeat_collections(rows, {"wikipedia": 3})] == [1, 1, 1, 2, 3, 3, 3]
    assert repeat_collections(rows, {}) == rows
    with pytest.raises(ValueError, match="whole number"):
        repeat_collections(rows, {"wikipedia": 0})
