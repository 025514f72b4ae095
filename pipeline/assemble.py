"""Build a pipeline folder from a config: the base pipeline's components are sourced after
their weights are checked, the tariffscope components initialized from their data files."""
from __future__ import annotations

import os
from pathlib import Path

from spacy.language import Language
from spacy.util import load_config, load_model_from_config

from . import __version__
from .base import BASE_NER_SHA256, base_package_path
from .checksums import verify_checksums, verify_file, write_checksums


def assemble(config_path: str | Path, output: str | Path, overrides: dict[str, object] | None = None) -> Language:
    """Assemble ``config_path`` into the folder ``output`` and return the pipeline."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from . import components, tokenizer  # noqa: F401  (registers the tokenizer and factories)

    config = load_config(config_path, overrides=overrides or {}, interpolate=False)
    if "base" in config["paths"]:
        base_path = base_package_path()
        verify_file(base_path / "ner" / "model", BASE_NER_SHA256)
        config = load_config(config_path, overrides={"paths.base": str(base_path), **(overrides or {})}, interpolate=False)
    if "entities" in config["paths"]:
        verify_checksums(Path(config["paths"]["entities"]))  # the sourced entity pipeline
    nlp = load_model_from_config(config, auto_fill=True)
    config = config.interpolate()
    sourced = [name for name, cfg in config["components"].items() if "source" in cfg]
    nlp._link_components()
    with nlp.select_pipes(disable=sourced):
        nlp.initialize()
    nlp.meta["name"] = Path(output).name.replace("-", "_")
    nlp.meta["version"] = __version__
    nlp.meta["description"] = f"tariffscope pipeline assembled from {Path(config_path).name}"
    output = Path(output)
    nlp.to_disk(output)
    write_checksums(output)
    return nlp
