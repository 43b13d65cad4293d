"""Cluster (transcript) bootstrap and Fleiss' kappa: hand-computed cases, properties, the CLI."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.inter_rater import aggregate_raters
from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss

from codeer.agreement import (
    N_RESAMPLES,
    SEED,
    agreement,
    binary_tables,
    bootstrap_weights,
    coefficients,
    fleiss_kappa,
    incomplete_units,
    unit_tables,
    weighted_coefficients,
)
from codeer.cli import cli
from codeer.project import Project
from tests.conftest import REPO

# --- Fleiss' kappa ------------------------------------------------------------------------------

# Fleiss (1971) as worked on Wikipedia's "Fleiss' kappa" page: 10 subjects, 14 raters,
# 5 categories; each row is the number of raters putting the subject in category 1..5.
FLEISS_1971 = [
    [0, 0, 0, 0, 14],
    [0, 2, 6, 4, 2],
    [0, 0, 3, 5, 6],
    [0, 3, 9, 2, 0],
    [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0],
    [3, 2, 6, 3, 0],
    [2, 5, 3, 2, 2],
    [6, 5, 2, 1, 0],
    [0, 2, 2, 3, 7],
]


def _ratings_from_counts(counts: list[list[int]]) -> list[list[int]]:
    """Subjects-by-raters categories from subjects-by-categories counts (raters in any order)."""
    return [[c + 1 for c, n in enumerate(row) for _ in range(n)] for row in counts]


def test_fleiss_worked_example() -> None:
    ratings = _ratings_from_counts(FLEISS_1971)
    assert all(len(r) == 14 for r in ratings)
    codes = np.array(ratings, dtype=np.int64) - 1
    tables = unit_tables(codes, 5)
    # P_i per subject, e.g. subject 1: (14^2 - 14) / (14 * 13) = 1; subject 2:
    # (0 + 4 + 36 + 16 + 4 - 14) / 182 = 46 / 182 = 0.253
    assert tables.pair_share[0] == pytest.approx(1.0)
    assert tables.pair_share[1] == pytest.approx(46 / 182)
    p_bar = tables.pair_share.mean()
    assert round(p_bar, 3) == 0.378
    # p_j = column totals / 140 = 20, 28, 39, 21, 32 over 140
    p_j = tables.counts.sum(axis=0) / tables.counts.sum()
    assert p_j * 140 == pytest.approx([20, 28, 39, 21, 32])
    p_e = float((p_j**2).sum())
    assert round(p_e, 3) == 0.213
    kappa = fleiss_kappa(ratings)
    assert kappa is not None and round(kappa, 3) == 0.210
    assert kappa == pytest.approx((p_bar - p_e) / (1 - p_e))


def test_fleiss_two_coders_is_scotts_pi_not_cohens_kappa() -> None:
    # Ten units, two coders, three categories.
    a = ["x", "x", "x", "x", "y", "y", "y", "z", "z", "x"]
    b = ["x", "x", "x", "y", "y", "y", "z", "z", "x", "x"]
    # agreements: units 1-3, 5, 6, 8, 10 -> p_o = 7 / 10
    # Scott's pi: pooled shares over 20 ratings: x = (5 + 5) / 20 = 0.5, y = (3 + 3) / 20 = 0.3,
    # z = (2 + 2) / 20 = 0.2 -> p_e = 0.25 + 0.09 + 0.04 = 0.38; pi = (0.7 - 0.38) / 0.62
    pi = (0.7 - 0.38) / 0.62
    assert fleiss_kappa(list(zip(a, b, strict=True))) == pytest.approx(pi)
    # same marginals per coder here, so Cohen's equals Scott's; change b's marginals:
    b2 = ["x", "x", "x", "x", "x", "y", "y", "z", "z", "x"]
    # p_o: all but unit 5 agree = 9/10; pooled shares x = (5 + 6) / 20 = 0.55,
    # y = (3 + 2) / 20 = 0.25, z = (2 + 2) / 20 = 0.2 -> p_e = 0.3025 + 0.0625 + 0.04 = 0.405
    # pi = 0.495 / 0.595 = 0.8319; Cohen: p_e = 0.5 * 0.6 + 0.3 * 0.2 + 0.2 * 0.2 = 0.40
    # -> kappa = 0.5 / 0.6 = 0.8333
    from codeer.agreement import cohens_kappa

    rows = list(zip(a, b2, strict=True))
    assert fleiss_kappa(rows) == pytest.approx(0.495 / 0.595)
    assert cohens_kappa(rows) == pytest.approx(0.5 / 0.6)


def test_fleiss_undefined_without_variation_and_incomplete_units() -> None:
    assert fleiss_kappa([(1, 1, 1)] * 4) is None
    assert fleiss_kappa([("x", "x")] * 3) is None
    with pytest.raises(ValueError, match="two coders"):
        fleiss_kappa([(1,), (0,)])
    rows = [(1, 1, 1), (0, 0, 1), (0, None, 1), (0, 0, 0), (None, None, None)]
    assert incomplete_units(rows) == 2
    complete = [r for r in rows if None not in r]
    assert fleiss_kappa(rows) == pytest.approx(fleiss_kappa(complete))
    # by hand on the 3 complete units: P_i = 1, (2 * 1) / (3 * 2) = 1/3, 1 -> P = 7/9; ones are
    # 4 of 9 ratings: P_e = (4/9)^2 + (5/9)^2 = 41/81; kappa = (63 - 41) / (81 - 41) = 0.55
    assert fleiss_kappa(rows) == pytest.approx(0.55)
    # with the incomplete unit counted instead, the figure would differ
    assert fleiss_kappa([*complete, (0, 0, 1)]) != pytest.approx(0.55)


multi = st.integers(2, 5).flatmap(
    lambda k: st.lists(st.lists(st.integers(0, 3), min_size=k, max_size=k), min_size=2, max_size=30)
)


@settings(max_examples=80, deadline=None)
@given(multi)
def test_fleiss_matches_statsmodels(rows: list[list[int]]) -> None:
    ours = fleiss_kappa(rows)
    table, _ = aggregate_raters(np.array(rows))
    with np.errstate(all="ignore"):
        theirs = float(sm_fleiss(table, method="fleiss"))
    if ours is None:
        assert len({v for r in rows for v in r}) == 1 or not np.isfinite(theirs)
    else:
        assert ours == pytest.approx(theirs, abs=1e-9)


def test_pooled_fleiss_is_fleiss_of_the_stacked_items() -> None:
    rng = np.random.default_rng(3)
    x = rng.integers(0, 2, (30, 3)).astype(bool)
    y = rng.integers(0, 2, (30, 3)).astype(bool)
    pooled = coefficients(binary_tables(x) + binary_tables(y), None)
    stacked = np.vstack([x, y]).astype(int).tolist()
    assert pooled.fleiss.value == pytest.approx(fleiss_kappa(stacked))


# --- cluster bootstrap: the weights ---------------------------------------------------------------

SIZES = [3, 5, 1, 4, 2]


def _labels(sizes: list[int]) -> list[str]:
    return [f"t{i}" for i, n in enumerate(sizes) for _ in range(n)]


def test_cluster_weights_are_whole_transcripts() -> None:
    labels = _labels(SIZES)
    n = len(labels)
    w = bootstrap_weights(n, 400, seed=11, clusters=labels)
    assert w.shape == (400, n)
    per_transcript = []
    start = 0
    for size in SIZES:
        block = w[:, start : start + size]
        assert (block == block[:, :1]).all()  # constant within a transcript
        per_transcript.append(block[:, 0])
        start += size
    draws = np.column_stack(per_transcript)
    # each resample draws as many transcripts as there are ...
    assert (draws.sum(axis=1) == len(SIZES)).all()
    # ... and its unit weights sum to the units of the drawn transcripts
    assert np.array_equal(w.sum(axis=1), draws @ np.array(SIZES, dtype=float))
    assert len(set(w.sum(axis=1))) > 1  # the resample size varies with what was drawn
    assert np.array_equal(w, bootstrap_weights(n, 400, seed=11, clusters=labels))


def test_one_unit_per_transcript_is_the_unit_bootstrap() -> None:
    assert np.array_equal(
        bootstrap_weights(7, 50, seed=5, clusters=["a", "b", "c", "d", "e", "f", "g"]),
        bootstrap_weights(7, 50, seed=5),
    )
    with pytest.raises(ValueError, match="one label per unit"):
        bootstrap_weights(3, 5, clusters=["a", "b"])


def test_tiny_case_by_hand() -> None:
    # transcript T1: (1, 1), (0, 0): both agree; transcript T2: (1, 0), (0, 1): both disagree.
    ratings = np.array([[1, 1], [0, 0], [1, 0], [0, 1]], dtype=bool)
    tables = binary_tables(ratings)
    w = bootstrap_weights(4, 200, seed=1, clusters=["T1", "T1", "T2", "T2"])
    res = weighted_coefficients(tables, w)
    # a cluster resample is T1 twice, T2 twice or T1 and T2:
    #   T1 + T1: a = b = (1, 0, 1, 0): p_o = 1, kappa = 1
    #   T2 + T2: a = (1, 0, 1, 0), b = (0, 1, 0, 1): p_o = 0, p_e = 0.5, kappa = -1
    #   T1 + T2: the data: p_o = 0.5, p_e = 0.5, kappa = 0
    t2 = w[:, 2]
    expected_kappa = np.select([t2 == 0, t2 == 2], [1.0, -1.0], 0.0)
    expected_percent = np.select([t2 == 0, t2 == 2], [1.0, 0.0], 0.5)
    assert np.allclose(res.kappa, expected_kappa)
    assert np.allclose(res.fleiss, expected_kappa)  # same marginals per coder: Scott = Cohen
    assert np.allclose(res.percent, expected_percent)
    assert set(np.unique(t2)) == {0.0, 1.0, 2.0}
    # drawing units instead yields other values too (e.g. 3 agreements out of 4)
    unit = weighted_coefficients(tables, bootstrap_weights(4, 200, seed=1))
    assert not np.isin(np.round(unit.percent, 9), [0.0, 0.5, 1.0]).all()


def _clustered(
    n_transcripts: int, size: int, rates: list[float], seed: int
) -> tuple[np.ndarray, list[str]]:
    """Two coders, one code; coder b flips a's value at a rate that depends on the transcript."""
    rng = np.random.default_rng(seed)
    a = rng.random(n_transcripts * size) < 0.3
    rate = np.repeat([rates[t % len(rates)] for t in range(n_transcripts)], size)
    b = np.where(rng.random(a.size) < rate, ~a, a)
    labels = [f"t{t}" for t in range(n_transcripts) for _ in range(size)]
    return np.column_stack([a, b]), labels


