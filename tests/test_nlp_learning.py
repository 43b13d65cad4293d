"""The passage model: fitting, decoding, thresholds, case-grouped cross-validation, suggest."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest
import yaml
from click.testing import CliRunner
from scipy.optimize import check_grad

from codeer.cli import cli, main
from codeer.codings import Coding, CodingsFile
from codeer.nlp import learning
from codeer.nlp.evaluation import evaluate
from codeer.nlp.suggestions import Suggester, load_suggestions, run_suggest
from codeer.project import Project
from codeer.segmentation import segment

CODEBOOK = """\
name: test
codes:
  - id: voorzieningen
    label: Voorzieningen
    children:
      - id: voorzieningen.huiskamer
        label: Huiskamer
        keywords: [huiskamer]
      - id: voorzieningen.taal
        label: Taalles
        keywords: [taalles]
  - id: werkwijze
    label: Werkwijze
    children:
      - id: werkwijze.zonder
        label: without keywords, learnt only
"""

HUISKAMER = [
    "We hebben een huiskamer op dinsdag.",
    "Het is er gezellig en er is koffie.",
    "De jongeren kletsen dan wat met elkaar.",
]
TAAL = ["Er is elke week taalles.", "De docent is een vrijwilliger uit de buurt."]
ZONDER = ["We schrijven samen een plan.", "Dat plan bespreken we elke maand."]
FILLER = [
    "Dat weet ik niet precies.",
    "Het weer was slecht die dag.",
    "We zitten in een oud gebouw.",
    "De bus stopt voor de deur.",
    "Soms is het druk, soms rustig.",
]


def write_project(root: Path, n: int, seed: int = 3) -> Project:
    """``n`` transcripts of ``n`` cases; coder ann codes every passage (all its sentences)."""
    rng = random.Random(seed)
    (root / "codebooks").mkdir(parents=True, exist_ok=True)
    (root / "interviews" / "codings" / "ann").mkdir(parents=True, exist_ok=True)
    (root / "codebooks" / "cb.yaml").write_text(CODEBOOK, encoding="utf-8")
    for k in range(n):
        tid = f"t{k:02d}"
        turns: list[tuple[str, str | None]] = []
        blocks = [("voorzieningen.huiskamer", HUISKAMER), ("voorzieningen.taal", TAAL)]
        blocks += [("werkwijze.zonder", ZONDER), (None, FILLER[:2]), (None, FILLER[2:])]
        rng.shuffle(blocks)
        for code, sents in blocks:
            turns.append(("I: Kunt u daar iets over vertellen?", None))
            turns.append(("R: " + " ".join(sents), code))
        body = "\n\n".join(t for t, _ in turns) + "\n"
        text = f"---\nid: {tid}\ncase: Case{k}\nrole: steunpunt\n---\n{body}"
        (root / "interviews" / f"{tid}.txt").write_text(text, encoding="utf-8")
        p = Project(root)
        t = p.transcript(tid)
        codings = []
        for (line, code), turn in zip(turns, t.turns, strict=True):
            if code is not None:
                start = turn.text_start
                codings.append(
                    Coding(
                        code=code,
                        start=start,
                        end=turn.end,
                        quote=t.body[start : turn.end],
                        coder="ann",
                    )
                )
                assert t.body[start : turn.end] == line[3:]
        p.store.save(
            CodingsFile(
                transcript=tid, coder="ann", transcript_hash=t.content_hash, codings=codings
            )
        )
    return Project(root)


# --- pure parts ------------------------------------------------------------------------------------
def test_decode_grows_only_into_same_turn_neighbours() -> None:
    p = np.array([[0.9], [0.3], [0.05], [0.3], [0.6]])
    prev = np.array([-1, 0, 1, -1, 3])  # rows 0-2 one turn, rows 3-4 another
    nxt = np.array([1, 2, -1, 4, -1])
    got = learning.decode(p, prev, nxt, high=0.5, low=0.2)
    assert got[:, 0].tolist() == [True, True, False, True, True]
    # one step only: row 2 (next to a grown row) stays out even with a low 'low'
    assert learning.decode(p, prev, nxt, 0.5, 0.01)[:, 0].tolist() == [
        True,
        True,
        False,
        True,
        True,
    ]
    assert learning.decode(p, prev, nxt, 0.5, 0.5)[:, 0].tolist() == [
        True,
        False,
        False,
        False,
        True,
    ]


def test_choose_thresholds_takes_most_recall_at_the_target_precision() -> None:
    # rows 0..5 of one code: gold 0, 1, 2. Every high from 0.12 to 0.3 proposes rows 0-3
    # (recall 1, precision 3/4): the strictest of them is taken
    p = np.array([[0.9], [0.7], [0.32], [0.35], [0.1], [0.02]])
    labels = [{"c"}, {"c"}, {"c"}, set(), set(), set()]
    none = np.full(6, -1)
    high, low = learning.choose_thresholds(p, labels, ["c"], none, none, target_precision=0.7)
    assert high == 0.3  # precision 3/4 >= 0.7, recall 1
    high, _ = learning.choose_thresholds(p, labels, ["c"], none, none, target_precision=0.95)
    assert high == 0.7  # precision 1 means rows 0 and 1 only (recall 2/3): 0.4-0.7 do that
    _, low = learning.choose_thresholds(p, labels, ["c"], none, none, target_precision=0.99)
    assert low == 0.7  # no neighbours here, so low = high is as good and stricter


def test_case_folds_keep_a_case_together() -> None:
    case_of = {"sp-a": "A", "gem-a": "A", "sp-b": "B", "gem-b": "B", "sp-c": "C"}
    folds = learning.case_folds(case_of, 2)
    assert folds == [["gem-a", "sp-a", "sp-c"], ["gem-b", "sp-b"]]
    assert learning.case_folds(case_of, 10) == [["gem-a", "sp-a"], ["gem-b", "sp-b"], ["sp-c"]]


def test_gradient_is_the_derivative_of_the_loss() -> None:
    rng = np.random.default_rng(1)
    features = [[f"w:{i}" for i in rng.choice(8, 3, replace=False)] for _ in range(40)]
    labels = [{"a"} if "w:1" in f else ({"b"} if "w:2" in f else set()) for f in features]
    data = learning.Stacked(features, labels, np.full(40, -1), np.full(40, -1))
    captured = {}
    from scipy import optimize

    real = optimize.minimize

    def spy(fun, x0, **kw):  # type: ignore[no-untyped-def]
        captured["f"] = fun
        captured["h"] = kw["hessp"]
        captured["n"] = x0.size
        return real(fun, x0, **kw)

    optimize.minimize = spy
    try:
        model = learning.PassageModel.fit(data)
    finally:
        optimize.minimize = real
    assert model is not None and model.codes == ["a", "b"]
    f = captured["f"]
    for _ in range(3):
        w = rng.normal(size=captured["n"])
        err = check_grad(lambda x: f(x)[0], lambda x: f(x)[1], w)
        assert err < 1e-4 * max(1.0, float(np.linalg.norm(f(w)[1])))
        # the Hessian-vector product is the derivative of the gradient along the vector
        vec = rng.normal(size=captured["n"])
        eps = 1e-6
        numeric = (f(w + eps * vec)[1] - f(w - eps * vec)[1]) / (2 * eps)
        f(rng.normal(size=captured["n"]))  # another point last: hessp must not reuse its state
        exact = captured["h"](w, vec)
        assert np.allclose(exact, numeric, rtol=1e-5, atol=1e-6)
    # and it learns: the word that makes a code gives it a high probability
    probs = model.probabilities([["w:1"], ["w:2"], ["w:5"]])
    assert probs[0, 0] > 0.5 > probs[2, 0]
    assert probs[1, 1] > 0.5 > probs[0, 1]


def test_rare_codes_are_left_to_the_keywords() -> None:
    features = [["w:x"]] * 30
    labels = [{"rare"} if i < learning.MIN_POSITIVES - 1 else set() for i in range(30)]
    data = learning.Stacked(features, labels, np.full(30, -1), np.full(30, -1))
    assert learning.PassageModel.fit(data) is None


# --- on a small project ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return write_project(tmp_path_factory.mktemp("learn"), 10)


def test_learned_suggestions_find_what_keywords_miss(project: Project) -> None:
    kw = Suggester(project.codebook, extend=False)
    learned = learning.LearnedSuggester(project, kw, "ann")
    assert learned.model is not None
    assert {"voorzieningen.huiskamer", "werkwijze.zonder"} <= set(learned.model.codes)
    t = project.transcript("t03")
    sents = segment(t)
    got = {(s.sentence, s.code): s for s in learned.suggest(t, sents)}
    for s in sents:
        if s.text in HUISKAMER:  # the sentence without the keyword too
            sug = got[(s.index, "voorzieningen.huiskamer")]
            assert sug.source == "learned" and sug.score is not None and 0 < sug.score <= 1
            assert sug.quote == s.text and t.body[sug.start : sug.end] == s.text
            for e in sug.evidence:  # evidence: words of the sentence or its neighbours
                assert t.body[e.start : e.end] == e.text
        if s.text in ZONDER:
            assert (s.index, "werkwijze.zonder") in got  # a code without keywords is learnt
        if s.text in FILLER:
            assert not [k for k in got if k[0] == s.index]
    keyword_only = {(s.sentence, s.code) for s in kw.suggest(t, sents)}
    assert len(keyword_only) < len(got)


def test_cross_validation_never_trains_on_the_held_out_case(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    trained_on: list[set[str]] = []
    real = learning.train

    def spy(rows, codings, **kw):  # type: ignore[no-untyped-def]
        trained_on.append(set(rows))
        return real(rows, codings, **kw)

    monkeypatch.setattr(learning, "train", spy)
    ev = evaluate(project, "ann", learn=True, folds=3)
    assert ev.method == "learned" and ev.baseline is not None
    folds = ev.cross_validation["per_fold"] if ev.cross_validation else []
    assert len(folds) == 3 == len(trained_on)
    for fold, seen in zip(folds, trained_on, strict=True):
        assert not seen & set(fold["held_out"])
        assert seen | set(fold["held_out"]) == set(project.transcripts)
    assert ev.micro.recall > ev.baseline.micro.recall
    assert ev.micro.precision >= 0.9  # the passages are regular: held-out cases are found


def test_too_few_coded_transcripts_means_keywords_only(tmp_path: Path) -> None:
    p = write_project(tmp_path, 2)
    kw = Suggester(p.codebook)
    learned = learning.LearnedSuggester(p, kw, "ann")
    assert learned.model is None and "coded 2 transcript(s) of 2 case(s)" in learned.reason
    t = p.transcript("t00")
    assert learned.suggest(t) == kw.suggest(t)


def test_cli_learns_writes_and_evaluates(tmp_path: Path) -> None:
    p = write_project(tmp_path, 6)
    # a new coder learns from ann's codings; sources are written, keywords stay unmarked
    r = CliRunner().invoke(
        cli, ["suggest", "--project", str(tmp_path), "--coder", "bob", "--learn-from", "ann"]
    )
    assert r.exit_code == 0, r.output
    assert "model 0." in r.stdout or "model 1." in r.stdout  # the 'by' column of the table
    sf = load_suggestions(p.paths, "bob", "t01")
    assert sf is not None and any(s.source == "learned" for s in sf.suggestions)
    raw = yaml.safe_load(p.paths.suggestions_file("bob", "t01").read_text(encoding="utf-8"))
    assert {x.get("source") for x in raw["suggestions"]} <= {"learned", None}
    # --no-learn gives exactly the keyword suggestions
    kw = run_suggest(p, "carl", ["t01"], write=False)["t01"]
    r = CliRunner().invoke(
        cli, ["suggest", "--project", str(tmp_path), "--coder", "carl", "--no-learn"]
    )
    assert r.exit_code == 0
    assert load_suggestions(p.paths, "carl", "t01") == kw
    # an unknown coder to learn from is an error, not a silent "keywords only"
    assert (
        main(["suggest", "--project", str(tmp_path), "--coder", "x", "--learn-from", "nobody"]) == 2
    )
    r = CliRunner().invoke(
        cli,
        ["suggest", "--project", str(tmp_path), "--coder", "ann", "--evaluate", "--folds", "3",
         "--json"],
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert data["method"] == "learned" and data["cross_validation"]["folds"] == 3
    assert data["micro"]["recall"] >= data["keywords_only"]["micro"]["recall"]


REPO = Path(__file__).resolve().parents[1]


def test_bundled_project_meets_the_quality_aim() -> None:
    """The issue's aim, cross-validated by case against coder a (about 45 s)."""
    p = Project(REPO)
    ev = evaluate(p, "a", learn=True)
    assert ev.baseline is not None
    assert ev.micro.precision >= 0.50 and ev.micro.recall >= 0.70, ev.micro
    assert ev.micro.f1 > ev.baseline.micro.f1


