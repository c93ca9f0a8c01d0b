"""Problem specs: parsing, validation (every bad input names its field), conversions."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nctheory.model import Problem, parse_sizes


def test_parse_sizes_forms():
    assert parse_sizes("200,100,50,50") == (200, 100, 50, 50)
    assert parse_sizes("500x5,100x5") == (500,) * 5 + (100,) * 5
    assert parse_sizes(" 7 x 2 , 3 ") == (7, 7, 3)


@pytest.mark.parametrize("text", ["", "5", "5,0", "5,-1", "5,2.5", "5,abc", "5x0,3", "3x2x2", "5,,3"])
def test_parse_sizes_rejects(text):
    with pytest.raises(ValueError, match=r"^sizes: "):
        parse_sizes(text)


@given(st.lists(st.tuples(st.integers(1, 10_000), st.integers(1, 6)), min_size=1, max_size=5))
def test_parse_sizes_roundtrip(groups):
    text = ",".join(f"{n}x{c}" for n, c in groups)
    expected = tuple(n for n, c in groups for _ in range(c))
    if len(expected) < 2:
        with pytest.raises(ValueError, match="sizes"):
            parse_sizes(text)
    else:
        assert parse_sizes(text) == expected
        assert parse_sizes(",".join(map(str, expected))) == expected


@pytest.mark.parametrize(
    "kwargs, field",
    [
        (dict(sizes=(5,)), "sizes"),
        (dict(sizes=(5, 0)), "sizes"),
        (dict(sizes=(5, 2.5)), "sizes"),
        (dict(sizes=(5, True)), "sizes"),
        (dict(sizes=(5, 5), lambda_w=float("nan")), "lambda_w"),
        (dict(sizes=(5, 5), lambda_h=float("inf")), "lambda_h"),
        (dict(sizes=(5, 5), lambda_h=-1e-3), "lambda_h"),
        (dict(sizes=(5, 5), lambda_w=0.0), "lambda_w"),
        (dict(sizes=(5, 5), loss="hinge"), "loss"),
        (dict(sizes=(5, 5), bias="maybe"), "bias"),
        (dict(sizes=(5, 5), bias="regularized"), "lambda_b"),
        (dict(sizes=(5, 5), lambda_b=1e-3), "lambda_b"),
        (dict(sizes=(5, 5), bias="regularized", lambda_b=float("nan")), "lambda_b"),
        (dict(sizes=(5, 5), features="tanh"), "features"),
        (dict(sizes=(5, 5), classifier="frozen"), "classifier"),
        (dict(sizes=(5, 5), depth=0), "depth"),
        (dict(sizes=(5, 5), depth=1.5), "depth"),
        (dict(sizes=(5, 5), d=0), "d"),
        (dict(sizes=(5, 5, 5, 5), classifier="fixed-etf", d=2), "d"),
        (dict(sizes=(5, 5), constraint="box"), "constraint"),
        (dict(sizes=(5, 5), constraint="average", e_w=1.0), "e_h"),
        (dict(sizes=(5, 5), constraint="average", e_h=1.0), "e_w"),
        (dict(sizes=(5, 5), constraint="per-sample", e_h=1.0), "constraint"),
        (dict(sizes=(5, 5), constraint="average", e_w=-1.0, e_h=1.0), "e_w"),
        (dict(sizes=(5, 5), classifier="fixed-etf", depth=2), "depth"),
    ],
)
def test_bad_input_names_field(kwargs, field):
    with pytest.raises(ValueError, match=rf"^{field}: "):
        Problem(**kwargs)


def test_frozen_and_derived():
    p = Problem(sizes=(200, 100, 50, 50), lambda_w=5e-4, lambda_h=2e-4)
    with pytest.raises(Exception):
        p.lambda_w = 1.0
    assert (p.K, p.N) == (4, 400)
    assert p.lam == pytest.approx(math.sqrt(1e-7), rel=1e-15)
    assert np.array_equal(p.labels, np.repeat([0, 1, 2, 3], [200, 100, 50, 50]))
    assert p.weights.sum() == pytest.approx(1.0, rel=1e-15)
    assert p.dim == 4 and p.with_(features="relu").dim == 8 and p.with_(d=9).dim == 9
    assert not p.balanced and Problem(sizes=(3, 3)).balanced


@given(
    sizes=st.lists(st.integers(1, 1000), min_size=2, max_size=12),
    lw=st.floats(1e-6, 1.0),
    lh=st.floats(1e-6, 1.0),
    loss=st.sampled_from(["ce", "mse"]),
    bias=st.sampled_from(["none", "regularized", "free"]),
)
def test_dict_roundtrip(sizes, lw, lh, loss, bias):
    p = Problem(sizes=tuple(sizes), lambda_w=lw, lambda_h=lh, loss=loss, bias=bias,
                lambda_b=1e-3 if bias == "regularized" else 0.0)
    assert Problem.from_dict(p.to_dict()) == p


def test_from_dict_unknown_field():
    with pytest.raises(ValueError, match="^colour: unknown field"):
        Problem.from_dict({"sizes": [2, 3], "colour": "red"})


@given(seed=st.integers(0, 10_000), lw=st.floats(1e-4, 1e-1), lh=st.floats(1e-4, 1e-1), lb=st.floats(1e-4, 1e-1))
def test_conventions_give_the_same_objective(seed, lw, lh, lb):
    """Each named conversion maps a source objective to the canonical one (equal, or exactly 2x for halved CE)."""
    rng = np.random.default_rng(seed)
    sizes = (3, 2, 4)
    W, H, b = rng.normal(size=(3, 3)), rng.normal(size=(3, 9)), rng.normal(size=3)

    def canonical(p):
        Z = W @ H + b[:, None]
        zmax = Z.max(axis=0)
        lse = zmax + np.log(np.exp(Z - zmax).sum(axis=0))
        ce = np.mean(lse - Z[p.labels, np.arange(p.N)])
        return ce + p.lambda_w / 2 * np.sum(W * W) + p.lambda_h / 2 * np.sum(H * H) + p.lambda_b / 2 * b @ b

    p0 = Problem(sizes=sizes)
    Z = W @ H + b[:, None]
    zmax = Z.max(axis=0)
    ce = np.mean(zmax + np.log(np.exp(Z - zmax).sum(axis=0)) - Z[p0.labels, np.arange(p0.N)])
    # rel 1e-12: the same float64 sums in a different order
    src = ce + lw * np.sum(W * W) + lh * np.sum(H * H) + lb * b @ b
    assert canonical(Problem.from_no_half_penalties(sizes, lw, lh, lb)) == pytest.approx(src, rel=1e-12)
    src = ce + lw / 2 * np.sum(W * W) + lh / (2 * p0.N) * np.sum(H * H) + lb / 2 * b @ b
    assert canonical(Problem.from_averaged_feature_penalty(sizes, lw, lh, lb)) == pytest.approx(src, rel=1e-12)
    src = 0.5 * ce + lw / 2 * np.sum(W * W) + lh / 2 * np.sum(H * H) + lb / 2 * b @ b
    assert canonical(Problem.from_halved_ce(sizes, lw, lh, lb)) == pytest.approx(2 * src, rel=1e-12)
