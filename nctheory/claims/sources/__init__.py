"""The built-in sources: one package per paper (formulas, symbolic forms, accuracy, claims, experiments)."""
