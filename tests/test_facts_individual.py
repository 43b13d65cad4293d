"""Every individual-level figure of facts.md, computed from variables/registraties.csv with the
descriptives functions codeer itself uses. Counts are exact; percentages and means within 1 point;
ages and months within 0.2."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from codeer.descriptives import crosstab, frequencies, group_range, share, summarize
from codeer.join import derive_columns
from codeer.registrations import load_dictionary, read_registrations

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def df() -> pd.DataFrame:
    d = load_dictionary(REPO / "variables" / "registraties.yaml")
    return derive_columns(read_registrations(REPO / "variables" / "registraties.csv", d), d)


@pytest.fixture(scope="module")
def known(df: pd.DataFrame) -> pd.DataFrame:
    return df[df["asielachtergrond_bekend"].astype(bool)]


@pytest.fixture(scope="module")
def feiten() -> dict:
    return yaml.safe_load((REPO / "interviews" / "feiten.yaml").read_text(encoding="utf-8"))


def pct(x: float) -> float:
    return 100.0 * x


def close(value: float, target: float, tol: float = 1.0) -> bool:
    return abs(value - target) <= tol


# --- counts --------------------------------------------------------------------------------------
def test_sizes(df: pd.DataFrame, known: pd.DataFrame, feiten: dict) -> None:
    assert len(df) == 733
    assert len(known) == 715
    assert df["client_id"].is_unique
    per_sp = df["steunpunt"].value_counts().to_dict()
    assert per_sp == {s: v["clients"] for s, v in feiten["steunpunten"].items()}


def test_outcomes_exact(df: pd.DataFrame) -> None:
    f = frequencies(df["uitkomst"])
    assert f["n"].to_dict() == {
        "in_begeleiding": 473,
        "verblijfsvergunning": 107,
        "terugkeer": 21,
        "mob": 87,
        "doormigratie": 10,
        "anders": 35,
    }
    for code, target in [("in_begeleiding", 65), ("verblijfsvergunning", 15), ("terugkeer", 3),
                         ("mob", 12), ("doormigratie", 1), ("anders", 5)]:  # fmt: skip
        assert close(f.loc[code, "pct"], target), code
    assert int(df["uitgestroomd"].sum()) == 260
    assert close(pct(share(df["uitgestroomd"], 1)), 35)


def test_awaiting_decision(df: pd.DataFrame) -> None:
    stay = df[df["uitkomst"] == "in_begeleiding"]
    assert int(stay["wacht_op_beslissing"].sum()) == 85
    assert int(df["wacht_op_beslissing"].sum()) == 85
    assert close(pct(share(stay["wacht_op_beslissing"], True)), 18)


def test_who_ended(df: pd.DataFrame) -> None:
    left = df[df["uitgestroomd"] == 1]
    f = frequencies(left["beeindigd_door"])
    assert int(f["n"].sum()) == 260
    for party, target in [("steunpunt", 35), ("gemeente", 3), ("wederzijds", 29), ("client", 10),
                          ("onbekend", 25)]:  # fmt: skip
        assert close(f.loc[party, "pct"], target), party
    assert df.loc[df["uitgestroomd"] == 0, "beeindigd_door"].isna().all()


# --- demographics --------------------------------------------------------------------------------
def test_sex_and_age(df: pd.DataFrame) -> None:
    assert close(pct(share(df["geslacht"], "v")), 26)
    assert close(summarize(df["leeftijd_instroom"]).mean, 22.4, 0.2)
    by_sex = df.groupby("geslacht", observed=True)["leeftijd_instroom"]
    means = {k: summarize(v).mean for k, v in by_sex}
    assert close(means["v"], 21.9, 0.2)
    assert close(means["m"], 22.6, 0.2)
    assert means["v"] < means["m"]


def test_origin(df: pd.DataFrame) -> None:
    four = ["Angola", "Sierra Leone", "Guinee", "China"]
    assert close(pct(share(df["herkomstland"], lambda s: s.isin(four))), 56)
    assert close(pct(share(df["werelddeel"], "afrika")), 80)
    assert close(pct(share(df["werelddeel"], "azie")), 20)


@pytest.mark.parametrize(
    ("column", "value", "lo", "hi"),
    [
        ("herkomstland", "Angola", 15, 31),
        ("herkomstland", "Sierra Leone", 12, 34),
        ("somatisch", True, 5, 45),
        ("psychiatrisch", True, 3, 44),
    ],
)
def test_per_steunpunt_ranges(
    df: pd.DataFrame, column: str, value: object, lo: int, hi: int
) -> None:
    r = group_range(df, column, value)
    assert close(pct(r.min), lo), (r.min_group, r.min)
    assert close(pct(r.max), hi), (r.max_group, r.max)
    assert ((r.shares >= r.min) & (r.shares <= r.max)).all()


def test_children_health(df: pd.DataFrame) -> None:
    ct = crosstab(df, "geslacht", "kinderen_nl")
    assert close(ct.row_pct.loc["v", True], 55)
    assert close(ct.row_pct.loc["m", True], 12)
    assert close(pct(share(df["somatisch"], True)), 19)
    assert close(pct(share(df["psychiatrisch"], True)), 25)


# --- asylum background (n = 715) -----------------------------------------------------------------
def test_asylum_background_empty_when_unknown(df: pd.DataFrame) -> None:
    unknown = df[~df["asielachtergrond_bekend"].astype(bool)]
    assert len(unknown) == 18
    for col in ("jaar_eerste_registratie", "beroepen", "reguliere_aanvragen", "vbm_dagen"):
        assert unknown[col].isna().all()


def test_registration_history(known: pd.DataFrame) -> None:
    assert close(pct(share(known["jaar_eerste_registratie"], lambda s: s.isin([2001, 2002]))), 60)
    years = summarize(known["jaren_in_nl_bij_instroom"]).mean
    assert 6.5 <= years < 7.0  # "almost 7"
    assert close(summarize(known["leeftijd_eerste_registratie"]).mean, 15.6, 0.2)


def test_procedures(known: pd.DataFrame) -> None:
    asiel = known["asielaanvragen"]
    assert close(pct(share(asiel, 1)), 70)
    assert close(pct(share(asiel, lambda s: s.between(2, 5))), 30)
    beroepen = known["beroepen"]
    assert close(pct(share(beroepen, lambda s: s >= 1)), 94)
    assert close(pct(share(beroepen, lambda s: s >= 2)), 63)
    assert close(summarize(beroepen).mean, 2.5, 0.1)
    ac = known["beroep_ac"]
    assert close(pct(share(ac, lambda s: s >= 1)), 13)
    assert close(pct(share(ac, lambda s: s >= 2)), 3)
    assert int(known["vreemdelingenkamer"].sum()) == 72
    assert close(pct(share(known["vreemdelingenkamer"], True)), 10)
    regulier = known["reguliere_aanvragen"]
    assert close(pct(share(regulier, lambda s: s >= 1)), 96)
    assert close(summarize(regulier).mean, 2.6, 0.1)


def test_buiten_schuld_and_vbm(known: pd.DataFrame) -> None:
    asked = known["buiten_schuld_aanvraag"].astype(bool)
    assert int(asked.sum()) == 73
    assert close(pct(share(known["buiten_schuld_aanvraag"], True)), 10)
    granted = known["buiten_schuld_toegewezen"].astype(bool)
    assert int(granted.sum()) == 12
    assert not (granted & ~asked).any()
    assert close(pct(12 / 73), 16)
    vbm = known["vbm_aantal"]
    assert close(pct(share(vbm, 1)), 37)
    assert close(pct(share(vbm, lambda s: s >= 2)), 15)
    had = known[known["vbm_aantal"] > 0]
    assert close(summarize(had["vbm_dagen"]).mean, 145)


# --- guidance ------------------------------------------------------------------------------------
def test_trajectory(df: pd.DataFrame) -> None:
    t = df["traject"]
    assert close(pct(share(t, lambda s: s.isin(["verblijf", "buiten_schuld"]))), 60)
    assert close(pct(share(t, "buiten_schuld")), 1)
    assert close(pct(share(t, "terugkeer")), 29)
    assert close(pct(share(t, "tweesporen")), 4)


def test_duration_and_contacts(df: pd.DataFrame) -> None:
    by_left = {
        k: summarize(v).mean for k, v in df.groupby("uitgestroomd")["begeleidingsduur_maanden"]
    }
    assert close(by_left[1], 17, 0.2)
    assert close(by_left[0], 19, 0.2)
    assert close(summarize(df["contacten"]).mean, 35)
    assert close(summarize(df["contacten_per_maand"]).mean, 2.3, 0.1)


def test_dates_within_experiment(df: pd.DataFrame) -> None:
    left = df[df["uitgestroomd"] == 1]
    assert (left["datum_uitstroom"] >= pd.Timestamp("2009-10-01")).all()
    assert (left["datum_uitstroom"] <= pd.Timestamp("2011-04-01")).all()
    assert (df["datum_instroom"] <= df["datum_uitstroom"].fillna(pd.Timestamp("2011-04-01"))).all()


# --- associations --------------------------------------------------------------------------------
def test_trajectory_drives_permit_and_return(df: pd.DataFrame) -> None:
    aimed = df["traject"].isin(["verblijf", "buiten_schuld"])
    assert close(pct(share(df.loc[aimed, "uitkomst"], "verblijfsvergunning")), 23)
    assert close(pct(share(df["uitkomst"], "verblijfsvergunning")), 15)
    ret = df["traject"] == "terugkeer"
    assert close(pct(share(df.loc[ret, "uitkomst"], "terugkeer")), 8)
    ct = crosstab(df, "traject", "uitkomst_verblijfsvergunning")
    assert ct.p < 1e-6


def test_duration_nonlinear_for_mob(df: pd.DataFrame) -> None:
    mob = df[df["uitkomst"] == "mob"]
    f = frequencies(mob["duur_klasse"])
    assert close(f.loc["<6", "pct"], 29)
    assert close(f.loc[">18", "pct"], 37)
    ct = crosstab(df, "duur_klasse", "uitkomst")
    left_rate = 100 - ct.row_pct["in_begeleiding"]
    mob_rate = ct.row_pct["mob"]
    # least outflow and least MOB between 6 and 18 months
    assert left_rate.idxmin() == "6-18"
    assert mob_rate.idxmin() == "6-18"
    assert crosstab(df, "duur_klasse", "uitkomst_mob").p < 1e-4
    assert crosstab(df, "duur_klasse", "uitkomst_in_begeleiding").p < 1e-10


def test_duration_is_strongest_for_mob_and_in_guidance(df: pd.DataFrame) -> None:
    for outcome in ("uitkomst_mob", "uitkomst_in_begeleiding"):
        p = {x: crosstab(df, x, outcome).p for x in ("duur_klasse", "traject", "psychiatrisch",
                                                      "geslacht", "werelddeel")}  # fmt: skip
        assert min(p, key=lambda k: p[k]) == "duur_klasse", (outcome, p)
    for outcome in ("uitkomst_verblijfsvergunning", "uitkomst_terugkeer"):
        p = {x: crosstab(df, x, outcome).p for x in ("duur_klasse", "traject", "psychiatrisch")}
        assert min(p, key=lambda k: p[k]) == "traject", (outcome, p)


def test_permit_rises_with_regular_applications(known: pd.DataFrame) -> None:
    rate = known.groupby("reguliere_aanvragen")["uitkomst_verblijfsvergunning"].mean()
    assert (rate.diff().dropna() > 0).all(), rate.to_dict()


def test_psychiatric_seldom_return_or_mob(df: pd.DataFrame) -> None:
    ct = crosstab(df, "psychiatrisch", "uitkomst")
    assert ct.row_pct.loc[True, "terugkeer"] < 0.5 * ct.row_pct.loc[False, "terugkeer"]
    assert ct.row_pct.loc[True, "mob"] < 0.5 * ct.row_pct.loc[False, "mob"]
    assert crosstab(df, "psychiatrisch", "uitkomst_mob").p < 0.01


def test_steunpunt_characteristics_act_through_client_mix(df: pd.DataFrame, feiten: dict) -> None:
    """Steunpunten that do not start from the legal perspective steer to return: fewer permits
    and more returns overall, but within a trajectory the difference (mostly) disappears."""
    sp = feiten["steunpunten"]
    jur = df["steunpunt"].map({s: v["juridisch_perspectief_eerst"] for s, v in sp.items()})
    mix = (df["traject"] == "terugkeer").groupby(jur).mean()
    assert mix[False] > 1.4 * mix[True]
    overall = df.groupby(jur)["uitkomst_terugkeer"].mean()
    assert overall[False] > 1.5 * overall[True]
    within = df[df["traject"] == "terugkeer"].groupby(jur)["uitkomst_terugkeer"].mean()
    assert abs(within[False] - within[True]) < 0.04
    hk = df["steunpunt"].map({s: v["huiskamer_bezoek"] for s, v in sp.items()})
    assert (
        df[hk == "verplicht"]["psychiatrisch"].mean()
        > df[hk != "verplicht"]["psychiatrisch"].mean()
    )


def test_generator_is_deterministic() -> None:
    import subprocess
    import sys

    res = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "make_registraties.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert res.returncode == 0, res.stderr
