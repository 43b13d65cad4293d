"""Word-level selection in the workbench: part of a sentence coded with the keyboard.

The saved coding is checked on disk (start, end and quote exactly, code points into the body),
also for a decomposed accent, and the validator must accept it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.style import Style

from codeer.project import Project
from codeer.session import CodingSession
from codeer.validation import validate_project
from tests.test_tui_app import SIZE, build_project, make_app, saved, settle

# "café" typed with a combining acute: the body is NFC, so it becomes four code points there;
# the stressed Dutch "wíj́" keeps its combining accent on the j (there is no precomposed j́)
CAFE = "cafe\u0301"
WIJ = "w\u00edj\u0301"
TRANSCRIPT_CAFE = (
    "---\nid: cafe-test\ncase: Teststad\nrole: steunpunt\n---\n"
    "I: Waar komen jullie samen?\n\n"
    f"R: In het {CAFE} van Zoë's buurt, elke dinsdag. Soms 's avonds in de huiskamer.\n"
    f"Dat betalen {WIJ} zelf.\n"
)

WORD_IDS = {
    "word-right",
    "word-left",
    "select-word-right",
    "select-word-left",
    "select-to-end",
    "select-to-start",
}


@pytest.fixture
def project_root(tmp_path: Path) -> Path:
    return build_project(tmp_path / "proj")


def add_cafe(root: Path) -> None:
    (root / "interviews" / "cafe-test.txt").write_text(TRANSCRIPT_CAFE, encoding="utf-8")


def test_words_regex_keeps_accents_apostrophes_hyphens_and_numbers() -> None:
    from codeer.tui.widgets.transcript_view import words_in

    text = f"Het {CAFE} in Zoë's buurt, 's avonds om 12:30 voor € 1.500 in Noord-Holland; 'stop'."
    assert [text[a:b] for a, b in words_in(text, 0)] == [
        "Het", CAFE, "in", "Zoë's", "buurt", "'s", "avonds", "om", "12:30", "voor", "1.500",
        "in", "Noord-Holland", "stop",
    ]  # fmt: skip
    assert words_in("Ja, we", 40) == [(40, 42), (44, 46)]
    assert words_in("... — !") == []


async def test_select_words_and_code_them(project_root: Path) -> None:
    app = make_app(project_root)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        view = app.view
        body = app.session.body
        await pilot.press("j", "right")  # the word cursor appears on the sentence's first word
        assert view.word is not None and body[slice(*view.word)] == "Ja"
        assert view.selection_span() == (
            app.session.sentences[1].start,
            app.session.sentences[1].end,
        )
        await pilot.press("right", "l")
        assert body[slice(*view.word)] == "hebben"
        await pilot.press("shift+right")  # selects the word under the cursor
        assert body[slice(*view.selection_span())] == "hebben"
        await pilot.press("shift+right", "L")
        start, end = view.selection_span()
        assert body[start:end] == "hebben een huiskamer"
        assert view.selection == (1, 1) and view.selected_words() == 3
        assert "3 words in sentence 2/7" in str(app.query_one("#here").render())
        await pilot.press("c", *"huis", "enter")
        await pilot.pause()
        (coding,) = saved(project_root)
        assert (coding["start"], coding["end"]) == (start, end)
        assert coding["quote"] == "hebben een huiskamer" == body[start:end]
        # the selection stays: delete works on the partial coding
        assert "Huiskamer" in str(app.query_one("#here").render())
        await pilot.press("d")
        await pilot.pause()
        assert saved(project_root) == []
        # shift+left from a fresh word cursor selects it, then extends to the left
        await pilot.press("escape", "escape", "left", "shift+left", "H")
        assert body[slice(*view.selection_span())] == "een huiskamer"


async def test_decomposed_accent_and_clitic_are_coded_by_code_point(project_root: Path) -> None:
    add_cafe(project_root)
    app = make_app(project_root, transcript="cafe-test")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        body = app.session.body
        await pilot.press("j", "right", "right", "right")  # In, het, café
        assert body[slice(*app.view.word)] == "caf\u00e9"
        await pilot.press("shift+right", "shift+right", "shift+right")
        await pilot.press("c", *"huis", "enter")
        await pilot.pause()
        # 's avonds: the clitic is a word of its own, with its apostrophe
        await pilot.press("down", "right", "right", "shift+right", "shift+right")
        assert body[slice(*app.view.selection_span())] == "'s avonds"
        await pilot.press("c", *"voorz", "enter")
        await pilot.pause()
        # a combining accent the NFC body keeps belongs to its word
        await pilot.press("down", "left", "shift+left", "shift+left")
        assert body[slice(*app.view.selection_span())] == f"{WIJ} zelf"
        await pilot.press("c", *"leef", "enter", *"zelf", "enter")
        await pilot.pause()
    first, second, third = saved(project_root, tid="cafe-test")
    assert first["quote"] == "caf\u00e9 van Zoë's"
    assert first["start"] == body.index("caf\u00e9")
    assert first["end"] == first["start"] + 14
    assert second["quote"] == "'s avonds" and second["start"] == body.index("'s avonds")
    assert third["quote"] == f"{WIJ} zelf" and len(third["quote"]) == 9
    assert (third["start"], third["end"]) == (body.index(WIJ), body.index(WIJ) + 9)
    assert third["value"] == "zelf"
    report = validate_project(project_root)
    assert report.ok, report.errors
    again = CodingSession(Project(project_root), "a", "cafe-test")
    assert again.needs_review() == [] and len(again.codings) == 3


async def test_word_selection_crosses_sentences_but_not_turns(project_root: Path) -> None:
    app = make_app(project_root)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        view = app.view
        body = app.session.body
        await pilot.press("j", "left")  # the last word of "Ja, we hebben een huiskamer."
        assert body[slice(*view.word)] == "huiskamer"
        await pilot.press("shift+right", "shift+right", "shift+right")
        assert body[slice(*view.selection_span())] == "huiskamer. Die is"
        assert view.cursor == 2 and view.selection == (1, 2)
        assert "3 words in sentences 2-3" in str(app.query_one("#here").render())
        await pilot.press("c", *"huis", "enter")
        await pilot.pause()
        (coding,) = saved(project_root)
        assert coding["quote"] == "huiskamer. Die is"
        assert body[coding["start"] : coding["end"]] == coding["quote"]
        # to the sentence end, again: the next sentence's end; never into the next turn
        await pilot.press("ctrl+shift+right")
        assert body[slice(*view.selection_span())] == "huiskamer. Die is open op dinsdag"
        await pilot.press("E", "E", "shift+right", "L")
        start, end = view.selection_span()
        assert body[start:end].endswith("betalen we zelf uit") and view.cursor == 3
        # back to the start of the head's sentence, then the previous ones
        await pilot.press("ctrl+shift+left")
        assert body[slice(*view.selection_span())] == "huiskamer. Die is open op dinsdag.\nHet"
        await pilot.press("escape", "B")  # fresh: from the word cursor ("Het") to the start
        assert body[slice(*view.selection_span())] == "Het"
        await pilot.press("B", "B", "B")  # the turn's first word is the limit
        assert body[slice(*view.selection_span())].startswith("Ja, we hebben")
        assert view.selection == (1, 3)
        # plain word moves do cross turns
        await pilot.press("escape", "escape", "G", "left", "right", "h", "h")
        assert body[slice(*view.word)] == "krachten" and view.cursor == 5
        await pilot.press("h", "h", "h")
        assert body[slice(*view.word)] == "personeel" and view.cursor == 4


async def test_escape_and_sentence_moves_drop_or_convert_words(project_root: Path) -> None:
    app = make_app(project_root)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        view = app.view
        sents = app.session.sentences
        await pilot.press("j", "right", "shift+right", "shift+right")
        assert view.word_anchor is not None
        await pilot.press("escape")  # the selection goes, the word cursor stays
        assert view.word_anchor is None and view.word is not None
        assert view.selection_span() == (sents[1].start, sents[1].end)
        await pilot.press("escape")  # then the word cursor
        assert view.word is None and view.cursor == 1
        # a sentence move drops a word selection
        await pilot.press("right", "shift+right", "down")
        assert view.word is None and view.word_anchor is None and view.sel_anchor is None
        assert view.cursor == 2
        # extending by sentence turns a word selection into its sentences, then extends
        await pilot.press("up", "left", "shift+right", "shift+right", "shift+down")
        assert view.word is None and view.selection == (1, 3)
        assert view.selection_span() == (sents[1].start, sents[3].end)
        # and a word key on a sentence selection keeps its words and changes by one
        await pilot.press("shift+up", "shift+right")
        assert view.selection_span() == (sents[1].start, sents[3].start + len("Het"))
        await pilot.press("shift+left")
        assert app.session.body[slice(*view.selection_span())].endswith("op dinsdag")
        await pilot.press("escape")
        assert view.word_anchor is None and view.sel_anchor is None
        # the mouse selects sentences again
        y = view.sentence_lines(0)[0] - round(view.scroll_y)
        await pilot.click(view, offset=(12, y))
        assert view.word is None and view.cursor == 0


async def test_partial_codings_and_word_selection_are_drawn_on_exactly_their_characters(
    project_root: Path,
) -> None:
    from codeer.tui.widgets.transcript_view import BG, WORD_FG

    session = CodingSession(Project(project_root), "a", "sp-test")
    s1 = session.sentences[1]
    start = session.body.index("een huiskamer", s1.start)
    session.apply("voorzieningen.huiskamer", start, start + len("een huiskamer"))
    app = make_app(project_root)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        view = app.view
        y = view.sentence_lines(1)[0]
        plain = Style(bgcolor=BG.rich_color).bgcolor

        def text_where(test: object) -> str:
            strip = view.render_line(y - round(view.scroll_y))
            return "".join(seg.text for seg in strip if seg.style and test(seg.style))  # type: ignore[operator]

        coded = text_where(lambda st: st.bgcolor not in (plain, None) and not st.bold)
        assert coded == "een huiskamer"
        await pilot.press("j", "right", "right", "shift+right", "shift+right")  # "we hebben"
        assert text_where(lambda st: st.color == WORD_FG.rich_color and st.underline) == "hebben"
        sel = view._style((), None, True, True)
        assert text_where(lambda st: st == sel) == "we "
        word = view._style((), None, True, True, True)
        assert text_where(lambda st: st in (sel, word)) == "we hebben"
        bold = text_where(lambda st: st.bold)
        assert bold.endswith("Ja, we hebben een huiskamer.") and "Die" not in bold


async def test_word_keys_can_be_remapped_and_are_in_the_help(
    project_root: Path, tmp_path: Path
) -> None:
    from codeer.tui.app import CodeerApp
    from codeer.tui.screens.help import HelpScreen

    keymap = tmp_path / "keymap.yaml"
    keymap.write_text("select-word-right: w\nword-right: ctrl+f\n", encoding="utf-8")
    app = CodeerApp(Project(project_root), "a", "sp-test", keymap_file=keymap)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        body = app.session.body
        await pilot.press("j", "ctrl+f", "ctrl+f", "w", "w")
        assert body[slice(*app.view.selection_span())] == "we hebben"
        await pilot.press("shift+right")  # no longer bound
        assert body[slice(*app.view.selection_span())] == "we hebben"
        rows = {(r[0], r[2]) for r in app.binding_rows()}
        assert {("w", "select-word-right"), ("ctrl+f", "word-right")} <= rows
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        listed = {row[2]: row for row in app.screen.rows}
        assert set(listed) >= WORD_IDS
        assert listed["select-word-right"][0] == "w"
        assert listed["select-to-end"][0] == "ctrl+shift+right,E"
        assert all(listed[i][1] for i in WORD_IDS)


async def test_word_keys_on_an_empty_transcript_do_nothing(project_root: Path) -> None:
    (project_root / "interviews" / "leeg.txt").write_text(
        "---\nid: leeg\ncase: Teststad\nrole: other\n---\n", encoding="utf-8"
    )
    app = make_app(project_root, transcript="leeg")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("right", "left", "shift+right", "shift+left", "E", "B", "escape")
        await pilot.press("c", *"huis", "enter")
        await pilot.pause()
        assert app.view.word is None and saved(project_root, tid="leeg") == []


def _screen_at(view: object, offset: int) -> tuple[int, int]:
    """Where body ``offset`` is drawn in the view: (x, y) for the pilot."""
    from codeer.tui.widgets.transcript_view import GUTTER

    y = view.line_of(offset)  # type: ignore[attr-defined]
    line = view.lines[y]  # type: ignore[attr-defined]
    x = GUTTER + view._label_width + offset - line.start  # type: ignore[attr-defined]
    return x - round(view.scroll_x), y - round(view.scroll_y)  # type: ignore[attr-defined]


async def test_mouse_drag_inside_a_sentence_selects_words_and_codes_them(
    project_root: Path,
) -> None:
    app = make_app(project_root)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        view = app.view
        body = app.session.body
        s1 = app.session.sentences[1]  # "Ja, we hebben een huiskamer."
        we = body.index("we", s1.start)
        kamer = body.index("kamer", s1.start)  # inside "huiskamer"
        # a click alone moves to the sentence and selects no words
        await pilot.click(view, offset=_screen_at(view, we))
        assert view.cursor == 1 and view.word_anchor is None and view.word is None
        # pressed on "we", released inside "huiskamer": the words between, whole
        await pilot.mouse_down(view, offset=_screen_at(view, we))
        await pilot.hover(view, offset=_screen_at(view, kamer))
        await pilot.mouse_up(view, offset=_screen_at(view, kamer))
        await pilot.pause()
        start, end = view.selection_span()
        assert body[start:end] == "we hebben een huiskamer"
        assert view.selection == (1, 1) and view.selected_words() == 4
        await pilot.press("c", *"huis", "enter")
        await pilot.pause()
        (coding,) = saved(project_root)
        assert (coding["start"], coding["end"]) == (start, end)
        assert coding["quote"] == "we hebben een huiskamer"
        # dragged backwards, from "huiskamer" to the comma after "Ja": "Ja" is the nearest word
        await pilot.mouse_down(view, offset=_screen_at(view, kamer))
        await pilot.hover(view, offset=_screen_at(view, body.index(",", s1.start)))
        await pilot.mouse_up(view, offset=_screen_at(view, body.index(",", s1.start)))
        await pilot.pause()
        assert body[slice(*view.selection_span())] == "Ja, we hebben een huiskamer"
        # on into the next sentence: whole sentences from the one it started in
        s2 = app.session.sentences[2]
        await pilot.mouse_down(view, offset=_screen_at(view, we))
        await pilot.hover(view, offset=_screen_at(view, kamer))
        assert view.word_anchor is not None
        await pilot.hover(view, offset=_screen_at(view, s2.start + 1))
        await pilot.mouse_up(view, offset=_screen_at(view, s2.start + 1))
        await pilot.pause()
        assert view.word_anchor is None and view.selection == (1, 2)
        assert view.selection_span() == (s1.start, s2.end)


async def test_restart_puts_the_word_cursor_back(project_root: Path) -> None:
    app = make_app(project_root)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("j", "right", "right", "right", "q")  # Ja, we, hebben
        await pilot.pause()
    again = make_app(project_root)
    async with again.run_test(size=SIZE) as pilot:
        await settle(again, pilot)
        view = again.view
        assert view.cursor == 1 and view.word is not None and view.word_anchor is None
        assert again.session.body[slice(*view.word)] == "hebben"
        # moved on by sentence (no word cursor): nothing to put back next time
        await pilot.press("j", "q")
        await pilot.pause()
    third = make_app(project_root)
    async with third.run_test(size=SIZE) as pilot:
        await settle(third, pilot)
        assert third.view.cursor == 2 and third.view.word is None


def test_the_word_offset_is_saved_and_cleared(project_root: Path) -> None:
    from codeer.tui.state import save_position, word_in

    save_position(project_root, "a", "sp-test", 1, 7)
    assert word_in(project_root, "a", "sp-test") == 7
    save_position(project_root, "a", "sp-test", 1)
    assert word_in(project_root, "a", "sp-test") is None


async def test_a_stale_word_offset_leaves_no_word_cursor(project_root: Path) -> None:
    from codeer.tui.state import save_position

    app = make_app(project_root)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        s1 = app.session.sentences[1]
        inside = s1.start + 1  # inside "Ja": no word starts there (the transcript was edited)
    save_position(project_root, "a", "sp-test", 1, inside)
    again = make_app(project_root)
    async with again.run_test(size=SIZE) as pilot:
        await settle(again, pilot)
        assert again.view.cursor == 1 and again.view.word is None
