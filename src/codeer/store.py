"""The store: the only way codeer writes project files, and it never loses a coding.

Every write goes to a temporary file in the same folder, is flushed and fsynced, then
``os.replace``d over the target, so a crash leaves either the old or the new file. A codings file
that does not parse is reported and never overwritten.

A process killed mid-save leaves its hidden temp file (``.<name>.<8 random>.tmp``) behind. The
next save of the same target removes such leftovers once they are older than STALE_TEMP_AGE:
a live save holds its temp file for seconds at most, so an hour never touches the temp file
of a concurrent saver, and only names that match the pattern for that exact target are removed.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from codeer.codings import CodingsFile, parse_codings
from codeer.errors import CodingsError, StoreError, UsageError
from codeer.paths import ProjectPaths, is_valid_coder_name

STALE_TEMP_AGE = 3600.0
"""Seconds after which a temp file of a save is a leftover of a killed process, not a live save."""

# mkstemp's names: the prefix, 8 characters of its alphabet (a-z, 0-9, '_'), the suffix. The
# random part has no '.', so '.a.b.xxxxxxxx.tmp' (target 'a.b') never matches target 'a'.
_TEMP_PATTERN = re.compile(r"\.(?P<target>.+)\.[a-z0-9_]{8}\.tmp")


def temp_target(name: str) -> str | None:
    """The file name a codeer temp file named ``name`` was going to replace, else None."""
    m = _TEMP_PATTERN.fullmatch(name)
    return m.group("target") if m else None


def temp_files(folder: Path, target: str | None = None) -> Iterator[Path]:
    """codeer's temp files in ``folder`` (regular files only), of ``target`` if given."""
    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        for entry in entries:
            found = temp_target(entry.name)
            if found is None or (target is not None and found != target):
                continue
            with contextlib.suppress(OSError):
                if entry.is_file(follow_symlinks=False):
                    yield Path(entry.path)


def remove_stale_temp_files(path: Path, max_age: float = STALE_TEMP_AGE) -> list[Path]:
    """Remove temp files of ``path`` left by killed saves (older than ``max_age`` seconds)."""
    now = time.time()
    removed = []
    for tmp in temp_files(path.parent, path.name):
        with contextlib.suppress(OSError):  # gone already (another saver) or not ours to remove
            if now - tmp.lstat().st_mtime > max_age:
                tmp.unlink()
                removed.append(tmp)
    return removed


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (temp file, fsync, replace, fsync the folder).

    Afterwards, temp files of the same target left by killed saves are removed (see the module).
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise StoreError(f"cannot write: {exc.strerror}", path=path) from None
    try:
        # mkstemp makes 0600 files; keep the mode of the file we replace, or a normal 0644
        try:
            mode = path.stat().st_mode & 0o777
        except FileNotFoundError:
            mode = 0o644
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise StoreError(f"cannot write: {exc.strerror}", path=path) from None
        raise
    _fsync_dir(path.parent)
    remove_stale_temp_files(path)


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


class Store:
    """Reads and writes a project's codings."""

    def __init__(self, paths: ProjectPaths) -> None:
        self.paths = paths

    def coders(self) -> list[str]:
        if not self.paths.codings.is_dir():
            return []
        return sorted(
            p.name
            for p in self.paths.codings.iterdir()
            if p.is_dir() and not p.name.startswith(".")
        )

    def coded_transcripts(self, coder: str) -> list[str]:
        folder = self.paths.coder_dir(coder)
        return sorted(p.stem for p in folder.glob("*.yaml")) if folder.is_dir() else []

    def load(self, coder: str, transcript_id: str) -> CodingsFile | None:
        """The coder's codings on a transcript, or None when there are none yet."""
        path = self.paths.codings_file(coder, transcript_id)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except UnicodeDecodeError as exc:
            raise CodingsError(
                f"not valid UTF-8 (byte {exc.start})", path=path, hint="restore the file"
            ) from None
        cf = parse_codings(text, path)
        if cf.transcript != transcript_id:
            raise CodingsError(
                f"file is for transcript '{cf.transcript}', not '{transcript_id}'",
                path=path,
                line=1,
                hint="rename the file after its transcript or fix the 'transcript' key",
            )
        return cf

    def save(self, cf: CodingsFile) -> Path:
        """Save atomically; refuses to overwrite a file that exists but does not parse."""
        if not is_valid_coder_name(cf.coder):
            raise UsageError(
                f"coder name {cf.coder!r} is not allowed",
                hint="use letters, digits, '_', '.', '-' (it becomes a folder name)",
            )
        path = self.paths.codings_file(cf.coder, cf.transcript)
        if path.exists():
            # a malformed file may hold codings a person can still recover: never overwrite it
            self.load(cf.coder, cf.transcript)
        atomic_write_text(path, cf.to_yaml())
        return path
