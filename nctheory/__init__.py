"""nctheory: check theorems about Neural Collapse under class imbalance.

Every claim is predicted by a closed form (``nctheory.claims``), solved
independently to its global optimum with a certificate (``nctheory.solvers``),
and compared (``nctheory.verify``).
"""

__version__ = "0.1.0"

from nctheory.model import Problem, parse_sizes  # noqa: E402,F401
from nctheory.present.diagnose import diagnose  # noqa: E402,F401