def test_disagreements_of_one_transcript_move_together() -> None:
    # two codes whose disagreements all sit in transcript t2; elsewhere both coders agree
    labels = _labels([6, 6, 6, 6])
    n = len(labels)
    base = np.zeros((n, 2), dtype=bool)
    base[::2] = True  # both coders apply the code on every other unit
    x, y = base.copy(), base.copy()
    in_t2 = np.array([lab == "t2" for lab in labels])
    x[in_t2, 1] = ~x[in_t2, 1]  # code x: b disagrees on all of t2
    y[in_t2 & (np.arange(n) % 2 == 0), 1] = False  # code y: b misses t2's coded units
    cluster = bootstrap_weights(n, 300, seed=2, clusters=labels)
    unit = bootstrap_weights(n, 300, seed=2)
    for w, together in ((cluster, True), (unit, False)):
        px = weighted_coefficients(binary_tables(x), w).percent
        py = weighted_coefficients(binary_tables(y), w).percent
        # under the cluster bootstrap every unit of t2 has t2's draw count, so a resample's
        # disagreement share is that count times 6 over the resample size, for both codes
        t2_draws = w[:, in_t2]
        assert ((t2_draws == t2_draws[:, :1]).all(axis=1)).all() == together
        if together:
            share = t2_draws[:, 0] * 6 / w.sum(axis=1)
            assert np.allclose(1 - px, share) and np.allclose(1 - py, share / 2)
            assert np.corrcoef(px, py)[0, 1] == pytest.approx(1.0)
        else:
            assert np.corrcoef(px, py)[0, 1] < 0.99


