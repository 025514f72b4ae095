"""The event classifier component and the event records built from it."""
from __future__ import annotations

import spacy

from pipeline.extract import Extracted, InputRecord, process_records
from pipeline.extract.batches import dated_doc
from pipeline.output import events_of
from tests.pipeline.helpers import run_fresh

SEED_DATE = "2025-05-01"
TEXTS = [
    "China imposed retaliatory tariffs of 34 percent on U.S. goods. Beijing urged Washington to drop the measures.",
    "The two sides reached a trade agreement on Friday. Exports of soybeans fell 20 percent in March.",
]


def seed_events(full_nlp, seed_text):
    record = InputRecord("seed", seed_text, date=SEED_DATE)
    [result] = list(process_records(full_nlp, [record]))
    assert isinstance(result, Extracted)
    return result.record


def dated(nlp, texts):
    """The texts as documents of SEED_DATE, ready for nlp.pipe."""
    return [dated_doc(nlp, text, SEED_DATE) for text in texts]


def labels_of_sentence(record, text, sentence_prefix):
    start = text.index(sentence_prefix)
    return {e["type"] for e in record["events"] if e["sentence"]["start"] == start}


def test_seed_article_events(full_nlp, seed_text):
    record = seed_events(full_nlp, seed_text)
    labels = lambda prefix: labels_of_sentence(record, seed_text, prefix)  # noqa: E731
    assert {"MEETING", "PROPOSAL"} <= labels("Japan's chief tariff negotiator")
    assert "DEMAND" in labels("Regardless of the relief")
    assert "PAUSE" in labels("The Trump administration's new 24 percent")
    assert "TRADE_DATA" in labels("But China customs data")


def test_event_records_have_arguments_and_dates(full_nlp, seed_text):
    record = seed_events(full_nlp, seed_text)
    pause = next(e for e in record["events"] if e["type"] == "PAUSE")
    sentence = seed_text[pause["sentence"]["start"]:pause["sentence"]["end"]]
    assert sentence.startswith("The Trump administration's new 24 percent")
    arguments = pause["arguments"]
    assert arguments["rates"] == [24.0]
    assert "Trump administration" in arguments["agencies"]
    assert {"JP", "US"} <= set(arguments["countries"])
    assert "2025-07" in arguments["dates"]
    assert pause["date"] == SEED_DATE  # "until early July" is a limit, not the event's date
    assert 0.0 <= pause["confidence"] <= 1.0
    meeting = next(e for e in record["events"] if e["type"] == "MEETING"
                   and seed_text[e["sentence"]["start"]:].startswith("Japan's chief"))
    assert meeting["date"] == "2025-05-01"  # "on Thursday" in an article of Thursday 2025-05-01
    assert meeting["arguments"]["officials"] == ["Ryosei Akazawa"]


def test_round_trip(full_nlp, tmp_path):
    from pipeline.events.model import int8_onnx_name

    folder = tmp_path / "saved"
    stale = folder / "event_classifier" / "event_model.int8-fp32layer3.onnx"  # other settings, earlier save
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"old graph")
    full_nlp.to_disk(folder)
    classifier = full_nlp.get_pipe("event_classifier")
    int8 = int8_onnx_name(classifier.fp32_layers)
    for name in ("event_model.safetensors", "event_model.json", "tokenizer.json", "config.json", "event_model.onnx", int8):
        assert (folder / "event_classifier" / name).exists()
    assert not stale.exists()
    reloaded = spacy.load(folder)
    before = [events_of(doc) for doc in full_nlp.pipe(dated(full_nlp, TEXTS))]
    assert any(before)
    assert [events_of(doc) for doc in reloaded.pipe(dated(reloaded, TEXTS))] == before


def test_two_processes(full_nlp):
    one = [events_of(doc) for doc in full_nlp.pipe(dated(full_nlp, TEXTS), n_process=1)]
    two = [events_of(doc) for doc in full_nlp.pipe(dated(full_nlp, TEXTS), n_process=2)]
    assert any(one)
    assert any(event["date"] == SEED_DATE for doc in one for event in doc)  # ts_date crossed over too
    assert one == two


