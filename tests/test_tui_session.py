"""codeer.session: the core of the workbench, without a terminal."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from codeer.codings import parse_codings
from codeer.errors import CodeerError, UsageError
from codeer.project import Project
from codeer.session import CodingSession, YamlCache, coding_progress
from tests.test_tui_app import build_project

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return build_project(tmp_path / "proj")


def span(s: CodingSession, i: int) -> tuple[int, int]:
    return s.sentences[i].start, s.sentences[i].end


def on_disk(root: Path, coder: str = "a") -> list[dict]:  # type: ignore[type-arg]
    path = root / "interviews" / "codings" / coder / "sp-test.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))["codings"] if path.exists() else []


def test_every_change_is_saved_and_undoable(root: Path) -> None:
    s = CodingSession(Project(root), "a", "sp-test")
    s.apply("voorzieningen.huiskamer", *span(s, 1))
    assert [c["quote"] for c in on_disk(root)] == ["Ja, we hebben een huiskamer."]
    cid = s.codings[0].id
    s.set_memo(cid, "  open inloop  ")
    assert on_disk(root)[0]["memo"] == "open inloop"
    s.undo()
    assert "memo" not in on_disk(root)[0]
    s.redo()
    s.delete(cid)
    assert on_disk(root) == []
    s.undo()
    assert on_disk(root)[0]["memo"] == "open inloop"
    assert s.saved_at is not None


def test_values_are_checked(root: Path) -> None:
    s = CodingSession(Project(root), "a", "sp-test")
    with pytest.raises(UsageError, match="needs a value"):
        s.apply("organisatie.betaald", *span(s, 6))
    with pytest.raises(UsageError, match="maximum"):
        s.apply("organisatie.betaald", *span(s, 6), value=51)
    with pytest.raises(UsageError, match="carries no value"):
        s.apply("voorzieningen.huiskamer", *span(s, 6), value=3)
    s.apply("organisatie.betaald", *span(s, 6), value=4)
    with pytest.raises(UsageError):
        s.set_value(s.codings[0].id, "vier")
    s.set_value(s.codings[0].id, 5)
    assert on_disk(root)[0]["value"] == 5
    with pytest.raises(UsageError, match="already coded"):
        s.apply("organisatie.betaald", *span(s, 6), value=4)
    with pytest.raises(UsageError, match="unknown code"):
        s.apply("nope", *span(s, 6))


def test_progress_and_next_uncoded(root: Path) -> None:
    s = CodingSession(Project(root), "a", "sp-test")
    n = len(s.sentences)
    assert s.progress == 0 and s.next_uncoded(0) == 1
    s.apply("voorzieningen", s.sentences[1].start, s.sentences[3].end)  # three sentences
    assert s.progress == pytest.approx(3 / n)
    assert coding_progress(s.sentences, s.codings) == pytest.approx(s.progress)
    assert s.next_uncoded(0) == 4
    s.undo()
    assert s.progress == 0


def test_two_coders_write_only_their_own_files(root: Path) -> None:
    a = CodingSession(Project(root), "a", "sp-test")
    b = CodingSession(Project(root), "b", "sp-test")
    a.apply("voorzieningen.huiskamer", *span(a, 1))
    b.apply("voorzieningen", *span(b, 2))
    assert [c["coder"] for c in on_disk(root, "a")] == ["a"]
    assert [c["coder"] for c in on_disk(root, "b")] == ["b"]
    a.undo()
    assert on_disk(root, "a") == [] and len(on_disk(root, "b")) == 1


def test_reloads_before_applying_when_the_file_changed_elsewhere(root: Path) -> None:
    mine = CodingSession(Project(root), "a", "sp-test")
    other = CodingSession(Project(root), "a", "sp-test")
    mine.apply("voorzieningen.huiskamer", *span(mine, 1))
    other.apply("voorzieningen", *span(other, 2))  # reloads mine first: keeps it
    assert other.reloads == 1
    mine.apply("voorzieningen.leefgeld", *span(mine, 3), value="zelf")
    assert mine.reloads == 1
    assert sorted(c["code"] for c in on_disk(root)) == [
        "voorzieningen",
        "voorzieningen.huiskamer",
        "voorzieningen.leefgeld",
    ]
    mine.undo()
    mine.undo()  # undoes only this session's own changes
    assert [c["code"] for c in on_disk(root)] == ["voorzieningen"]


def test_undo_of_a_coding_deleted_elsewhere_is_a_message(root: Path) -> None:
    mine = CodingSession(Project(root), "a", "sp-test")
    other = CodingSession(Project(root), "a", "sp-test")
    mine.apply("voorzieningen.huiskamer", *span(mine, 1))
    other.delete(mine.codings[0].id)
    before = mine.path.read_bytes()
    with pytest.raises(UsageError, match="no longer in the file"):
        mine.undo()
    assert mine.path.read_bytes() == before
    assert len(mine.undo_stack) == 1  # kept: nothing was undone


def test_a_file_broken_elsewhere_is_never_overwritten(root: Path) -> None:
    s = CodingSession(Project(root), "a", "sp-test")
    s.apply("voorzieningen.huiskamer", *span(s, 1))
    path = s.path
    path.write_text("transcript: sp-test\ncodings: [[[\n", encoding="utf-8")
    broken = path.read_bytes()
    with pytest.raises(CodeerError):
        s.apply("voorzieningen", *span(s, 2))
    assert path.read_bytes() == broken
    assert len(s.codings) == 1  # the session still holds what it had


def test_yaml_cache_matches_to_yaml_on_bundled_codings(root: Path) -> None:
    files = sorted((REPO / "interviews" / "codings").glob("*/*.yaml"))
    if not files:
        pytest.skip("no bundled codings")
    for path in files:
        text = path.read_text(encoding="utf-8")
        cf = parse_codings(text, path)
        assert YamlCache().text(cf) == cf.to_yaml(), path
        seeded = YamlCache()
        seeded.seed(text, cf.codings)
        if text == cf.to_yaml():
            assert seeded.text(cf) == text, path


def test_fast_save_writes_what_to_yaml_writes(root: Path) -> None:
    s = CodingSession(Project(root), "a", "sp-test")
    for i in range(1, 5):
        s.apply("voorzieningen", *span(s, i))
    s2 = CodingSession(Project(root), "a", "sp-test")  # seeded from the file
    s2.apply("voorzieningen.huiskamer", *span(s2, 1))
    s2.delete(s2.codings[0].id)
    text = s2.path.read_text(encoding="utf-8")
    assert parse_codings(text, s2.path).to_yaml() == text


def test_spliced_saves_stay_what_to_yaml_writes(root: Path) -> None:
    """Many changes through the splicing fast path: the file, counts, progress and review list
    always equal what a fresh session computes from the file."""
    import random

    rng = random.Random(7)
    s = CodingSession(Project(root), "a", "sp-test")
    codes = ["voorzieningen", "voorzieningen.huiskamer", "werkwijze"]
    codes = [c for c in codes if c in s.project.codebook] or ["voorzieningen"]
    n = len(s.sentences)
    for step in range(60):
        roll = rng.random()
        try:
            if roll < 0.5 or not s.codings:
                i = rng.randrange(n)
                j = min(n - 1, i + rng.randrange(2))
                s.apply(rng.choice(codes), s.sentences[i].start, s.sentences[j].end)
            elif roll < 0.65:
                s.delete(rng.choice(s.codings).id)
            elif roll < 0.75:
                s.set_memo(rng.choice(s.codings).id, f"memo {step}: 'quoted' # \\ ü")
            elif roll < 0.9:
                s.undo()
            else:
                s.redo()
        except UsageError:
            continue
        text = s.path.read_text(encoding="utf-8") if s.path.exists() else ""
        if text:
            assert text == s.file.to_yaml()
            assert parse_codings(text, s.path).to_yaml() == text
        fresh = CodingSession(Project(root), "a", "sp-test")
        assert s.code_counts() == fresh.code_counts()
        assert s.progress == fresh.progress
        assert [c.id for c in s.needs_review()] == [c.id for c in fresh.needs_review()]


def test_orphans_are_kept_and_fixable(root: Path) -> None:
    s = CodingSession(Project(root), "a", "sp-test")
    s.apply("voorzieningen.huiskamer", *span(s, 2))
    path = root / "interviews" / "sp-test.txt"
    path.write_text(
        path.read_text(encoding="utf-8").replace("Die is open op dinsdag.", "Gesloten."),
        encoding="utf-8",
    )
    s = CodingSession(Project(root), "a", "sp-test")
    (orphan,) = s.needs_review()
    assert orphan.anchor == "orphaned" and s.progress == 0
    assert s.keep(orphan.id) is None
    s.reanchor_to(orphan.id, *span(s, 2))
    (c,) = on_disk(root)
    assert c["quote"] == "Gesloten." and "anchor" not in c
    s.undo()
    assert on_disk(root)[0]["anchor"] == "orphaned"


def test_bad_coder_name(root: Path) -> None:
    with pytest.raises(UsageError, match="coder name"):
        CodingSession(Project(root), "a b/c", "sp-test")


def test_workbench_start_loads_no_heavy_libraries(root: Path) -> None:
    """Saved suggestions are read without spaCy; scipy and pandas stay out too."""
    import json
    import subprocess
    import sys

    from tests.test_tui_app import add_suggestion

    add_suggestion(root)
    script = (
        "import sys, json\n"
        "from codeer.tui.app import CodeerApp\n"
        "from codeer.project import Project\n"
        "from codeer.session import CodingSession\n"
        f"s = CodingSession(Project({str(root)!r}), 'a', 'sp-test')\n"
        "assert s.pending_suggestions()\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    loaded = set(json.loads(out.stdout.strip().splitlines()[-1]))
    assert not {"spacy", "scipy", "pandas"} & loaded