def test_fit_matches_an_independent_minimisation() -> None:
    """The weighted, L2-regularised logistic loss written out here from its definition and
    minimised by BFGS with numerical gradients."""
    from scipy.optimize import minimize

    rng = np.random.default_rng(7)
    names = ["w:a", "w:b", "w:c"]
    features = [[f for f in names if rng.random() < 0.5] for _ in range(60)]
    labels = [
        {"c"} if ("w:a" in f and rng.random() < 0.8) or rng.random() < 0.1 else set()
        for f in features
    ]
    data = learning.Stacked(features, labels, np.full(60, -1), np.full(60, -1))
    model = learning.PassageModel.fit(data)
    assert model is not None
    x = np.array([[1.0 if n in f else 0.0 for n in sorted(model.vocabulary)] for f in features])
    y = np.array([1.0 if "c" in lab else 0.0 for lab in labels])
    boost = np.sqrt(max((len(y) - y.sum()) / y.sum(), 1.0))
    weight = np.where(y == 1, boost, 1.0)

    def loss(w: np.ndarray) -> float:
        z = x @ w[:-1] + w[-1]
        per_row = -(y * np.log(1 / (1 + np.exp(-z))) + (1 - y) * np.log(1 - 1 / (1 + np.exp(-z))))
        return float((weight * per_row).sum() + 0.5 * learning.REGULARISATION * (w[:-1] ** 2).sum())

    ref = minimize(loss, np.zeros(x.shape[1] + 1), method="BFGS", options={"gtol": 1e-8}).x
    order = [model.vocabulary[n] for n in sorted(model.vocabulary)]
    ours = np.append(model.weights[order, 0], model.bias[0])
    assert np.allclose(ours, ref, atol=1e-4), (ours, ref)


