"""Download, verify and safely extract the files of a registry corpus (standard library only).

A transfer goes to ``<file>.part`` and is renamed only once its size and md5 check out; an
interrupted transfer keeps its ``.part`` and the next run resumes it with an HTTP Range request
(or starts over when the server ignores the range). Archives are extracted into a temporary folder
that takes the target's name only when every member passed: absolute paths, ``..`` components,
links leading outside the target and special files are refused. Every failure is one
:class:`DownloadError` line naming the URL or file and what was expected.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import posixpath
import shutil
import stat
import tarfile
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from dataclasses import replace
from pathlib import Path

from mirtrim.data.registry import Corpus, Remote
from mirtrim.utils.atomic import atomic_dir, log, write_json

CHUNK = 1 << 20


class DownloadError(ValueError):
    """One line: what failed (URL or file) and what was expected."""


def md5_file(path: Path) -> str:
    h = hashlib.md5()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(CHUNK), b""):
            h.update(block)
    return h.hexdigest()


def _check(path: Path, remote: Remote, expected_size: int | None) -> None:
    """Size then md5 of a finished transfer; a mismatching file is deleted (resuming it cannot help)."""
    size = path.stat().st_size
    want = remote.size if remote.size is not None else expected_size
    if want is not None and size != want:
        path.unlink()
        raise DownloadError(f"{remote.url}: received {size} bytes, expected {want}")
    if remote.md5:
        got = md5_file(path)
        if got != remote.md5.lower():
            path.unlink()
            raise DownloadError(f"{remote.url}: md5 {got}, expected {remote.md5}")


def _open(url: str, offset: int, timeout: float):
    headers = {"User-Agent": "mirtrim-download"}
    if offset:
        headers["Range"] = f"bytes={offset}-"
    try:
        return urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=timeout)
    except urllib.error.HTTPError as err:
        if err.code == 416 and offset:  # our .part is already as long as the file: verify it as it is
            return None
        raise DownloadError(f"{url}: HTTP {err.code} {err.reason}") from None
    except (urllib.error.URLError, OSError) as err:
        reason = getattr(err, "reason", err)
        raise DownloadError(f"{url}: cannot connect ({reason})") from None


def fetch(remote: Remote, dest: Path, progress=log, timeout: float = 60.0) -> Path:
    """Download ``remote`` to ``dest`` (verified), resuming a ``dest.part`` left by an interrupted run."""
    dest = Path(dest)
    if dest.exists():  # a finished transfer from an earlier run (its extraction may have failed)
        _check(dest, remote, None)
        progress(f"{dest}: already downloaded and verified")
        return dest
    part = dest.with_name(dest.name + ".part")
    offset = part.stat().st_size if part.exists() else 0
    if remote.size is not None and offset > remote.size:
        part.unlink()
        offset = 0
    response = _open(remote.url, offset, timeout)
    expected = None
    if response is not None:
        with response:
            if offset and response.status != 206:
                progress(f"{remote.url}: the server ignored the range request; downloading from the start")
                offset = 0
            elif offset and not response.headers.get("Content-Range", "").startswith(f"bytes {offset}-"):
                raise DownloadError(f"{remote.url}: asked for bytes {offset}- but the server sent "
                                    f"{response.headers.get('Content-Range')!r}")
            length = response.headers.get("Content-Length")
            expected = offset + int(length) if length and length.isdigit() else None
            if remote.size is not None and expected is not None and expected != remote.size:
                raise DownloadError(f"{remote.url}: the server announces {expected} bytes, expected {remote.size}")
            progress(f"{remote.url}: " + (f"resuming at byte {offset}" if offset else "downloading")
                     + (f" ({expected} bytes)" if expected else ""))
            received = offset
            part.parent.mkdir(parents=True, exist_ok=True)
            with open(part, "ab" if offset else "wb") as fh:
                while True:
                    try:
                        block = response.read(CHUNK)
                    except (TimeoutError, http.client.HTTPException, ConnectionError) as err:
                        raise DownloadError(f"{remote.url}: connection lost after {received} bytes "
                                            f"({err.__class__.__name__}); run again to resume from {part}") from None
                    if not block:
                        break
                    fh.write(block)
                    received += len(block)
        if expected is not None and received < expected:
            raise DownloadError(f"{remote.url}: connection closed after {received} of {expected} bytes; "
                                f"run again to resume from {part}")
    _check(part, remote, expected)
    os.replace(part, dest)
    return dest


def _member_error(archive: Path, name: str, why: str) -> DownloadError:
    return DownloadError(f"{archive}: member {name!r} {why}; nothing extracted")


def _relative(name: str) -> str | None:
    """The normalised relative path of a member name, or None when it is absolute or has a ``..``."""
    name = name.replace("\\", "/")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":") or ".." in name.split("/"):
        return None
    return posixpath.normpath(name)


def _within(root: Path, path: str | Path) -> bool:
    """Whether ``path`` resolves (following links already extracted) inside ``root``."""
    real_root = os.path.realpath(root)
    return os.path.commonpath([real_root, os.path.realpath(path)]) == real_root


def _extract_zip(archive: Path, tmp: Path) -> None:
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            rel = _relative(info.filename)
            if rel is None:
                raise _member_error(archive, info.filename, "has an absolute path or a '..' component")
            dest = tmp / rel
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                link = zf.read(info).decode("utf-8", "replace")
                if link.replace("\\", "/").startswith("/") or not _within(tmp, dest.parent / link):
                    raise _member_error(archive, info.filename, f"links to {link!r}, outside the target folder")
                dest.parent.mkdir(parents=True, exist_ok=True)
                os.symlink(link, dest)
            elif stat.S_IFMT(mode) not in (0, stat.S_IFREG, stat.S_IFDIR):  # many zips record no type: a file
                raise _member_error(archive, info.filename, "is not a regular file, folder or link")
            elif not _within(tmp, dest.parent):  # a folder of its path is a link leading out
                raise _member_error(archive, info.filename, "would be written through a link outside the target")
            else:
                zf.extract(info, tmp)


def _extract_tar(archive: Path, tmp: Path) -> None:
    with tarfile.open(archive) as tf:
        members = tf.getmembers()
        for m in members:
            if _relative(m.name) is None:
                raise _member_error(archive, m.name, "has an absolute path or a '..' component")
            if m.issym() or m.islnk():
                # symbolic links are relative to their folder, hard links to the archive root
                base = tmp / posixpath.dirname(m.name) if m.issym() else tmp
                if m.linkname.startswith("/") or not _within(tmp, base / m.linkname):
                    raise _member_error(archive, m.name, f"links to {m.linkname!r}, outside the target folder")
            elif not (m.isfile() or m.isdir()):
                raise _member_error(archive, m.name, "is not a regular file, folder or link")
        # the standard library's own guard (3.11.4+) also resolves links created during extraction
        try:
            if hasattr(tarfile, "data_filter"):
                tf.extractall(tmp, members=members, filter="data")
            else:
                tf.extractall(tmp, members=members)
        except tarfile.FilterError as err:
            raise _member_error(archive, err.tarinfo.name, f"was refused ({err})") from None


def extract(archive: str | Path, target: str | Path) -> Path:
    """Extract a zip or tar(.gz) archive into ``target``. Members are extracted into a temporary folder
    that becomes ``target`` only when every member passed the checks; nothing is left otherwise."""
    archive, target = Path(archive), Path(target)
    kind = Remote(archive.name, "").archive
    if kind is None:
        raise DownloadError(f"{archive}: not a .zip, .tar or .tar.gz archive")
    try:
        with atomic_dir(target) as tmp:
            (_extract_zip if kind == "zip" else _extract_tar)(archive, tmp)
    except (zipfile.BadZipFile, tarfile.TarError, EOFError) as err:
        raise DownloadError(f"{archive}: not a readable {kind} archive ({err})") from None
    return target


def with_mirror(corpus: Corpus, mirror: str) -> Corpus:
    """The corpus with every file fetched from ``<mirror>/<file name>`` (checksums unchanged)."""
    base = mirror.rstrip("/")
    return replace(corpus, remotes=tuple(replace(r, url=f"{base}/{urllib.parse.quote(r.filename)}")
                                         for r in corpus.remotes))


def _missing_folders(folder: Path) -> list[Path]:
    """``folder`` and its ancestors that do not exist yet, innermost first."""
    out = []
    while not folder.exists() and folder != folder.parent:
        out.append(folder)
        folder = folder.parent
    return out


def _unpack(corpus: Corpus, remote: Remote, path: Path, tmp: Path, progress) -> None:
    where = tmp / remote.subdir if remote.subdir else tmp
    where.mkdir(parents=True, exist_ok=True)
    if not remote.archive:
        shutil.copyfile(path, where / remote.filename)
        return
    progress(f"{path}: extracting")
    staging = where / f".{remote.filename}.extracted"
    try:
        extract(path, staging)
    except DownloadError:
        path.unlink()  # a refused or unreadable archive is useless: the next run downloads it anew
        raise
    for child in staging.iterdir():  # several archives may fill one folder (nsynth's train and test)
        if (where / child.name).exists():
            raise DownloadError(f"{path}: {child.name!r} also comes from another file of {corpus.name}")
        child.rename(where / child.name)
    staging.rmdir()


def download_corpus(corpus: Corpus, out: str | Path, cache: str | Path, keep_archives: bool = False,
                    progress=log) -> Path:
    """Fetch every file of ``corpus`` into ``cache``, then unpack them into ``out`` (atomically) with a
    ``SOURCE.json`` provenance record. Downloaded files are deleted once ``out`` is complete; after a
    failure only the ``.part`` of an interrupted transfer (to resume) and fully verified files remain."""
    out, cache = Path(out), Path(cache)
    new_folders = _missing_folders(cache)
    try:
        files = [fetch(r, cache / r.filename, progress) for r in corpus.remotes]
        record = {"dataset": corpus.name, "title": corpus.title, "licence": corpus.licence,
                  "citation": corpus.citation, "files": []}
        with atomic_dir(out) as tmp:
            for remote, path in zip(corpus.remotes, files):
                record["files"].append({"file": remote.filename, "url": remote.url, "bytes": path.stat().st_size,
                                        "md5": md5_file(path), "checked": remote.check})
                _unpack(corpus, remote, path, tmp, progress)
            write_json(tmp / "SOURCE.json", record)
        if not keep_archives:
            for path in files:
                path.unlink()
    finally:  # the download folders this call created go again once empty
        for folder in new_folders:
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
    progress(f"{corpus.name}: {len(files)} file(s) verified and unpacked into {out}")
    return out
