"""Generate the synthetic registration table of the bundled example (variables/registraties.csv).

Authoring, not pipeline: it reads the fact sheet (interviews/feiten.yaml) for the clients per
steunpunt and their characteristics, and builds 733 rows whose counts, means, per-steunpunt ranges
and associations reproduce the figures of the Perspectief study. Counts are set by exact quotas;
who gets which value is drawn with a fixed seed, weighted so that the reported associations hold.
Run it again and the file is byte-identical; tests/test_facts_individual.py checks every figure.

    .venv/bin/python scripts/make_registraties.py [--check]
"""

from __future__ import annotations

import argparse
import sys
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from codeer.store import atomic_write_text  # noqa: E402

# The seed was chosen among the first 80 for which, at SPSS's default CHAID settings, the trees of
# variables/analyses.yaml show what the study reports (tests/test_analyses.py); the figures of
# facts.md hold for every seed, by the quotas below.
SEED = 79
MEETDATUM = date(2011, 4, 1)
START = date(2009, 10, 1)
EARLIEST_INTAKE = date(2006, 4, 1)
DAYS_PER_MONTH = 30.4375

Rng = np.random.Generator

AFRICA = {
    "Angola": 161,
    "Sierra Leone": 132,
    "Guinee": 73,
    "DR Congo": 60,
    "Nigeria": 40,
    "Somalië": 30,
    "Togo": 25,
    "Ethiopië": 20,
    "Eritrea": 15,
    "Soedan": 15,
    "Kameroen": 15,
}
ASIA = {"China": 44, "Afghanistan": 40, "Irak": 25, "Iran": 15, "Mongolië": 13, "Sri Lanka": 10}

TRAJECT = {"verblijf": 433, "buiten_schuld": 7, "terugkeer": 213, "tweesporen": 29, "anders": 51}
# outcome x trajectory (rows: outcome; columns in TRAJECT order); in_begeleiding is the rest
OUTCOME_BY_TRAJECT = {
    "verblijfsvergunning": [99, 2, 0, 4, 2],
    "terugkeer": [0, 0, 17, 3, 1],
    "mob": [45, 1, 30, 3, 8],
    "doormigratie": [4, 0, 4, 0, 2],
    "anders": [15, 0, 10, 2, 8],
}
# Regular permit applications (0..6): clients of steunpunten with many stalled files have fewer
# behind them (their rank score is shifted by this many standard deviations), and the chance of a
# permit rises with the number (weights by number). Steunpunten with many stalled files thus see
# fewer permits and more clients still in guidance, through their client mix.
FEW_APPLICATIONS = ("vastlopende_dossiers", "veel")
FEW_APPLICATIONS_SHIFT = -1.6
PERMIT_WEIGHT_BY_APPLICATIONS = [0.15, 0.5, 0.9, 1.4, 2.2, 3.0, 3.5]
# Relative chance of clients with a psychiatric diagnosis to return or to leave MOB.
PSYCH_RETURN_WEIGHT = 0.03
PSYCH_MOB_WEIGHT = 0.1
# leavers per outcome in each duration class (<6, 6-18, >18 months)
LEAVER_CLASSES = {
    "mob": [25, 30, 32],
    "verblijfsvergunning": [12, 22, 73],
    "terugkeer": [3, 8, 10],  # return hardly depends on the duration
    "doormigratie": [5, 0, 5],
    "anders": [12, 3, 20],
}
STAYER_CLASSES = [20, 300, 153]
LEAVER_MEAN_MONTHS = 17.0
STAYER_MEAN_MONTHS = 19.0

# who ended, per group of steunpunten (by feiten.yaml `beeindiging`); totals 90/7/75/25/63
PARTIES = ["steunpunt", "gemeente", "wederzijds", "client", "onbekend"]
ENDED_TOTALS = {"steunpunt": 90, "gemeente": 7, "wederzijds": 75, "client": 25, "onbekend": 63}
DESIGNATED_SHARE = {"wederzijds": 0.52, "steunpunt": 0.62, "onbekend": 0.60}

STALLED = {"Amsterdam": 16, "Den Haag": 14, "Rotterdam": 15, "Utrecht": 12}
STALLED_FEW = {"Arnhem": 2, "Eindhoven": 2, "Groningen": 2}


