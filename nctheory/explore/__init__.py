"""Exploration over many instances: parallel, resumable sweeps over imbalance ratio × λ
(:mod:`nctheory.explore.sweep`, file format in :mod:`nctheory.explore.sweep_file`)."""