def test_cluster_intervals_wider_when_coders_habits_differ_per_transcript() -> None:
    # half the transcripts near-perfect, half with many disagreements: strong clustering
    ratings, labels = _clustered(20, 40, [0.0, 0.35], seed=4)
    tables = binary_tables(ratings)
    n = len(labels)
    unit = coefficients(tables, bootstrap_weights(n, N_RESAMPLES, SEED))
    cluster = coefficients(tables, bootstrap_weights(n, N_RESAMPLES, SEED, clusters=labels))
    for u, c in ((unit.kappa, cluster.kappa), (unit.alpha, cluster.alpha)):
        assert u.value == c.value
        assert u.low is not None and u.high is not None
        assert c.low is not None and c.high is not None
        assert c.high - c.low > 1.3 * (u.high - u.low)
    # without clustering (one rate everywhere) the two are about equally wide
    ratings, labels = _clustered(20, 40, [0.15], seed=4)
    tables = binary_tables(ratings)
    unit = coefficients(tables, bootstrap_weights(n, N_RESAMPLES, SEED))
    cluster = coefficients(tables, bootstrap_weights(n, N_RESAMPLES, SEED, clusters=labels))
    assert unit.kappa.low is not None and unit.kappa.high is not None
    assert cluster.kappa.low is not None and cluster.kappa.high is not None
    ratio = (cluster.kappa.high - cluster.kappa.low) / (unit.kappa.high - unit.kappa.low)
    assert 0.6 < ratio < 1.4


# --- the bundled project and the command ---------------------------------------------------------


@pytest.fixture(scope="module")
def bundled() -> Project:
    return Project(REPO)