# --- small quota helpers ---------------------------------------------------------------------
def pool(rng: Rng, counts: dict[object, int]) -> np.ndarray:
    """Exactly counts[v] copies of every v, shuffled."""
    values = [v for v, n in counts.items() for _ in range(n)]
    arr = np.array(values, dtype=object)
    rng.shuffle(arr)
    return arr


def pick(rng: Rng, candidates: np.ndarray, weights: np.ndarray, k: int) -> np.ndarray:
    """k of the candidate indices without replacement, with probability rising with weight."""
    if k == 0:
        return np.array([], dtype=int)
    w = np.asarray(weights, dtype=float)
    if len(candidates) < k or (w > 0).sum() < k:
        raise SystemExit(f"cannot pick {k} of {len(candidates)} candidates")
    keys = np.where(w > 0, rng.random(len(w)) ** (1.0 / np.maximum(w, 1e-12)), -1.0)
    return np.asarray(candidates)[np.argsort(-keys)[:k]]


def pick_stratified(
    rng: Rng, candidates: np.ndarray, weights: np.ndarray, k: int, strata: np.ndarray
) -> np.ndarray:
    """Like pick, but each stratum gets its expected share (largest remainder) of the k.

    Strata are the steunpunten: outcomes then differ between them only through the clients they
    serve (the weights), which is what an intervening-factor analysis should find.
    """
    w = np.asarray(weights, dtype=float)
    labels = sorted(set(strata.tolist()))
    if k == 0 or w.sum() == 0:
        return pick(rng, candidates, w, k)
    exact = np.array([k * w[strata == lab].sum() / w.sum() for lab in labels])
    alloc = np.floor(exact).astype(int)
    for j in np.argsort(-(exact - alloc))[: k - alloc.sum()]:
        alloc[j] += 1
    out = [
        pick(rng, candidates[strata == lab], w[strata == lab], int(a))
        for lab, a in zip(labels, alloc, strict=True)
    ]
    return np.concatenate(out)


def allocate(
    sizes: dict[str, int],
    total: int,
    lo: int,
    hi: int,
    lo_sp: str,
    hi_sp: str,
    propensity: dict[str, float],
    rng: Rng,
) -> dict[str, int]:
    """Per-steunpunt counts summing to total with shares in [lo%, hi%], the extremes at lo_sp/hi_sp."""
    counts: dict[str, int] = {}
    for sp, pct in ((lo_sp, lo), (hi_sp, hi)):
        c = round(pct * sizes[sp] / 100)
        assert round(100 * c / sizes[sp]) == pct, (sp, pct, c)
        counts[sp] = c
    others = [s for s in sizes if s not in counts]
    span = hi - lo
    for s in others:
        share = lo + span * (0.15 + 0.7 * propensity.get(s, 0.5))
        counts[s] = round(share * sizes[s] / 100)

    def ok(s: str, c: int) -> bool:
        return lo + 0.6 <= 100 * c / sizes[s] <= hi - 0.6

    for s in others:
        while not ok(s, counts[s]):
            counts[s] += 1 if 100 * counts[s] / sizes[s] < lo + 0.6 else -1
    while (diff := total - sum(counts.values())) != 0:
        step = 1 if diff > 0 else -1
        s = str(rng.choice(others))
        if ok(s, counts[s] + step):
            counts[s] += step
    return counts


