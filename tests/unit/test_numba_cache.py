"""librosa is imported, and its numba code compiled, by one process at a time (numba/numba#10128:
two processes writing the same cache entry leave a cache that segfaults every later process)."""

import fcntl
import subprocess
import sys
import time

import pytest

from mirtrim.utils.numba_cache import WARM_UPS, import_librosa, lock_path

pytest.importorskip("librosa")

CHILD = "from mirtrim.utils.numba_cache import import_librosa; import_librosa(); print('imported')"


def test_import_librosa_warms_every_named_function_and_leaves_the_lock_free():
    librosa = import_librosa(*WARM_UPS)
    assert librosa.__name__ == "librosa" and import_librosa("yin") is librosa
    with open(lock_path(), "a") as handle:  # not held any more: a non-blocking claim succeeds
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)


def test_a_second_process_waits_for_the_lock_before_importing():
    import_librosa()  # the cache is warm: the child needs seconds, not a compilation
    with open(lock_path(), "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        child = subprocess.Popen([sys.executable, "-c", CHILD], stdout=subprocess.PIPE, text=True)
        time.sleep(3)
        assert child.poll() is None, "the child imported librosa while another process held the lock"
    out, _ = child.communicate(timeout=120)
    assert child.returncode == 0 and out.strip() == "imported"


def test_the_lock_follows_numba_cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "cache"))
    assert lock_path() == tmp_path / "cache" / "mirtrim-numba.lock" and lock_path().exists()


def test_an_unknown_use_is_refused_with_the_known_ones():
    with pytest.raises(ValueError, match=r"no warm-up for \['stft'\]; known: \[.*'yin'"):
        import_librosa("stft")
