"""Every synthetic generator: same seed -> bit-identical audio; held-out splits; annotation formats."""

import hashlib

import numpy as np
import pytest

from mirtrim.data import instruments, notes, songs, voices
from mirtrim.data.soundfont import SoundFontSynth
from mirtrim.metrics.chords import label_class


def digest(audio):
    return hashlib.sha256(np.ascontiguousarray(audio).tobytes()).hexdigest()


@pytest.fixture(scope="module")
def synth16():
    return SoundFontSynth(notes.SR)


def test_notes_are_deterministic_and_test_programs_are_held_out(synth16):
    a, info = notes.render_note(synth16, np.random.default_rng(3), "string", 40)
    _ = notes.render_note(synth16, np.random.default_rng(4), "brass", 56)  # rendering order must not matter
    b, _ = notes.render_note(synth16, np.random.default_rng(3), "string", 40)
    assert digest(a) == digest(b) and len(a) == notes.SR * notes.NOTE_SECONDS
    assert 28 <= info["pitch"] <= 95 and info["f0_hz"] == pytest.approx(440 * 2 ** ((info["pitch"] - 69) / 12))
    split = notes.program_split(1234)
    train, test = {p for _, p in split["train"]}, {p for _, p in split["test"]}
    assert not train & test and {f for f, _ in split["test"]} == set(notes.FAMILIES)


@pytest.mark.parametrize("family,program", [("string", 40), ("reed", 65), ("vocal", 53)])
def test_melody_f0_annotation_is_the_pitch_heard(synth16, family, program):
    """pYIN on the rendered melody agrees with the annotated f0: the octave bend range (RPN 0) and
    the bend schedule reach the synthesiser, over glides spanning most of an octave."""
    import librosa

    a, info, f0 = notes.render_melody(synth16, np.random.default_rng(5), family, program)
    b, _, _ = notes.render_melody(synth16, np.random.default_rng(5), family, program)
    assert digest(a) == digest(b) and len(f0) == notes.MELODY_SECONDS * notes.CONTROL_HZ
    assert np.ptp(1200 * np.log2(f0)) > 400 and info["kind"] == "melody"
    est, voiced, _ = librosa.pyin(a.astype(np.float64), fmin=50, fmax=2000, sr=notes.SR, frame_length=1024,
                                  hop_length=160)
    t = librosa.times_like(est, sr=notes.SR, hop_length=160)
    keep = voiced & (t > 0.1) & (t < 1.7)
    assert keep.sum() > 100
    cents_off = 1200 * np.abs(np.log2(est[keep] / f0[(t[keep] * notes.CONTROL_HZ).astype(int)]))
    assert np.median(cents_off) < 15 and np.mean(cents_off < 50) > 0.9


def test_melody_fraction_is_spread_evenly():
    flags = [notes.is_melody(i, 0.25) for i in range(100)]
    assert sum(flags) == 25 and all(sum(flags[k:k + 4]) == 1 for k in range(0, 100, 4))
    assert not any(notes.is_melody(i, 0.0) for i in range(10)) and all(notes.is_melody(i, 1.0) for i in range(10))


def test_instrument_chunks_have_the_paper_length():
    synth = SoundFontSynth(instruments.SR)
    player = instruments.draw_player(np.random.default_rng(0))
    a, info = instruments.render_example(synth, np.random.default_rng(1), "vn", player, [40])
    b, _ = instruments.render_example(synth, np.random.default_rng(1), "vn", player, [40])
    assert a is not None and len(a) == instruments.CHUNK and digest(a) == digest(b) and info["label"] == "vn"
    assert set(instruments.CLASSES) == set(instruments.PROGRAMS) and len(instruments.CLASSES) == 13


@pytest.mark.parametrize("technique", voices.TECHNIQUES)
def test_every_singing_technique_renders_three_seconds_deterministically(technique):
    singer = voices.draw_singer(np.random.default_rng(0))
    a = voices.render_clip(np.random.default_rng(5), technique, singer)
    b = voices.render_clip(np.random.default_rng(5), technique, singer)
    assert len(a) == int(voices.SR * voices.SECONDS) and digest(a) == digest(b) and np.isfinite(a).all()


def test_songs_have_lab_annotations_covering_the_song(tmp_path):
    synth = SoundFontSynth(songs.SR)
    audio, labels, info = songs.render_song(synth, np.random.default_rng(2), "test", 10.0)
    assert len(audio) == songs.SR * 10 and info["comping"] in songs.COMPING["test"]
    assert labels[0][0] == 0.0 and labels[-1][1] == pytest.approx(10.0)
    assert all(a[1] == pytest.approx(b[0]) for a, b in zip(labels, labels[1:]))
    path = tmp_path / "song.lab"
    songs.write_lab(path, labels)
    assert [lab for _, _, lab in songs.read_lab(path)] == [lab for _, _, lab in labels]
    assert all(0 <= label_class(lab) <= 24 for _, _, lab in labels)
    path.write_text("0.0\tx\tC:maj\n")
    with pytest.raises(ValueError, match="song.lab:1"):
        songs.read_lab(path)
