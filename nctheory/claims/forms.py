r"""A claim's closed forms: the symbolic expressions and the numeric functions the code evaluates, by one name.

Every source's ``symbolic`` module pairs, for each group of closed forms ``<stem>``, a function ``<stem>_forms()``
(name -> sympy expression, checked by ``proofs_check``) with ``<stem>_numeric()`` (name -> (function, symbols): what
the prediction code evaluates; the contract test checks the two agree).  A claim uses both or neither, so it names the
stem once: ``FAMILY(id=..., **closed_forms(symbolic, "angle"))`` sets ``symbolic=symbolic.angle_forms`` and
``numeric=symbolic.angle_numeric``.
"""

from __future__ import annotations

from types import ModuleType


def closed_forms(module: ModuleType, stem: str) -> dict:
    """The ``symbolic`` and ``numeric`` fields of a :class:`~nctheory.claims.base.Claim` for ``stem``.

    Parameters
    ----------
    module : module
        A source's ``symbolic`` module.
    stem : str
        ``module.<stem>_forms`` and ``module.<stem>_numeric`` must both be callables (else ValueError ``stem: ...``).

    Returns
    -------
    dict
        ``{"symbolic": module.<stem>_forms, "numeric": module.<stem>_numeric}``.
    """
    pair = {"symbolic": getattr(module, f"{stem}_forms", None), "numeric": getattr(module, f"{stem}_numeric", None)}
    missing = [f"{stem}_{suffix}" for suffix, fn in (("forms", pair["symbolic"]), ("numeric", pair["numeric"]))
               if not callable(fn)]
    if missing:
        raise ValueError(f"stem: {module.__name__} has no callable {' or '.join(missing)}")
    return pair
