"""Shared test configuration: hypothesis profiles.

``ci`` (the default) is derandomized so CI is reproducible; ``thorough`` runs
many more examples for long local runs: ``HYPOTHESIS_PROFILE=thorough pytest``.
"""

import os
import sys

# the shared test helpers (claim_helpers.py, ...) live here; test files in subfolders import them by name
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    derandomize=True,
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.register_profile(
    "thorough",
    max_examples=500,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
