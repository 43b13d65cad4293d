"""The quick constructors of Suggestion and Evidence make the same objects as their __init__."""

from __future__ import annotations

import dataclasses

import pytest

from codeer.nlp.suggestions import (
    Evidence,
    Suggestion,
    SuggestionsFile,
    _quick_constructor,
    make_evidence,
    make_suggestion,
)


def test_quick_constructors_equal_the_dataclass_init() -> None:
    ev = make_evidence(3, 9, "afspraak", "afspraak maken")
    assert ev == Evidence(3, 9, "afspraak", "afspraak maken")
    assert type(ev) is Evidence
    s = make_suggestion("abc123def456", "a.b", 0, 20, "Wij maken afspraken.", 4, (ev,), 3)
    full = Suggestion("abc123def456", "a.b", 0, 20, "Wij maken afspraken.", 4, (ev,), 3)
    assert s == full
    assert dataclasses.asdict(s) == dataclasses.asdict(full)
    assert s.status == "pending" and s.coding_id is None and s.decided is None  # defaults
    assert dataclasses.replace(s, status="rejected").status == "rejected"
    sf = SuggestionsFile(transcript="t", coder="a", transcript_hash="h", suggestions=[s])
    assert SuggestionsFile.model_validate_json(sf.model_dump_json()).suggestions == [full]


def test_quick_constructor_refuses_what_it_cannot_copy() -> None:
    @dataclasses.dataclass(frozen=True, slots=True)
    class WithFactory:
        items: list[int] = dataclasses.field(default_factory=list)

    with pytest.raises(TypeError):
        _quick_constructor(WithFactory)
