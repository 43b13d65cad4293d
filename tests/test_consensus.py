"""Disagreement review: grouping, resolving into a consensus coder, seeding, the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from codeer.cli import cli, main
from codeer.consensus import (
    decisions_file,
    disagreements,
    find,
    key,
    load_log,
    resolve,
    seed,
)
from codeer.errors import UsageError
from codeer.project import Project
from tests.conftest import write_project
from tests.test_agreement_project import HUIS1, HUIS12, LEEF, PERS, code

DINSDAG = "Die is open op dinsdag."


@pytest.fixture
def project(tmp_path: Path) -> Project:
    p = Project(write_project(tmp_path / "p"))
    code(
        p,
        "sp-test",
        "a",
        [
            (HUIS1, "voorzieningen.huiskamer"),  # b: longer span -> boundaries
            (LEEF, "voorzieningen.leefgeld", "zelf"),  # b: other value -> value
            (PERS, "organisatie.betaald", 4),  # b: same -> agreement
            (DINSDAG, "voorzieningen"),  # only a
        ],
    )
    code(
        p,
        "sp-test",
        "b",
        [
            (HUIS12, "voorzieningen.huiskamer"),
            (LEEF, "voorzieningen.leefgeld", "extern"),
            (PERS, "organisatie.betaald", 4),
            ("Heeft u een huiskamer?", "voorzieningen.huiskamer"),  # only b
        ],
    )
    return p


def by_kind(ds: list) -> dict[str, object]:  # type: ignore[type-arg]
    return {d.label: d for d in ds}


def test_grouping(project: Project) -> None:
    ds = disagreements(project, ["a", "b"], "sp-test")
    labels = [d.label for d in ds]
    assert sorted(labels) == sorted(
        ["only b", "same code, different boundaries", "different value", "only a"]
    )
    k = by_kind(ds)
    bound = k["same code, different boundaries"]
    assert bound.code == "voorzieningen.huiskamer"  # type: ignore[attr-defined]
    assert [c.quote for c in bound.by("a")] == [HUIS1]  # type: ignore[attr-defined]
    assert [c.quote for c in bound.by("b")] == [HUIS12]  # type: ignore[attr-defined]
    assert bound.text == HUIS12  # type: ignore[attr-defined]
    value = k["different value"]
    assert [c.value for c in value.by("a")] + [c.value for c in value.by("b")] == ["zelf", "extern"]  # type: ignore[attr-defined]
    assert k["only a"].only == "a" and k["only b"].only == "b"  # type: ignore[attr-defined]
    # the exact agreement (betaald = 4) is not a disagreement
    assert all(d.code != "organisatie.betaald" for d in ds)
    # ids are stable between runs and unique
    again = disagreements(project, ["a", "b"], "sp-test")
    assert [d.id for d in again] == [d.id for d in ds] and len({d.id for d in ds}) == 4


def test_overlapping_chain_is_one_item(tmp_path: Path) -> None:
    p = Project(write_project(tmp_path / "p"))
    code(p, "sp-test", "a", [(HUIS1, "voorzieningen"), (DINSDAG, "voorzieningen")])
    code(p, "sp-test", "b", [(HUIS12, "voorzieningen")])
    (d,) = disagreements(p, ["a", "b"], "sp-test")
    assert d.kind == "boundaries" and len(d.by("a")) == 2 and len(d.by("b")) == 1


def consensus_keys(p: Project) -> set[tuple[object, ...]]:
    cf = p.codings("consensus", "sp-test")
    return {key(c) for c in cf.codings} if cf is not None else set()


def test_resolve_choices(project: Project) -> None:
    k = by_kind(disagreements(project, ["a", "b"], "sp-test"))
    resolve(project, k["same code, different boundaries"], "b", "consensus")  # type: ignore[arg-type]
    resolve(project, k["different value"], "both", "consensus")  # type: ignore[arg-type]
    resolve(project, k["only a"], "neither", "consensus")  # type: ignore[arg-type]
    resolve(project, k["only b"], "b", "consensus")  # type: ignore[arg-type]
    cf = project.codings("consensus", "sp-test")
    assert cf is not None and {c.coder for c in cf.codings} == {"consensus"}
    quotes = sorted((c.code, c.quote, c.value) for c in cf.codings)
    assert quotes == sorted(
        [
            ("voorzieningen.huiskamer", HUIS12, None),
            ("voorzieningen.leefgeld", LEEF, "zelf"),
            ("voorzieningen.leefgeld", LEEF, "extern"),
            ("voorzieningen.huiskamer", "Heeft u een huiskamer?", None),
        ]
    )
    # decided items show their choice; the log is in variables/agreement/
    assert decisions_file(project.paths, "consensus", "sp-test").is_file()
    ds = disagreements(project, ["a", "b"], "sp-test")
    assert {d.label: d.decision for d in ds} == {
        "same code, different boundaries": "b",
        "different value": "both",
        "only a": "neither",
        "only b": "b",
    }
    # deciding again replaces what the first decision added
    resolve(project, by_kind(ds)["different value"], "a", "consensus")  # type: ignore[arg-type]
    values = sorted(
        c.value
        for c in project.codings("consensus", "sp-test").codings
        if c.code.endswith("leefgeld")  # type: ignore[union-attr]
    )
    assert values == ["zelf"]
    assert len(load_log(project.paths, "consensus", "sp-test").decisions) == 4


def test_seed_copies_exact_agreements_once(project: Project) -> None:
    assert seed(project, ["a", "b"]) == {"sp-test": 1}
    assert consensus_keys(project) == {
        (
            "organisatie.betaald",
            project.transcript("sp-test").body.index(PERS),
            project.transcript("sp-test").body.index(PERS) + len(PERS),
            ("int", 4),
        )
    }
    assert seed(project, ["a", "b"]) == {"sp-test": 0}
    # seeding then choosing a everywhere gives exactly a's codings
    for d in disagreements(project, ["a", "b"], "sp-test"):
        resolve(project, d, "a", "consensus")
    a = project.codings("a", "sp-test")
    assert a is not None and consensus_keys(project) == {key(c) for c in a.codings}


def test_consensus_feeds_the_variables(tmp_path: Path) -> None:
    from codeer.variables import derive_variables
    from tests.test_variables import STANDARD, make_project, write_interview

    root = make_project(tmp_path / "v", STANDARD)
    sp_alfa = next(i for i in STANDARD if i[0] == "sp-alfa")
    write_interview(root, "sp-alfa", "Alfa", "steunpunt", sp_alfa[3], coder="b")
    p = Project(root)
    seed(p, ["a", "b"])
    assert disagreements(p, ["a", "b"], "sp-alfa") == []
    d_cons = derive_variables(p, "consensus")
    d_a = derive_variables(p, "a")
    # consensus holds only sp-alfa, so compare the steunpunt-only variables of Alfa
    assert d_cons.value("Alfa", "betaald_max") == d_a.value("Alfa", "betaald_max") == 4
    assert d_cons.value("Alfa", "werkwijze") == d_a.value("Alfa", "werkwijze")


def test_bad_review_input(project: Project) -> None:
    from codeer.consensus import check_review_coders

    with pytest.raises(UsageError, match="one of the compared coders"):
        check_review_coders(project, ["a", "b"], "a")
    with pytest.raises(UsageError, match="exactly two"):
        check_review_coders(project, ["a", "b", "c"], "consensus")
    d = disagreements(project, ["a", "b"], "sp-test")[0]
    with pytest.raises(UsageError, match="unknown choice"):
        resolve(project, d, "c", "consensus")
    with pytest.raises(UsageError, match="no disagreement with id"):
        find(project, ["a", "b"], "nonexist")


def test_cli_list_accept_seed(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    root = str(project.paths.root)
    r = CliRunner().invoke(cli, ["review", "--project", root, "--coders", "a,b", "--json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert len(data["disagreements"]) == 4 and data["into"] == "consensus"
    item = next(d for d in data["disagreements"] if d["kind"] == "value")
    assert set(item["codings"]) == {"a", "b"} and item["text"] == LEEF
    r = CliRunner().invoke(
        cli,
        ["review", "--project", root, "--coders", "a,b", "--item", item["id"], "--accept", "b"],
    )
    assert r.exit_code == 0, r.output
    cf = Project(root).codings("consensus", "sp-test")
    assert cf is not None and [c.value for c in cf.codings] == ["extern"]
    r = CliRunner().invoke(
        cli, ["review", "--project", root, "--coders", "a,b", "--seed", "--undecided"]
    )
    assert r.exit_code == 0 and "3 disagreement(s)" in r.stdout
    assert len(Project(root).codings("consensus", "sp-test").codings) == 2  # type: ignore[union-attr]
    assert main(["review", "--project", root, "--coders", "a,b", "--accept", "a"]) == 2
    assert "--accept needs --item" in capsys.readouterr().err
    assert main(["review", "--project", root, "--coders", "a,b", "--into", "b"]) == 2


def test_cli_several_items_at_once(project: Project) -> None:
    root = str(project.paths.root)
    ids = [d.id for d in disagreements(project, ["a", "b"], "sp-test")]
    args = ["review", "--project", root, "--coders", "a,b", "--accept", "both"]
    for i in ids:
        args += ["--item", i]
    r = CliRunner().invoke(cli, [*args, "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["items"] == ids
    assert all(d.decision == "both" for d in disagreements(project, ["a", "b"], "sp-test"))
    r = CliRunner().invoke(cli, ["review", "--project", root, "--coders", "a,b", "--undecided"])
    assert "no disagreements" in r.stdout


def test_interactive_prompt(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    from rich.prompt import Prompt

    from codeer.commands.review import _interactive

    answers = iter(["a", "skip", "neither", "quit"])
    monkeypatch.setattr(Prompt, "ask", lambda *a, **k: next(answers))
    items = disagreements(project, ["a", "b"], "sp-test")
    assert _interactive(project, items, "consensus", ["a", "b"]) == 0
    decided = [d.decision for d in disagreements(project, ["a", "b"], "sp-test")]
    assert decided == ["a", None, "neither", None]
