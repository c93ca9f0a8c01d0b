"""The model options read from the command line: the bias rule shared by ``problem_from_args`` and ``diagnose``."""

import argparse

import pytest

from nctheory.cli.args import add_problem_args, bias_from_args, problem_from_args
from nctheory.cli.diagnose import _model


def _parse(*argv):
    p = argparse.ArgumentParser()
    add_problem_args(p, sizes="optional")
    return p.parse_args(list(argv))


@pytest.mark.parametrize("argv, bias, lambda_b", [
    ((), "none", 0.0),
    (("--free-bias",), "free", 0.0),
    (("--lambda-b", "0.25"), "regularized", 0.25),
])
def test_bias_from_args_and_both_of_its_users(argv, bias, lambda_b):
    args = _parse("--sizes", "5,3", *argv)
    assert bias_from_args(args) == (bias, lambda_b)
    p = problem_from_args(args)
    assert (p.bias, p.lambda_b) == (bias, lambda_b)
    model = _model(args)
    assert (model["bias"], model["lambda_b"]) == (bias, lambda_b)


def test_lambda_b_zero_is_a_regularized_bias_the_problem_refuses():
    args = _parse("--sizes", "5,3", "--lambda-b", "0")
    assert bias_from_args(args) == ("regularized", 0.0)  # a given λ_b (even 0) asks for a regularized bias
    with pytest.raises(ValueError, match="^lambda_b: "):
        problem_from_args(args)


def test_lambda_b_and_free_bias_exclude_each_other():
    with pytest.raises(SystemExit):
        _parse("--lambda-b", "0.1", "--free-bias")
