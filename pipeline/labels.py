"""The label contract (docs/LABELS.md): every module, tool and test takes its labels from here.

docs/LABELS.md is the team's contract as this version of tariffscope implements it; the output
JSON Schema (schemas/tariffscope-output.schema.json) is tested against these definitions.
"""
from __future__ import annotations

# Output records carry this ``schema_version`` (LABELS.md section 4); a contract change that
# alters the output needs a new one.
SCHEMA_VERSION = "1"

# Section 1: the entity labels tariffscope tags, and the attributes its output may add to each.
ENTITY_LABELS: tuple[str, ...] = ("OFFICIAL", "AGENCY", "TARIFF_RATE", "COMMODITY")
ENTITY_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "OFFICIAL": ("canonical", "title", "country"),
    "AGENCY": ("canonical", "country"),
    "TARIFF_RATE": ("value", "value_max", "unit"),
    "COMMODITY": ("canonical", "hs_chapter"),
}
# Country codes besides ISO 3166-1 alpha-2: the EU as a party, and international bodies.
NON_ISO_COUNTRIES: tuple[str, ...] = ("EU", "INT")

# Section 2: sentence-level event labels, in this (the output's and the model's) order.
EVENT_LABELS: tuple[str, ...] = (
    "MEETING", "PROPOSAL", "TARIFF_IMPOSITION", "PAUSE", "RELIEF",
    "RETALIATION", "THREAT", "AGREEMENT", "DEMAND", "TRADE_DATA",
)

# Section 4: an event's arguments, in output order, and the entity label each role takes its
# values from (countries come from GPE/NORP entities and attributes, dates from DATE entities).
ARGUMENT_ROLES: tuple[str, ...] = ("officials", "agencies", "countries", "rates", "commodities", "dates")
ENTITY_LABEL_OF_ARGUMENT: dict[str, str] = {
    "officials": "OFFICIAL", "agencies": "AGENCY", "rates": "TARIFF_RATE", "commodities": "COMMODITY",
}