ODD_BODIES = [
    "",
    "Gewoon tekst zonder sprekers, over de huiskamer. Het is er gezellig.",
    "R: Cafe\u0301 in de huiskamer 😀 met emoji. مرحبا بك في الهويسكامر. שלום huiskamer!\n",
    "I: Vraag?\n\nR: 👩‍👩‍👧 huiskamer\u0301s? Het is er gezellig en er is koffie‏ ja.\n",
    "I: Kunt u daar iets over vertellen?\n\nR: 👩‍👩‍👧 We hebben een huiskamer op dinsdag. "
    "Het is er gezellig en er is koffie\u200f.\n",
]


@pytest.mark.parametrize("body", ODD_BODIES)
def test_learned_suggestions_on_odd_input_keep_offsets(tmp_path: Path, body: str) -> None:
    write_project(tmp_path, 5)
    (tmp_path / "interviews" / "odd.txt").write_text(
        f"---\nid: odd\ncase: Odd\nrole: steunpunt\n---\n{body}", encoding="utf-8"
    )
    p = Project(tmp_path)
    learned = learning.LearnedSuggester(p, Suggester(p.codebook), "ann")
    assert learned.model is not None
    t = p.transcript("odd")
    got = learned.suggest(t)
    if body.startswith("I: Kunt"):
        assert any(s.source == "learned" for s in got)  # not a vacuous loop
    for s in got:
        assert t.body[s.start : s.end] == s.quote
        for e in s.evidence:
            assert t.body[e.start : e.end] == e.text


