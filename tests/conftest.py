"""Shared test configuration: hypothesis profiles and the shared helpers' path.

Profiles (``HYPOTHESIS_PROFILE=<name> pytest``):

* ``ci`` (the default): derandomized, so CI is reproducible; no shrinking (a failure prints its example;
  re-run under ``thorough`` to shrink it) -- several property tests solve optimisation problems per example, and
  shrinking a failure used to take minutes;
* ``random``: the same examples budget, *not* derandomized, so ``--hypothesis-seed=N`` picks the draw
  (``HYPOTHESIS_PROFILE=random pytest --hypothesis-seed=3 tests/claims``); no shrinking, no database;
* ``thorough``: many more examples, randomized, with shrinking, for long local runs.
"""

import os
import sys

from hypothesis import HealthCheck, Phase, settings

# the shared test helpers (claim_helpers.py, ...) live here; test files in subfolders import them by name
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

_NO_SHRINK = (Phase.explicit, Phase.reuse, Phase.generate, Phase.target)

settings.register_profile(
    "ci",
    derandomize=True,
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
    phases=_NO_SHRINK,
    database=None,
)
settings.register_profile(
    "random",
    derandomize=False,
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
    phases=_NO_SHRINK,
    database=None,
)
settings.register_profile(
    "thorough",
    max_examples=500,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


#: Test files whose shared fixture takes a minute or more (the docs build, the fresh-venv install, the gallery's
#: quick run, a mutation end to end).  They are collected first, so that under ``-n`` (pytest-xdist with
#: ``--dist loadfile``, as ``make test`` runs) the workers finish together instead of one of them starting a
#: two-minute file last.  Order only: what each test checks does not depend on it.
HEAVY_FIRST = ("tests/test_packaging.py", "tests/test_docs.py", "tests/gallery/test_gallery.py",
               "tests/test_mutation_tool.py")


def pytest_collection_modifyitems(session, config, items):
    def rank(item):
        path = item.nodeid.split("::", 1)[0]
        return HEAVY_FIRST.index(path) if path in HEAVY_FIRST else len(HEAVY_FIRST)

    items.sort(key=rank)  # stable: every other test keeps its collection order
