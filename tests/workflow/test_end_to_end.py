"""The tiny configuration end to end on CPU, and kill/resume at round granularity."""

import csv
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, run_folder, run_tiny, snakemake

RUN = "trim-magnitude-local-rewind-s0"


def read_json(path):
    return json.loads(Path(path).read_text())


def test_manifest_lists_every_figure_with_its_checksum(tiny_run):
    lines = [l for l in (tiny_run / "figures/all").read_text().splitlines() if not l.startswith("#")]
    paths = [l.split()[2] for l in lines]
    for task in TASKS:
        assert {f"figures/tradeoff_{task}.pdf", f"figures/tradeoff_{task}.png", f"results/summary/{task}.csv",
                f"figures/data/{task}.png"} <= set(paths)
    for line in lines:
        digest, size, path = line.split()
        data = (tiny_run / path).read_bytes()
        assert hashlib.sha256(data).hexdigest() == digest and len(data) == int(size) > 0


TASKS = ("onsets", "drums", "singing", "instrument", "pitch", "chords")


@pytest.mark.parametrize("task", TASKS)
def test_every_dense_model_learns_well_below_chance(tiny_run, task):
    """Chance = the best constant predictor on the test split, scored by the task's own metric."""
    ev = read_json(tiny_run / f"results/eval/{task}/{run_folder(tiny_run, task, 'dense-s0')}/round00.json")
    assert 0.5 < ev["chance_error"] <= 1.0
    assert ev["test_error"] < ev["chance_error"] - 0.15, (task, ev["test_error"], ev["chance_error"])


def test_rounds_shrink_the_physical_model(tiny_run):
    runs = tiny_run / "results/runs/onsets"
    rounds = sorted((runs / run_folder(tiny_run, "onsets", RUN)).glob("round*"))
    assert [r.name for r in rounds] == ["round01", "round02"]
    models = [runs / run_folder(tiny_run, "onsets", "dense-s0") / "round00/model.pt"] + [r / "model.pt" for r in rounds]
    params = [read_json(m.parent / "train.json")["parameters"] for m in models]
    sizes = [m.stat().st_size for m in models]
    assert params == sorted(params, reverse=True) and len(set(params)) == len(params)
    assert sizes == sorted(sizes, reverse=True) and len(set(sizes)) == len(sizes)
    for r, m in zip(rounds, models[1:]):
        plan = read_json(r / "plan.json")
        assert plan["units_after"] < plan["units_before"] and plan["criterion"] == "magnitude"


def test_masking_keeps_the_dense_cost_and_reports_alive_weights(tiny_run):
    run = "mask-magnitude-global-rewind-s0"
    profiles = tiny_run / "results/profile/onsets"
    dense = read_json(profiles / run_folder(tiny_run, "onsets", "dense-s0") / "round00.json")
    alive = []
    for r in (1, 2):
        prof = read_json(profiles / run_folder(tiny_run, "onsets", run) / f"round{r:02d}.json")
        assert prof["masked"] and prof["parameters"] == dense["parameters"] and prof["macs"] == dense["macs"]
        assert prof["parameters_nominal"] < dense["parameters"]
        alive.append(prof["alive_fraction"])
    assert alive == sorted(alive, reverse=True) and alive[-1] == pytest.approx(0.7 ** 2, abs=0.01)
    # one compression basis: dense parameters / non-zero parameters, as for trimming
    with open(tiny_run / "results/summary/onsets.csv") as fh:
        rows = {int(r["round"]): r for r in csv.DictReader(fh) if r["run"] == run}
    for r in (1, 2):
        prof = read_json(profiles / run_folder(tiny_run, "onsets", run) / f"round{r:02d}.json")
        assert float(rows[r]["compression"]) == pytest.approx(dense["parameters"] / prof["parameters_nominal"], rel=1e-5)
        assert float(rows[r]["compression_maskable"]) == pytest.approx(1 / prof["alive_fraction"], rel=1e-5)
        assert float(rows[r]["mac_reduction"]) == 1.0


