"""Errors in what the user asked for (a missing model, a bad database URL, an output that holds
another run's work): the CLI prints their one-line message and exits with USAGE_EXIT_CODE,
without a traceback."""
from __future__ import annotations

# Exit codes of the CLI: 0 everything written; RECORDS_FAILED_EXIT_CODE the run finished but some
# records went to the error output; USAGE_EXIT_CODE nothing was done (the message says why).
USAGE_EXIT_CODE = 2
RECORDS_FAILED_EXIT_CODE = 3


class UserError(Exception):
    """A problem with the command's arguments or environment, found before any work is done."""
