"""Figures from the aggregated CSV only (never from raw runs), PDF + PNG, colour-blind-safe."""

from __future__ import annotations

import math
from collections import defaultdict
from pathlib import Path

from mirtrim.report.aggregate import read_csv
from mirtrim.report.seeds import method_key
from mirtrim.utils.atomic import atomic_path

# Okabe-Ito palette: distinguishable under the common colour-vision deficiencies
GROUP_STYLE = {"Trim": ("#0072B2", "o"), "Mask": ("#E69F00", "s"), "Prune": ("#009E73", "^"),
               "Random": ("#CC79A7", "v")}


def _log_ticks(lo: float, hi: float) -> list[float]:
    """1-2-5 ticks per decade; 1-1.5-2-3-4-5-7 when those give fewer than three ticks (a default run
    compresses 2-5x: 1-2-5 would label only 1 and 2); evenly spaced round numbers when even those
    give fewer than two (latencies of 0.20-0.27 ms)."""
    from matplotlib.ticker import MaxNLocator

    if not (lo > 0 and hi > lo):
        return []
    decades = range(math.floor(math.log10(lo)), math.ceil(math.log10(hi)) + 1)
    for subs, enough in (((1.0, 2.0, 5.0), 3), ((1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 7.0), 2)):
        ticks = [s * 10.0**d for d in decades for s in subs if lo <= s * 10.0**d <= hi]
        if len(ticks) >= enough:
            return ticks
    return [float(t) for t in MaxNLocator(nbins=4).tick_values(lo, hi) if lo <= t <= hi]


def log_axis(ax, which: str = "x") -> None:
    """A log axis with plain tick labels (2, 5, 10; not 2 x 10^0) and no minor labels."""
    from matplotlib.ticker import FuncFormatter, Locator, NullFormatter

    class NiceLogLocator(Locator):
        def __call__(self):
            return self.tick_values(*self.axis.get_view_interval())

        def tick_values(self, vmin, vmax):
            return _log_ticks(min(vmin, vmax), max(vmin, vmax))

    axis = ax.xaxis if which == "x" else ax.yaxis
    (ax.set_xscale if which == "x" else ax.set_yscale)("log")
    axis.set_major_locator(NiceLogLocator())
    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    axis.set_minor_formatter(NullFormatter())


def save_figure(fig, out_pdf: str | Path) -> None:
    out_pdf = Path(out_pdf)
    for path, fmt in ((out_pdf, "pdf"), (out_pdf.with_suffix(".png"), "png")):
        with atomic_path(path, suffix=f".{fmt}") as tmp:
            fig.savefig(tmp, format=fmt, dpi=200, bbox_inches="tight", metadata={"CreationDate": None}
                        if fmt == "pdf" else {"Software": None})


# the x axes of the trade-off panels: one parameter basis for all methods, then what a model saves
TRADEOFF_AXES = (("compression", "parameter compression\n(dense / non-zero params)"),
                 ("mac_reduction", "MAC reduction (dense / MACs)"),
                 ("speedup", "batch-1 CPU speed-up (eager)"))


def _tradeoff_points(rows: list[dict], key: str):
    """(group, method) -> per-round [mean x, mean rel. error, min, max] over seeds."""
    import numpy as np

    by_round = defaultdict(lambda: defaultdict(list))
    for r in rows:
        if r.get(key) in (None, ""):
            continue
        by_round[(r["method"], method_key(r["run"]))][int(r["round"])].append((r[key], r["relative_error"]))
    return {k: (np.array([[np.mean([c for c, _ in v]), np.mean([e for _, e in v]), min(e for _, e in v),
                           max(e for _, e in v)] for _, v in sorted(rounds.items())]),
                max(len(v) for v in rounds.values()))
            for k, rounds in sorted(by_round.items())}


def plot_tradeoff(summary_csv: str | Path, task: str, out_pdf: str | Path) -> None:
    """Error relative to dense against parameter compression, MAC reduction and measured speed-up
    (log x), one line per method, coloured by group. A masked model saves no MACs or time: it sits
    at 1x on the two cost panels. With several seeds, the line is the per-round mean over seeds and
    the band spans their min-max."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [r for r in read_csv(summary_csv) if r["task"] == task]
    if not rows:
        raise SystemExit(f"error: {summary_csv} has no rows for task '{task}'")
    fig, axes = plt.subplots(1, len(TRADEOFF_AXES), figsize=(8.4, 2.6), sharey=True)
    for ax, (key, label) in zip(axes, TRADEOFF_AXES):
        seen = set()
        for (group, _), (pts, seeds) in _tradeoff_points(rows, key).items():
            colour, marker = GROUP_STYLE[group]
            ax.plot(pts[:, 0], pts[:, 1], color=colour, marker=marker, markersize=3, linewidth=1.2,
                    label=group if group not in seen else None)
            if seeds > 1:
                ax.fill_between(pts[:, 0], pts[:, 2], pts[:, 3], color=colour, alpha=0.15, linewidth=0)
            seen.add(group)
        ax.axhline(1.0, color="0.4", linestyle="--", linewidth=0.8)
        log_axis(ax)
        ax.set_xlabel(label, fontsize=8)
        ax.grid(True, which="both", alpha=0.25, linewidth=0.5)
    axes[0].set_ylabel("test error / dense error")
    axes[0].legend(fontsize=7, frameon=False)
    fig.suptitle(f"{task} (seed mean, min-max band)", fontsize=9)
    save_figure(fig, out_pdf)
    plt.close(fig)


def plot_data_example(features: str | Path, task: str, out_png: str | Path) -> None:
    """One training input of a task as the model sees it (log-mel, CQT window, or waveform spectrogram)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    with np.load(features, allow_pickle=False) as data:
        if "frames" in data:  # chords: a stretch of per-song CQT frames
            image, ylabel = data["frames"][:200].T, "CQT bin (24/octave from 65 Hz)"
        elif data["X"].ndim == 3:  # drums/onsets: log-mel
            image, ylabel = data["X"][0], "mel band"
        else:  # waveform tasks: a log-power spectrogram of the first input
            x = data["X"][0].astype(np.float64)
            n_fft = 512 if len(x) <= 4096 else 2048
            hop = n_fft // 4
            frames = np.lib.stride_tricks.sliding_window_view(x, n_fft)[::hop] * np.hanning(n_fft)
            image, ylabel = np.log(np.abs(np.fft.rfft(frames, axis=1)).T ** 2 + 1e-8), "FFT bin"
    fig, ax = plt.subplots(figsize=(3.4, 2.2))
    ax.imshow(image, origin="lower", aspect="auto", cmap="magma")
    ax.set_title(f"{task}: one input", fontsize=9)
    ax.set_xlabel("frame")
    ax.set_ylabel(ylabel, fontsize=7)
    with atomic_path(out_png, suffix=".png") as tmp:
        fig.savefig(tmp, format="png", dpi=150, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
