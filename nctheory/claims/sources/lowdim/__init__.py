"""More classes than feature dimensions (d < K − 1), derived here: the K-gon in the plane (catalogue: new entry)."""

from nctheory.claims.sources.lowdim.claims import CLAIM as POLYGON_D2, CLAIMS, relaxation_gap  # noqa: F401
from nctheory.claims.sources.lowdim.formulas import polygon_closed_form  # noqa: F401
