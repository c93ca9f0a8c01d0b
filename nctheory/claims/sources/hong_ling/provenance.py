"""Where the Hong & Ling claims come from, and the pitfalls of the authors' code every statement records."""

SOURCE = ("Hong & Ling, 'Neural collapse for unconstrained feature model under cross-entropy loss with imbalanced "
          "data', arXiv 2309.09725")

PITFALLS = (
    "Pitfalls in the authors' code (catalogue §2): (1) its angle plot uses the rows of W·H̄ instead of "
    "its columns (column k = class k's mean logit); (2) the README example sits in the Z = 0 regime "
    "(λN at or above the zero threshold), so it shows no geometry at all; (3) extra SGD weight decay on "
    "top of the explicit penalties changes the effective λ; (4) penalties are written without the ½: "
    "canonical λ = 2 × the code's λ (Problem.from_no_half_penalties)."
)
