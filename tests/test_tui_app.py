"""The coding workbench driven with Textual's Pilot: every binding, checked on the saved files.

The test project is built here from strings (not the bundled example), so these tests and the
snapshots do not change when the example grows.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml

from codeer.cli import main
from codeer.project import Project
from codeer.session import CodingSession

CODEBOOK = textwrap.dedent(
    """\
    name: tui
    version: 1
    codes:
      - id: voorzieningen
        label: Voorzieningen
        colour: "#8e44ad"
        definition: Wat het steunpunt biedt.
        children:
          - id: voorzieningen.huiskamer
            label: Huiskamer
            definition: Het steunpunt heeft een inloopruimte.
            include: Een ruimte waar jongeren vrij binnenlopen.
            exclude: Een kantoor met spreekuur.
            example: We hebben een huiskamer, open op dinsdag.
            keywords: [huiskamer, inloop]
            colour: "#3cb44b"
          - id: voorzieningen.leefgeld
            label: Leefgeld
            keywords: [leefgeld]
            value:
              type: category
              categories: [zelf, extern]
      - id: organisatie
        label: Organisatie
        colour: "#1f5fa8"
        children:
          - id: organisatie.betaald
            label: Betaalde medewerkers
            keywords: [betaald, personeel]
            value: {type: integer, min: 0, max: 50}
    """
)

TRANSCRIPT_SP = textwrap.dedent(
    """\
    ---
    id: sp-test
    case: Teststad
    role: steunpunt
    respondent: coördinator
    ---
    I: Heeft u een huiskamer?

    R: Ja, we hebben een huiskamer. Die is open op dinsdag.
    Het leefgeld betalen we zelf uit.

    I: En personeel?

    R: Vier betaalde krachten. Verder vrijwilligers.
    """
)

TRANSCRIPT_GEM = textwrap.dedent(
    """\
    ---
    id: gem-test
    case: Teststad
    role: gemeente
    ---
    I: Wat is uw rol?

    R: Ik ben beleidsmedewerker. We betalen het steunpunt.
    """
)

SIZE = (120, 40)


def build_project(root: Path) -> Path:
    (root / "codebooks").mkdir(parents=True, exist_ok=True)
    (root / "interviews").mkdir(parents=True, exist_ok=True)
    (root / "variables").mkdir(parents=True, exist_ok=True)
    (root / "codebooks" / "tui.yaml").write_text(CODEBOOK, encoding="utf-8")
    (root / "interviews" / "sp-test.txt").write_text(TRANSCRIPT_SP, encoding="utf-8")
    (root / "interviews" / "gem-test.txt").write_text(TRANSCRIPT_GEM, encoding="utf-8")
    return root


def add_suggestion(root: Path, coder: str = "a") -> str:
    """A pending suggestion for sentence 2 ('Die is open op dinsdag.') of sp-test."""
    from codeer.nlp.suggestions import Suggestion, SuggestionsFile, save_suggestions, suggestion_id

    project = Project(root)
    t = project.transcript("sp-test")
    s = CodingSession(project, coder, "sp-test").sentences[2]
    sid = suggestion_id(t.id, "voorzieningen.huiskamer", s.start, s.end)
    sf = SuggestionsFile(
        transcript=t.id,
        coder=coder,
        transcript_hash=t.content_hash,
        suggestions=[
            Suggestion(
                id=sid,
                code="voorzieningen.huiskamer",
                start=s.start,
                end=s.end,
                quote=s.text,
                sentence=s.index,
            )
        ],
    )
    save_suggestions(project.paths, sf)
    return sid


@pytest.fixture
def project_root(tmp_path: Path) -> Path:
    return build_project(tmp_path / "proj")


def make_app(root: Path, coder: str = "a", transcript: str | None = "sp-test"):  # type: ignore[no-untyped-def]
    from codeer.tui.app import CodeerApp

    return CodeerApp(Project(root), coder, transcript)


def saved(root: Path, coder: str = "a", tid: str = "sp-test") -> list[dict]:
    path = root / "interviews" / "codings" / coder / f"{tid}.yaml"
    if not path.exists():
        return []
    return yaml.safe_load(path.read_text(encoding="utf-8"))["codings"]


async def settle(app, pilot) -> None:  # type: ignore[no-untyped-def]
    await app.workers.wait_for_complete()
    await pilot.pause()


# --- moving -----------------------------------------------------------------------------------
async def test_moves_by_sentence_and_turn(project_root: Path) -> None:
    app = make_app(project_root)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        view = app.view
        assert view.cursor == 0 and view.has_focus
        await pilot.press("j")
        assert view.cursor == 1
        await pilot.press("down", "down")
        assert view.cursor == 3
        await pilot.press("k")
        assert view.cursor == 2
        await pilot.press("up")
        assert view.cursor == 1
        await pilot.press("J")  # next turn: "En personeel?"
        assert app.session.sentences[view.cursor].text == "En personeel?"
        await pilot.press("K")  # back to the start of the previous turn
        assert app.session.sentences[view.cursor].text == "Ja, we hebben een huiskamer."
        await pilot.press("pagedown", "pagedown")
        assert app.session.sentences[view.cursor].text == "Vier betaalde krachten."
        await pilot.press("pageup")
        assert app.session.sentences[view.cursor].text == "En personeel?"
        await pilot.press("G")
        assert view.cursor == len(app.session.sentences) - 1
        await pilot.press("g")
        assert view.cursor == 0
        await pilot.press("end", "home")
        assert view.cursor == 0


async def test_selection_extends_by_sentence_and_codes_it(project_root: Path) -> None:
    app = make_app(project_root)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("j", "shift+down", "shift+down")
        assert app.view.selection == (1, 3)
        await pilot.press("shift+up")
        assert app.view.selection == (1, 2)
        await pilot.press("c")
        await pilot.press(*"inloop")  # a keyword of huiskamer
        await pilot.press("enter")
        await pilot.pause()
        (coding,) = saved(project_root)
        assert coding["code"] == "voorzieningen.huiskamer"
        assert coding["quote"] == "Ja, we hebben een huiskamer. Die is open op dinsdag."
        await pilot.press("escape")
        assert app.view.sel_anchor is None and app.view.selection == (2, 2)


async def test_mouse_drag_selects_sentences(project_root: Path) -> None:
    app = make_app(project_root)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        view = app.view
        y1 = view.sentence_lines(1)[0] - round(view.scroll_y)
        y3 = view.sentence_lines(3)[0] - round(view.scroll_y)
        await pilot.mouse_down(view, offset=(12, y1))
        await pilot.hover(view, offset=(12, y3))
        await pilot.mouse_up(view, offset=(12, y3))
        await pilot.pause()
        assert view.selection == (1, 3)


# --- coding ---------------------------------------------------------------------------------------
async def test_apply_delete_undo_redo_saved_on_disk(project_root: Path) -> None:
    app = make_app(project_root)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("j", "c", *"huis", "enter")
        await pilot.pause()
        assert [c["code"] for c in saved(project_root)] == ["voorzieningen.huiskamer"]
        assert "saved" in str(app.query_one("#status").render())
        await pilot.press("d")
        await pilot.pause()
        assert saved(project_root) == []
        await pilot.press("u")  # undo the delete: back on disk
        await pilot.pause()
        assert len(saved(project_root)) == 1
        await pilot.press("u")  # undo the apply
        await pilot.pause()
        assert saved(project_root) == []
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert len(saved(project_root)) == 1
        await pilot.press("U")
        await pilot.pause()
        assert saved(project_root) == []
        await pilot.press("u")  # undo the delete again
        await pilot.pause()
        assert len(saved(project_root)) == 1
        await pilot.press("u", "u")  # the apply, then nothing left: a message
        await pilot.pause()
        assert saved(project_root) == []


async def test_interviews_row_is_rewritten_only_when_its_percentage_changes(
    project_root: Path,
) -> None:
    from textual.widgets import OptionList

    app = make_app(project_root)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        pane = app.query_one("#interviews")
        options = pane.query_one(OptionList)
        prompts: list[str] = []
        replace = options.replace_option_prompt

        def spy(option_id: str, prompt: str) -> OptionList:
            prompts.append(prompt)
            return replace(option_id, prompt)

        options.replace_option_prompt = spy
        for p in (0.5001, 0.5002, 0.4999, 0.75):
            pane.update_progress("sp-test", p)
        assert [x[-4:] for x in prompts] == [" 50%", " 75%"]


async def test_recent_codes_with_number_keys(project_root: Path) -> None:
    app = make_app(project_root)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("1")  # nothing recent yet: a message, no crash
        await pilot.press("c", *"huis", "enter", "j", "1")
        await pilot.pause()
        assert [c["quote"] for c in saved(project_root)] == [
            "Heeft u een huiskamer?",
            "Ja, we hebben een huiskamer.",
        ]
        await pilot.press("j", "2")
        await pilot.pause()
        assert len(saved(project_root)) == 2  # no second recent code: nothing applied
        for n in range(3, 10):
            await pilot.press(str(n))
        assert len(saved(project_root)) == 2


async def test_valued_code_asks_and_validates(project_root: Path) -> None:
    from codeer.tui.screens.pickers import Prompt

    app = make_app(project_root)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("J", "J", "c", *"betaa", "enter")
        await pilot.pause()
        assert isinstance(app.screen, Prompt)
        await pilot.press(*"99", "enter")  # above the maximum: the prompt stays
        await pilot.pause()
        assert isinstance(app.screen, Prompt)
        assert "maximum" in str(app.screen.query_one("#prompt-error").render())
        assert saved(project_root) == []
        await pilot.press("backspace", "backspace", "4", "enter")
        await pilot.pause()
        (coding,) = saved(project_root)
        assert coding["code"] == "organisatie.betaald" and coding["value"] == 4
        # v changes the value, again validated
        await pilot.press("v", "backspace", *"x", "enter")
        await pilot.pause()
        assert isinstance(app.screen, Prompt)
        await pilot.press("backspace", "7", "enter")
        await pilot.pause()
        assert saved(project_root)[0]["value"] == 7


async def test_memo_and_chooser_when_several_codings(project_root: Path) -> None:
    from codeer.tui.screens.pickers import Chooser

    app = make_app(project_root)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("j", "c", *"huis", "enter")
        await pilot.press("c", *"voorz", "enter")
        await pilot.pause()
        assert len(saved(project_root)) == 2
        await pilot.press("m")
        await pilot.pause()
        assert isinstance(app.screen, Chooser)
        await pilot.press("enter")  # the first coding
        await pilot.pause()
        await pilot.press(*"dinsdag", "enter")
        await pilot.pause()
        memos = [c.get("memo") for c in saved(project_root)]
        assert "dinsdag" in memos
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, Chooser)
        await pilot.press("escape")
        await pilot.pause()
        assert len(saved(project_root)) == 2
        await pilot.press("delete", "down", "enter")
        await pilot.pause()
        assert len(saved(project_root)) == 1


async def test_accept_and_reject_suggestions(project_root: Path) -> None:
    sid = add_suggestion(project_root)
    app = make_app(project_root)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert "1 suggestions" in str(app.query_one("#status").render())
        await pilot.press("a")  # none on sentence 0: a message
        await pilot.press("j", "j", "a")
        await pilot.pause()
        (coding,) = saved(project_root)
        assert coding["code"] == "voorzieningen.huiskamer"
        sugg = yaml.safe_load(
            (project_root / "interviews/suggestions/a/sp-test.yaml").read_text(encoding="utf-8")
        )["suggestions"][0]
        assert sugg["id"] == sid and sugg["status"] == "accepted"
        await pilot.press("u")  # undo the accept: the coding goes, the suggestion is pending again
        await pilot.pause()
        assert saved(project_root) == []
        await pilot.press("x")
        await pilot.pause()
        sugg = yaml.safe_load(
            (project_root / "interviews/suggestions/a/sp-test.yaml").read_text(encoding="utf-8")
        )["suggestions"][0]
        assert sugg["status"] == "rejected"
        assert app.session.pending_suggestions() == []


async def test_search_and_next_uncoded(project_root: Path) -> None:
    app = make_app(project_root)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("slash", *"leef", "enter")
        await pilot.pause()
        assert "leefgeld" in app.session.sentences[app.view.cursor].text
        await pilot.press("g", "c", *"huis", "enter", "n")
        await pilot.pause()
        assert app.view.cursor == 1
        await pilot.press("slash", *"zzz", "enter")  # not found: cursor stays
        await pilot.pause()
        assert app.view.cursor == 1


async def test_help_palette_views_and_quit(project_root: Path) -> None:
    from codeer.tui.screens.anchors import AnchorsScreen  # noqa: F401
    from codeer.tui.screens.help import HelpScreen
    from codeer.tui.screens.matrix import MatrixScreen
    from codeer.tui.screens.variables import VariablesScreen

    app = make_app(project_root)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        ids = {row[2] for row in app.screen.rows}
        assert {"apply-code", "undo", "redo", "cursor-down", "select-down", "quit"} <= ids
        await pilot.press("escape")
        await pilot.press("M")
        await pilot.pause()
        assert isinstance(app.screen, MatrixScreen)
        await pilot.press("escape", "V")
        await pilot.pause()
        assert isinstance(app.screen, VariablesScreen)
        await app.workers.wait_for_complete()
        await pilot.press("escape", "O")  # nothing to re-anchor: a message only
        await pilot.pause()
        assert app.screen is app.screen_stack[0]
        # focus keys
        await pilot.press("i")
        assert app.focused is not None and app.focused.id == "interviews-filter"
        await pilot.press("down")
        assert app.focused is not None and app.focused.id == "interviews-list"
        await pilot.press("b")
        assert app.focused is not None and app.focused.id == "codebook-tree"
        await pilot.press("t")
        assert app.focused is app.view
        # the command palette finds bindings by description and runs them
        await pilot.press("ctrl+p", *"uncoded")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert app.view.cursor == 1
        await pilot.press("q")
        await pilot.pause()
    assert app.return_value == 0


async def test_every_binding_has_id_and_description() -> None:
    from textual.binding import Binding

    from codeer.tui.app import APP_BINDINGS, CodeerApp
    from codeer.tui.widgets.transcript_view import TranscriptView

    bindings = [b for b in [*APP_BINDINGS, *TranscriptView.BINDINGS] if isinstance(b, Binding)]
    ids = [b.id for b in bindings]
    assert all(ids) and len(ids) == len(set(ids))
    assert all(b.description and b.tooltip for b in bindings)
    every = CodeerApp.binding_ids()
    assert set(ids) <= set(every) and len(every) == len(set(every))
    assert {"picker-cancel", "anchor-reanchor", "help-close"} <= set(every)


async def test_interviews_pane_filters_and_opens(project_root: Path) -> None:
    from textual.widgets import OptionList

    app = make_app(project_root)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        pane = app.query_one("#interviews-list", OptionList)
        ids = [o.id for o in pane.options if o.id]
        assert ids == ["sp-test", "gem-test"]  # the steunpunt first within its case
        await pilot.press("i", *"gem", "enter")
        await pilot.pause()
        assert app.session.id == "gem-test" and app.view.has_focus
        assert [o.id for o in pane.options if o.id] == ["gem-test"]


async def test_progress_shows_share_of_coded_sentences(project_root: Path) -> None:
    app = make_app(project_root)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("c", *"huis", "enter")
        await pilot.pause()
        n = len(app.session.sentences)
        assert app.progress["sp-test"] == pytest.approx(1 / n)
        assert f"{1 / n:.0%} of {n} sentences" in str(app.query_one("#status").render())


# --- persistence, resume, key map ----------------------------------------------------------------
async def test_restart_resumes_transcript_and_sentence(project_root: Path) -> None:
    app = make_app(project_root, transcript=None)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.open_transcript("sp-test")
        await pilot.press("j", "j", "j", "q")
        await pilot.pause()
    again = make_app(project_root, transcript=None)
    async with again.run_test(size=SIZE) as pilot:
        await settle(again, pilot)
        assert again.session.id == "sp-test" and again.view.cursor == 3
        # each transcript keeps its own place
        await pilot.press("i", *"gem", "enter", "j")
        await pilot.pause()
        assert again.session.id == "gem-test" and again.view.cursor == 1
        await pilot.press("i", "ctrl+a", "ctrl+k", *"sp-", "enter")
        await pilot.pause()
        assert again.session.id == "sp-test" and again.view.cursor == 3


async def test_undo_across_a_save_and_a_restart_keeps_other_work(project_root: Path) -> None:
    app = make_app(project_root)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("c", *"huis", "enter")
        await pilot.pause()
        # another window of the same coder adds a coding meanwhile
        other = CodingSession(Project(project_root), "a", "sp-test")
        other.apply("voorzieningen", *_span(other, 3))
        await pilot.press("u")  # reloads first, then undoes only our own change
        await pilot.pause()
        assert [c["code"] for c in saved(project_root)] == ["voorzieningen"]
        await pilot.press("U")
        await pilot.pause()
        assert len(saved(project_root)) == 2


def _span(session: CodingSession, i: int) -> tuple[int, int]:
    return session.sentences[i].start, session.sentences[i].end


async def test_keymap_file_remaps_keys(project_root: Path, tmp_path: Path) -> None:
    keymap = tmp_path / "keymap.yaml"
    keymap.write_text("next-uncoded: N\napply-code: 'c,ctrl+k'\n", encoding="utf-8")
    from codeer.tui.app import CodeerApp

    app = CodeerApp(Project(project_root), "a", "sp-test", keymap_file=keymap)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("c", *"huis", "enter", "N")
        await pilot.pause()
        assert app.view.cursor == 1
        await pilot.press("ctrl+k", *"huis", "enter")
        await pilot.pause()
        assert len(saved(project_root)) == 2
        assert ("N", "next-uncoded") in {(r[0], r[2]) for r in app.binding_rows()}


async def test_invalid_keymap_is_a_message_not_a_crash(project_root: Path, tmp_path: Path) -> None:
    keymap = tmp_path / "keymap.yaml"
    keymap.write_text("no-such-binding: z\n", encoding="utf-8")
    from codeer.tui.app import CodeerApp

    app = CodeerApp(Project(project_root), "a", "sp-test", keymap_file=keymap)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert app.keymap_problem and "no-such-binding" in app.keymap_problem
        assert any("key map not used" in m for m in app.messages)
        await pilot.press("c", *"huis", "enter")  # defaults still work
        await pilot.pause()
        assert len(saved(project_root)) == 1


# --- bad input ------------------------------------------------------------------------------------
async def test_orphaned_codings_are_reviewed_and_fixed(project_root: Path) -> None:
    from codeer.tui.screens.anchors import AnchorsScreen

    session = CodingSession(Project(project_root), "a", "sp-test")
    session.apply("voorzieningen.huiskamer", *_span(session, 2))  # "Die is open op dinsdag."
    session.apply("organisatie.betaald", *_span(session, 6), value=4)  # "Vier betaalde krachten."
    path = project_root / "interviews" / "sp-test.txt"
    text = path.read_text(encoding="utf-8")
    text = text.replace("Die is open op dinsdag.", "Die gaat elke woensdag open.")
    path.write_text(text.replace("I: En personeel?", "I: En hoeveel personeel?"), encoding="utf-8")
    app = make_app(project_root)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        kinds = sorted(str(c.anchor) for c in app.session.needs_review())
        assert kinds == ["moved", "orphaned"]
        assert "to re-anchor" in str(app.query_one("#status").render())
        await pilot.press("j", "j", "O")
        await pilot.pause()
        assert isinstance(app.screen, AnchorsScreen)
        # the orphan comes first (its old offsets are smallest): re-anchor it to the selection
        await pilot.press("r")
        await pilot.pause()
        # then confirm the moved one
        await pilot.press("k")
        await pilot.pause()
        assert not isinstance(app.screen, AnchorsScreen)
    codings = saved(project_root)
    assert len(codings) == 2 and not any("anchor" in c for c in codings)
    quotes = {c["code"]: c["quote"] for c in codings}
    assert quotes["voorzieningen.huiskamer"] == "Die gaat elke woensdag open."


async def test_anchor_review_goto_and_delete(project_root: Path) -> None:
    from codeer.tui.screens.anchors import AnchorsScreen

    session = CodingSession(Project(project_root), "a", "sp-test")
    session.apply("voorzieningen.huiskamer", *_span(session, 2))
    session.apply("voorzieningen", *_span(session, 5))  # "Vier betaalde krachten."
    path = project_root / "interviews" / "sp-test.txt"
    text = path.read_text(encoding="utf-8").replace("Die is open op dinsdag.", "Dicht.")
    path.write_text(
        text.replace("I: En personeel?", "I: Nog een vraag. En personeel?"), encoding="utf-8"
    )
    app = make_app(project_root)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("O", "d")  # the orphan is deleted
        await pilot.pause()
        assert [c["code"] for c in saved(project_root)] == ["voorzieningen"]
        await pilot.press("g")  # show where the moved coding is now
        await pilot.pause()
        assert not isinstance(app.screen, AnchorsScreen)
        assert app.session.sentences[app.view.cursor].text == "Vier betaalde krachten."
        await pilot.press("O", "escape")
        await pilot.pause()
        assert not isinstance(app.screen, AnchorsScreen)


async def test_suggest_in_the_background(project_root: Path) -> None:
    app = make_app(project_root)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("S")
        await settle(app, pilot)
        pending = app.session.pending_suggestions()
        assert pending and all(s.code in app.codebook for s in pending)
        assert (project_root / "interviews" / "suggestions" / "a" / "sp-test.yaml").exists()
        assert f"{len(pending)} suggestions" in str(app.query_one("#status").render())


async def test_empty_transcript_does_not_break_anything(project_root: Path) -> None:
    (project_root / "interviews" / "leeg.txt").write_text(
        "---\nid: leeg\ncase: Teststad\nrole: other\n---\n", encoding="utf-8"
    )
    app = make_app(project_root, transcript="leeg")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert app.session is not None and app.session.sentences == []
        await pilot.press("j", "J", "shift+down", "G", "n", "d", "m", "v", "a", "x", "u", "U")
        await pilot.press("c", *"huis", "enter", "O", "slash", "x", "enter")
        await pilot.pause()
        assert saved(project_root, tid="leeg") == []


def test_cli_bad_coder_name_is_one_line(
    project_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["code", "--project", str(project_root), "--coder", "../evil"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "coder name" in err


def test_cli_invalid_codebook_is_one_line(
    project_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project_root / "codebooks" / "tui.yaml").write_text(
        CODEBOOK.replace("id: organisatie.betaald", "id: Organisatie Betaald"), encoding="utf-8"
    )
    code = main(["code", "--project", str(project_root)])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "tui.yaml:" in err


def test_cli_unknown_transcript_is_one_line(
    project_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["code", "--project", str(project_root), "--transcript", "nope"])
    err = capsys.readouterr().err
    assert code == 2 and "no transcript with id 'nope'" in err


async def test_malformed_codings_file_is_reported_and_kept(project_root: Path) -> None:
    path = project_root / "interviews" / "codings" / "a" / "sp-test.yaml"
    path.parent.mkdir(parents=True)
    path.write_text("transcript: sp-test\ncoder: a\ncodings: [[[\n", encoding="utf-8")
    before = path.read_bytes()
    app = make_app(project_root)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert app.session is None or app.session.id != "sp-test"
        assert any("cannot open sp-test" in m for m in app.messages)
        await pilot.press("c", "escape", "j", "u", "d")  # nothing open: nothing breaks
    assert path.read_bytes() == before


async def test_moves_repaint_every_line_that_changed(project_root: Path) -> None:
    """Only refreshed lines are redrawn, so each line whose look changed must be refreshed."""
    import random

    from codeer.tui.widgets.transcript_view import TranscriptView

    app = make_app(project_root)
    async with app.run_test(size=(60, 30)) as pilot:  # narrow: sentences span lines
        await settle(app, pilot)
        view = app.view
        refreshed: set[int] = set()
        original = TranscriptView.refresh_lines

        def spy(self: TranscriptView, y_start: int, line_count: int = 1) -> None:
            refreshed.update(range(y_start, y_start + line_count))
            original(self, y_start, line_count)

        view.refresh_lines = spy.__get__(view)
        actions = ["cursor(1)", "cursor(-1)", "extend(1)", "extend(-1)", "turn(1)", "turn(-1)"]
        actions += ["clear_selection", "first", "last"]
        # word moves and word selections (within and across sentences), weighted up
        actions += ["word(1)", "word(-1)", "select_word(1)", "select_word(-1)"] * 3
        actions += ["select_edge(1)", "select_edge(-1)"]
        checked = 0
        kinds = set()
        for seed in (2, 5):  # 2 selects sentences across a blank line between turns
            rng = random.Random(seed)
            for _ in range(400):
                before = [view.line_state(y) for y in range(len(view.lines))]
                refreshed.clear()
                scroll = view.scroll_y
                action = rng.choice(actions)
                await view.run_action(action)
                after = [view.line_state(y) for y in range(len(view.lines))]
                changed = {y for y, (b, a) in enumerate(zip(before, after, strict=True)) if b != a}
                if view.scroll_y == scroll:  # a scroll repaints everything anyway
                    assert changed <= refreshed, (action, changed - refreshed, view.selection)
                    checked += 1
                if view.word_anchor is not None:
                    a, b = view.selection_span()
                    sents = app.session.sentences
                    kinds.add("words across sentences" if view.selection[0] != view.selection[1]
                              else "part of a sentence" if (a, b) != (sents[view.cursor].start,
                                                                  sents[view.cursor].end)
                              else "whole sentence")  # fmt: skip
        assert checked > 500
        assert {"words across sentences", "part of a sentence"} <= kinds