def test_word_lemmas_are_the_pipelines_lemmas() -> None:
    p = Project(REPO)
    suggester = Suggester(p.codebook)
    transcripts = list(p.transcripts.values())[:8]
    ours = learning.word_lemmas(suggester, transcripts)
    for t, words in zip(transcripts, ours, strict=True):
        doc = suggester.nlp(t.body)
        expected = [(x.idx, x.idx + len(x.text), x.lemma_.lower()) for x in doc if x.is_alpha]
        assert words == expected


def test_labels_skip_removed_codes_and_orphaned_codings(project: Project) -> None:
    t = project.transcript("t00")
    cf = project.codings("ann", "t00")
    assert cf is not None
    first = cf.codings[0]
    rows = learning.featurise_all([t], {"t00": segment(t)}, Suggester(project.codebook))["t00"]
    base = rows.labels(cf, set(project.codebook.codes))
    assert any(first.code in lab for lab in base)
    removed = first.model_copy(update={"code": "weg.uit.codeboek"})
    orphan = first.model_copy(update={"quote": first.quote + " (tekst veranderd)"})
    odd = cf.model_copy(update={"codings": [removed, orphan]})
    labels = rows.labels(odd, set(project.codebook.codes))
    assert not any(labels)  # neither teaches anything
    assert any("weg.uit.codeboek" in lab for lab in rows.labels(odd))  # no filter: kept


