"""tariffscope's spaCy components. Importing this module registers their factories."""
from . import agencies, attribute_rules, commodities, event_arguments, event_dates, events, officials, sentence_breaks, tariff_rates  # noqa: F401
