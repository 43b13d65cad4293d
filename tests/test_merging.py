"""Merging another copy of a coder's codings: nothing lost, nothing twice, re-anchoring, dry run."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from codeer.cli import cli, main
from codeer.codings import Coding, CodingsFile
from codeer.errors import CodingsError, UsageError
from codeer.merging import merge, plan_merge
from codeer.project import Project
from tests.conftest import MINI_TRANSCRIPT, write_project
from tests.test_agreement_project import HUIS1, LEEF, PERS, code

T0 = dt.datetime(2011, 1, 1, tzinfo=dt.UTC)
T1 = dt.datetime(2011, 2, 1, tzinfo=dt.UTC)


@pytest.fixture
def pair(tmp_path: Path) -> tuple[Project, Project]:
    """This project and a colleague's copy, both with coder a's codings."""
    here = Project(write_project(tmp_path / "here"))
    code(
        here, "sp-test", "a", [(HUIS1, "voorzieningen.huiskamer"), (PERS, "organisatie.betaald", 4)]
    )
    there = tmp_path / "there"
    shutil.copytree(here.paths.root, there)
    return here, Project(there)


def edit(p: Project, update: dict[str, object], index: int = 0, modified: dt.datetime = T1) -> None:
    cf = p.codings("a", "sp-test")
    assert cf is not None
    codings = list(cf.codings)
    codings[index] = codings[index].model_copy(update={**update, "modified": modified})
    p.store.save(cf.model_copy(update={"codings": codings}))


def add(p: Project, coding: Coding) -> None:
    cf = p.codings("a", "sp-test")
    assert cf is not None
    p.store.save(cf.model_copy(update={"codings": [*cf.codings, coding]}))


def leef_coding(body: str, cid: str, value: str = "zelf") -> Coding:
    start = body.index(LEEF)
    return Coding(
        id=cid,
        code="voorzieningen.leefgeld",
        start=start,
        end=start + len(LEEF),
        quote=LEEF,
        value=value,
        coder="a",
    )


def test_same_copy_changes_nothing(pair: tuple[Project, Project]) -> None:
    here, there = pair
    before = here.paths.codings_file("a", "sp-test").read_bytes()
    report = merge(here, "a", there.paths.root)
    assert report.totals() == {"same": 2} and report.written == []
    assert here.paths.codings_file("a", "sp-test").read_bytes() == before


def test_new_coding_added_and_duplicate_skipped(pair: tuple[Project, Project]) -> None:
    here, there = pair
    body = here.transcript("sp-test").body
    add(there, leef_coding(body, "new00001"))
    # the same span, code and value under another id in both copies: a duplicate
    add(here, leef_coding(body, "mine0001", "extern"))
    add(there, leef_coding(body, "theirs01", "extern"))
    report = merge(here, "a", there.paths.root)
    assert report.totals() == {"same": 2, "added": 1, "duplicate": 1}
    cf = here.codings("a", "sp-test")
    assert cf is not None and sorted(c.id for c in cf.codings) == sorted(
        ["a000", "a001", "mine0001", "new00001"]
    )
    # merging again adds nothing
    assert merge(here, "a", there.paths.root).written == []


@pytest.mark.parametrize("newer", ["imported", "local"])
def test_conflict_keeps_both(pair: tuple[Project, Project], newer: str) -> None:
    here, there = pair
    edit(there, {"value": 5}, index=1, modified=T1 if newer == "imported" else T0)
    edit(here, {"memo": "checked"}, index=1, modified=T0 if newer == "imported" else T1)
    report = merge(here, "a", there.paths.root)
    (conflict,) = [a for a in report.transcripts[0].actions if a.kind == "conflict"]
    assert conflict.kept == newer and conflict.imported.id == "a001"
    cf = here.codings("a", "sp-test")
    assert cf is not None
    betaald = {c.id: c for c in cf.codings if c.code == "organisatie.betaald"}
    assert len(betaald) == 2
    kept, other = betaald["a001"], betaald[conflict.new_id]  # type: ignore[index]
    assert (kept.value, other.value) == ((5, 4) if newer == "imported" else (4, 5))
    assert other.memo is not None and other.memo.startswith("merge conflict with a001")
    if newer == "imported":
        assert other.memo == "merge conflict with a001; checked"  # the local memo survives
    # idempotent: the second merge finds the kept copy
    again = merge(here, "a", there.paths.root)
    assert again.written == [] and "conflict" not in again.totals()


def test_dry_run_writes_nothing(pair: tuple[Project, Project]) -> None:
    here, there = pair
    add(there, leef_coding(here.transcript("sp-test").body, "new00001"))
    before = here.paths.codings_file("a", "sp-test").read_bytes()
    report = merge(here, "a", there.paths.root, dry_run=True)
    assert report.totals()["added"] == 1 and report.written == []
    assert here.paths.codings_file("a", "sp-test").read_bytes() == before


def test_new_transcript_file_and_codings_folder_source(
    pair: tuple[Project, Project], tmp_path: Path
) -> None:
    here, there = pair
    here.paths.codings_file("a", "sp-test").unlink()
    # the source may be a codings folder or the coder's own folder too
    for source in (there.paths.codings, there.paths.coder_dir("a")):
        report = merge(here, "a", source, dry_run=True)
        assert report.transcripts[0].new_file and report.totals() == {"added": 2}
    merge(here, "a", there.paths.codings)
    cf = here.codings("a", "sp-test")
    assert cf is not None and len(cf.codings) == 2


def test_changed_transcript_reanchors(pair: tuple[Project, Project]) -> None:
    here, there = pair
    # this project's transcript gained a line in front: every offset moves
    path = here.paths.transcript_file("sp-test")
    path.write_text(
        MINI_TRANSCRIPT.replace("I: Heeft u", "I: Goedemiddag.\n\nI: Heeft u"), encoding="utf-8"
    )
    here = Project(here.paths.root)
    here.paths.codings_file("a", "sp-test").unlink()
    report = merge(here, "a", there.paths.root)
    assert report.transcripts[0].anchoring == {"moved": 2}
    cf = here.codings("a", "sp-test")
    assert cf is not None
    body = here.transcript("sp-test").body
    assert all(body[c.start : c.end] == c.quote for c in cf.codings)
    assert cf.transcript_hash == here.transcript("sp-test").content_hash


def test_bad_sources(
    pair: tuple[Project, Project], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    here, there = pair
    with pytest.raises(UsageError, match="no codings of coder 'zz'"):
        plan_merge(here, "zz", there.paths.root)
    with pytest.raises(UsageError, match="own codings folder"):
        merge(here, "a", here.paths.root)
    # a file of another coder, imported as a
    other = tmp_path / "other"
    other.mkdir()
    cf = there.codings("a", "sp-test")
    assert cf is not None
    (other / "sp-test.yaml").write_text(
        cf.model_copy(update={"coder": "b"}).to_yaml(), encoding="utf-8"
    )
    with pytest.raises(UsageError, match="coder 'b''s codings"):
        plan_merge(here, "a", other)
    # a malformed file: an error naming it, and nothing written anywhere
    add(there, leef_coding(here.transcript("sp-test").body, "new00001"))
    bad = there.paths.coder_dir("a") / "sp-zz.yaml"
    (there.paths.root / "interviews" / "sp-zz.txt").write_text(
        MINI_TRANSCRIPT.replace("sp-test", "sp-zz"), encoding="utf-8"
    )
    (here.paths.root / "interviews" / "sp-zz.txt").write_text(
        MINI_TRANSCRIPT.replace("sp-test", "sp-zz"), encoding="utf-8"
    )
    bad.write_text("transcript: sp-zz\ncoder: a\ncodings: [\n", encoding="utf-8")
    before = here.paths.codings_file("a", "sp-test").read_bytes()
    here = Project(here.paths.root)
    with pytest.raises(CodingsError) as exc:
        merge(here, "a", there.paths.root)
    assert exc.value.path == str(bad)
    assert here.paths.codings_file("a", "sp-test").read_bytes() == before
    # a file for a transcript this project lacks: reported, exit code 1, the rest imported
    bad.unlink()
    (there.paths.coder_dir("a") / "sp-elders.yaml").write_text(
        CodingsFile(transcript="sp-elders", coder="a", transcript_hash="sha256:0").to_yaml(),
        encoding="utf-8",
    )
    assert (
        main(
            [
                "merge",
                "--project",
                str(here.paths.root),
                "--coder",
                "a",
                "--from",
                str(there.paths.root),
            ]
        )
        == 1
    )
    captured = capsys.readouterr()
    assert "no transcript 'sp-elders'" in captured.err and "Traceback" not in captured.err


def test_cli_json_and_dry_run(pair: tuple[Project, Project]) -> None:
    here, there = pair
    add(there, leef_coding(here.transcript("sp-test").body, "new00001"))
    r = CliRunner().invoke(
        cli,
        [
            "merge",
            "--project",
            str(here.paths.root),
            "--coder",
            "a",
            "--from",
            str(there.paths.root),
            "--dry-run",
            "--json",
        ],
    )
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["dry_run"] and data["totals"] == {"same": 2, "added": 1} and data["written"] == []
    r = CliRunner().invoke(
        cli,
        [
            "merge",
            "--project",
            str(here.paths.root),
            "--coder",
            "a",
            "--from",
            str(there.paths.root),
        ],
    )
    assert r.exit_code == 0 and "sp-test" in r.stdout
    cf = here.codings("a", "sp-test")
    assert cf is not None and len(cf.codings) == 3


def test_compared_in_the_same_version_of_the_transcript(pair: tuple[Project, Project]) -> None:
    here, there = pair
    path = here.paths.transcript_file("sp-test")
    path.write_text(
        MINI_TRANSCRIPT.replace("I: Heeft u", "I: Goedemiddag.\n\nI: Heeft u"), encoding="utf-8"
    )
    # local codings still anchored to the old text, like the source: compared as they are
    here = Project(here.paths.root)
    report = merge(here, "a", there.paths.root)
    assert report.totals() == {"same": 2} and report.transcripts[0].anchoring == {}
    # local codings re-anchored to the new text, the source still old: the imported ones are
    # re-anchored before comparing, so nothing conflicts
    from codeer.anchoring import reanchor

    cf = here.codings("a", "sp-test")
    assert cf is not None
    body = here.transcript("sp-test").body
    moved = [r.coding for r in reanchor(cf.codings, body)]
    here.store.save(
        cf.model_copy(
            update={"codings": moved, "transcript_hash": here.transcript("sp-test").content_hash}
        )
    )
    report = merge(here, "a", there.paths.root)
    assert report.totals() == {"same": 2} and report.transcripts[0].anchoring == {"moved": 2}
    assert report.written == []
    # the local file anchored to an old text and the source to another: both re-anchored
    stale = here.codings("a", "sp-test")
    assert stale is not None
    here.store.save(stale.model_copy(update={"transcript_hash": "sha256:older"}))
    report = merge(here, "a", there.paths.root)
    assert report.transcripts[0].local_anchoring == {"kept": 2}
    after = here.codings("a", "sp-test")
    assert after is not None and after.transcript_hash == here.transcript("sp-test").content_hash
    assert all(body[c.start : c.end] == c.quote for c in after.codings)