def test_onnxruntime_and_torch_give_the_same_events(full_model_dir, seed_text):
    """ONNX Runtime in fp32 against the torch network it was exported from; and the shipped
    int8 graph stays close to both."""
    import numpy as np

    from pipeline.events.model import load_event_model

    classifier = spacy.load(full_model_dir).get_pipe("event_classifier")
    assert (classifier.runtime, classifier.quantize) == ("onnxruntime", True)
    folder = full_model_dir / "event_classifier"
    sentences = [" ".join(line.split()) for line in seed_text.split(". ") if line.strip()] + TEXTS
    by_torch = load_event_model(folder, "torch").predict(sentences, batch_size=4)
    by_onnx = load_event_model(folder, "onnxruntime").predict(sentences, batch_size=4)
    by_int8 = load_event_model(folder, "onnxruntime", quantize=True, fp32_layers=classifier.fp32_layers).predict(sentences, batch_size=4)
    assert by_torch.shape == by_onnx.shape == by_int8.shape == (len(sentences), 10)
    assert np.abs(by_torch - by_onnx).max() < 1e-4
    assert 0 < np.abs(by_torch - by_int8).max() < 0.2  # int8 is close, and really in use
    fp32 = {"components": {"event_classifier": {"quantize": False}}}
    torch_nlp = spacy.load(full_model_dir, config={"components": {"event_classifier": {"quantize": False, "runtime": "torch"}}})
    onnx_nlp = spacy.load(full_model_dir, config=fp32)
    by_torch_events = [e for d in torch_nlp.pipe(dated(torch_nlp, TEXTS)) for e in events_of(d)]
    by_onnx_events = [e for d in onnx_nlp.pipe(dated(onnx_nlp, TEXTS)) for e in events_of(d)]
    assert by_torch_events
    # confidences are rounded to 4 places, so they may differ in the last place
    for torch_event, onnx_event in zip(by_torch_events, by_onnx_events, strict=True):
        assert abs(torch_event.pop("confidence") - onnx_event.pop("confidence")) <= 2e-4
        assert torch_event == onnx_event


def test_onnx_inputs_are_the_tokenizer_wrappers_inputs(full_model_dir):
    """The ONNX model tokenizes with the folder's Rust tokenizer alone: the same ids and masks as the
    transformers wrapper (padded to the longest, cut to max_length, pairs cut longest first),
    also after max_length changes."""
    import numpy as np

    from pipeline.events.model import EventModel, load_event_model, read_settings_and_tokenizer

    folder = full_model_dir / "event_classifier"
    onnx_model = load_event_model(folder, "onnxruntime", quantize=True, max_length=96)
    wrapper = EventModel(None, read_settings_and_tokenizer(folder)[1], onnx_model.settings)
    long = " ".join(["Tariffs on steel and aluminum rose again."] * 30)
    texts = [*TEXTS, long, "headline: US slaps 25% tariff on imports", "Ok."]
    for max_length, context in ((96, "none"), (16, "none"), (24, "previous")):
        onnx_model.settings.max_length = max_length
        onnx_model.settings.extra["context"] = context
        contexts = [long, "", *TEXTS, "A"] if context == "previous" else None
        ours, theirs = onnx_model.encode(texts, contexts), wrapper.encode(texts, contexts)
        assert ours["input_ids"].shape[1] == min(max_length, theirs["input_ids"].shape[1])
        for key in ("input_ids", "attention_mask"):
            assert np.array_equal(ours[key], theirs[key].numpy()), (max_length, context, key)


def test_the_onnx_model_runs_without_importing_transformers(full_model_dir):
    """Loading and running the ONNX model needs neither transformers nor its wrapper (a process
    start is that much shorter, once per worker)."""
    code = ("import sys; from pipeline.events.model import load_event_model; "
            f"model = load_event_model({str(full_model_dir / 'event_classifier')!r}, 'onnxruntime', quantize=True); "
            "print(model.predict(['The US imposed a 25% tariff on steel.']).shape, 'transformers' in sys.modules)")
    out = run_fresh(code)
    assert out.split()[-1] == "False", out


