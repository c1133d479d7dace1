"""Render a synthetic dataset into the shared on-disk layout."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from mirtrim import __version__
from mirtrim.data import drumloops
from mirtrim.data.layout import md5_of, write_onsets
from mirtrim.utils.atomic import atomic_dir, write_json

GENERATORS = {"drumloops": drumloops}
SPLITS = ("train", "test")


def generate(dataset: str, scale: str, seed: int, out_dir: str | Path, progress=print) -> dict:
    """Generate ``dataset`` at ``scale``; the folder appears only when complete."""
    import soundfile as sf

    if dataset not in GENERATORS:
        raise ValueError(f"unknown synthetic dataset {dataset!r}; known: {sorted(GENERATORS)}")
    gen = GENERATORS[dataset]
    if scale not in gen.SCALES:
        raise ValueError(f"unknown scale {scale!r} for {dataset}; expected one of {sorted(gen.SCALES)}")
    sizes = gen.SCALES[scale]
    meta = {"dataset": dataset, "generator": f"mirtrim {__version__} ({gen.__name__})", "scale": scale,
            "seed": seed, "sample_rate": gen.SR, "duration": gen.DURATION, "licence": "CC0 (synthesised, no samples)",
            "splits": {}}
    with atomic_dir(out_dir) as tmp:
        for split_index, split in enumerate(SPLITS):
            # disjoint kits per split: the test set holds drum sounds never heard in training
            kit_rng = np.random.default_rng([seed, split_index, 0])
            kits = [gen.draw_kit(kit_rng) for _ in range(sizes[f"kits_{split}"])]
            (tmp / split).mkdir()
            entries = []
            for i in range(sizes[split]):
                rng = np.random.default_rng([seed, split_index, 1, i])
                kit_id = int(rng.integers(len(kits)))
                audio, times, labels = gen.render_loop(rng, kits[kit_id])
                ex_id = f"{split}_{i:05d}"
                wav = tmp / split / f"{ex_id}.wav"
                sf.write(wav, audio, gen.SR, subtype="PCM_16")
                write_onsets(tmp / split / f"{ex_id}.txt", times, labels)
                entries.append({"id": ex_id, "kit": f"{split}-kit{kit_id:02d}", "n_onsets": len(times), "md5": md5_of(wav)})
                if (i + 1) % 200 == 0 or i + 1 == sizes[split]:
                    progress(f"{dataset}/{split}: {i + 1}/{sizes[split]} examples")
            meta["splits"][split] = entries
        write_json(tmp / "metadata.json", meta)
    return meta
