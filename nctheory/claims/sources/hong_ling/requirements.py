"""Where the Hong & Ling claims apply, as data (the CE UFM plus the size profile each statement needs)."""

from __future__ import annotations

from nctheory.claims.common import CE_UFM, CE_UFM_ANY_DIM, ce_ufm
from nctheory.claims.conditions import cluster_of_two, two_size_clusters

#: HL-NC1 holds for every d.
NC1_REQUIRES = CE_UFM_ANY_DIM
#: HL-noETF, HL-block, HL-asymptotic: the CE UFM with the reduction R2 exact.
UFM_REQUIRES = CE_UFM
#: HL-angles: two clusters of equal-size classes.
ANGLES_REQUIRES = ce_ufm(two_size_clusters)
#: HL-threshold: collapse is about a cluster of >= 2 equal-size classes.
THRESHOLD_REQUIRES = ce_ufm(cluster_of_two)
