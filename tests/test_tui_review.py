"""The disagreement review (R) driven with Pilot, checked on the consensus coder's saved file."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable

from codeer.project import Project
from codeer.session import CodingSession
from tests.test_tui_app import SIZE, build_project, make_app, saved, settle

HUISKAMER = "voorzieningen.huiskamer"
LEEFGELD = "voorzieningen.leefgeld"
BETAALD = "organisatie.betaald"


def _span(session: CodingSession, text: str) -> tuple[int, int]:
    start = session.body.index(text)
    return start, start + len(text)


def code_two_coders(root: Path) -> None:
    """a and b agree on one sentence and differ in three places (only b, value, boundaries)."""
    project = Project(root)
    a = CodingSession(project, "a", "sp-test")
    a.apply(HUISKAMER, *_span(a, "Ja, we hebben een huiskamer."))
    a.apply(LEEFGELD, *_span(a, "Het leefgeld betalen we zelf uit."), value="zelf")
    a.apply(BETAALD, *_span(a, "Vier betaalde krachten."), value=4)
    b = CodingSession(project, "b", "sp-test")
    b.apply(HUISKAMER, *_span(b, "Ja, we hebben een huiskamer."))
    b.apply(HUISKAMER, *_span(b, "Die is open op dinsdag."))
    b.apply(LEEFGELD, *_span(b, "Het leefgeld betalen we zelf uit."), value="extern")
    b.apply(BETAALD, *_span(b, "Vier betaalde krachten. Verder vrijwilligers."), value=4)


@pytest.fixture
def two_coders(tmp_path: Path) -> Path:
    root = build_project(tmp_path / "proj")
    code_two_coders(root)
    return root


def text_of(app, selector: str) -> str:  # type: ignore[no-untyped-def]
    return str(app.screen.query_one(selector).render())


def table_of(app) -> DataTable[str]:  # type: ignore[no-untyped-def]
    return app.screen.query_one(DataTable)


def decisions(app) -> list[str]:  # type: ignore[no-untyped-def]
    table = table_of(app)
    return [str(table.get_row_at(i)[4]) for i in range(table.row_count)]


async def test_lists_disagreements_with_both_sides(two_coders: Path) -> None:
    from codeer.tui.screens.review import ReviewScreen

    app = make_app(two_coders)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("R")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        screen = app.screen
        assert [(d.code, d.kind) for d in screen.items] == [
            (HUISKAMER, "only"),
            (LEEFGELD, "value"),
            (BETAALD, "boundaries"),
        ]
        assert "3 item(s), 3 not decided" in text_of(app, "#review-title")
        assert [str(table_of(app).get_row_at(i)[1]) for i in range(3)] == [
            "s. 3",
            "s. 4",
            "s. 6-7",
        ]
        # the first item: only b coded it; the text and both sides are shown
        assert "Die is open op dinsdag." in text_of(app, "#review-text")
        assert "only b" in text_of(app, "#review-text")
        assert "(no coding here)" in text_of(app, "#review-a")
        assert HUISKAMER in text_of(app, "#review-b")
        await pilot.press("down")
        await pilot.pause()
        assert "= zelf" in text_of(app, "#review-a")
        assert "= extern" in text_of(app, "#review-b")
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ReviewScreen)
    assert not (two_coders / "interviews" / "codings" / "consensus").exists()


async def test_decisions_save_the_consensus_and_refresh(two_coders: Path) -> None:
    from codeer.tui.screens.review import ReviewScreen

    app = make_app(two_coders)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("R")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        await pilot.press("b")  # only b's huiskamer: keep it
        await pilot.pause()
        got = saved(two_coders, "consensus")
        assert [(c["code"], c["quote"]) for c in got] == [(HUISKAMER, "Die is open op dinsdag.")]
        assert got[0]["coder"] == "consensus"
        assert decisions(app) == ["b (b)", "—", "—"]
        assert table_of(app).cursor_row == 1  # on to the next undecided
        await pilot.press("a")  # leefgeld: a's value
        await pilot.pause()
        values = {c["code"]: c.get("value") for c in saved(two_coders, "consensus")}
        assert values[LEEFGELD] == "zelf"
        await pilot.press("B")  # betaald: both spans
        await pilot.pause()
        assert sum(c["code"] == BETAALD for c in saved(two_coders, "consensus")) == 2
        assert decisions(app) == ["b (b)", "a (a)", "both"]
        assert "0 not decided" in text_of(app, "#review-title")
        assert "every disagreement on this transcript is decided" in app.messages[-1]
        # change a decision: back to the first item, neither
        await pilot.press("up", "up")
        await pilot.pause()
        assert table_of(app).cursor_row == 0
        await pilot.press("n")
        await pilot.pause()
        codes = [c["code"] for c in saved(two_coders, "consensus")]
        assert HUISKAMER not in codes and len(codes) == 3
        assert decisions(app)[0] == "neither"
    # the current coder's own codings are untouched
    assert len(saved(two_coders, "a")) == 3
    log = two_coders / "variables" / "agreement" / "review-consensus" / "sp-test.yaml"
    assert log.exists()


async def test_enter_jumps_to_the_next_undecided(two_coders: Path) -> None:
    from codeer.tui.screens.review import ReviewScreen

    app = make_app(two_coders)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("R")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        table = table_of(app)
        await pilot.press("down")  # decide the second item first
        await pilot.press("n")
        await pilot.pause()
        assert decisions(app) == ["—", "neither", "—"]
        assert table.cursor_row == 2
        await pilot.press("enter")  # wraps past the decided one
        await pilot.pause()
        assert table.cursor_row == 0
        await pilot.press("enter")
        await pilot.pause()
        assert table.cursor_row == 2
        # g closes and moves the transcript cursor to the item
        await pilot.press("g")
        await pilot.pause()
        assert not isinstance(app.screen, ReviewScreen)
        assert app.session is not None
        assert "Vier betaalde krachten." in app.session.sentences[app.view.cursor].text


async def test_a_reopened_review_shows_earlier_decisions(two_coders: Path) -> None:
    from codeer.tui.screens.review import ReviewScreen

    app = make_app(two_coders)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("R", "a")
        await pilot.pause()
        await pilot.press("escape", "R")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        assert decisions(app) == ["a (a)", "—", "—"]
        assert table_of(app).cursor_row == 1
        assert "decided" not in text_of(app, "#review-text")
        await pilot.press("up")
        await pilot.pause()
        assert "decided: a (a)" in text_of(app, "#review-text")
    # accepting a's side of an item only b coded keeps nothing, but the file is there
    assert saved(two_coders, "consensus") == []
    assert (two_coders / "interviews" / "codings" / "consensus" / "sp-test.yaml").exists()


async def test_no_other_coder_is_a_message(tmp_path: Path) -> None:
    root = build_project(tmp_path / "proj")
    project = Project(root)
    a = CodingSession(project, "a", "sp-test")
    a.apply(HUISKAMER, *_span(a, "Die is open op dinsdag."))
    app = make_app(root)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("R")
        await pilot.pause()
        assert app.screen is app.screen_stack[0]
        assert "no other coder has codings on sp-test" in app.messages[-1]


async def test_current_coder_without_codings_is_a_message(tmp_path: Path) -> None:
    root = build_project(tmp_path / "proj")
    code_two_coders(root)
    app = make_app(root, coder="c")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("R")
        await pilot.pause()
        assert app.screen is app.screen_stack[0]
        assert "c has no codings on sp-test" in app.messages[-1]


async def test_several_other_coders_ask_which(two_coders: Path) -> None:
    from codeer.tui.screens.pickers import Chooser
    from codeer.tui.screens.review import ReviewScreen

    project = Project(two_coders)
    c = CodingSession(project, "c", "sp-test")
    c.apply(HUISKAMER, *_span(c, "Ja, we hebben een huiskamer."))
    app = make_app(two_coders)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("R")
        await pilot.pause()
        assert isinstance(app.screen, Chooser)
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        assert app.screen.coders == ("a", "c")
        # c made only the agreed coding: a's other two codings are "only a"
        assert [d.label for d in app.screen.items] == ["only a"] * 2


async def test_a_broken_codings_file_is_a_message_not_a_crash(two_coders: Path) -> None:
    from codeer.tui.screens.review import ReviewScreen

    app = make_app(two_coders)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        bad = two_coders / "interviews" / "codings" / "b" / "sp-test.yaml"
        bad.write_text("codings: [\n", encoding="utf-8")
        await pilot.press("R")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        assert app.screen.items == []
        assert "cannot review" in app.messages[-1]
        await pilot.press("a")  # nothing to decide: a message, no file
        await pilot.pause()
        assert "nothing to decide" in app.messages[-1]
    assert not (two_coders / "interviews" / "codings" / "consensus").exists()


def test_review_bindings_have_ids_and_tooltips() -> None:
    from textual.binding import Binding

    from codeer.tui.app import APP_BINDINGS
    from codeer.tui.screens.review import ReviewScreen

    bindings = [b for b in ReviewScreen.BINDINGS if isinstance(b, Binding)]
    assert all(b.id and b.description and b.tooltip for b in bindings)
    assert {b.key for b in bindings} >= {"a", "b", "B", "n", "enter"}
    app_ids = {b.id for b in APP_BINDINGS if isinstance(b, Binding)}
    assert "review-disagreements" in app_ids
