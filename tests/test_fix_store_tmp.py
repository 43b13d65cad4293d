"""Temp files left by killed saves: the next save removes stale ones, validate reports them."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from codeer.cli import main
from codeer.paths import ProjectPaths
from codeer.store import STALE_TEMP_AGE, Store, atomic_write_text, temp_target
from codeer.validation import validate_project
from tests.conftest import write_project
from tests.test_store import version

OLD = time.time() - STALE_TEMP_AGE - 600  # clearly stale
RECENT = time.time() - STALE_TEMP_AGE + 600  # younger than the safe age: maybe a live save


def _touch(path: Path, when: float, text: str = "partial") -> Path:
    path.write_text(text, encoding="utf-8")
    os.utime(path, (when, when), follow_symlinks=False)
    return path


def test_temp_target_matches_only_codeers_pattern() -> None:
    assert temp_target(".sp-test.yaml.ab_d12z9.tmp") == "sp-test.yaml"
    assert temp_target(".a.b.abcdefgh.tmp") == "a.b"
    for name in (
        "sp-test.yaml.abcdefgh.tmp",  # not hidden
        ".sp-test.yaml.abcdefg.tmp",  # 7 random characters
        ".sp-test.yaml.abcdefghi.tmp",  # 9
        ".sp-test.yaml.ABCDEFGH.tmp",  # not mkstemp's alphabet
        ".sp-test.yaml.abcdefgh.tmp.bak",
        ".sp-test.yaml.abcdefgh.temp",
        "..abcdefgh.tmp",  # no target
        ".sp-test.yaml",
    ):
        assert temp_target(name) is None, name


def test_save_removes_only_stale_temp_files_of_its_target(tmp_path: Path) -> None:
    paths = ProjectPaths.of(tmp_path)
    store = Store(paths)
    target = store.save(version(1))
    folder = target.parent
    stale = _touch(folder / ".sp-test.yaml.abcd1234.tmp", OLD)
    stale2 = _touch(folder / ".sp-test.yaml.zz_9zz_9.tmp", OLD - 86400)
    outside = tmp_path / "outside.txt"
    outside.write_text("keep me", encoding="utf-8")
    keep = [
        _touch(folder / ".sp-test.yaml.fresh123.tmp", RECENT),  # a concurrent saver's live file
        _touch(folder / ".sp-test.yaml.future00.tmp", time.time() + 3600),  # clock skew
        _touch(folder / ".other.yaml.abcd1234.tmp", OLD),  # another target
        _touch(folder / ".sp-test.yaml.x.abcd1234.tmp", OLD),  # target 'sp-test.yaml.x'
        _touch(folder / "sp-test.yaml.abcd1234.tmp", OLD),  # not hidden
        _touch(folder / ".sp-test.yaml.abcd123.tmp", OLD),  # wrong length
        _touch(folder / ".sp-test.yaml.ABCD1234.tmp", OLD),
        _touch(folder / ".sp-test.yaml.abcd1234.tmp.bak", OLD),
        _touch(folder / "other.yaml", OLD, "codings: []\n"),
    ]
    as_dir = folder / ".sp-test.yaml.dirdir00.tmp"
    as_dir.mkdir()
    (as_dir / "inside.txt").write_text("x", encoding="utf-8")
    os.utime(as_dir, (OLD, OLD))
    link = folder / ".sp-test.yaml.linklink.tmp"
    link.symlink_to(outside)
    os.utime(link, (OLD, OLD), follow_symlinks=False)
    keep += [as_dir, as_dir / "inside.txt", link, outside]
    before = {p: p.read_bytes() for p in keep if p.is_file() and not p.is_symlink()}

    assert store.save(version(2)) == target

    assert not stale.exists() and not stale2.exists()
    for p in keep:
        assert os.path.lexists(p), p
    assert {p: p.read_bytes() for p in before} == before
    assert outside.read_text(encoding="utf-8") == "keep me"
    assert store.load("a", "sp-test") == version(2)


def test_plain_atomic_writes_clean_up_too(tmp_path: Path) -> None:
    target = tmp_path / "variables" / "steunpunten.csv"
    atomic_write_text(target, "a\n1\n")
    stale = _touch(target.parent / ".steunpunten.csv.q1w2e3r4.tmp", OLD)
    atomic_write_text(target, "a\n2\n")
    assert not stale.exists()
    assert sorted(p.name for p in target.parent.iterdir()) == ["steunpunten.csv"]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_killed_save_leaves_a_temp_file_that_validate_reports_and_a_later_save_removes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_project(tmp_path / "proj")
    paths = ProjectPaths.of(root)
    store = Store(paths)
    target = store.save(version(1))
    folder = target.parent
    baseline = validate_project(root)  # these codings do not fit the transcript: errors there
    baseline_rc = main(["validate", "--project", str(root)])
    capsys.readouterr()
    ready = tmp_path / "child-is-replacing"
    pid = os.fork()
    if pid == 0:  # child: write the temp file, then hang where os.replace would run
        try:

            def hang(*_args: object) -> None:
                ready.touch()
                time.sleep(60)

            os.replace = hang  # type: ignore[assignment]
            store.save(version(2))
        finally:
            os._exit(0)
    deadline = time.monotonic() + 20
    while not ready.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    assert ready.exists()
    left = sorted(p for p in folder.iterdir() if p != target)
    assert len(left) == 1 and temp_target(left[0].name) == "sp-test.yaml"
    assert store.load("a", "sp-test") == version(1)  # the kill lost nothing

    # validate names the leftover as a warning with a hint; warnings do not fail the check
    report = validate_project(root)
    found = [f for f in report.findings if f.kind == "temp file"]
    assert len(found) == 1 and found[0].severity == "warning"
    assert found[0].path == str(left[0])
    assert "interrupted save of sp-test.yaml" in found[0].message
    assert "delete it" in found[0].hint and "1 h" in found[0].hint
    assert report.errors == baseline.errors  # a warning, not an error: the exit code stays
    assert len(report.findings) == len(baseline.findings) + 1
    assert main(["validate", "--project", str(root)]) == baseline_rc
    err = capsys.readouterr().err
    assert f"{left[0].name}: warning: temp file of an interrupted save of sp-test.yaml" in err

    # a save right now keeps it (it could be a live save); once stale, the next save removes it
    store.save(version(3))
    assert left[0].exists()
    os.utime(left[0], (OLD, OLD))
    store.save(version(4))
    assert not left[0].exists()
    assert sorted(folder.iterdir()) == [target]
    assert not [f for f in validate_project(root).findings if f.kind == "temp file"]


def test_validate_looks_in_variables_and_skips_hidden_folders(tmp_path: Path) -> None:
    root = write_project(tmp_path / "proj")
    chaid = root / "variables" / "chaid"
    chaid.mkdir(parents=True)
    found = _touch(chaid / ".boom.json.abcdefgh.tmp", OLD)
    _touch(chaid / "boom.json.abcdefgh.tmp", OLD)  # not ours: no dot in front
    hidden = root / "variables" / ".cache"
    hidden.mkdir()
    _touch(hidden / ".x.csv.abcdefgh.tmp", OLD)
    report = validate_project(root)
    temp = [f for f in report.findings if f.kind == "temp file"]
    assert [f.path for f in temp] == [str(found)]
    assert "(70 min old)" in temp[0].message
