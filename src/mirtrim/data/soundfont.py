"""General-MIDI rendering with FluidSynth (pyfluidsynth + the system libfluidsynth).

The default soundfont is ``TimGM6mb.sf2`` from the ``pretty_midi`` wheel (GPL-2; used to render
data, never redistributed), so rendering needs no download. FluidSynth's own reverb and chorus
are off, and every example gets a fresh synthesiser (a reset one still carries its dither state),
so an example's audio never depends on what was rendered before it: bit-identical across runs,
processes and rendering orders. Room effects are added per example in numpy (``effects.condition``).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

SOUNDFONT_LICENCES = {"TimGM6mb.sf2": "GPL-2 (Tim Brechbill), shipped in the pretty_midi wheel",
                      "FluidR3_GM.sf2": "MIT (Frank Wen)"}


def default_soundfont() -> Path:
    env = os.environ.get("MIRTRIM_SOUNDFONT")
    if env:
        return Path(env)
    import pretty_midi

    return Path(pretty_midi.__file__).parent / "TimGM6mb.sf2"


class SoundFontSynth:
    """Render lists of MIDI events to mono float audio, one synthesiser per process."""

    def __init__(self, sr: int, soundfont: str | Path | None = None):
        try:
            import fluidsynth
        except (ImportError, OSError) as err:
            raise RuntimeError("rendering needs pyfluidsynth and the system library libfluidsynth3 "
                               "(Debian: apt-get install libfluidsynth3); scripts/bootstrap.sh installs both") from err
        self._fluidsynth = fluidsynth
        self.sr = sr
        self.path = Path(soundfont or default_soundfont())
        if not self.path.is_file():
            raise RuntimeError(f"soundfont not found: {self.path}")

    @property
    def licence(self) -> str:
        return SOUNDFONT_LICENCES.get(self.path.name, "see the soundfont's own documentation")

    def render(self, events: list[tuple], duration: float, programs: dict[int, int]) -> np.ndarray:
        """``events``: (time s, channel, kind, a, b); channel 9 is drums. Kinds: 'on'/'off' (a key,
        b velocity), 'bend' (a signed pitch-wheel value, 0 = none, ±8192 = the bend range), 'cc'
        (a controller, b value)."""
        self.synth = self._fluidsynth.Synth(samplerate=float(self.sr), gain=0.6)
        try:
            return self._render(events, duration, programs)
        finally:
            self.synth.delete()

    def _render(self, events, duration, programs) -> np.ndarray:
        for key, value in (("synth.reverb.active", 0), ("synth.chorus.active", 0)):
            self.synth.setting(key, value)
        sfid = self.synth.sfload(str(self.path))
        if sfid < 0:
            raise RuntimeError(f"cannot load soundfont {self.path}")
        for channel, program in programs.items():
            self.synth.program_select(channel, sfid, 128 if channel == 9 else 0, program)
        total = int(round(duration * self.sr))
        out, done = [], 0
        for t, channel, kind, key, velocity in sorted(events, key=lambda e: (e[0], e[2] != "off")):
            at = min(total, int(round(t * self.sr)))
            if at > done:
                out.append(self._samples(at - done))
                done = at
            if kind == "on":
                self.synth.noteon(channel, int(key), int(velocity))
            elif kind == "off":
                self.synth.noteoff(channel, int(key))
            elif kind == "cc":
                self.synth.cc(channel, int(key), int(velocity))
            elif kind == "bend":
                self.synth.pitch_bend(channel, int(key))
            else:
                raise ValueError(f"unknown MIDI event kind {kind!r}")
        if total > done:
            out.append(self._samples(total - done))
        return np.concatenate(out) if out else np.zeros(0, dtype=np.float32)

    def _samples(self, n: int) -> np.ndarray:
        stereo = np.asarray(self.synth.get_samples(n), dtype=np.float32).reshape(-1, 2)
        return stereo.mean(axis=1) / 32768.0
