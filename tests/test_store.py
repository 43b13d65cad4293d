"""The store never loses a coding: atomic saves survive a kill at any moment."""

from __future__ import annotations

import datetime as dt
import os
import random
import signal
import time
from pathlib import Path

import pytest

from codeer.codings import Coding, CodingsFile, parse_codings
from codeer.errors import CodingsError, UsageError
from codeer.paths import ProjectPaths
from codeer.store import Store, atomic_write_text

STAMP = dt.datetime(2011, 4, 1, 12, 0, tzinfo=dt.UTC)


def version(k: int) -> CodingsFile:
    """Version k of a codings file: its size varies so a torn write would show."""
    n = 1 + (k * 7919) % 60
    codings = [
        Coding(
            id=f"{i:08x}",
            code="voorzieningen.huiskamer",
            start=i,
            end=i + 5,
            quote="x" * 5,
            coder="a",
            memo=f"version {k}",
            created=STAMP,
            modified=STAMP,
        )
        for i in range(n)
    ]
    return CodingsFile(
        transcript="sp-test", coder="a", transcript_hash=f"sha256:{k}", codings=codings
    )


def _saver(root: Path, start: int) -> None:
    store = Store(ProjectPaths.of(root))
    k = start
    while True:
        store.save(version(k))
        k += 1


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_kill_during_save_never_leaves_a_broken_file(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    store = Store(ProjectPaths.of(root))
    store.save(version(0))
    path = ProjectPaths.of(root).codings_file("a", "sp-test")
    rng = random.Random(20260101)
    seen_versions: set[str] = set()
    kills = 0
    for round_ in range(220):
        pid = os.fork()
        if pid == 0:  # child: save new versions until killed
            try:
                _saver(root, 1 + round_ * 1000)
            finally:
                os._exit(0)
        time.sleep(rng.uniform(0.0, 0.08))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        kills += 1
        cf = parse_codings(path.read_text(encoding="utf-8"), path)  # must always parse
        k = int(cf.transcript_hash.split(":")[1])
        assert cf == version(k), (
            f"file is neither an old nor a new complete version (round {round_})"
        )
        seen_versions.add(cf.transcript_hash)
    assert kills >= 200
    # the kills happened while saving, not only before the first save
    assert len(seen_versions) > 20


def test_save_refuses_to_overwrite_a_malformed_file(tmp_path: Path) -> None:
    paths = ProjectPaths.of(tmp_path)
    path = paths.codings_file("a", "sp-test")
    path.parent.mkdir(parents=True)
    path.write_text("codings: [unclosed\n", encoding="utf-8")
    with pytest.raises(CodingsError) as info:
        Store(paths).save(version(1))
    assert info.value.path == str(path) and info.value.line is not None
    assert path.read_text(encoding="utf-8") == "codings: [unclosed\n"


def test_save_rejects_odd_coder_names(tmp_path: Path) -> None:
    cf = version(1).model_copy(update={"coder": "../evil"})
    with pytest.raises(UsageError):
        Store(ProjectPaths.of(tmp_path)).save(cf)
    assert not (tmp_path / "evil").exists()


def test_atomic_write_leaves_no_temp_files(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "f.txt"
    for i in range(5):
        atomic_write_text(target, f"v{i}")
    assert target.read_text() == "v4"
    assert [p.name for p in target.parent.iterdir()] == ["f.txt"]
    assert target.stat().st_mode & 0o777 == 0o644
    target.chmod(0o664)
    atomic_write_text(target, "v5")
    assert target.stat().st_mode & 0o777 == 0o664
