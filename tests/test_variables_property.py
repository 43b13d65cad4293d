"""derive() against a small independent reference, on random codings (hypothesis)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from codeer.codebook import Codebook, parse_codebook
from codeer.codings import Coding
from codeer.rules import parse_rules
from codeer.variables import Interview, derive
from tests.test_variables import CODEBOOK

RULES = """\
steunpunten: [A, B]
variables:
  nieuw_prio:
    kind: binary
    roles: both
    resolve: [gemeente, steunpunt]
    present: [org.nieuw]
    absent: [org.bestaand]
    topic: [org]
  nieuw_flag:
    kind: binary
    roles: both
    resolve: flag
    present: [org.nieuw]
    absent: [org.bestaand]
  leefgeld:
    kind: value_category
    roles: both
    resolve: [steunpunt, gemeente]
    code: voorz.leefgeld
  betaald:
    kind: numeric
    roles: steunpunt
    code: org.betaald
    aggregate: max
"""

CODES = ["org.nieuw", "org.bestaand", "org.alleen_vrijwilligers", "voorz.huiskamer"]
LEEFGELD = ["zelf", "extern", "bankrekening"]


def _codebook() -> Codebook:
    cb, _, _ = parse_codebook(CODEBOOK, Path("test.yaml"))
    return Codebook([(Path("test.yaml"), cb)])


BOOK = _codebook()
PARSED = parse_rules(RULES, Path("regels.yaml"), BOOK)

coding_spec = st.one_of(
    st.sampled_from(CODES).map(lambda c: (c, None)),
    st.sampled_from(LEEFGELD).map(lambda v: ("voorz.leefgeld", v)),
    st.integers(0, 50).map(lambda v: ("org.betaald", v)),
)
interview_spec = st.lists(coding_spec, max_size=6)


def _coding(i: int, code: str, value: object) -> Coding:
    return Coding.model_construct(
        id=f"c{i}", code=code, start=i, end=i + 1, quote=f"q{i}", value=value, anchor=None
    )


def _binary(codes: list[str]) -> object:
    """Reference: one role's answer for nieuw (None: nothing said, '?': both said)."""
    yes, no = "org.nieuw" in codes, "org.bestaand" in codes
    if yes and no:
        return "?"
    if yes or no:
        return yes
    return False if any(c.startswith("org.") for c in codes) else None


def _binary_no_topic(codes: list[str]) -> object:
    yes, no = "org.nieuw" in codes, "org.bestaand" in codes
    return "?" if yes and no else (yes if yes or no else None)


def _combine(by_role: dict[str, object], order: list[str] | None) -> object:
    known = {r: v for r, v in by_role.items() if v not in (None, "?")}
    if not known:
        return None
    if len(set(known.values())) == 1:
        return next(iter(known.values()))
    if order is None:
        return None
    return known[next(r for r in order if r in known)]


def _category(values: list[str]) -> object:
    distinct = set(values)
    return None if not distinct else (next(iter(distinct)) if len(distinct) == 1 else "?")


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["A", "B"]), st.sampled_from(["steunpunt", "gemeente"]), interview_spec
        ),
        max_size=5,
    )
)
def test_derive_matches_reference(
    interviews: list[tuple[str, str, list[tuple[str, object]]]],
) -> None:
    ivs = [
        Interview(f"t{k}", case, role, [_coding(i, c, v) for i, (c, v) in enumerate(codes)])
        for k, (case, role, codes) in enumerate(interviews)
    ]
    d = derive(PARSED, ivs, codebook=BOOK)
    for sp in ("A", "B"):
        pooled: dict[str, list[tuple[str, object]]] = {"steunpunt": [], "gemeente": []}
        for case, role, codes in interviews:
            if case == sp:
                pooled[role].extend(codes)
        codes_of = {r: [c for c, _ in pooled[r]] for r in pooled}
        expected_prio = _combine(
            {r: _binary(codes_of[r]) for r in pooled}, ["gemeente", "steunpunt"]
        )
        assert d.value(sp, "nieuw_prio") == expected_prio
        assert d.value(sp, "nieuw_flag") == _combine(
            {r: _binary_no_topic(codes_of[r]) for r in pooled}, None
        )
        leef = {
            r: _category([str(v) for c, v in pooled[r] if c == "voorz.leefgeld"]) for r in pooled
        }
        assert d.value(sp, "leefgeld") == _combine(leef, ["steunpunt", "gemeente"])
        paid = [v for c, v in pooled["steunpunt"] if c == "org.betaald"]
        assert d.value(sp, "betaald") == (max(paid) if paid else None)  # type: ignore[type-var]
        # a missing value is always reported, a present one never
        for var in ("nieuw_prio", "nieuw_flag", "leefgeld", "betaald"):
            assert (d.value(sp, var) is None) == bool(d.missing_for(sp, var))
