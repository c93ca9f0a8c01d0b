"""Claims beyond the built-ins: users' files and modules (``--claims PATH``) and entry points.

A claims file is any Python file or importable module that defines ``CLAIMS`` (a list of
:class:`~nctheory.claims.base.Claim`); it may also register losses (:func:`nctheory.model.losses.register_loss`)
and observation readers (:func:`nctheory.observe.register_reader`) before defining them.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
from importlib.metadata import entry_points

from nctheory.claims.base import Claim

#: Claims registered in this process (by load_claims / register_claims), in order.
_USER: list[Claim] = []
#: Entry-point group scanned by :func:`entry_point_claims`.
ENTRY_POINT_GROUP = "nctheory.claims"


def _claims_of(obj, where: str) -> list[Claim]:
    claims = getattr(obj, "CLAIMS", obj)
    if isinstance(claims, Claim):
        claims = [claims]
    try:
        claims = list(claims)
    except TypeError:
        raise ValueError(f"claims: {where} defines no CLAIMS list") from None
    bad = [c for c in claims if not isinstance(c, Claim)]
    if bad:
        raise ValueError(f"claims: {where}: CLAIMS holds {type(bad[0]).__name__}, not nctheory Claim objects")
    return claims


def register_claims(claims) -> list[Claim]:
    """Add claims (a Claim or a list) to this process's registry; ids must be new."""
    new = _claims_of(claims, "register_claims")
    known = {c.id for c in _USER}
    from nctheory.claims import builtin_claims

    known |= {c.id for c in builtin_claims()}
    for c in new:
        if c.id in known:
            raise ValueError(f"claims: id {c.id!r} is already registered")
        known.add(c.id)
    _USER.extend(new)
    return new


def load_claims(path_or_module: str) -> list[Claim]:
    """Import a claims file (``.py`` path) or module name and register its ``CLAIMS``; returns them."""
    if not isinstance(path_or_module, str) or not path_or_module.strip():
        raise ValueError("claims: expected a path to a .py file or a module name")
    target = path_or_module.strip()
    if target.endswith(".py") or os.sep in target or os.path.exists(target):
        if not os.path.isfile(target):
            raise ValueError(f"claims: no such file {target!r}")
        name = "nctheory_user_claims_" + str(abs(hash(os.path.abspath(target))))
        spec = importlib.util.spec_from_file_location(name, target)
        if spec is None or spec.loader is None:
            raise ValueError(f"claims: cannot import {target!r} (not a Python file)")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except SyntaxError as exc:
            raise ValueError(f"claims: {target!r} has a syntax error: {exc}") from None
    else:
        try:
            module = importlib.import_module(target)
        except ModuleNotFoundError:
            raise ValueError(f"claims: no module named {target!r}") from None
    return register_claims(_claims_of(module, target))


def entry_point_claims() -> list[Claim]:
    """Claims of installed packages (entry-point group ``nctheory.claims``)."""
    out: list[Claim] = []
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        out.extend(_claims_of(ep.load(), f"entry point {ep.name!r}"))
    return out


def extra_claims() -> list[Claim]:
    return list(_USER) + entry_point_claims()


def clear_user_claims() -> None:
    """Forget claims registered in this process (tests)."""
    _USER.clear()
