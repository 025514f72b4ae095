"""Loading a pipeline folder: spaCy comes in without thinc's optional torch support."""
from __future__ import annotations

import json
from pathlib import Path

from tests.pipeline.helpers import run_fresh


def test_a_pipeline_extracts_without_importing_torch(full_model_dir: Path, seed_text: str, tmp_path: Path):
    """The ONNX classifier and the base package's components need no torch: a process that
    extracts never imports it (its import time and memory, once per pool worker), writes the
    same output as one that has torch loaded, and can still import torch after."""
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"id": "seed", "date": "2025-05-01", "text": seed_text}) + "\n", encoding="utf-8")
    code = (
        "import sys, json\n"
        "from pipeline.extract import extract\n"
        f"extract([{str(source)!r}], {str(tmp_path / 'out.jsonl')!r}, model={str(full_model_dir)!r}, progress=False)\n"
        "print(json.dumps('torch' in sys.modules))\n"
        "import torch, thinc.compat\n"
        "print(json.dumps([thinc.compat.has_torch, torch.ones(2).sum().item()]))\n"
    )
    without_torch, after = [json.loads(line) for line in run_fresh(code).splitlines()[-2:]]
    assert without_torch is False
    assert after == [False, 2.0]
    written = json.loads((tmp_path / "out.jsonl").read_text(encoding="utf-8"))
    assert written["events"]

    # the same document in a process that imported torch before spaCy
    run_fresh(f"import torch\n{code.replace('out.jsonl', 'with-torch.jsonl')}")
    assert (tmp_path / "with-torch.jsonl").read_bytes() == (tmp_path / "out.jsonl").read_bytes()


def test_spacy_already_imported_is_left_alone():
    out = run_fresh("import spacy, sys\nfrom pipeline.loading import import_spacy_without_torch\n"
                    "print(import_spacy_without_torch() is spacy, 'torch' in sys.modules)")
    assert out.split() == ["True", "True"]
