"""Example queries over the loaded schema (portable SQL: SQLite and PostgreSQL). docs/usage.md
shows them and the tests run each against both databases."""
from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Engine

QUERIES: dict[str, str] = {
    # Every PAUSE event involving Japan in 2025, with its rates.
    "pauses_japan_2025": """
SELECT d.id AS document_id, e.ordinal AS event, e.date, d.title,
       (SELECT GROUP_CONCAT_RATES FROM event_arguments r WHERE r.event_key = e.key AND r.role = 'rate') AS rates
FROM events e
JOIN documents d ON d.key = e.document_key
WHERE e.type = 'PAUSE'
  AND e.date >= '2025-01-01' AND e.date < '2026-01-01'
  AND EXISTS (SELECT 1 FROM event_arguments c WHERE c.event_key = e.key AND c.role = 'country' AND c.value = 'JP')
ORDER BY e.date, d.id, e.ordinal""",
    # The officials who took part in the most MEETING events.
    "officials_meeting_most": """
SELECT a.value AS official, COUNT(DISTINCT e.key) AS meetings
FROM events e
JOIN event_arguments a ON a.event_key = e.key AND a.role = 'official'
WHERE e.type = 'MEETING'
GROUP BY a.value
ORDER BY meetings DESC, official
LIMIT 10""",
    # Tariff impositions by HS chapter of the commodities they name, with the highest rate.
    "impositions_by_hs_chapter": """
SELECT en.hs_chapter, COUNT(DISTINCT e.key) AS events, MAX(r.value_num) AS highest_rate
FROM events e
JOIN event_arguments a ON a.event_key = e.key AND a.role = 'commodity'
JOIN entities en ON en.key = a.entity_key
LEFT JOIN event_arguments r ON r.event_key = e.key AND r.role = 'rate'
WHERE e.type = 'TARIFF_IMPOSITION' AND en.hs_chapter IS NOT NULL
GROUP BY en.hs_chapter
ORDER BY events DESC, en.hs_chapter""",
}


def sql_for(name: str, dialect: str) -> str:
    """The query text for a dialect (only the string aggregate differs)."""
    aggregate = "STRING_AGG(r.value, ',' ORDER BY r.key)" if dialect == "postgresql" else "GROUP_CONCAT(r.value, ',')"
    return QUERIES[name].replace("GROUP_CONCAT_RATES", aggregate).strip()


def run_query(engine: Engine, name: str) -> list[dict[str, Any]]:
    with engine.connect() as connection:
        result = connection.execute(text(sql_for(name, engine.dialect.name)))
        return [dict(row._mapping) for row in result]