def test_bundled_project_schemes(bundled: Project) -> None:
    by_transcript = agreement(bundled, ["a", "b"], n_resamples=300)
    by_unit = agreement(bundled, ["a", "b"], n_resamples=300, resample="unit")
    assert by_transcript.resample == "transcript" and by_unit.resample == "unit"
    assert len(by_transcript.transcripts) == 8
    pt, pu = by_transcript.overall.pooled, by_unit.overall.pooled
    assert pt.kappa.value == pu.kappa.value and pt.fleiss.value == pu.fleiss.value
    for e in (pt.kappa, pu.kappa, pt.fleiss, pt.alpha):
        assert e.low is not None and e.high is not None and e.resamples == 300
        assert e.low <= e.value <= e.high  # type: ignore[operator]
    assert (pt.kappa.low, pt.kappa.high) != (pu.kappa.low, pu.kappa.high)
    # two coders: Fleiss' kappa is Scott's pi, within a hair of alpha on 94,000 items
    assert pt.fleiss.value == pytest.approx(pt.alpha.value, abs=1e-4)
    assert by_transcript.as_dict()["bootstrap"]["resampling_unit"] == "transcript"
    assert by_unit.as_dict()["bootstrap"]["resampling_unit"] == "sentence"
    # documents: one unit per transcript, so the two schemes draw the same
    docs_t = agreement(bundled, ["a", "b"], unit="document", n_resamples=200)
    docs_u = agreement(bundled, ["a", "b"], unit="document", n_resamples=200, resample="unit")
    assert docs_t.overall.as_dict()["pooled"] == docs_u.overall.as_dict()["pooled"]
    assert [c.as_dict() for c in docs_t.codes] == [c.as_dict() for c in docs_u.codes]


def test_cli_prints_and_reports_the_scheme() -> None:
    root = str(REPO)
    args = ["agreement", "--project", root, "--coders", "a,b", "--resamples", "50"]
    env = {"COLUMNS": "250"}
    text = CliRunner().invoke(cli, args, env=env)
    assert text.exit_code == 0, text.output
    assert "resampling transcripts (cluster bootstrap: 8 transcripts" in text.stdout
    assert "each with all its sentences), 50 resamples" in text.stdout
    assert "Fleiss' κ" in text.stdout and "Cohen's κ" in text.stdout
    text = CliRunner().invoke(cli, [*args, "--resample", "unit", "--unit", "turn"], env=env)
    assert text.exit_code == 0, text.output
    assert "resampling turns (independently, ignoring their transcripts)" in text.stdout
    data = json.loads(CliRunner().invoke(cli, [*args, "--json"]).stdout)
    assert data["bootstrap"]["resample"] == "transcript"
    assert data["bootstrap"]["resampling_unit"] == "transcript"
    assert data["bootstrap"]["draws_per_resample"] == 8
    assert data["overall"]["pooled"]["fleiss_kappa"]["ci_low"] is not None
    data = json.loads(CliRunner().invoke(cli, [*args, "--json", "--resample", "unit"]).stdout)
    assert data["bootstrap"]["resample"] == "unit"
    assert data["bootstrap"]["resampling_unit"] == "sentence"
    assert data["bootstrap"]["draws_per_resample"] == data["units"]
    bad = CliRunner().invoke(cli, [*args, "--resample", "sentence"])
    assert bad.exit_code != 0


def test_codes_in_few_transcripts_are_flagged(bundled: Project) -> None:
    from codeer.agreement import MIN_CLUSTERS

    report = agreement(bundled, ["a", "b"], n_resamples=200)
    rows = {r.code: r for r in report.codes}
    # counted independently: transcripts where either coder's codings touch the code's units
    for r in report.codes:
        assert 1 <= r.transcripts_coded <= len(report.transcripts)
        assert r.few_clusters == (r.transcripts_coded < MIN_CLUSTERS)
    one = [r for r in report.codes if r.transcripts_coded == 1]
    assert one, "the bundled a-b codings have codes found in one transcript only"
    for r in one:  # one cluster carries all the disagreement: a falsely narrow interval
        k = r.coefficients.kappa
        if k.value is not None and k.low is not None and k.high is not None:
            assert k.high - k.low < 0.02
    assert not rows["organisatie"].few_clusters
    args = ["agreement", "--project", str(REPO), "--coders", "a,b", "--resamples", "50"]
    text = CliRunner().invoke(cli, args, env={"COLUMNS": "250"}).stdout
    assert f"† coded in fewer than {MIN_CLUSTERS} transcripts" in text
    flagged = [line for line in text.splitlines() if "†" in line and "│" in line]
    with_interval = [r for r in report.codes if r.coefficients.alpha.low is not None]
    assert len(flagged) == sum(r.few_clusters for r in with_interval)
    unit = CliRunner().invoke(cli, [*args, "--resample", "unit"], env={"COLUMNS": "250"}).stdout
    assert "†" not in unit
    data = json.loads(CliRunner().invoke(cli, [*args, "--json"]).stdout)
    assert all("transcripts_coded" in c for c in data["codes"])