def test_curve_points_come_from_the_per_round_records(tiny_run):
    """Every CSV cell behind the figure is recomputed here from the per-round JSON records."""
    with open(tiny_run / "results/summary/onsets.csv") as fh:
        rows = [r for r in csv.DictReader(fh) if r["run"] == RUN]
    assert [int(r["round"]) for r in rows] == [0, 1, 2]
    dense = run_folder(tiny_run, "onsets", "dense-s0")
    dense_eval = read_json(tiny_run / f"results/eval/onsets/{dense}/round00.json")
    dense_prof = read_json(tiny_run / f"results/profile/onsets/{dense}/round00.json")
    timing = read_json(tiny_run / "results/timing/onsets.json")
    timed_rounds = timing["rounds"]
    timed = {(t["run"], t["round"]): t for t in timed_rounds}
    for row in rows:
        r = int(row["round"])
        run = "dense-s0" if r == 0 else RUN
        where = run_folder(tiny_run, "onsets", run)
        ev = read_json(tiny_run / f"results/eval/onsets/{where}/round{r:02d}.json")
        pr = read_json(tiny_run / f"results/profile/onsets/{where}/round{r:02d}.json")
        assert float(row["compression"]) == pytest.approx(dense_prof["parameters"] / pr["parameters"], rel=1e-5)
        assert float(row["relative_error"]) == pytest.approx(ev["test_error"] / dense_eval["test_error"], rel=1e-5)
        assert int(float(row["parameters"])) == pr["parameters"]
        # the default fidelity selects on validation only: training never looks at the test split,
        # and the record's error is the re-evaluated best-validation model's
        log = read_json(tiny_run / f"results/runs/onsets/{where}/round{r:02d}/train.json")
        assert all(h["test_error"] is None for h in log["history"]) and log["test_error_min_over_epochs"] is None
        assert ev["test_error"] == ev["test_error_best_valid"] and ev["valid_error"] == log["valid_error"]
        assert 0.0 <= ev["test_error"] <= 1.0 and pr["macs"] > 0 and "latency_ms" not in pr
        assert float(row["latency_ms"]) == pytest.approx(timed[(run, r)]["latency_ms"], rel=1e-5)
    # the timing pass: every round timed, each architecture once; masked rounds reuse the dense timing
    assert len(set(timed)) == len(timed_rounds) and timing["architectures"] < len(timed_rounds)
    for r in (1, 2):
        assert timed[("mask-magnitude-global-rewind-s0", r)]["timed_as"] == "dense-s0/round00"


def test_nothing_to_do_on_a_second_run(tiny_run):
    proc = run_tiny(tiny_run, "-n")
    assert "Nothing to be done" in proc.stdout + proc.stderr


TIMING_KEYS = {"train_seconds", "seconds"}


def _without_timings(record: dict) -> dict:
    return {k: v for k, v in record.items() if k not in TIMING_KEYS}


