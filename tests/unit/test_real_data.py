"""Real corpora, offline: a loopback HTTP server serves tiny archives built in each corpus's real layout.

Every loader's output must be accepted by the unchanged feature extraction; every download failure
must be one clear error that leaves no partial output (except the ``.part`` of an interrupted
transfer, which the next run resumes).
"""

import hashlib
import io
import json
import subprocess
import sys
import tarfile
import threading
import zipfile
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, unquote, urlparse

import numpy as np
import pytest
import soundfile as sf
import yaml

from mirtrim import grid
from mirtrim.data.download import DownloadError, download_corpus, extract, fetch
from mirtrim.data.real import drums, prepare
from mirtrim.data.registry import REGISTRY, Remote
from mirtrim.features import logmel
from mirtrim.features.build import build_features

ROOT = Path(__file__).resolve().parents[2]


# --- a loopback server with Range support and scripted failures ---------------------------------

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        server = self.server
        name = unquote(urlparse(self.path).path.lstrip("/"))
        server.requests.append((name, self.headers.get("Range")))
        mode = server.modes.get(name)
        path = server.root / name
        if mode == "404" or not path.is_file():
            self.send_error(404)
            return
        data = path.read_bytes()
        start = 0
        if self.headers.get("Range") and mode != "ignore_range":
            start = int(self.headers["Range"].split("=")[1].split("-")[0])
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        else:
            self.send_response(200)
        body = data[start:]
        if mode in ("truncate", "truncate_unannounced"):  # the server's own copy is short
            body = body[:len(body) // 2]
        if mode == "truncate_unannounced":  # no length: the body ends when the connection closes
            self.close_connection = True
        else:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if mode == "drop_once":  # announce everything, send half, hang up
            server.modes.pop(name)
            self.wfile.write(body[:len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server(tmp_path):
    root = tmp_path / "served"
    root.mkdir()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.root, httpd.modes, httpd.requests = root, {}, []
    httpd.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def publish(server, name: str, files: dict[str, bytes]):
    """Serve ``files`` (registry file name -> bytes) and return the registry corpus pointing at them,
    with the checksums and sizes of these tiny stand-ins."""
    remotes = []
    for remote in REGISTRY[name].remotes:
        data = files[remote.filename]
        (server.root / remote.filename).write_bytes(data)
        remotes.append(replace(remote, url=f"{server.url}/{quote(remote.filename)}",
                               md5=hashlib.md5(data).hexdigest(), size=len(data)))
    return replace(REGISTRY[name], remotes=tuple(remotes))


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


# --- tiny audio and archives in the real layouts ------------------------------------------------

def tone(seconds: float, sr: int, hz: float = 220.0, seed: int = 0) -> np.ndarray:
    t = np.arange(int(seconds * sr)) / sr
    noise = np.random.default_rng(seed).standard_normal(len(t))
    return (0.4 * np.sin(2 * np.pi * hz * t) + 0.01 * noise).astype(np.float32)


def clicks(seconds: float, sr: int, times) -> np.ndarray:
    audio = 0.001 * np.random.default_rng(1).standard_normal(int(seconds * sr))
    for t in times:
        i = int(t * sr)
        audio[i:i + 200] += np.hanning(400)[200:] * 0.8
    return audio.astype(np.float32)


def wav_bytes(audio: np.ndarray, sr: int, fmt: str = "WAV") -> bytes:
    buf = io.BytesIO()
    sf.write(buf, audio, sr, format=fmt, subtype="PCM_16")
    return buf.getvalue()


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def tar_bytes(members: dict[str, bytes], links: dict[str, tuple[str, bytes]] | None = None) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tf:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
        for name, (target, kind) in (links or {}).items():
            info = tarfile.TarInfo(name)
            info.type, info.linkname = kind, target
            tf.addfile(info)
    return buf.getvalue()


def download_and_prepare(server, tmp_path, name, files, audio_dir=None, seed=1234):
    corpus = publish(server, name, files)
    raw = download_corpus(corpus, tmp_path / "resources" / name, tmp_path / "resources" / "downloads" / name,
                          progress=lambda *_: None)
    assert json.loads((raw / "SOURCE.json").read_text())["dataset"] == name
    assert not (tmp_path / "resources" / "downloads" / name).exists()  # archives deleted once unpacked
    meta = prepare(name, raw, tmp_path / "data" / name, seed=seed, audio_dir=audio_dir, progress=lambda *_: None)
    shapes = build_features(tmp_path / "data" / name, tmp_path / f"{name}.npz", progress=lambda *_: None)
    return meta, shapes, np.load(tmp_path / f"{name}.npz")


# --- loaders ------------------------------------------------------------------------------------

def test_vocalset_keeps_the_ten_techniques_and_holds_out_the_listed_singers(server, tmp_path):
    sr = 44100
    members = {"test_singers_technique.txt": b"female2\nmale3\n", "train_singers_technique.txt": b"female1\nmale1\n",
               "readme-anon.txt": b"VocalSet", "__MACOSX/FULL/female1/._junk.wav": b"\x00\x05"}
    for singer, short in (("female1", "f1"), ("female2", "f2"), ("male1", "m1"), ("male3", "m3")):
        for context, technique in (("arpeggios", "vibrato"), ("long_tones", "belt"), ("scales", "fast_forte")):
            seconds = 6.5 if (singer, technique) == ("female1", "vibrato") else 0.5
            members[f"FULL/{singer}/{context}/{technique}/{short}_{context}_{technique}_a.wav"] = wav_bytes(
                tone(seconds, sr, 200 + len(members)), sr)
    meta, shapes, _feats = download_and_prepare(server, tmp_path, "vocalset",
                                               {"VocalSet1-2.zip": zip_bytes(members)})
    singers = {s: {e["singer"] for e in meta["splits"][s]} for s in ("train", "test")}
    assert singers == {"train": {"female1", "male1"}, "test": {"female2", "male3"}}
    assert {e["label"] for s in meta["splits"].values() for e in s} == {"vibrato", "belt"}  # fast_forte dropped
    assert len(meta["splits"]["train"]) == 5  # the 6.5-s recording gives two 3-s clips
    assert meta["sample_rate"] == 44100 and meta["dataset"] == "voices" and meta["licence"] == "CC BY 4.0"
    assert shapes["X"] == [9, 132300]


def test_tinysol_maps_the_13_classes_and_tests_on_one_official_fold(server, tmp_path):
    sr = 44100
    header = ("Path,Fold,Family,Instrument (abbr.),Instrument (in full),Technique (abbr.),Technique (in full),"
              "Pitch,Pitch ID,Dynamics,Dynamics ID,Instance ID,String ID (if applicable),Needed digital retuning\n")
    notes = [("Brass/Bass_Tuba/ordinario/BTb-ord-C2-mf-N-N.wav", 0, "Brass", "BTb", 36),
             ("Brass/Bass_Tuba/ordinario/BTb-ord-D2-mf-N-N.wav", 1, "Brass", "BTb", 38),
             ("Winds/Flute/ordinario/Fl-ord-C4-mf-N-T14d.wav", 0, "Winds", "Fl", 60),
             ("Winds/Flute/ordinario/Fl-ord-D4-mf-N-N.wav", 2, "Winds", "Fl", 62),
             ("Winds/Sax_Alto/ordinario/ASax-ord-B3-ff-N-N.wav", 3, "Winds", "ASax", 59),
             ("Keyboards/Accordion/ordinario/Acc-ord-C4-mf-N-N.wav", 0, "Keyboards", "Acc", 60)]
    rows = "".join(f"{p},{fold},{fam},{abbr},x,ord,ordinario,C4,{pid},mf,2,0,,FALSE\n"
                   for p, fold, fam, abbr, pid in notes)
    audio = {f"TinySOL/{p}": wav_bytes(tone(1.7, sr, 440 * 2 ** ((pid - 69) / 12)), sr)
             for p, _, _, _, pid in notes}
    meta, shapes, _feats = download_and_prepare(
        server, tmp_path, "tinysol",
        {"TinySOL.tar.gz": tar_bytes(audio), "TinySOL_metadata.csv": (header + rows).encode()}, seed=5)
    assert [e["label"] for e in meta["splits"]["test"]] == ["tba", "fl"]  # fold 0 = 5 mod 5; accordion dropped
    assert sorted(e["label"] for e in meta["splits"]["train"]) == ["fl", "sax", "tba"]
    assert meta["sample_rate"] == 22050 and shapes["X"] == [5, 32768]
    assert (tmp_path / "resources/tinysol/annotation/TinySOL_metadata.csv").exists()


def nsynth_archive(split: str, notes: dict[str, tuple[int, float]]) -> bytes:
    examples, members = {}, {}
    for i, (note_id, (pitch, level)) in enumerate(notes.items()):
        instrument = note_id.rsplit("-", 2)[0]
        examples[note_id] = {"note": i, "note_str": note_id, "pitch": pitch, "velocity": 100, "sample_rate": 16000,
                             "instrument_str": instrument, "instrument_family_str": instrument.split("_")[0],
                             "qualities_str": []}
        hz = 440 * 2 ** ((pitch - 69) / 12)
        members[f"nsynth-{split}/audio/{note_id}.wav"] = wav_bytes(level * tone(0.5, 16000, min(hz, 7000)), 16000)
    members[f"nsynth-{split}/examples.json"] = json.dumps(examples).encode()
    return tar_bytes(members)


NSYNTH = {
    "train": {"bass_synthetic_033-040-100": (40, 1.0), "keyboard_acoustic_004-060-100": (60, 1.0),
              "keyboard_acoustic_004-127-100": (127, 1.0),  # above CREPE's range: skipped
              "organ_electronic_001-064-100": (64, 0.0)},  # silent: skipped
    "test": {"guitar_acoustic_010-052-100": (52, 1.0), "guitar_acoustic_010-055-100": (55, 1.0),
             "flute_synthetic_000-072-100": (72, 1.0), "brass_acoustic_016-058-100": (58, 1.0)},
}


def test_nsynth_uses_its_train_and_test_archives(server, tmp_path):
    files = {f"nsynth-{s}.jsonwav.tar.gz": nsynth_archive(s, NSYNTH[s]) for s in ("train", "test")}
    meta, _shapes, feats = download_and_prepare(server, tmp_path, "nsynth", files)
    assert sorted(e["id"] for e in meta["splits"]["train"]) == ["bass_synthetic_033-040-100",
                                                                "keyboard_acoustic_004-060-100"]
    assert len(meta["splits"]["test"]) == 4
    f0 = {e["id"]: e["f0_hz"] for e in meta["splits"]["test"]}
    assert f0["flute_synthetic_000-072-100"] == pytest.approx(523.2511, rel=1e-6)
    assert feats["X"].shape == (6 * 16, 1024)  # 16 frames per note


def test_nsynth_test_alone_holds_out_instruments(server, tmp_path):
    files = {"nsynth-test.jsonwav.tar.gz": nsynth_archive("test", NSYNTH["test"])}
    meta, _shapes, _feats = download_and_prepare(server, tmp_path, "nsynth_test", files)
    instruments = {s: {e["instrument"] for e in meta["splits"][s]} for s in ("train", "test")}
    assert not instruments["train"] & instruments["test"] and len(instruments["test"]) == 1
    assert meta["split_rule"].startswith("nsynth-test only")


def idmt_xml(name: str, events: list[tuple[float, str]]) -> bytes:
    body = "".join(f"<event><pitch>0</pitch><onsetSec>{t}</onsetSec><offsetSec>{t + 0.1}</offsetSec>"
                   f"<instrument>{lab}</instrument></event>" for t, lab in events)
    return (f'<?xml version="1.0" encoding="UTF-8"?><instrumentRecording><globalParameter>'
            f"<audioFileName>{name}.wav</audioFileName><instrument>Drums</instrument></globalParameter>"
            f"<transcription>{body}</transcription></instrumentRecording>").encode()


def test_idmt_drums_windows_keep_every_onset_and_split_by_kit(server, tmp_path):
    sr, members = 44100, {}
    events = [(-1e-05, "HH"), (0.5, "KD"), (1.0, "SD"), (2.4, "HH"), (3.0, "KD"), (4.1, "SD")]
    for name in ("RealDrum01_00#MIX", "RealDrum01_01#MIX", "WaveDrum02_00#MIX"):
        members[f"IDMT-SMT-DRUMS-V2/audio/{name}.wav"] = wav_bytes(clicks(4.5, sr, [t for t, _ in events]), sr)
        members[f"IDMT-SMT-DRUMS-V2/annotation_xml/{name}.xml"] = idmt_xml(name, events)
    members["IDMT-SMT-DRUMS-V2/audio/RealDrum01_00#KD#train.wav"] = wav_bytes(tone(0.3, sr), sr)
    members["IDMT-SMT-DRUMS-V2/annotation_svl/RealDrum01_00#KD.svl"] = b"<sv/>"
    meta, shapes, feats = download_and_prepare(server, tmp_path, "idmt_smt_drums",
                                               {"IDMT-SMT-DRUMS-V2.zip": zip_bytes(members)})
    kits = {s: {e["kit"] for e in meta["splits"][s]} for s in ("train", "test")}
    assert len(kits["test"]) == 1 and kits["train"] | kits["test"] == {"RealDrum01", "WaveDrum02"}
    assert meta["sample_rate"] == 22050 and meta["dataset"] == "drumloops"
    assert (drums.SR, drums.STEP) == (logmel.SR, logmel.N_FRAMES * logmel.HOP)  # windows tile the model's input
    # 4.5 s in windows every 50 frames (2.32 s): two windows per recording; each seen onset counted once
    assert shapes["X"] == [6, 64, 50]
    assert int(feats["Y"].sum()) == 3 * len(events)
    first = (tmp_path / "data/idmt_smt_drums").glob("*/RealDrum01_00_MIX-000.txt")
    assert next(first).read_text().splitlines()[0] == "0.000000\tHH"


def test_boeck_onsets_pair_annotations_with_the_users_audio(server, tmp_path):
    names = ["ah_development_percussion_bongo1", "Media-103307(4.0-14.0)", "jpb_no_audio"]
    members = {"onset_db-de71454bf331214023aedb255c96e00863568a92/README.md": b"onset_db"}
    times = [0.102, 0.195, 0.683, 1.5]
    for n in names:
        members[f"onset_db-de71454bf331214023aedb255c96e00863568a92/{n}.onsets"] = \
            "".join(f"{t:.3f}\n" for t in times).encode()
    audio_dir = tmp_path / "my_audio"
    (audio_dir / "sub").mkdir(parents=True)
    (audio_dir / f"{names[0]}.flac").write_bytes(wav_bytes(clicks(2.0, 44100, times), 44100, fmt="FLAC"))
    (audio_dir / "sub" / f"{names[1]}.wav").write_bytes(wav_bytes(clicks(2.0, 22050, times), 22050))
    meta, shapes, feats = download_and_prepare(server, tmp_path, "boeck_onsets",
                                               {"onset_db-de71454.zip": zip_bytes(members)}, audio_dir=audio_dir)
    assert len(meta["splits"]["train"]) == len(meta["splits"]["test"]) == 1  # no audio for the third
    assert shapes["X"] == [2, 64, 50] and int(feats["Y"].sum()) == 2 * len(times)
    with pytest.raises(ValueError, match="audio is not public"):
        prepare("boeck_onsets", tmp_path / "resources/boeck_onsets", tmp_path / "x", progress=lambda *_: None)


def jams(chords: list[tuple[float, float, str]], dense: bool) -> bytes:
    leadsheet = [{"time": t, "duration": d, "value": "C:maj", "confidence": None} for t, d, _ in chords]
    if dense:
        performed = {"time": [c[0] for c in chords], "duration": [c[1] for c in chords],
                     "value": [c[2] for c in chords], "confidence": [None] * len(chords)}
    else:
        performed = [{"time": t, "duration": d, "value": v, "confidence": None} for t, d, v in chords]
    meta = {"annotation_rules": "", "data_source": ""}
    return json.dumps({"annotations": [
        {"namespace": "note_midi", "data": [], "annotation_metadata": meta},
        {"namespace": "chord", "data": leadsheet, "annotation_metadata": meta},
        {"namespace": "chord", "data": performed, "annotation_metadata": meta}],
        "file_metadata": {"title": "x", "duration": 2.0, "jams_version": "0.3.1"}, "sandbox": {}}).encode()


def test_guitarset_jams_become_25_class_labs_and_player_05_is_test(server, tmp_path):
    sr = 44100
    chords = [(0.0, 1.0, "Eb:maj7"), (1.0, 1.0, "C:min7/b3")]
    excerpts = ["00_BN1-129-Eb_comp", "00_BN1-129-Eb_solo", "01_Jazz2-110-Bb_comp", "05_Rock1-90-C#_comp"]
    annotation = {f"{x}.jams": jams(chords, dense=i % 2 == 0) for i, x in enumerate(excerpts)}
    audio = {f"{x}_mic.wav": wav_bytes(tone(2.0, sr, 311.1), sr) for x in excerpts}
    meta, _shapes, feats = download_and_prepare(server, tmp_path, "guitarset", {
        "annotation.zip": zip_bytes(annotation), "audio_mono-mic.zip": zip_bytes(audio)})
    assert [e["id"] for e in meta["splits"]["test"]] == ["05_Rock1-90-C__comp"]
    assert len(meta["splits"]["train"]) == 2  # the solo excerpt is left out
    lab = (tmp_path / "data/guitarset/train/00_BN1-129-Eb_comp.lab").read_text()
    assert lab == "0.000000\t1.000000\tD#:maj\n1.000000\t2.000000\tC:min\n"
    assert set(np.unique(feats["labels"])) <= {3, 12, 24}  # D#:maj, C:min, no chord at the edge


def test_isophonics_and_billboard_match_the_users_audio_by_path(server, tmp_path):
    lab = "0.000000 1.000000 E:7(#9)\n1.000000 2.000000 A:min/b3\n2.000000 2.500000 N\n"
    beatles = {f"The Beatles Annotations/chordlab/The Beatles/01_-_Please_Please_Me/{t}.lab": lab.encode()
               for t in ("01_-_I_Saw_Her_Standing_There", "02_-_Misery", "03_-_Anna")}
    beatles["The Beatles Annotations/seglab/The Beatles/01_-_Please_Please_Me/02_-_Misery.lab"] = b"0 1 intro\n"
    audio_dir = tmp_path / "beatles_audio" / "01_-_Please_Please_Me"
    audio_dir.mkdir(parents=True)
    (audio_dir / "01_-_I_Saw_Her_Standing_There.wav").write_bytes(wav_bytes(tone(2.5, 44100), 44100))
    (audio_dir / "02_-_Misery.flac").write_bytes(wav_bytes(tone(2.5, 22050), 22050, fmt="FLAC"))
    meta, _shapes, feats = download_and_prepare(server, tmp_path, "isophonics_beatles",
                                               {"The Beatles Annotations.tar.gz": tar_bytes(beatles)},
                                               audio_dir=audio_dir.parent)
    assert len(meta["splits"]["train"]) == len(meta["splits"]["test"]) == 1  # no audio for Anna
    assert set(np.unique(feats["labels"])) <= {4, 21, 24}  # E:maj, A:min, N

    billboard = {f"McGill-Billboard/{i}/{kind}.lab": lab.replace("E:7(#9)", "D:sus4(b7,9)").encode()
                 for i in ("0003", "0004") for kind in ("full", "majmin")}
    bb_audio = tmp_path / "billboard_audio"
    (bb_audio / "0004").mkdir(parents=True)
    (bb_audio / "0003.flac").write_bytes(wav_bytes(tone(2.5, 44100), 44100, fmt="FLAC"))
    (bb_audio / "0004" / "audio.wav").write_bytes(wav_bytes(tone(2.5, 44100), 44100))
    meta, _shapes, feats = download_and_prepare(server, tmp_path, "billboard",
                                               {"billboard-2.0.1-lab.tar.gz": tar_bytes(billboard)},
                                               audio_dir=bb_audio)
    assert sorted(e["id"] for s in meta["splits"].values() for e in s) == ["0003", "0004"]


def test_a_bad_chord_label_names_file_and_line(tmp_path):
    from mirtrim.data.real.chords import read_lab_reduced

    path = tmp_path / "song.lab"
    path.write_text("0 1 C:maj\n1 2 H:dim\n")
    with pytest.raises(ValueError, match=r"song.lab:2: chord label 'H:dim'"):
        read_lab_reduced(path)


# --- download failures --------------------------------------------------------------------------

PAYLOAD = bytes(range(256)) * 400  # 102,400 bytes


def remote_for(server, name="file.bin", data=PAYLOAD, md5=True, size=True) -> Remote:
    (server.root / name).write_bytes(data)
    return Remote(name, f"{server.url}/{name}", md5=hashlib.md5(data).hexdigest() if md5 else None,
                  size=len(data) if size else None)


def test_http_404_is_one_line_and_leaves_nothing(server, tmp_path):
    remote = remote_for(server)
    server.modes["file.bin"] = "404"
    with pytest.raises(DownloadError, match=r"^http://127\.0\.0\.1:\d+/file\.bin: HTTP 404 Not Found$"):
        fetch(remote, tmp_path / "cache" / "file.bin", progress=lambda *_: None)
    assert leftovers(tmp_path / "cache") == []


@pytest.mark.parametrize("mode, size, message", [
    ("truncate", True, r"the server announces 51200 bytes, expected 102400$"),
    ("truncate", False, r"md5 [0-9a-f]{32}, expected [0-9a-f]{32}$"),
    ("truncate_unannounced", True, r"received 51200 bytes, expected 102400$"),
])
def test_a_truncated_file_is_refused_and_deleted(server, tmp_path, mode, size, message):
    remote = remote_for(server, size=size)
    server.modes["file.bin"] = mode
    with pytest.raises(DownloadError, match=r"^http://127\.0\.0\.1:\d+/file\.bin: " + message):
        fetch(remote, tmp_path / "dl" / "file.bin", progress=lambda *_: None)
    assert leftovers(tmp_path / "dl") == []


def test_a_wrong_checksum_is_refused_and_deleted(server, tmp_path):
    remote = replace(remote_for(server), md5="0" * 32)
    with pytest.raises(DownloadError, match=r"file\.bin: md5 [0-9a-f]{32}, expected 0{32}$"):
        fetch(remote, tmp_path / "dl" / "file.bin", progress=lambda *_: None)
    assert leftovers(tmp_path / "dl") == []


def test_an_interrupted_transfer_resumes_with_a_range_request(server, tmp_path):
    remote = remote_for(server)
    server.modes["file.bin"] = "drop_once"
    with pytest.raises(DownloadError, match=r"after 51200 of 102400 bytes; run again to resume"):
        fetch(remote, tmp_path / "dl" / "file.bin", progress=lambda *_: None)
    assert leftovers(tmp_path / "dl") == ["file.bin.part"]
    assert (tmp_path / "dl" / "file.bin.part").stat().st_size == 51200
    path = fetch(remote, tmp_path / "dl" / "file.bin", progress=lambda *_: None)
    assert server.requests[-1] == ("file.bin", "bytes=51200-")
    assert path.read_bytes() == PAYLOAD and leftovers(tmp_path / "dl") == ["file.bin"]


def test_a_server_ignoring_the_range_restarts_from_zero(server, tmp_path):
    remote = remote_for(server)
    (tmp_path / "dl").mkdir()
    (tmp_path / "dl" / "file.bin.part").write_bytes(PAYLOAD[:1000])
    server.modes["file.bin"] = "ignore_range"
    assert fetch(remote, tmp_path / "dl" / "file.bin", progress=lambda *_: None).read_bytes() == PAYLOAD
    assert server.requests[-1] == ("file.bin", "bytes=1000-")


@pytest.mark.parametrize("kind, attack", [("zip", "dotdot"), ("zip", "absolute"), ("zip", "symlink"),
                                          ("tar", "dotdot"), ("tar", "absolute"), ("tar", "symlink"),
                                          ("tar", "hardlink")])  # zip has no hard links
def test_archives_escaping_the_target_are_refused_and_leave_nothing(tmp_path, kind, attack):
    good = {"corpus/a.txt": b"fine"}
    if kind == "zip":
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            zf.writestr("corpus/a.txt", b"fine")
            if attack == "symlink":
                info = zipfile.ZipInfo("corpus/link")
                info.external_attr = 0o120777 << 16
                zf.writestr(info, "../../outside")
            else:
                zf.writestr("../evil.txt" if attack == "dotdot" else "/tmp/evil.txt", b"evil")
        data = buf.getvalue()
    else:
        links = {"corpus/link": ("../../outside", tarfile.SYMTYPE if attack == "symlink" else tarfile.LNKTYPE)}
        members = {**good, "../evil.txt" if attack == "dotdot" else "/tmp/evil.txt": b"evil"}
        data = tar_bytes(good, links) if attack in ("symlink", "hardlink") else tar_bytes(members)
    archive = tmp_path / ("bad.zip" if kind == "zip" else "bad.tar.gz")
    archive.write_bytes(data)
    (tmp_path / "out").mkdir()
    why = {"dotdot": "absolute path or a '..' component", "absolute": "absolute path or a '..' component",
           "symlink": "outside the target folder", "hardlink": "outside the target folder"}[attack]
    with pytest.raises(DownloadError, match=rf"bad\.(zip|tar\.gz): member '.*' .*{why}"):
        extract(archive, tmp_path / "out" / "target")
    assert leftovers(tmp_path / "out") == [] and not (tmp_path / "evil.txt").exists()


def test_a_refused_archive_leaves_no_corpus_folder(server, tmp_path):
    corpus = publish(server, "idmt_smt_drums", {"IDMT-SMT-DRUMS-V2.zip": zip_bytes({"../evil.txt": b"x"})})
    with pytest.raises(DownloadError, match="'../evil.txt' has an absolute path or a '..' component"):
        download_corpus(corpus, tmp_path / "resources/idmt_smt_drums", tmp_path / "resources/downloads/idmt",
                        progress=lambda *_: None)
    assert leftovers(tmp_path / "resources") == []


def test_the_cli_turns_a_failure_into_one_line(server, tmp_path):
    proc = subprocess.run([sys.executable, "-m", "mirtrim", "download", "--dataset", "guitarset", "--mirror",
                           server.url, "--out", str(tmp_path / "resources/guitarset")],
                          check=False, capture_output=True, text=True, cwd=ROOT, env={"PYTHONPATH": str(ROOT / "src")})
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == [f"error: {server.url}/annotation.zip: HTTP 404 Not Found"]
    assert leftovers(tmp_path / "resources") == []


# --- configuration ------------------------------------------------------------------------------

def test_schema_sources_are_the_registry():
    schema = yaml.safe_load((ROOT / "workflow/schemas/config.schema.yaml").read_text())
    task = schema["properties"]["tasks"]["additionalProperties"]["properties"]
    assert task["source"]["enum"] == ["synthetic", *sorted(REGISTRY)] and task["source"]["default"] == "synthetic"


def test_every_registry_file_has_a_url_and_no_invented_checksum():
    for corpus in REGISTRY.values():
        assert corpus.licence and corpus.citation and corpus.kind in ("voices", "instruments", "notes", "drumloops",
                                                                      "songs")
        for remote in corpus.remotes:
            assert remote.url.startswith("http") and (remote.md5 is None or len(remote.md5) == 32)


def test_real_and_synthetic_dataset_ids_never_match_the_same_rule():
    import re

    config = yaml.safe_load((ROOT / "config.yaml").read_text())
    config["tasks"]["drums"]["source"] = "idmt_smt_drums"
    config["tasks"]["onsets"]["source"] = "idmt_smt_drums"
    grid.check_sources(config)
    assert grid.dataset_id(config, "drums") == grid.dataset_id(config, "onsets") == "idmt_smt_drums"
    synthetic = set(grid.datasets(config))
    assert "idmt_smt_drums" not in synthetic and "drumloops-small" not in synthetic
    for ds in synthetic:
        assert re.fullmatch(grid.SYNTHETIC_DATASET, ds) and not re.fullmatch(grid.REAL_DATASET, ds)
    for name in REGISTRY:
        assert re.fullmatch(grid.REAL_DATASET, name) and not re.fullmatch(grid.SYNTHETIC_DATASET, name)


@pytest.mark.parametrize("task, source, extra, message", [
    ("drums", "boeck_onsets", {"audio_dir": "/a"}, "serves onsets, not drums"),
    ("chords", "billboard", {}, "publishes annotations only"),
    ("chords", "guitarset", {"audio_dir": "/a"}, "comes with its audio"),
])
def test_sources_are_checked_against_their_tasks(task, source, extra, message):
    config = yaml.safe_load((ROOT / "config.yaml").read_text())
    config["tasks"][task].update(source=source, **extra)
    with pytest.raises(ValueError, match=message):
        grid.check_sources(config)
