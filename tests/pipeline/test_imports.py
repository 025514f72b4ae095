"""The package's import graph has no cycles, and importing the package loads nothing heavy."""
from __future__ import annotations

import sys

from tests.conftest import REPO
from tests.pipeline.helpers import run_fresh

sys.path.insert(0, str(REPO / "scripts"))
from import_graph import find_cycle, import_graph  # noqa: E402


def test_the_import_graph_has_no_cycles():
    graph = import_graph(REPO)
    assert {"pipeline.db", "pipeline.loading"} <= graph["pipeline.extract.run"]  # the graph is read
    assert "pipeline.assemble" not in graph["pipeline.api"] and "pipeline.api" not in graph["pipeline.assemble"]
    assert find_cycle(graph) is None


def test_a_cycle_is_found():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}
    assert find_cycle(graph) == ["a", "b", "c"]
    assert find_cycle({"p": {"p.x"}, "p.x": {"p"}}) is None  # a package and its submodule


def test_importing_the_package_loads_no_models_or_spacy():
    code = "import sys, pipeline, pipeline.labels, pipeline.defaults; print(sorted({'spacy', 'torch', 'transformers'} & set(sys.modules)))"
    assert run_fresh(code).strip() == "[]"


def test_extraction_and_the_api_import_no_spacy_until_a_pipeline_loads():
    """With --n-process N the parent only reads input and writes results, so it never imports
    spaCy; elsewhere spaCy is first imported by load_pipeline, which leaves torch out."""
    code = ("import sys, pipeline.extract, pipeline.extract.run, pipeline.extract.pool, pipeline.extract.dask_engine, "
            "pipeline.api, pipeline.loading; "
            "print(sorted({'spacy', 'torch', 'transformers'} & set(sys.modules)))")
    assert run_fresh(code).strip() == "[]"
