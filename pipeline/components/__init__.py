"""tariffscope's spaCy components. Importing this module registers their factories."""
from . import agencies, commodities, event_arguments, events, officials, tariff_rates  # noqa: F401