def test_ten_random_kills_lose_nothing_and_end_with_the_uninterrupted_results(tmp_path, tiny_run):
    """kill -9 of the whole workflow at 10 random points (training, trimming, evaluation, profiling,
    figures, wherever they land), each followed by a resume: no finished output is rewritten, every
    output that looks complete loads, and the final plans and metrics are the uninterrupted run's."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from kill_resume import kill_resume, tiny_workdir as kill_workdir

    # one method keeps CI short: kills land among its rounds, evaluations and profiles all the same
    work = kill_workdir(tmp_path, "onsets", methods=1)
    # data and round 0 first, uninterrupted (taken from the tiny run: the same config, so Snakemake
    # finds them up to date): the kills then fall among pruning rounds, evaluations, profiles and
    # figures, and round 0 must survive all of them
    for kept in ("results/data/drumloops-tiny", "results/features/drumloops-tiny.npz",
                 "results/runs/onsets/dense-s0", ".snakemake/metadata"):
        _copy(tiny_run / kept, work / kept)
    dense = run_folder(work, "onsets", "dense-s0")
    ready = snakemake(f"results/runs/onsets/{dense}/round00/model.pt", "--directory", str(work), "--snakefile",
                      str(ROOT / "Snakefile"), "--cores", "2")
    assert "Nothing to be done" in ready.stdout + ready.stderr
    report = kill_resume(work, kills=10, seed=1, max_delay=2.0)
    assert report["kills"] == 10 and report["complete"], report["events"]
    assert report["rewritten_after_kill"] == [] and report["retrained_rounds"] == []
    assert report["outputs_seen_at_kills"] > 0
    # CPU training is deterministic: the same plans and metrics as the uninterrupted tiny run
    compared = 0
    for run in (RUN, "dense-s0"):
        for path in sorted((tiny_run / f"results/eval/onsets/{run_folder(tiny_run, 'onsets', run)}").glob("round*.json")):
            resumed = work / path.relative_to(tiny_run)
            assert _without_timings(read_json(resumed)) == _without_timings(read_json(path)), resumed
            compared += 1
    for path in sorted((tiny_run / f"results/runs/onsets/{run_folder(tiny_run, 'onsets', RUN)}").glob("round*/plan.json")):
        assert read_json(work / path.relative_to(tiny_run)) == read_json(path), path
    assert compared == 3


def _copy(source: Path, target: Path) -> None:
    """Copy a file or a folder, keeping modification times (Snakemake orders outputs by them)."""
    import shutil

    target.parent.mkdir(parents=True, exist_ok=True)
    if source.is_dir():
        shutil.copytree(source, target, symlinks=True)
    else:
        shutil.copy2(source, target)


def test_a_corrupted_model_and_feature_file_are_repaired_by_following_check(tmp_path, tiny_run):
    """Truncate a round's checkpoint and overwrite a feature file in a copy of the tiny run: `mirtrim check`
    names both and prints one Snakemake call; after it, every file loads and the singing records are the
    uninterrupted run's."""
    import shlex
    import shutil

    # singing: its feature file (voices) feeds no other task, so the repair retrains one task only
    work = tmp_path / "work"
    shutil.copytree(tiny_run, work, symlinks=True)
    trimmed = run_folder(work, "singing", RUN)
    model = work / f"results/runs/singing/{trimmed}/round01/model.pt"
    model.write_bytes(model.read_bytes()[:200])
    (work / "results/features/voices-tiny.npz").write_bytes(b"not an archive")
    check = [sys.executable, "-m", "mirtrim", "check", "--config", str(work / "config.yaml"), "--directory", str(work)]
    proc = subprocess.run(check, capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 1 and proc.stdout.splitlines() == [
        "results/features/voices-tiny.npz: feature file results/features/voices-tiny.npz is corrupted or not an .npz "
        "archive (neither a zip of arrays nor a .npy file); rebuild it and what depends on it with: snakemake "
        "--cores all figures/all --forcerun results/features/voices-tiny.npz",
        f"results/runs/singing/{trimmed}/round01/model.pt: " + proc.stdout.splitlines()[1].split(": ", 1)[1]]
    repair = shlex.split(proc.stderr.split("with: ", 1)[1])
    assert repair[:4] == ["snakemake", "--cores", "all", "figures/all"]
    snakemake(*repair[1:], "--snakefile", str(ROOT / "Snakefile"))
    proc = subprocess.run(check, capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0 and proc.stdout.startswith("all "), proc.stdout + proc.stderr
    compared = 0
    for path in sorted((tiny_run / "results/eval/singing").rglob("round*.json")):
        repaired = work / path.relative_to(tiny_run)
        assert _without_timings(read_json(repaired)) == _without_timings(read_json(path)), repaired
        compared += 1
    assert compared == 3  # the dense round and one round of each method
    assert _scores(work / "results/summary/singing.csv") == _scores(tiny_run / "results/summary/singing.csv")


def _scores(summary: Path) -> list[dict]:
    """A summary's rows without what depends on the machine's timing (latency, memory peaks, seconds)."""
    kept = ("task", "run", "round", "parameters", "macs", "alive_fraction", "test_error", "test_error_best_valid",
            "valid_error", "compression", "mac_reduction", "relative_error")
    with open(summary) as fh:
        return [{k: row[k] for k in kept} for row in csv.DictReader(fh)]


def test_tables_trace_to_the_summary_csv(tiny_run):
    """One cell of each generated table, recomputed here from the aggregated CSV."""
    with open(tiny_run / "results/summary/onsets.csv") as fh:
        rows = list(csv.DictReader(fh))
    dense_valid = float(next(r for r in rows if r["round"] == "0")["valid_error"])
    with open(tiny_run / "figures/table_best_optim_small.csv") as fh:
        table = list(csv.DictReader(fh))
    small = [t for t in table if (t["task"], t["group"], t["category"]) == ("onsets", "Mask", "Small")]
    # one seed: a candidate is one round of one run; membership and the pick follow validation error
    masks = [r for r in rows if r["method"] == "Mask" and r["round"] != "0"
             and float(r["valid_error"]) < 1.6 * dense_valid]
    assert int(small[0]["candidates"]) == len([r for r in rows if r["method"] == "Mask" and r["round"] != "0"])
    if masks:
        expected = max(masks, key=lambda r: (float(r["compression"]), -float(r["valid_error"])))
        assert float(small[0]["compression"]) == pytest.approx(float(expected["compression"]), rel=1e-5)
        assert float(small[0]["test_error"]) == pytest.approx(float(expected["test_error"]), rel=1e-5)
    else:
        assert [t["run"] for t in small] == ["none"]
    with open(tiny_run / "figures/table_efficiency.csv") as fh:
        eff = [r for r in csv.DictReader(fh) if r["task"] == "onsets"]
    assert eff[0]["model"] == "dense" and int(eff[0]["parameters"]) == int(float(rows[0]["parameters"]))
    assert "DrumsOriginalDenseParams" in (tiny_run / "figures/macros.tex").read_text()
    for name in ("latency_vs_macs.pdf", "latency_vs_macs.png", "table_efficiency.tex", "table_best_optim_small.md"):
        assert (tiny_run / "figures" / name).stat().st_size > 0


def test_crosstask_figures_exist(tiny_run):
    for name in ("normalised", "criteria", "pareto"):
        for ext in ("pdf", "png"):
            assert (tiny_run / "figures" / f"{name}.{ext}").stat().st_size > 1000


def test_results_notebook_runs_on_the_tiny_results(tiny_run, monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    monkeypatch.setenv("MIRTRIM_ROOT", str(tiny_run))
    before = {p: p.stat().st_mtime_ns for p in (tiny_run / "results").rglob("*")}
    notebook = nbformat.read(ROOT / "notebooks/results.ipynb", as_version=4)
    nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(ROOT / "notebooks")}}).execute()
    outputs = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any("trim-magnitude-local-rewind-s0" in str(o) for o in outputs)  # the plan's path was printed
    assert any("image/png" in o.get("data", {}) for o in outputs)  # the plot is shown inline
    assert {p: p.stat().st_mtime_ns for p in (tiny_run / "results").rglob("*")} == before  # and nothing written


