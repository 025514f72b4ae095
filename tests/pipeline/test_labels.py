"""pipeline.labels is the contract of docs/LABELS.md; the output JSON Schema agrees with it."""
from __future__ import annotations

import json
import re

from pipeline.labels import ARGUMENT_ROLES, ENTITY_ATTRIBUTES, ENTITY_LABELS, EVENT_LABELS, SCHEMA_VERSION
from tests.conftest import REPO

SCHEMA = json.loads((REPO / "schemas" / "tariffscope-output.schema.json").read_text(encoding="utf-8"))
CONTRACT = (REPO / "docs" / "LABELS.md").read_text(encoding="utf-8")


def test_the_schema_takes_its_labels_and_version_from_labels_py():
    assert SCHEMA["properties"]["schema_version"] == {"const": SCHEMA_VERSION}
    entity = SCHEMA["$defs"]["entity"]
    assert entity["properties"]["label"]["enum"] == list(ENTITY_LABELS)
    attributes = {name for names in ENTITY_ATTRIBUTES.values() for name in names}
    assert attributes <= set(entity["properties"])
    event = SCHEMA["$defs"]["event"]
    assert event["properties"]["type"]["enum"] == list(EVENT_LABELS)
    assert list(event["properties"]["arguments"]["properties"]) == list(ARGUMENT_ROLES)


def test_the_contract_in_the_repository_defines_the_same_labels():
    entity_rows = re.findall(r"^\| ([A-Z_]+) \| a ", CONTRACT, flags=re.M)
    assert tuple(entity_rows[: len(ENTITY_LABELS)]) == ENTITY_LABELS
    for label in EVENT_LABELS:
        assert f"| {label} |" in CONTRACT, label
    assert f'"schema_version": "{SCHEMA_VERSION}"' in CONTRACT
    assert re.search(r"^Contract version: ", CONTRACT, flags=re.M)
