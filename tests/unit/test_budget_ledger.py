"""scripts/budget_ledger.py: job time per lottery run, and the estimate of what a costlier setting adds."""

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "budget_ledger.py"


@pytest.fixture(scope="module")
def ledger():
    spec = importlib.util.spec_from_file_location("budget_ledger", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _bench(root: Path, rule: str, job: str, seconds: float) -> None:
    path = root / rule / f"{job}.tsv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"s\th:m:s\tmax_rss\n{seconds}\t0:00:01\t100\n")


def _run(tmp_path: Path) -> Path:
    root = tmp_path / "results" / "benchmarks"
    _bench(root, "train_dense", "drums/dense-s0/d1", 100)
    _bench(root, "assess_round", "drums/dense-s0/d1/round00", 5)
    for r, secs in ((1, 60), (2, 40)):
        _bench(root, "prune_round", f"drums/trim-magnitude-local-rewind-s0/d2/round{r:02d}", secs)
        _bench(root, "assess_round", f"drums/trim-magnitude-local-rewind-s0/d2/round{r:02d}", 4)
    _bench(root, "prune_round", "chords/mask-magnitude-local-rewind-s0/d3/round01", 30)
    _bench(root, "generate_data", "drumloops-small", 20)
    _bench(root, "time_task", "drums", 7)
    return root


def test_job_time_is_summed_per_run_and_task_without_shared_jobs(tmp_path, ledger):
    rows = ledger.read_benchmarks(_run(tmp_path))
    per_run = ledger.run_job_seconds(rows)
    assert dict(per_run["dense-s0"]) == {"drums": 105}
    assert dict(per_run["trim-magnitude-local-rewind-s0"]) == {"drums": 108}
    assert dict(per_run["mask-magnitude-local-rewind-s0"]) == {"chords": 30}
    # training only: no assessment, no data, no timing
    assert dict(ledger.training_seconds(rows)) == {"drums": 200, "chords": 30}


def test_a_setting_adds_one_minus_its_inverse_ratio_of_the_tasks_training_time(tmp_path, ledger):
    train = ledger.training_seconds(ledger.read_benchmarks(_run(tmp_path)))
    lever = {"task": "drums", "setting": "20 epochs", "alternative": "10 epochs", "ratio": 2.0,
             "valid_setting": 0.1, "valid_alternative": 0.2, "spread_setting": 0.01, "spread_alternative": 0.02,
             "source": "x.md"}
    table, added = ledger.levers_table([lever], train, cores=2)
    assert added == pytest.approx(100.0)  # half of drums' 200 s: its training at half the seconds
    assert "| drums | 20 epochs | 10 epochs | 2.00x | 0.200 -> 0.100 | 0.020 / 0.010 | 200 | 100 | 0.8 | x.md |" in table


def test_a_folder_without_benchmarks_is_refused_by_name(tmp_path, ledger, monkeypatch, capsys):
    levers = tmp_path / "levers.yaml"
    levers.write_text("intro: x\nlevers: []\n")
    monkeypatch.setattr("sys.argv", ["budget_ledger.py", "--run", str(tmp_path), "--levers", str(levers),
                                     "--wall-minutes", "1", "--commit", "abc", "--out", str(tmp_path / "b.md")])
    with pytest.raises(SystemExit, match=f"{tmp_path}/results/benchmarks holds no benchmark files"):
        ledger.main()
    assert not (tmp_path / "b.md").exists()
