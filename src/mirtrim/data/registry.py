"""The public corpora a task can use instead of synthetic data: where to download them and how to cite them.

Standard library only: the Snakefile reads it at parse time. URLs, sizes and checksums come from
``data.md`` §5, whose md5 prefixes were completed from mirdata's ``REMOTES`` tables (as that section
directs). A remote with ``md5=None`` has no published checksum: its transfer is checked against the
server's Content-Length (and ``size`` where known) only.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Remote:
    """One file to download. ``subdir``: where its content goes inside the corpus folder."""

    filename: str
    url: str
    md5: str | None = None
    size: int | None = None  # bytes
    subdir: str = ""

    @property
    def archive(self) -> str | None:
        name = self.filename.lower()
        if name.endswith(".zip"):
            return "zip"
        if name.endswith((".tar.gz", ".tgz", ".tar")):
            return "tar"
        return None

    @property
    def check(self) -> str:
        if self.md5:
            return "md5 + size" if self.size else "md5"
        return "size check only" + ("" if self.size else " (the server's Content-Length)")


@dataclass(frozen=True)
class Corpus:
    name: str
    title: str
    kind: str  # the shared dataset kind it becomes (features/build.py): voices, instruments, notes, drumloops, songs
    tasks: tuple[str, ...]
    remotes: tuple[Remote, ...]
    licence: str
    citation: str
    loader: str  # module under mirtrim.data.real
    user_audio: bool = False  # annotations only: the audio comes from a folder the user supplies
    note: str = ""


ZENODO = "https://zenodo.org/record"

CORPORA = (
    Corpus(
        name="vocalset", title="VocalSet v1.2 (20 singers, 17 techniques; the paper's 10 are used)", kind="voices",
        tasks=("singing",),
        remotes=(Remote("VocalSet1-2.zip", f"{ZENODO}/1442513/files/VocalSet1-2.zip"),),
        licence="CC BY 4.0",
        citation="J. Wilkins, P. Seetharaman, A. Wahl, B. Pardo. VocalSet: A Singing Voice Dataset. ISMIR 2018.",
        loader="vocalset", note="test split: the singers of the archive's test_singers_technique.txt (5 singers)"),
    Corpus(
        name="tinysol", title="TinySOL (2913 single notes, 14 instruments; the 13 paper classes are used)",
        kind="instruments", tasks=("instrument",),
        remotes=(Remote("TinySOL.tar.gz", f"{ZENODO}/3685367/files/TinySOL.tar.gz?download=1",
                        md5="36030a7fe389da86c3419e5ee48e3b7f", subdir="audio"),
                 Remote("TinySOL_metadata.csv", f"{ZENODO}/3685367/files/TinySOL_metadata.csv?download=1",
                        md5="a86c9bb115f69e61f2f25872e397fc4a", subdir="annotation")),
        licence="CC BY 4.0",
        citation="C. E. Cella, D. Ghisi, V. Lostanlen, F. Levy, J. Fineberg, Y. Maresz. OrchideaSOL: a dataset of "
                 "extended instrumental techniques for computer-aided orchestration. ICMC 2020.",
        loader="tinysol", note="test split: the official fold (data seed mod 5); accordion dropped"),
    Corpus(
        name="nsynth", title="NSynth, seeded 10,000-note subset (8,000 of nsynth-train, 2,000 of nsynth-test)",
        kind="notes", tasks=("pitch", "pitch_medium"),
        remotes=(Remote("nsynth-train.jsonwav.tar.gz",
                        "http://download.magenta.tensorflow.org/datasets/nsynth/nsynth-train.jsonwav.tar.gz"),
                 Remote("nsynth-test.jsonwav.tar.gz",
                        "http://download.magenta.tensorflow.org/datasets/nsynth/nsynth-test.jsonwav.tar.gz")),
        licence="CC BY 4.0",
        citation="J. Engel, C. Resnick, A. Roberts, S. Dieleman, D. Eck, K. Simonyan, M. Norouzi. Neural Audio "
                 "Synthesis of Musical Notes with WaveNet Autoencoders. ICML 2017.",
        loader="nsynth", note="about 22 GB to download; nsynth_test is the 349.5 MB alternative"),
    Corpus(
        name="nsynth_test", title="NSynth test split only (4,096 notes), split by instrument", kind="notes",
        tasks=("pitch", "pitch_medium"),
        remotes=(Remote("nsynth-test.jsonwav.tar.gz",
                        "http://download.magenta.tensorflow.org/datasets/nsynth/nsynth-test.jsonwav.tar.gz"),),
        licence="CC BY 4.0",
        citation="J. Engel, C. Resnick, A. Roberts, S. Dieleman, D. Eck, K. Simonyan, M. Norouzi. Neural Audio "
                 "Synthesis of Musical Notes with WaveNet Autoencoders. ICML 2017.",
        loader="nsynth", note="test split: a seeded 20 % of the instruments"),
    Corpus(
        name="idmt_smt_drums", title="IDMT-SMT-Drums V2 (drum loops with KD/SD/HH onsets)", kind="drumloops",
        tasks=("drums", "onsets"),
        remotes=(Remote("IDMT-SMT-DRUMS-V2.zip", f"{ZENODO}/7544164/files/IDMT-SMT-DRUMS-V2.zip",
                        md5="d2664b4c2aaa34b90ba2f57b389c5663"),),
        licence="CC BY-NC-ND 4.0 (non-commercial, no derivatives: do not redistribute the prepared data)",
        citation="C. Dittmar, D. Gaertner. Real-time Transcription and Separation of Drum Recordings Based on NMF "
                 "Decomposition. DAFx 2014.",
        loader="drums", note="test split: a seeded quarter of the kits (RealDrum01, WaveDrum02, ...)"),
    Corpus(
        name="boeck_onsets", title="Boeck onset annotations (CPJKU/onset_db, .onsets files; audio not public)",
        kind="drumloops", tasks=("onsets",),
        remotes=(Remote("onset_db-de71454.zip",
                        "https://github.com/CPJKU/onset_db/archive/de71454bf331214023aedb255c96e00863568a92.zip"),),
        licence="research use; the licence of the audio is unclear (obtain it from the original authors)",
        citation="S. Boeck, F. Krebs, M. Schedl. Evaluating the Online Capabilities of Onset Detection Methods. "
                 "ISMIR 2012.",
        loader="drums", user_audio=True,
        note="onsets only (no instrument classes); test split: a seeded eighth of the files"),
    Corpus(
        name="guitarset", title="GuitarSet (360 guitar excerpts; comping excerpts with performed chords)",
        kind="songs", tasks=("chords",),
        remotes=(Remote("annotation.zip", f"{ZENODO}/3371780/files/annotation.zip?download=1",
                        md5="b39b78e63d3446f2e54ddb7a54df9b10", size=39_132_574, subdir="annotation"),
                 Remote("audio_mono-mic.zip", f"{ZENODO}/3371780/files/audio_mono-mic.zip?download=1",
                        md5="275966d6610ac34999b58426beb119c3", size=656_927_981, subdir="audio_mono-mic")),
        licence="MIT",
        citation="Q. Xi, R. M. Bittner, J. Pauwels, X. Ye, J. P. Bello. GuitarSet: A Dataset for Guitar "
                 "Transcription. ISMIR 2018.",
        loader="chords", note="test split: player 05"),
    Corpus(
        name="isophonics_beatles", title="Isophonics Beatles chord annotations (audio supplied by the user)",
        kind="songs", tasks=("chords",),
        remotes=(Remote("The Beatles Annotations.tar.gz",
                        "http://isophonics.net/files/annotations/The%20Beatles%20Annotations.tar.gz",
                        md5="62425c552d37c6bb655a78e4603828cc"),),
        licence="no licence found (mirdata); the audio is commercial and not distributed",
        citation="C. Harte. Towards Automatic Extraction of Harmony Information from Music Signals. PhD thesis, "
                 "Queen Mary University of London, 2010.",
        loader="chords", user_audio=True, note="test split: a seeded 20 % of the songs"),
    Corpus(
        name="billboard", title="McGill Billboard chord annotations, LAB files (audio supplied by the user)",
        kind="songs", tasks=("chords",),
        remotes=(Remote("billboard-2.0.1-lab.tar.gz",
                        "https://www.dropbox.com/s/t390alzrkx0c9yt/billboard-2.0.1-lab.tar.gz?dl=1",
                        md5="a7b1fa6a7e454bf73ced7c29207aa597"),),
        licence="CC0 per data.md (mirdata's loader text says CC BY 4.0); the audio is commercial and not distributed",
        citation="J. A. Burgoyne, J. Wild, I. Fujinaga. An Expert Ground Truth Set for Audio Chord Recognition and "
                 "Music Analysis. ISMIR 2011.",
        loader="chords", user_audio=True, note="test split: a seeded 20 % of the songs"),
)

REGISTRY: dict[str, Corpus] = {c.name: c for c in CORPORA}


def corpus(name: str) -> Corpus:
    if name not in REGISTRY:
        raise ValueError(f"unknown dataset {name!r}; known: {', '.join(sorted(REGISTRY))}")
    return REGISTRY[name]
