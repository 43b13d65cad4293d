"""codeer.codings.load_canonical: the workbench's fast read of long codings files must give
exactly what libyaml gives (or step aside)."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from codeer.codings import Coding, CodingsFile, load_canonical, parse_codings
from codeer.yamlio import load_yaml_fast

REPO = Path(__file__).resolve().parents[1]

TRICKY = [
    "yes", "No", "on", "null", "~", "123", "-7", "0x1f", "012", "1.5", "1e3", ".inf", "2010-10-14",
    "2010-10-14T12:00:00Z", "a: b", "a #b", "#x", "- x", "'q'", '"q"', "x:", " lead", "trail ",
    "tab\there", "line\nbreak", "two\n\nparas", "ü ë ï", "&anchor", "*ref", "!tag", "%pct", "@at",
    "`tick", "|bar", ">gt", "[x]", "{x}", "?q", "=", "<<", "it's", "''", "a  b", "x" * 150,
    ("woord " * 40).strip(), "emoji 🙂", "\u2028sep", "\x85nel", "a\rb",
]  # fmt: skip


def same(text: str) -> None:
    fast = load_canonical(text)
    if fast is not None:
        assert fast == load_yaml_fast(text)


def test_bundled_codings_files_read_the_same() -> None:
    files = sorted((REPO / "interviews" / "codings").glob("*/*.yaml"))
    if not files:
        pytest.skip("no bundled codings")
    for path in files:
        text = path.read_text(encoding="utf-8")
        fast = load_canonical(text)
        assert fast is not None, path
        assert fast == load_yaml_fast(text), path


def _file(quote: str, memo: str | None, value: int | str | None, code: str = "a.b") -> str:
    c = Coding(code=code, start=3, end=9, quote=quote, memo=memo, value=value, coder="x")
    return CodingsFile(
        transcript="t",
        coder="x",
        transcript_hash="h",
        codings=[c, c.model_copy(update={"id": "ff00"})],
    ).to_yaml()


@pytest.mark.parametrize("s", TRICKY)
def test_tricky_strings_read_the_same(s: str) -> None:
    same(_file(s, s, s))
    same(_file("q", None, 5))
    same(_file("q", None, -5))


@settings(max_examples=300, deadline=None)
@given(
    st.text(min_size=1, max_size=300),
    st.one_of(st.none(), st.text(min_size=1, max_size=120)),
    st.one_of(st.none(), st.integers(-(10**6), 10**6), st.text(min_size=1, max_size=20)),
)
def test_any_written_file_reads_the_same(
    quote: str, memo: str | None, value: int | str | None
) -> None:
    same(_file(quote, memo, value))


@pytest.mark.parametrize(
    "text",
    [
        "transcript: t\ncoder: x\ntranscript_hash: h\ncodings:\n- id: a\n  code: c\n  code: d\n",
        "transcript: t\ncoder: x\ntranscript_hash: h\ncodings:\n- id: a # c\n  code: c\n",
        "transcript: t\ncoder: x\ntranscript_hash: h\ncodings:\n- id: a\n  start: 0o17\n",
        "transcript: t\ncoder: x\ntranscript_hash: h\ncodings:\n- id: a\n  memo: |\n    x\n",
        "transcript: t\ncoder: x\ntranscript_hash: h\ncodings:\n- id: a\n\n- id: b\n",
        "transcript: t\ncoder: x\ntranscript_hash: h\ncodings:\n- id: a\nextra: 1\n",
        "transcript: t\ncoder: x\ntranscript_hash: h\ncodings:\n- id: a\n   quote: b\n",
        "transcript: t\ncoder: x\ntranscript_hash: h\ncodings:\n- id: a\n  quote: b\n    c: d\n",
        "transcript: t\ncoder: x\ntranscript_hash: h\ncodings:\n- id: a\n  quote: 'b\n    c'\n",
        "transcript: t\ncoder: x\ncoder: y\ncodings:\n- id: a\n",
        "---\ntranscript: t\ncodings:\n- id: a\n",
        "transcript: t\r\ncodings:\n- id: a\r\n",
    ],
)
def test_odd_shapes_read_the_same_or_step_aside(text: str) -> None:
    try:
        expected = load_yaml_fast(text)
    except yaml.YAMLError:  # libyaml refuses it: the fast path must not accept it
        with contextlib.suppress(yaml.YAMLError):
            assert load_canonical(text) is None
        return
    fast = load_canonical(text)
    assert fast is None or fast == expected


def test_parse_codings_uses_it_and_still_checks(tmp_path: Path) -> None:
    text = _file("q", None, None)
    cf = parse_codings(text, tmp_path / "x.yaml")
    assert cf.to_yaml() == text
