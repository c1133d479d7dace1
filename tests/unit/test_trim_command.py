"""`mirtrim trim`: a model the project did not build, traced, verified, trimmed and written."""

import json
import textwrap

import pytest
import torch

from mirtrim.cli import main

NETS = textwrap.dedent('''
    import torch
    from torch import nn

    class Block(nn.Module):
        def __init__(self, c):
            super().__init__()
            self.c1, self.b1 = nn.Conv1d(c, c, 3, padding=1), nn.BatchNorm1d(c)
            self.c2, self.b2 = nn.Conv1d(c, c, 3, padding=1), nn.BatchNorm1d(c)

        def forward(self, x):
            return torch.relu(x + self.b2(self.c2(torch.relu(self.b1(self.c1(x))))))

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.stem, self.bn = nn.Conv1d(1, 16, 9, stride=4), nn.BatchNorm1d(16)
            self.blocks = nn.Sequential(Block(16), Block(16))
            self.head = nn.Linear(16, 5)

        def forward(self, x):
            return self.head(self.blocks(torch.relu(self.bn(self.stem(x)))).mean(-1))

    def make():
        torch.manual_seed(0)
        return Net()

    def linear_only():
        return nn.Linear(4, 2)
''')


@pytest.fixture
def nets(tmp_path):
    path = tmp_path / "own_nets_for_trim.py"
    path.write_text(NETS)
    return path


def test_a_residual_model_is_trimmed_in_two_rounds_and_written(nets, tmp_path, capsys):
    out = tmp_path / "small.pt"
    assert main(["trim", "--model", f"{nets}:make", "--example-shape", "1,1,400", "--percent", "40",
                 "--rounds", "2", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "parameters 3,541 ->" in printed and "kept whole: head" in printed
    model = torch.load(out, weights_only=False)
    assert model.stem.out_channels == model.blocks[0].c2.out_channels == 5  # 16 -> 9 -> 5, one stream
    assert model(torch.randn(2, 1, 400)).shape == (2, 5)
    record = json.loads(out.with_suffix(".plan.json").read_text())
    assert record["after"]["parameters"] < record["before"]["parameters"] and len(record["plans"]) == 2


def test_weights_are_loaded_and_a_mismatch_is_one_line(nets, tmp_path, capsys):
    import importlib.util

    spec = importlib.util.spec_from_file_location("own_nets_for_weights", nets)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    torch.save(module.make().state_dict(), tmp_path / "w.pt")
    assert main(["trim", "--model", f"{nets}:make", "--weights", str(tmp_path / "w.pt"), "--example-shape",
                 "1,1,400", "--out", str(tmp_path / "a.pt")]) == 0
    torch.save({"nope": torch.zeros(1)}, tmp_path / "bad.pt")
    assert main(["trim", "--model", f"{nets}:make", "--weights", str(tmp_path / "bad.pt"), "--example-shape",
                 "1,1,400", "--out", str(tmp_path / "b.pt")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: --weights") and "does not fit the model" in err and not (tmp_path / "b.pt").exists()


@pytest.mark.parametrize("args, message", [
    (["--model", "no_such_package.mod:make"], "cannot import"),
    (["--model", "{nets}:nope"], "has no callable 'nope'"),
    (["--model", "{nets}:make", "--percent", "100"], "--percent 100.0"),
    (["--model", "{nets}:linear_only"], "nothing to trim"),
])
def test_what_cannot_be_trimmed_is_refused_in_one_line(nets, tmp_path, capsys, args, message):
    args = [a.replace("{nets}", str(nets)) for a in args]
    shape = "1,4" if "linear_only" in args[1] else "1,1,400"
    assert main(["trim", *args, "--example-shape", shape, "--out", str(tmp_path / "x.pt")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and not (tmp_path / "x.pt").exists()