# --- the generator ----------------------------------------------------------------------------
def generate(feiten: dict) -> pd.DataFrame:
    rng = np.random.default_rng(SEED)
    sps: dict[str, dict] = feiten["steunpunten"]
    sizes = {s: int(v["clients"]) for s, v in sps.items()}
    n = sum(sizes.values())
    sp = np.array([s for s, k in sizes.items() for _ in range(k)], dtype=object)
    idx_by_sp = {s: np.flatnonzero(sp == s) for s in sizes}
    df = pd.DataFrame({"client_id": [f"P{i + 1:04d}" for i in range(n)], "steunpunt": sp})

    known = np.ones(n, dtype=bool)
    known[rng.choice(n, 18, replace=False)] = False

    woman = np.zeros(n, dtype=bool)
    woman[rng.choice(n, 191, replace=False)] = True
    kids = np.zeros(n, dtype=bool)
    kids[rng.choice(np.flatnonzero(woman), 105, replace=False)] = True
    kids[rng.choice(np.flatnonzero(~woman), 65, replace=False)] = True

    # health: steunpunten with a mandatory huiskamer see many more psychiatric clients (near the
    # 44% maximum), the others far fewer
    psych_prop = {
        s: (1.25 if v["huiskamer_bezoek"] == "verplicht" else 0.1) + 0.1 * rng.random()
        for s, v in sps.items()
    }
    soma_prop = {s: rng.random() for s in sps}
    psych_n = allocate(sizes, 183, 3, 44, "Enschede", "Den Haag", psych_prop, rng)
    soma_n = allocate(sizes, 139, 5, 45, "Maastricht", "Deventer", soma_prop, rng)
    psych = np.zeros(n, dtype=bool)
    soma = np.zeros(n, dtype=bool)
    for s, rows in idx_by_sp.items():
        psych[rng.choice(rows, psych_n[s], replace=False)] = True
        soma[rng.choice(rows, soma_n[s], replace=False)] = True

    # country of origin: Angola and Sierra Leone per steunpunt within the reported ranges
    ang_n = allocate(sizes, 161, 15, 31, "Maastricht", "Utrecht", {}, rng)
    sl_n = allocate(sizes, 132, 12, 34, "Groningen", "Arnhem", {}, rng)
    land = np.empty(n, dtype=object)
    for s, rows in idx_by_sp.items():
        chosen = rng.permutation(rows)
        land[chosen[: ang_n[s]]] = "Angola"
        land[chosen[ang_n[s] : ang_n[s] + sl_n[s]]] = "Sierra Leone"
    rest = {k: v for k, v in {**AFRICA, **ASIA}.items() if k not in ("Angola", "Sierra Leone")}
    land[land == None] = pool(rng, rest)  # noqa: E711
    werelddeel = np.where(np.isin(land, list(ASIA)), "azie", "afrika")

    # trajectory: steunpunten that do not start from the legal perspective (the confrontatie
    # steunpunten among them) steer more clients towards return
    jur = np.array([bool(sps[s]["juridisch_perspectief_eerst"]) for s in sp])
    traject = np.full(n, "verblijf", dtype=object)
    w = np.where(jur, 1.0, 4.5)
    free = np.arange(n)
    chosen = pick(rng, free, w, TRAJECT["terugkeer"])
    traject[chosen] = "terugkeer"
    for name, wfun in (
        ("buiten_schuld", lambda f: known[f].astype(float)),
        ("tweesporen", lambda f: np.ones(len(f))),
        ("anders", lambda f: np.ones(len(f))),
    ):
        free = np.flatnonzero(traject == "verblijf")
        traject[pick(rng, free, wfun(free), TRAJECT[name])] = name

    # asylum background (715): counts by quota
    kn = np.flatnonzero(known)
    asiel = np.full(n, np.nan)
    asiel[kn] = pool(rng, {1: 500, 2: 120, 3: 60, 4: 25, 5: 10})
    beroepen = np.full(n, np.nan)
    beroepen[kn] = pool(rng, {0: 43, 1: 222, 2: 119, 3: 141, 4: 100, 5: 50, 6: 25, 7: 15})
    beroep_ac = np.full(n, np.nan)
    beroep_ac[kn] = pool(rng, {0: 622, 1: 72, 2: 16, 3: 5})
    vk = np.full(n, np.nan)
    vk[kn] = pool(rng, {1: 72, 0: 643})
    regulier = np.full(n, np.nan)
    # by rank: the lowest scores get the fewest applications, so the quota stays exact
    reg_pool = pool(rng, {0: 29, 1: 107, 2: 233, 3: 180, 4: 100, 5: 50, 6: 16}).astype(float)
    var, value = FEW_APPLICATIONS
    shift = np.where([sps[s][var] == value for s in sp], FEW_APPLICATIONS_SHIFT, 0.0)
    score = shift[kn] + rng.normal(0.0, 1.0, len(kn))
    regulier[kn[np.argsort(score, kind="stable")]] = np.sort(reg_pool)
    vbm = np.full(n, np.nan)
    vbm[kn] = pool(rng, {0: 343, 1: 265, 2: 70, 3: 25, 4: 12})

    # outcomes, trajectory by trajectory and within it steunpunt by steunpunt; permits rise with
    # regular applications, psychiatric clients seldom return or leave MOB
    uitkomst = np.full(n, "in_begeleiding", dtype=object)
    reg_w = np.where(
        np.isnan(regulier),
        1.0,
        np.array(PERMIT_WEIGHT_BY_APPLICATIONS)[np.nan_to_num(regulier).astype(int)],
    )
    tnames = list(TRAJECT)
    for j, t in enumerate(tnames):
        for outcome in ("terugkeer", "mob", "verblijfsvergunning", "doormigratie", "anders"):
            k = OUTCOME_BY_TRAJECT[outcome][j]
            free = np.flatnonzero((traject == t) & (uitkomst == "in_begeleiding"))
            if outcome == "terugkeer":
                wt = np.where(psych[free], PSYCH_RETURN_WEIGHT, 1.0)
            elif outcome == "mob":
                wt = np.where(psych[free], PSYCH_MOB_WEIGHT, 1.0)
            elif outcome == "verblijfsvergunning":
                wt = reg_w[free]
            else:
                wt = np.ones(len(free))
            uitkomst[pick_stratified(rng, free, wt, k, sp[free])] = outcome
    stay = uitkomst == "in_begeleiding"

    # awaiting a decision on a permit application: 85 of those still in guidance
    wacht = np.zeros(n, dtype=bool)
    tw = {"verblijf": 1.0, "buiten_schuld": 1.0, "tweesporen": 0.8, "terugkeer": 0.03}
    wt = np.array([tw.get(t, 0.2) for t in traject]) * np.where(regulier == 0, 0.0, 1.0)
    cand = np.flatnonzero(stay)
    wacht[pick(rng, cand, wt[cand], 85)] = True

    # stalled files: still in guidance, not waiting, at the 'veel' and 'weinig' steunpunten
    stalled = np.zeros(n, dtype=bool)
    for s, k in {**STALLED, **STALLED_FEW}.items():
        cand = np.flatnonzero((sp == s) & stay & ~wacht)
        stalled[rng.choice(cand, k, replace=False)] = True

    # duration of guidance; new steunpunten only have clients from the start of the experiment
    new = np.array([bool(sps[s]["nieuw_opgezet"]) for s in sp])
    klasse = np.full(n, -1)
    for outcome, counts in LEAVER_CLASSES.items():
        rows = np.flatnonzero(uitkomst == outcome)
        rows = rows[np.argsort(new[rows], kind="stable")]  # old steunpunten first for class 2
        c3 = pick(rng, rows, np.where(new[rows], 0.0, 1.0), counts[2])
        klasse[c3] = 2
        left = np.setdiff1d(rows, c3)
        c1 = rng.choice(left, counts[0], replace=False)
        klasse[c1] = 0
        klasse[np.setdiff1d(left, c1)] = 1
    st = np.flatnonzero(stalled)
    st_long = pick(rng, st, np.ones(len(st)), round(0.6 * len(st)))
    klasse[st_long] = 2
    klasse[np.setdiff1d(st, st_long)] = 1
    rest_stay = np.flatnonzero(stay & ~stalled)
    need = [
        STAYER_CLASSES[0],
        STAYER_CLASSES[1] - (len(st) - len(st_long)),
        STAYER_CLASSES[2] - len(st_long),
    ]
    c3 = pick(rng, rest_stay, np.where(new[rest_stay], 0.0, 1.0), need[2])
    klasse[c3] = 2
    left = np.setdiff1d(rest_stay, c3)
    c1 = rng.choice(left, need[0], replace=False)
    klasse[c1] = 0
    klasse[np.setdiff1d(left, c1)] = 1

    months = np.zeros(n)
    months[klasse == 0] = rng.uniform(0.4, 5.9, (klasse == 0).sum())
    months[klasse == 1] = rng.uniform(6.1, 17.6, (klasse == 1).sum())
    st_mid = stalled & (klasse == 1)
    months[st_mid] = rng.uniform(12.3, 17.6, st_mid.sum())
    months[klasse == 2] = 18.2 + rng.gamma(2.0, 1.0, (klasse == 2).sum())
    for group, target, cap in ((~stay, LEAVER_MEAN_MONTHS, 41.0), (stay, STAYER_MEAN_MONTHS, 59.5)):
        long = group & (klasse == 2)
        base = months[group & (klasse != 2)].sum()
        excess = months[long] - 18.2
        k = 1.0
        for _ in range(50):  # stretch the long durations until the mean holds under the cap
            got = base + np.minimum(18.2 + k * excess, cap).sum()
            k *= (target * group.sum() - base - 18.2 * long.sum()) / (
                got - base - 18.2 * long.sum()
            )
        months[long] = np.minimum(18.2 + k * excess, cap)
    days = np.round(months * DAYS_PER_MONTH).astype(int)

    window = (MEETDATUM - START).days  # 547
    instroom = np.empty(n, dtype=object)
    uitstroom = np.empty(n, dtype=object)
    for i in range(n):
        if stay[i]:
            instroom[i] = MEETDATUM - timedelta(days=int(days[i]))
            uitstroom[i] = None
        else:
            first = days[i] if new[i] else 0  # leaving date offset from START
            first = min(first, window - 1)
            off = int(rng.integers(first, window))
            out = START + timedelta(days=off)
            uitstroom[i] = out
            instroom[i] = out - timedelta(days=int(days[i]))
    assert all(d >= EARLIEST_INTAKE for d in instroom), min(instroom)

    # who ended: per steunpunt its designated party is the largest of wederzijds/steunpunt/onbekend
    door = np.full(n, "", dtype=object)
    remaining = dict(ENDED_TOTALS)
    plan: dict[str, dict[str, int]] = {}
    n_left = {s: int((~stay[rows]).sum()) for s, rows in idx_by_sp.items()}
    for main, share in DESIGNATED_SHARE.items():
        group = [s for s, v in sps.items() if v["beeindiging"] == main]
        k_group = round(share * sum(n_left[s] for s in group))
        exact = {s: share * n_left[s] for s in group}
        k_sp = {s: int(np.floor(x)) for s, x in exact.items()}
        by_rest = sorted(group, key=lambda s: k_sp[s] - exact[s])
        for s in by_rest[: k_group - sum(k_sp.values())]:
            k_sp[s] += 1
        for s in group:
            plan[s] = {p: 0 for p in PARTIES}
            plan[s][main] = k_sp[s]
            remaining[main] -= k_sp[s]
    # spread the remaining endings over the other parties, never overtaking the designated one;
    # the capped parties first, each time at a steunpunt that still has room for them
    order = list(sps)
    for p in sorted(PARTIES, key=lambda p: (p not in DESIGNATED_SHARE, PARTIES.index(p))):
        while remaining[p] > 0:
            room = [
                s
                for s in order
                if sps[s]["beeindiging"] != p
                and sum(plan[s].values()) < n_left[s]
                and not (p in DESIGNATED_SHARE and plan[s][p] + 1 >= plan[s][sps[s]["beeindiging"]])
            ]
            if not room:
                raise SystemExit(f"no steunpunt has room for another ending by {p}")
            s = str(rng.choice(room))
            plan[s][p] += 1
            remaining[p] -= 1
    for s, rows in idx_by_sp.items():
        leavers = rows[~stay[rows]]
        assert sum(plan[s].values()) == len(leavers), (s, plan[s], len(leavers))
        # clients who end it themselves mostly leave MOB; permits and returns end by agreement
        parties = pool(rng, plan[s])
        ordered = sorted(
            leavers,
            key=lambda r: (0 if uitkomst[r] == "mob" else 1, rng.random()),
        )
        by_pref = sorted(parties, key=lambda p: 0 if p in ("client", "onbekend") else 1)
        for r, p in zip(ordered, by_pref, strict=True):
            door[r] = p

    # client contacts: an intake burst plus a steady rate; stalled files have little contact
    eff = np.maximum(months, 1.0)
    contacts = np.zeros(n)
    contacts[stalled] = np.round(months[stalled] * rng.uniform(0.3, 0.85, stalled.sum()))
    ns = ~stalled
    noise = rng.normal(0.0, 1.0, n)
    # solve a + b*m (plus noise) for mean contacts 35 and mean contacts per month 2.3
    tot_c = 35.0 * n - contacts[stalled].sum()
    tot_r = 2.3 * n - (contacts[stalled] / eff[stalled]).sum()
    m_ns, e_ns = months[ns], eff[ns]
    a_mat = np.array([[ns.sum(), m_ns.sum()], [(1 / e_ns).sum(), (m_ns / e_ns).sum()]])
    a, b = np.linalg.solve(a_mat, [tot_c, tot_r])
    raw = a + b * m_ns + 2.0 * noise[ns]
    contacts[ns] = np.maximum(np.round(raw), np.ceil(1.1 * m_ns) + 1)

    # buiten schuld: granted ones obtained a permit
    bs_aan = np.zeros(n, dtype=bool)
    bs_toe = np.zeros(n, dtype=bool)
    bs_traj = np.flatnonzero(traject == "buiten_schuld")
    bs_aan[bs_traj] = True
    bs_perm = bs_traj[uitkomst[bs_traj] == "verblijfsvergunning"]
    bs_toe[bs_perm] = True
    cand = np.flatnonzero(known & (traject == "verblijf") & (uitkomst == "verblijfsvergunning"))
    extra = rng.choice(cand, 12 - len(bs_perm), replace=False)
    bs_toe[extra] = True
    bs_aan[extra] = True
    cand = np.flatnonzero(known & ~bs_aan)
    bs_aan[rng.choice(cand, 73 - bs_aan.sum(), replace=False)] = True

    # VBM days: about 145 days in total on average over those who had one
    vbm_dagen = np.full(n, np.nan)
    has = known & (np.nan_to_num(vbm) > 0)
    vbm_dagen[known] = 0
    d = np.round(vbm[has] * rng.gamma(3.0, 30.0, has.sum()))
    d = np.maximum(d, 7)
    target = round(145 * has.sum())
    while (diff := int(target - d.sum())) != 0:
        j = int(rng.integers(len(d)))
        step = int(np.clip(diff, -5, 5))
        if d[j] + step >= 7:
            d[j] += step
    vbm_dagen[has] = d

    # registration year, age at registration and at intake (consistent with the intake date)
    intake_year = np.array([x.year for x in instroom])
    cap = np.array([sps[s].get("max_leeftijd_jaren") or 30 for s in sp])
    jaar = np.full(n, np.nan)
    others = {1997: 5, 1998: 10, 1999: 20, 2000: 40, 2003: 70, 2004: 60, 2005: 45, 2006: 26}
    others[2007] = 715 - 429 - sum(others.values())
    jaar[kn] = pool(rng, {2001: 215, 2002: 214, **others})
    reg_age = np.full(n, np.nan)
    ages = {12: 15, 13: 40, 14: 86, 15: 130, 16: 248, 17: 196}  # mean 15.6
    reg_age[kn] = pool(rng, ages)
    # women were registered a little younger: swap some pairs
    order_w = kn[woman[kn]]
    for r in order_w:
        if reg_age[r] >= 16 and rng.random() < 0.35:
            cand = kn[(~woman[kn]) & (reg_age[kn] <= reg_age[r] - 1)]
            j = int(rng.choice(cand))
            reg_age[r], reg_age[j] = reg_age[j], reg_age[r]
    leeftijd = np.zeros(n)
    years = intake_year - jaar
    leeftijd[kn] = reg_age[kn] + years[kn]
    # repair rows outside [18, cap] by swapping registration years with other rows
    for _ in range(200000):
        bad = kn[(leeftijd[kn] < 18) | (leeftijd[kn] > cap[kn])]
        if len(bad) == 0:
            break
        r = int(rng.choice(bad))
        j = int(rng.choice(kn))
        jr, jj = jaar[j], jaar[r]
        new_r = reg_age[r] + intake_year[r] - jr
        new_j = reg_age[j] + intake_year[j] - jj
        if 18 <= new_r <= cap[r] and 18 <= new_j <= cap[j]:
            jaar[r], jaar[j] = jr, jj
            leeftijd[r], leeftijd[j] = new_r, new_j
        elif rng.random() < 0.3:
            # or swap ages at registration
            nr = reg_age[j] + intake_year[r] - jaar[r]
            nj = reg_age[r] + intake_year[j] - jaar[j]
            if 18 <= nr <= cap[r] and 18 <= nj <= cap[j]:
                reg_age[r], reg_age[j] = reg_age[j], reg_age[r]
                leeftijd[r], leeftijd[j] = nr, nj
    unk = np.flatnonzero(~known)
    leeftijd[unk] = np.minimum(rng.integers(19, 25, len(unk)), cap[unk])
    # birthdays: +-1 year so the means by sex match (21.9 women, 22.6 men)
    for mask, target_sum in ((woman, round(21.9 * 191)), (~woman, round(22.6 * 542))):
        rows = np.flatnonzero(mask)
        shift = np.zeros(n)
        while (diff := int(target_sum - leeftijd[rows].sum())) != 0:
            step = 1 if diff > 0 else -1
            r = int(rng.choice(rows))
            new_age = leeftijd[r] + step
            if abs(shift[r] + step) <= 1 and 18 <= new_age <= cap[r]:
                leeftijd[r] = new_age
                shift[r] += step

    def opt(a: np.ndarray) -> pd.arrays.IntegerArray:
        return pd.array([None if np.isnan(x) else int(x) for x in a], dtype="Int64")

    def opt_bool(a: np.ndarray) -> list[object]:
        return [None if not k else bool(x) for x, k in zip(a, known, strict=True)]

    df["geslacht"] = np.where(woman, "v", "m")
    df["leeftijd_instroom"] = leeftijd.astype(int)
    df["herkomstland"] = land
    df["werelddeel"] = werelddeel
    df["kinderen_nl"] = kids
    df["somatisch"] = soma
    df["psychiatrisch"] = psych
    df["asielachtergrond_bekend"] = known
    df["jaar_eerste_registratie"] = opt(jaar)
    df["leeftijd_eerste_registratie"] = opt(reg_age)
    df["asielaanvragen"] = opt(asiel)
    df["beroepen"] = opt(beroepen)
    df["beroep_ac"] = opt(beroep_ac)
    df["vreemdelingenkamer"] = opt_bool(vk == 1)
    df["reguliere_aanvragen"] = opt(regulier)
    df["buiten_schuld_aanvraag"] = opt_bool(bs_aan)
    df["buiten_schuld_toegewezen"] = opt_bool(bs_toe)
    df["vbm_aantal"] = opt(vbm)
    df["vbm_dagen"] = opt(vbm_dagen)
    df["traject"] = traject
    df["datum_instroom"] = [d.isoformat() for d in instroom]
    df["datum_uitstroom"] = [d.isoformat() if d else None for d in uitstroom]
    df["uitkomst"] = uitkomst
    df["wacht_op_beslissing"] = wacht
    df["beeindigd_door"] = [p or None for p in door]
    df["contacten"] = contacts.astype(int)
    return df


def to_csv(df: pd.DataFrame) -> str:
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or out[col].dtype == bool:
            out[col] = out[col].map(
                lambda v: "" if v is None else "true" if v is True else "false" if v is False else v
            )
    return str(out.to_csv(index=False, lineterminator="\n", na_rep=""))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", default=str(ROOT))
    parser.add_argument("--check", action="store_true", help="only compare with the file")
    args = parser.parse_args(argv)
    root = Path(args.project)
    feiten = yaml.safe_load((root / "interviews" / "feiten.yaml").read_text(encoding="utf-8"))
    text = to_csv(generate(feiten))
    target = root / "variables" / "registraties.csv"
    if args.check:
        same = target.exists() and target.read_text(encoding="utf-8") == text
        print("up to date" if same else "differs", file=sys.stderr)
        return 0 if same else 1
    atomic_write_text(target, text)
    print(f"wrote {target}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