def test_paper_pdf_builds_where_tex_is_installed(tiny_run):
    import shutil

    if shutil.which("pdflatex") is None:
        pytest.skip("pdflatex is not installed (Debian: texlive-latex-base texlive-latex-recommended)")
    # the target goes first: options such as --cores would not swallow it, but run_tiny's own target would
    snakemake("paper/main.pdf", "--directory", str(tiny_run), "--snakefile", str(ROOT / "Snakefile"), "--cores", "2")
    pdf = tiny_run / "paper/main.pdf"
    assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 20_000


def test_report_renders_every_figure_in_headless_chromium(tiny_run, tmp_path):
    import shutil
    import zipfile

    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("chromium is not installed (scripts/bootstrap.sh test installs it as root)")
    run_tiny(tiny_run, "--report", str(tmp_path / "report.zip"))
    with zipfile.ZipFile(tmp_path / "report.zip") as archive:
        names = archive.namelist()
        archive.extractall(tmp_path / "report")
    for figure in ("tradeoff_onsets.pdf", "latency_vs_macs.pdf", "pareto.pdf", "normalised.pdf",
                   "table_baselines.csv", "table_efficiency.csv", "table_best_optim_small.csv"):
        assert any(n.endswith(figure) for n in names), figure
    html = next((tmp_path / "report").rglob("report.html")).read_text()
    assert "Run grid: tasks chords, drums, instrument, onsets, pitch, singing; 2 methods; seeds 0." in html
    page = next((tmp_path / "report").rglob("report.html"))
    shot = tmp_path / "shot.png"
    subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1280,900", "--virtual-time-budget=15000",
                    f"--screenshot={shot}", page.as_uri()], check=True, timeout=120, capture_output=True)
    from PIL import Image

    pixels = Image.open(shot).convert("L")
    low, high = pixels.getextrema()
    assert pixels.size == (1280, 900) and high - low > 100  # a rendered page, not a blank one


def test_one_tidy_csv_holds_every_task_run_and_round(tiny_run):
    with open(tiny_run / "results/summary.csv") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["task"] for r in rows} == set(TASKS)
    onsets = [r for r in rows if r["task"] == "onsets" and r["run"] == RUN]
    assert [int(r["round"]) for r in onsets] == [0, 1, 2] and {r["rate_percent"] for r in onsets} == {"25"}
    mask = {r["rate_percent"] for r in rows if r["task"] == "pitch" and r["prune"] == "mask"}
    assert mask == {"20"}