def test_the_int8_graph_runs_fused_attention(full_model_dir):
    """Quantization starts from ONNX Runtime's BERT fusions, so every encoder layer runs one
    QAttention kernel; a layer kept in fp32 keeps a float Attention node."""
    import json
    from collections import Counter

    import onnx

    from pipeline.events.model import onnx_graph

    folder = full_model_dir / "event_classifier"
    layers = json.loads((folder / "config.json").read_text(encoding="utf-8"))["num_hidden_layers"]
    shipped = Counter(node.op_type for node in onnx.load_from_string(onnx_graph(folder, quantize=True)).graph.node)
    assert shipped["QAttention"] == layers and shipped["Attention"] == 0 and shipped["QEmbedLayerNormalization"] == 1
    first_in_fp32 = onnx.load_from_string(onnx_graph(folder, quantize=True, fp32_layers=(0,))).graph.node
    fp32_attention = [node for node in first_in_fp32 if node.op_type == "Attention"]
    assert len(fp32_attention) == 1 and "/layer.0/" in fp32_attention[0].output[0]
    assert Counter(node.op_type for node in first_in_fp32)["QAttention"] == layers - 1


def test_a_documents_events_do_not_depend_on_its_batch(full_nlp, seed_text):
    """int8 activations are scaled per model batch, so the classifier never batches sentences
    of different documents together: a document alone, or among others at any batch size, gets
    exactly the same events (this is what makes Dask shards equal the local engine)."""
    texts = [seed_text, *TEXTS, seed_text[: len(seed_text) // 2]]
    alone = [events_of(full_nlp(doc)) for doc in dated(full_nlp, texts)]
    assert all(alone[:2])
    for batch_size in (1, 2, 5):
        assert [events_of(doc) for doc in full_nlp.pipe(dated(full_nlp, texts), batch_size=batch_size)] == alone


def test_headlines_reach_the_model_behind_their_prefix(full_nlp, monkeypatch):
    """A model trained with headline_inputs reads a wire story's headline line marked, and its
    body sentences as they are (pipeline.sentences.is_headline decides, as in training)."""
    from pipeline.events.model import HEADLINE_PREFIX

    model = full_nlp.get_pipe("event_classifier").event_model
    monkeypatch.setitem(model.settings.extra, "headline_inputs", True)
    seen: list[str] = []
    predict = model.predict

    def recording_predict(texts, contexts=None, batch_size=64):
        seen.extend(texts)
        return predict(texts, contexts, batch_size)

    monkeypatch.setattr(model, "predict", recording_predict)
    full_nlp("U.S. slaps 25 pct tariffs on Mexican tomatoes\n\nThe duties start on Monday, officials said.")
    assert seen == [HEADLINE_PREFIX + "U.S. slaps 25 pct tariffs on Mexican tomatoes", "The duties start on Monday, officials said."]


def test_the_event_gate_stops_sentences_without_trade_words_or_entities(full_model_dir, tmp_path):
    """With gate_sentences on, a sentence that holds none of the gate's words or entity labels
    gets no event, other sentences are classified as before; the gate's data file is saved with
    the pipeline."""
    from pipeline.components.events import GATE_FILE, EventGate
    from pipeline.gazetteer import DEFAULT_DATA_DIR

    gate = EventGate.from_text((DEFAULT_DATA_DIR / GATE_FILE).read_text(encoding="utf-8"))
    plain = spacy.blank("en")
    assert not gate.passes(plain("The weather was sunny all week.")[:])
    assert gate.passes(plain("Officials met to discuss tariffs.")[:])
    import shutil

    import pytest

    on = {"components": {"event_classifier": {"gate_sentences": True}}}
    with pytest.raises(FileNotFoundError, match="has no event_gate.tsv"):  # a pipeline saved without a gate
        spacy.load(full_model_dir, config=on)
    folder = tmp_path / "with-gate"
    shutil.copytree(full_model_dir, folder)
    shutil.copyfile(DEFAULT_DATA_DIR / GATE_FILE, folder / "event_classifier" / GATE_FILE)
    spacy.load(folder, config=on).to_disk(tmp_path / "gated")
    assert (tmp_path / "gated" / "event_classifier" / GATE_FILE).exists()  # saved with the pipeline
    reloaded = spacy.load(tmp_path / "gated", config=on)
    text = "The weather was sunny all week. China imposed retaliatory tariffs of 34 percent on U.S. goods."
    events = events_of(reloaded(dated_doc(reloaded, text, SEED_DATE)))
    assert events and all(event["sentence"]["start"] > 30 for event in events)
