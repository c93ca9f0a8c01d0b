"""``--loss-param NAME=VALUES``: the parametrised losses of the new claims (ce-ls, vs) from the command line, so the
catalogue's commands rebuild their default instances."""

import pytest

from nctheory import cli
from nctheory.cli.args import CliError, problem_from_args
from nctheory.model import Problem
from nctheory.model.losses import LabelSmoothing, VectorScaling


def _problem(argv):
    return problem_from_args(cli.build_parser().parse_args(["verify", "x/y"] + argv))


def test_scalar_and_vector_parameters():
    p = _problem(["--sizes", "5x4", "--loss", "ce-ls", "--loss-param", "epsilon=0.25"])
    assert p == Problem((5,) * 4, loss=LabelSmoothing(0.25))
    q = _problem(["--sizes", "6,3,1", "--loss", "vs", "--loss-param", "omega=1,0.5,2.0",
                  "--loss-param", "iota=0.1,-0.2,0.1"])
    assert q == Problem((6, 3, 1), loss=VectorScaling(omega=(1.0, 0.5, 2.0), iota=(0.1, -0.2, 0.1)))


@pytest.mark.parametrize("item, message", [("epsilon", r"^loss_param: expected NAME=VALUES"),
                                           ("epsilon=abc", r"^loss_param: epsilon: expected a number"),
                                           ("eps=0.1", r"^loss: bad parameters for 'ce-ls'"),
                                           ("epsilon=1.5", r"^epsilon")])
def test_bad_parameters_name_the_field(item, message):
    with pytest.raises((CliError, ValueError), match=message):
        _problem(["--sizes", "5x4", "--loss", "ce-ls", "--loss-param", item])


def test_without_the_flag_the_loss_is_its_name():
    assert _problem(["--sizes", "5x4", "--loss", "ce-ls"]).loss.to_json() == LabelSmoothing().to_json()
