"""Symbolic (sympy) checks of the derivations behind the claims.

Each module holds one derivation and exposes ``CHECKS``: a list of
``(name, function)``; a function returns ``(ok, detail)``.  Run them all with
``python -m proofs_check`` (PASS/FAIL per item, non-zero exit on any failure).
"""

from __future__ import annotations

import importlib

MODULES = (
    "proofs_check.etf_identities",
    "proofs_check.variational_identity",
    "proofs_check.class_mean_reduction",
    "proofs_check.dln_mse_m1",
    "proofs_check.dln_mse_deep",
    "proofs_check.hong_ling_threshold",
    "proofs_check.hong_ling_block",
    "proofs_check.hong_ling_angles",
    "proofs_check.hong_ling_zero",
    "proofs_check.zhu_balanced",
    "proofs_check.relu_margins",
    "proofs_check.yang_fixed_etf",
    "proofs_check.fang_lpm",
    "proofs_check.seli_step",
    "proofs_check.symmetric_split",
    "proofs_check.behnia_vs",
    "proofs_check.zhou_label_smoothing",
    "proofs_check.garrod_keating_family",
    "proofs_check.lowdim_polygon",
)


def all_checks():
    """Every (qualified name, function) pair, in module order."""
    out = []
    for name in MODULES:
        mod = importlib.import_module(name)
        short = name.rsplit(".", 1)[1]
        out.extend((f"{short}: {n}", f) for n, f in mod.CHECKS)
    return out
