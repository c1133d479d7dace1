"""scripts/budget_ledger.py: job time per lottery run, the estimate of what a costlier setting adds,
and one error line for a bad levers file or an unfinished run."""

import re
from pathlib import Path

import pytest

LEVER = {"task": "drums", "setting": "20 epochs", "alternative": "10 epochs", "ratio": 2.0, "valid_setting": 0.1,
         "valid_alternative": 0.2, "spread_setting": 0.01, "spread_alternative": 0.02, "source": "x.md"}


@pytest.fixture(scope="module")
def ledger(load_script):
    return load_script("budget_ledger")


def _bench(root: Path, rule: str, job: str, seconds: float) -> None:
    path = root / rule / f"{job}.tsv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"s\th:m:s\tmax_rss\n{seconds}\t0:00:01\t100\n")


def _run(tmp_path: Path, finished: bool = True) -> Path:
    root = tmp_path / "results" / "benchmarks"
    _bench(root, "train_dense", "drums/dense-s0/d1", 100)
    _bench(root, "assess_round", "drums/dense-s0/d1/round00", 5)
    for r, secs in ((1, 60), (2, 40)):
        _bench(root, "prune_round", f"drums/trim-magnitude-local-rewind-s0/d2/round{r:02d}", secs)
        _bench(root, "assess_round", f"drums/trim-magnitude-local-rewind-s0/d2/round{r:02d}", 4)
    _bench(root, "prune_round", "drums/trim-magnitude-local-reinit-s0/d4/round01", 20)
    _bench(root, "train_dense", "chords/dense-s0/d5", 10)
    _bench(root, "prune_round", "chords/mask-magnitude-local-rewind-s0/d3/round01", 30)
    _bench(root, "generate_data", "drumloops-small", 20)
    _bench(root, "time_task", "drums", 7)
    if finished:
        (tmp_path / "figures").mkdir()
        (tmp_path / "figures" / "all").write_text("manifest\n")
    return tmp_path


def _levers(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "levers.yaml"
    path.write_text(text)
    return path


def _main(ledger, monkeypatch, run: Path, levers: Path, out: Path) -> None:
    monkeypatch.setattr("sys.argv", ["budget_ledger.py", "--run", str(run), "--levers", str(levers),
                                     "--wall-seconds", "600", "--commit", "abc", "--out", str(out)])
    ledger.main()


def test_job_time_is_summed_per_run_and_task_without_shared_jobs(tmp_path, ledger):
    rows = ledger.read_benchmarks(_run(tmp_path) / "results" / "benchmarks")
    per_run = ledger.run_job_seconds(rows)
    assert dict(per_run["dense-s0"]) == {"drums": 105, "chords": 10}
    assert dict(per_run["trim-magnitude-local-rewind-s0"]) == {"drums": 108}
    assert dict(per_run["mask-magnitude-local-rewind-s0"]) == {"chords": 30}
    # training only, no assessment, data or timing; re-initialised rounds train every epoch, as dense
    full, rewound = ledger.training_seconds(rows)
    assert full == {"drums": 120, "chords": 10} and rewound == {"drums": 100, "chords": 30}


def test_a_setting_adds_one_minus_its_inverse_ratio_of_each_kind_of_training(tmp_path, ledger):
    full, rewound = ledger.training_seconds(ledger.read_benchmarks(_run(tmp_path) / "results" / "benchmarks"))
    table, added = ledger.levers_table([LEVER], full, rewound, cores=2)
    assert added == pytest.approx(110.0)  # half of drums' 120 + 100 s
    row = ("| drums | 20 epochs | 10 epochs | 2.00x / 2.00x | 0.200 -> 0.100 | 0.020 / 0.010 | 120 / 100 | 110 | 0.9 "
           "| x.md |")
    assert row in table
    # rounds that retrain fewer epochs under the setting: their share is saved, not added
    _, added = ledger.levers_table([{**LEVER, "rounds_ratio": 0.5}], full, rewound, cores=2)
    assert added == pytest.approx(60.0 - 100.0)


def test_the_page_names_the_run_and_what_the_settings_cost(tmp_path, ledger, monkeypatch):
    levers = _levers(tmp_path, f"intro: Why.\nconclusion: So.\nlevers: [{LEVER}]\n".replace("'", '"'))
    _main(ledger, monkeypatch, _run(tmp_path), levers, tmp_path / "b.md")
    text = (tmp_path / "b.md").read_text()
    assert "The default run of commit abc: **10.0 min** of wall time" in text
    assert "| `trim-magnitude-local-rewind-s0` | 0 | 108 | 108 |" in text
    assert "add about 110 s of job time, about 0.9 min of wall time on 2 cores: without any of them the run " \
           "would have taken about 9 min. So." in text


@pytest.mark.parametrize("levers, message", [
    ("intro: x\n", "expected a mapping with 'intro' and a list 'levers'"),
    ("intro: x\nlevers: [{task: drums}]\n", "lever 1: missing setting, alternative, source, ratio"),
    (f"intro: x\nlevers: [{ {**LEVER, 'ratio': 0} }]\n", "lever 1 (drums): ratio, rounds_ratio and the errors must"),
    (f"intro: x\nlevers: [{ {**LEVER, 'task': 'onsets'} }]\n", "task 'onsets' has no training jobs in this run "
                                                              "(it has chords, drums)"),
    ("intro: [x\n", "levers.yaml: while parsing"),
])
def test_a_bad_levers_file_is_one_error_line_and_writes_nothing(tmp_path, ledger, monkeypatch, levers, message):
    with pytest.raises(SystemExit, match=re.escape(message)):
        _main(ledger, monkeypatch, _run(tmp_path), _levers(tmp_path, levers), tmp_path / "b.md")
    assert not (tmp_path / "b.md").exists()


def test_an_unfinished_run_is_refused_by_name(tmp_path, ledger, monkeypatch):
    run = _run(tmp_path, finished=False)
    with pytest.raises(SystemExit, match=re.escape(f"error: {run} holds no figures/all")):
        _main(ledger, monkeypatch, run, _levers(tmp_path, "intro: x\nlevers: []\n"), tmp_path / "b.md")
    assert not (tmp_path / "b.md").exists()
