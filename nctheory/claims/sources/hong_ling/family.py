"""What the Hong & Ling claims share: the source, the exact reference solver and its certified options."""

from nctheory.claims.common import CERTIFIED_OPTIONS
from nctheory.claims.family import ClaimFamily
from nctheory.claims.sources.hong_ling.provenance import SOURCE

#: ``reference="auto"``: the exact solver, dense or symmetric for many classes; certified at relative gap 1e-12.
HONG_LING = ClaimFamily(source=SOURCE, provenance=("abstract", "derived"), reference=("auto",),
                        solver_options=CERTIFIED_OPTIONS)
