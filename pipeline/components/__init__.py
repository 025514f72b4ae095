"""tariffscope's spaCy components. Importing this module registers their factories."""
from . import agencies, commodities, officials, tariff_rates  # noqa: F401
