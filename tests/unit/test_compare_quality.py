"""scripts/compare_quality.py: verdicts of two runs side by side, the tasks whose verdicts differ, and
one error line for a bad --run."""

import copy
import json

import pytest


@pytest.fixture(scope="module")
def compare(load_script):
    return load_script("compare_quality")


def _task(trim_at_dense: float, gaps: tuple[float, float], std: float = 0.01) -> dict:
    controls = ("trim-magnitude-local-reinit", "trim-random-local-rewind")
    return {"dense_error_mean": 0.2, "dense_error_std": std, "dense_errors": [0.19, 0.21],
            "targets": {"dense_at_most_half_chance": True, "beats_baseline": True,
                        "trim_method_chosen_on_validation": "trim-batchnorm-local-rewind",
                        "trim_compression_at_dense": trim_at_dense, "trim_at_least_4x": trim_at_dense >= 4,
                        "rewind_separation": {c: {"largest_gap": g, "separates": g > std}
                                              for c, g in zip(controls, gaps)}}}


def _quality(drums: dict, onsets: dict) -> dict:
    return {"commit": "abc1234", "seeds": 2, "wall_minutes": 80.0, "tasks": {"drums": drums, "onsets": onsets}}


def test_counts_and_the_tasks_whose_verdicts_differ(compare):
    first = _quality(_task(4.04, (0.02, 0.03)), _task(1.0, (0.02, 0.0)))
    second = copy.deepcopy(first)
    second["tasks"]["drums"] = _task(2.56, (0.02, 0.03))  # the same task loses its 4x verdict on the other CPU
    runs = [("AMD", first), ("Intel", second)]
    assert compare.count_rows(runs) == [["AMD", "2 of 2", "2 of 2", "1 of 2", "1 of 2"],
                                        ["Intel", "2 of 2", "2 of 2", "0 of 2", "1 of 2"]]
    rows = {(r[0], r[1]): r for r in compare.task_rows(runs)}
    assert rows[("drums **(verdicts differ)**", "AMD")][4] == "batchnorm: 4.04x"
    assert rows[("drums **(verdicts differ)**", "Intel")][7] == "no"
    assert ("onsets", "Intel") in rows  # same verdicts: no mark
    assert rows[("onsets", "AMD")][8] == "no"  # random units did not separate
    page = compare.page(runs, "T", "Two CPUs.")
    assert page.startswith("# T\n\nTwo CPUs.\n") and "commit abc1234, 2 seeds" in page


def test_a_task_without_controls_does_not_separate(compare):
    task = _task(1.0, (0.0, 0.0))
    task["targets"]["rewind_separation"] = {}
    assert compare.verdict(task, "separates_from_both") is False


def test_the_page_of_two_files_on_disk(compare, tmp_path, monkeypatch):
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text(json.dumps(_quality(_task(4.04, (0.02, 0.03)), _task(1.0, (0.0, 0.0)))))
    b.write_text(a.read_text())
    out = tmp_path / "page.md"
    monkeypatch.setattr("sys.argv", ["compare_quality.py", "--run", f"A={a}", "--run", f"B={b}", "--out", str(out)])
    compare.main()
    assert "verdicts differ" not in out.read_text() and "| A | 2 of 2 | 2 of 2 | 1 of 2 | 1 of 2 |" in out.read_text()


def test_a_task_in_one_run_only_is_listed_without_a_mark(compare):
    first = _quality(_task(4.04, (0.02, 0.03)), _task(1.0, (0.0, 0.0)))
    second = copy.deepcopy(first)
    del second["tasks"]["onsets"]
    rows = compare.task_rows([("A", first), ("B", second)])
    assert [r[:2] for r in rows] == [["drums", "A"], ["drums", "B"], ["onsets", "A"]]
    assert compare.count_rows([("A", first), ("B", second)])[1][1] == "1 of 1"


def test_two_runs_with_one_label_are_refused(compare, tmp_path, monkeypatch):
    a = tmp_path / "a.json"
    a.write_text(json.dumps(_quality(_task(4.04, (0.02, 0.03)), _task(1.0, (0.0, 0.0)))))
    monkeypatch.setattr("sys.argv", ["compare_quality.py", "--run", f"A={a}", "--run", f"A={a}", "--out",
                                     str(tmp_path / "page.md")])
    with pytest.raises(SystemExit, match="labels must differ"):
        compare.main()


OLD_QUALITY = {"tasks": {"drums": {"dense_error_mean": 0.4, "dense_error_std": 0.01, "methods": {}}}}


@pytest.mark.parametrize("spec, says", [("no-label", "expected LABEL=PATH"), ("A=/nowhere/q.json", "not found"),
                                        ("A={bad}", "is not JSON"), ("A={empty}", "has no 'tasks' object"),
                                        ("A={old}", "task 'drums' lacks targets")])
def test_a_bad_run_gets_one_line(compare, tmp_path, spec, says):
    (tmp_path / "bad.json").write_text("{not json")
    (tmp_path / "empty.json").write_text("{}")
    (tmp_path / "old.json").write_text(json.dumps(OLD_QUALITY))  # before the targets were recorded
    spec = spec.format(bad=tmp_path / "bad.json", empty=tmp_path / "empty.json", old=tmp_path / "old.json")
    with pytest.raises(SystemExit) as err:
        compare.read_run(spec)
    assert says in str(err.value) and "\n" not in str(err.value)
