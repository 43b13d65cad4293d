"""Snapshots of the workbench's screens at a fixed terminal size, on a fixed small project.

Update after reading the report: ``pytest tests/test_tui_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from codeer.project import Project
from codeer.session import CodingSession
from tests.test_tui_app import add_suggestion, build_project

SIZE = (120, 36)


@pytest.fixture
def coded(tmp_path: Path) -> Path:
    """Two codes on one sentence, a valued code, a memo and a pending suggestion."""
    root = build_project(tmp_path / "proj")
    s = CodingSession(Project(root), "a", "sp-test")
    one = s.sentences[1]
    s.apply("voorzieningen.huiskamer", one.start, one.end, memo="inloop")
    s.apply("voorzieningen", one.start, s.sentences[2].end)
    s.apply("voorzieningen.leefgeld", *_span(s, 3), value="zelf")
    s.apply("organisatie.betaald", *_span(s, 6), value=4)
    add_suggestion(root)
    return root


def _span(s: CodingSession, i: int) -> tuple[int, int]:
    return s.sentences[i].start, s.sentences[i].end


def app_for(root: Path) -> Any:
    from codeer.tui.app import CodeerApp

    return CodeerApp(Project(root), "a", "sp-test", keymap_file=Path("/config/codeer/keymap.yaml"))


async def _settle(pilot: Any) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def test_main_screen(coded: Path, snap_compare: Any) -> None:
    """Coded spans in their colours, two codes stacked, the suggestion, a selection."""
    assert snap_compare(
        app_for(coded), press=["j", "shift+down"], terminal_size=SIZE, run_before=_settle
    )


def test_word_selection(coded: Path, snap_compare: Any) -> None:
    """Two words selected inside a coded sentence, the head under the word cursor."""
    assert snap_compare(
        app_for(coded),
        press=["j", "right", "right", "shift+right", "shift+right"],
        terminal_size=SIZE,
        run_before=_settle,
    )


def test_code_picker_filters(coded: Path, snap_compare: Any) -> None:
    assert snap_compare(
        app_for(coded), press=["c", *"leef"], terminal_size=SIZE, run_before=_settle
    )


def test_help_lists_every_binding(coded: Path, snap_compare: Any) -> None:
    assert snap_compare(
        app_for(coded), press=["question_mark"], terminal_size=SIZE, run_before=_settle
    )


def test_matrix(coded: Path, snap_compare: Any) -> None:
    assert snap_compare(app_for(coded), press=["M"], terminal_size=SIZE, run_before=_settle)


def test_anchor_review(coded: Path, snap_compare: Any) -> None:
    path = coded / "interviews" / "sp-test.txt"
    text = path.read_text(encoding="utf-8").replace("Die is open op dinsdag.", "Gesloten.")
    path.write_text(text.replace("I: En personeel?", "I: En hoeveel personeel?"), encoding="utf-8")
    assert snap_compare(app_for(coded), press=["O"], terminal_size=SIZE, run_before=_settle)