def test_learning_curve_trains_on_drawn_cases_and_tests_on_the_rest(project: Project) -> None:
    from codeer.nlp.evaluation import learning_curve

    points = learning_curve(project, "ann", sizes=(2, 4, 10), repeats=2)
    assert [(p.cases, p.repeat) for p in points] == [
        (2, 0),
        (2, 1),
        (4, 0),
        (4, 1),
    ]  # 10: none left
    for p in points:
        cases = {project.transcript(t).case for t in p.trained_on}
        assert len(cases) == p.cases
        assert p.tested_on == len(project.transcripts) - len(p.trained_on)
        if p.cases < learning.MIN_TRANSCRIPTS:  # one transcript per case here: keywords only
            assert p.learned == p.keywords
        else:
            assert p.learned.f1 > p.keywords.f1
    assert points[0].trained_on != points[1].trained_on  # different draws
    again = learning_curve(project, "ann", sizes=(2,), repeats=2)
    assert [p.trained_on for p in again] == [p.trained_on for p in points[:2]]  # seeded
    assert (
        main(
            ["suggest", "--project", str(project.paths.root), "--coder", "ann", "--learning-curve"]
        )
        == 2
    )


async def test_workbench_s_learns_from_the_coders_codings(tmp_path: Path) -> None:
    from codeer.tui.app import CodeerApp

    p = write_project(tmp_path, 6)
    (p.paths.codings / "ann" / "t02.yaml").unlink()  # t02 is to code: suggestions help there
    app = CodeerApp(Project(tmp_path), "ann", "t02")
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("S")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "learning from your codings ..." in app.messages
        sf = load_suggestions(p.paths, "ann", "t02")
        assert sf is not None and any(s.source == "learned" for s in sf.suggestions)
        first = min(s.sentence for s in sf.suggestions if s.source == "learned")
        for _ in range(first):  # to the first sentence with a learned suggestion
            await pilot.press("j")
        await pilot.pause()
        assert "(model 0." in str(app.query_one("#here").render())
        n = len(app.messages)
        await pilot.press("S")  # codings unchanged: the model is reused, not retrained
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "learning from your codings ..." not in app.messages[n:]


def test_the_model_is_cached_until_what_it_learnt_from_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    p = write_project(tmp_path, 6)
    kw = Suggester(p.codebook)
    first = learning.LearnedSuggester(p, kw, "ann")
    assert first.model is not None and not first.cached
    path = p.paths.model_file("ann")
    assert path.is_file()
    assert (path.parent / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"
    t = p.transcript("t01")
    expected = first.suggest(t)

    calls: list[int] = []
    real = learning.train

    def counting(*a, **kw):  # type: ignore[no-untyped-def]
        calls.append(1)
        return real(*a, **kw)

    monkeypatch.setattr(learning, "train", counting)
    second = learning.LearnedSuggester(p, kw, "ann")
    assert second.cached and calls == [] and second.suggest(t) == expected
    # another target precision, a changed coding or a broken file: learnt afresh
    learning.LearnedSuggester(p, kw, "ann", target_precision=0.8)
    assert calls == [1]
    cf = p.codings("ann", "t03")
    assert cf is not None
    p.store.save(cf.model_copy(update={"codings": cf.codings[1:]}))
    assert not learning.LearnedSuggester(p, kw, "ann").cached and calls == [1, 1]
    assert learning.LearnedSuggester(p, kw, "ann").cached and calls == [1, 1]
    assert not learning.LearnedSuggester(p, kw, "ann", cache=False).cached  # a real fit
    assert calls == [1, 1, 1]
    calls.pop()
    path.write_bytes(b"not a model")
    again = learning.LearnedSuggester(p, kw, "ann")
    assert not again.cached and again.model is not None and calls == [1, 1, 1]


def test_learned_suggestions_respect_negation_on_the_bundled_project() -> None:
    """'we hebben geen huiskamer' must not become 'has a huiskamer', keywords or model."""
    from codeer.transcript import parse_transcript

    p = Project(REPO)
    learned = learning.LearnedSuggester(p, Suggester(p.codebook), "a", cache=False)
    assert learned.model is not None and "voorzieningen.huiskamer.vrijwillig" in learned.model.codes
    has = {"voorzieningen.huiskamer.vrijwillig", "voorzieningen.huiskamer.verplicht"}
    bodies = {
        "I: Heeft het steunpunt een huiskamer?\n\nR: Nee, we hebben geen huiskamer. "
        "Daar is geen ruimte voor.\n": False,
        "I: Hoe gaat het met de jongeren?\n\nR: We hebben geen huiskamer en ook geen inloop.\n": False,
        "I: Heeft het steunpunt een huiskamer?\n\nR: Ja, we hebben een huiskamer. "
        "Die is open op dinsdag en donderdag.\n": True,
    }
    for i, (body, expected) in enumerate(bodies.items()):
        t = parse_transcript(f"---\nid: n{i}\ncase: N\nrole: steunpunt\n---\n{body}", Path("n.txt"))
        codes = {s.code for s in learned.suggest(t)}
        assert bool(codes & has) is expected, (body, codes)
