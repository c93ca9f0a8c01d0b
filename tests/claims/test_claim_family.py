"""ClaimFamily: shared fields once, each claim's own fields win, bad field names are named."""

import pytest

from nctheory.claims import ClaimFamily, Requires
from nctheory.claims.base import Prediction


def _predict(problem):
    return Prediction("user/a", problem, {"objective": 0.0})


def test_family_fills_shared_fields_and_own_fields_win():
    fam = ClaimFamily(source="user", provenance=("user",), requires=Requires(loss=("ce",)),
                      predict=_predict, observe=("objective",), reference=("certified",))
    a = fam(id="user/a", statement="a")
    b = fam(id="user/b", statement="b", reference=("factored",))
    assert a.source == b.source == "user"
    assert a.requires is b.requires
    assert a.reference == ("certified",) and b.reference == ("factored",)
    sub = fam.extend(reference=("convex",))
    assert sub(id="user/c", statement="c").reference == ("convex",)
    assert fam(id="user/d", statement="d").reference == ("certified",)


def test_family_names_a_bad_field():
    with pytest.raises(ValueError, match="^refrence: not a Claim field"):
        ClaimFamily(refrence=("certified",))
    fam = ClaimFamily(source="user")
    with pytest.raises(ValueError, match="^tolerance: not a Claim field"):
        fam(id="user/x", tolerance={})
