"""Join, derived columns and steunpunt aggregates; the `codeer join` command."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from codeer.aggregates import ending_type, stalled_class, steunpunt_aggregates
from codeer.cli import main
from codeer.errors import DataError, ExitCode
from codeer.join import attach_steunpunt_variables, derive_columns, join, read_table
from codeer.registrations import RegistrationDictionary, load_dictionary, read_registrations

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def d() -> RegistrationDictionary:
    return load_dictionary(REPO / "variables" / "registraties.yaml")


@pytest.fixture(scope="module")
def reg(d: RegistrationDictionary) -> pd.DataFrame:
    return read_registrations(REPO / "variables" / "registraties.csv", d)


@pytest.fixture(scope="module")
def feiten() -> dict:
    return yaml.safe_load((REPO / "interviews" / "feiten.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def stand_in(feiten: dict) -> pd.DataFrame:
    """A small steunpunt table shaped like derive_variables().table."""
    sp = feiten["steunpunten"]
    return pd.DataFrame(
        {
            "steunpunt": list(sp),
            "huiskamer": pd.array([v["huiskamer"] for v in sp.values()], dtype="boolean"),
            "werkwijze": [v["werkwijze"] for v in sp.values()],
            "betaalde_medewerkers": pd.array(
                [v["betaalde_medewerkers"] for v in sp.values()], dtype="Int64"
            ),
        }
    )


# --- derived columns on a hand-made example ------------------------------------------------------
def hand_rows(d: RegistrationDictionary) -> pd.DataFrame:
    """Three clients: left after 3 months; in guidance 24 months, stalled; in guidance 24 months,
    awaiting a decision (so not stalled)."""
    return pd.DataFrame(
        {
            "steunpunt": ["A", "A", "B"],
            "datum_instroom": pd.to_datetime(["2010-01-01", "2009-04-01", "2009-04-01"]),
            "datum_uitstroom": pd.to_datetime(["2010-04-01", None, None]),
            "uitkomst": pd.Categorical(
                ["mob", "in_begeleiding", "in_begeleiding"],
                categories=list(d.columns["uitkomst"].values or {}),
            ),
            "wacht_op_beslissing": pd.array([False, False, True], dtype="boolean"),
            "contacten": pd.array([10, 12, 12], dtype="Int64"),
            "jaar_eerste_registratie": pd.array([2002, 2001, None], dtype="Int64"),
        }
    )


def test_derive_columns_by_hand(d: RegistrationDictionary) -> None:
    out = derive_columns(hand_rows(d), d)
    # 2010-01-01 -> 2010-04-01 is 90 days = 2.96 months; 2009-04-01 -> 2011-04-01 is 730 days
    assert out["begeleidingsduur_maanden"].tolist() == [2.96, 23.98, 23.98]
    assert out["duur_klasse"].astype(str).tolist() == ["<6", ">18", ">18"]
    assert out["uitgestroomd"].tolist() == [1, 0, 0]
    assert out["uitkomst_mob"].tolist() == [1, 0, 0]
    assert out["uitkomst_in_begeleiding"].tolist() == [0, 1, 1]
    assert out["uitkomst_verblijfsvergunning"].tolist() == [0, 0, 0]
    # 12 contacts in 24 months is 0.5 a month: stalled unless awaiting a decision
    assert out["vastlopend"].tolist() == [0, 1, 0]
    assert np.allclose(out["contacten_per_maand"], [10 / (90 / 30.4375), 0.5, 0.5], atol=1e-3)
    assert out["jaren_in_nl_bij_instroom"].tolist()[:2] == [8, 8]
    assert pd.isna(out["jaren_in_nl_bij_instroom"].iloc[2])


def test_duration_class_boundaries(d: RegistrationDictionary) -> None:
    rows = hand_rows(d).iloc[[1, 1, 1, 1]].reset_index(drop=True)
    md = pd.Timestamp("2011-04-01")
    # 182 days = 5.98 months, 183 = 6.01, 547 = 17.97, 549 = 18.04
    rows["datum_instroom"] = [md - pd.Timedelta(days=n) for n in (182, 183, 547, 549)]
    out = derive_columns(rows, d)
    assert out["duur_klasse"].astype(str).tolist() == ["<6", "6-18", "6-18", ">18"]


# --- attaching steunpunt variables ---------------------------------------------------------------
def test_attach_keeps_rows_and_order(reg: pd.DataFrame, stand_in: pd.DataFrame) -> None:
    out = attach_steunpunt_variables(reg, stand_in)
    assert len(out) == len(reg)
    assert out["client_id"].tolist() == reg["client_id"].tolist()
    amsterdam = out[out["steunpunt"] == "Amsterdam"]
    assert (amsterdam["werkwijze"] == "confrontatie").all()


def test_unknown_steunpunt_is_an_error(reg: pd.DataFrame, stand_in: pd.DataFrame) -> None:
    bad = reg.copy()
    bad["steunpunt"] = bad["steunpunt"].astype(object)
    bad.loc[[3, 9], "steunpunt"] = "Amsterdm"
    with pytest.raises(DataError) as info:
        attach_steunpunt_variables(bad, stand_in, source=Path("reg.csv"))
    msg = info.value.message
    assert "2 registration(s)" in msg and "Amsterdm" in msg and "lines 5, 11" in msg
    assert info.value.exit_code == ExitCode.PROBLEMS


def test_duplicate_steunpunt_in_table(reg: pd.DataFrame, stand_in: pd.DataFrame) -> None:
    with pytest.raises(DataError, match="twice"):
        attach_steunpunt_variables(reg, pd.concat([stand_in, stand_in.head(1)]))


def test_name_clash_gets_a_suffix(reg: pd.DataFrame, stand_in: pd.DataFrame) -> None:
    clash = stand_in.assign(traject="x")
    out = attach_steunpunt_variables(reg, clash)
    assert "traject_steunpunt" in out and out["traject"].equals(reg["traject"])


def test_join_result(reg: pd.DataFrame, stand_in: pd.DataFrame, d: RegistrationDictionary) -> None:
    res = join(reg, stand_in, d, variable_labels={"werkwijze": "Werkwijze"})
    assert len(res.individual) == 733
    assert len(res.steunpunten) == 20
    assert res.steunpunten["n_clienten"].sum() == 733
    assert res.variable_labels["werkwijze"] == "Werkwijze"
    assert res.value_labels["uitkomst_mob"] == {0: "nee", 1: "ja"}
    assert "aandeel_psychiatrisch" in res.variable_labels


def test_steunpunt_without_clients(
    reg: pd.DataFrame, stand_in: pd.DataFrame, d: RegistrationDictionary
) -> None:
    extra = pd.concat([stand_in, pd.DataFrame({"steunpunt": ["Leeg"]})], ignore_index=True)
    res = join(reg, extra, d)
    row = res.steunpunten.set_index("steunpunt").loc["Leeg"]
    assert row["n_clienten"] == 0 and pd.isna(row["aandeel_psychiatrisch"])


# --- aggregates ----------------------------------------------------------------------------------
def test_ending_type_rule() -> None:
    shares = pd.DataFrame(
        {
            "aandeel_beeindigd_wederzijds": [0.5, 0.2, 0.3, np.nan, 0.4],
            "aandeel_beeindigd_steunpunt": [0.3, 0.6, 0.3, np.nan, 0.4],
            "aandeel_beeindigd_onbekend": [0.2, 0.2, 0.4, np.nan, 0.2],
        }
    )
    assert ending_type(shares).tolist() == ["wederzijds", "steunpunt", "onbekend", None,
                                            "wederzijds"]  # fmt: skip


def test_stalled_class_rule() -> None:
    s = pd.Series([0.0, 0.05, 0.149, 0.15, 0.22, np.nan])
    assert stalled_class(s).tolist() == ["geen", "weinig", "weinig", "veel", "veel", None]


def test_aggregates_by_hand(d: RegistrationDictionary) -> None:
    rows = hand_rows(d).assign(
        beeindigd_door=pd.Categorical(["client", None, None], categories=["client", "wederzijds",
                                                                        "steunpunt", "onbekend"]),
        geslacht=["v", "m", "m"], leeftijd_instroom=[20, 22, 24],
        herkomstland=["Angola", "Angola", "China"],
        somatisch=pd.array([True, False, False], dtype="boolean"),
        psychiatrisch=pd.array([False, True, True], dtype="boolean"),
        traject=["verblijf", "terugkeer", "verblijf"],
    )  # fmt: skip
    g = steunpunt_aggregates(derive_columns(rows, d)).set_index("steunpunt")
    assert g.loc["A", "n_clienten"] == 2 and g.loc["B", "n_clienten"] == 1
    assert g.loc["A", "aandeel_uitkomst_mob"] == 0.5
    assert g.loc["A", "aandeel_beeindigd_client"] == 1.0
    assert g.loc["A", "aandeel_vastlopend"] == 0.5 and g.loc["A", "vastlopend_klasse"] == "veel"
    assert g.loc["B", "vastlopend_klasse"] == "geen"
    assert pd.isna(g.loc["B", "aandeel_beeindigd_client"])
    assert g.loc["A", "aandeel_angola"] == 1.0 and g.loc["B", "aandeel_angola"] == 0.0
    assert g.loc["A", "gem_leeftijd_instroom"] == 21.0


def test_patterns_match_the_fact_sheet(
    reg: pd.DataFrame, d: RegistrationDictionary, feiten: dict
) -> None:
    """7/6/7 ending types and 4/3/13 stalled-file classes, steunpunt by steunpunt."""
    g = steunpunt_aggregates(derive_columns(reg, d)).set_index("steunpunt")
    sp = feiten["steunpunten"]
    assert g["beeindiging"].to_dict() == {s: v["beeindiging"] for s, v in sp.items()}
    assert g["vastlopend_klasse"].to_dict() == {s: v["vastlopende_dossiers"] for s, v in sp.items()}
    assert g["beeindiging"].value_counts().to_dict() == {"wederzijds": 7, "onbekend": 7,
                                                         "steunpunt": 6}  # fmt: skip
    assert g["vastlopend_klasse"].value_counts().to_dict() == {"geen": 13, "veel": 4, "weinig": 3}


def test_group_shares_of_the_patterns(
    reg: pd.DataFrame, d: RegistrationDictionary, feiten: dict
) -> None:
    """About 52% mutual, 62% by the steunpunt, 60% unknown; about 22% and 5% stalled files."""
    df = derive_columns(reg, d)
    sp = feiten["steunpunten"]
    left = df[df["uitgestroomd"] == 1]
    for kind, target in (("wederzijds", 52), ("steunpunt", 62), ("onbekend", 60)):
        group = [s for s, v in sp.items() if v["beeindiging"] == kind]
        part = left[left["steunpunt"].isin(group)]
        assert abs(100 * (part["beeindigd_door"] == kind).mean() - target) <= 1, kind
    for kind, target in (("veel", 22), ("weinig", 5), ("geen", 0)):
        group = [s for s, v in sp.items() if v["vastlopende_dossiers"] == kind]
        share = 100 * df.loc[df["steunpunt"].isin(group), "vastlopend"].mean()
        assert abs(share - target) <= 1, kind


# --- the command ---------------------------------------------------------------------------------
@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    shutil.copytree(REPO / "codebooks", root / "codebooks")
    shutil.copytree(REPO / "interviews", root / "interviews")
    (root / "variables").mkdir()
    for name in ("registraties.csv", "registraties.yaml", "regels.yaml", "typologie.yaml"):
        if (REPO / "variables" / name).exists():
            shutil.copy(REPO / "variables" / name, root / "variables" / name)
    return root


def outputs(root: Path) -> list[str]:
    return sorted(p.name for p in (root / "variables").glob("*") if p.stem in ("individueel",
                                                                              "steunpunten"))  # fmt: skip


def test_cli_join_writes_both_tables(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["join", "--project", str(project), "--json"]) == ExitCode.OK
    data = json.loads(capsys.readouterr().out)
    assert data["rows"] == 733 and data["steunpunten"] == 20
    assert outputs(project) == ["individueel.csv", "steunpunten.csv"]
    d = load_dictionary(project / "variables" / "registraties.yaml")
    back = read_table(project / "variables" / "individueel.csv", d)
    assert len(back) == 733 and back["uitkomst_mob"].sum() == 87
    sp = read_table(project / "variables" / "steunpunten.csv", d)
    assert sp["n_clienten"].sum() == 733 and "werkwijze" in sp


def test_cli_join_sav(project: Path) -> None:
    import pyreadstat

    assert main(["join", "--project", str(project), "--format", "sav"]) == ExitCode.OK
    df, meta = pyreadstat.read_sav(str(project / "variables" / "individueel.sav"))
    assert len(df) == 733
    assert meta.column_names_to_labels["uitkomst"] == "Resultaat op de meetdatum"


def test_cli_bad_rows_write_nothing(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = project / "variables" / "registraties.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace(",m,", ",man,", 1).replace(",v,", ",vrouw,", 1)
    lines[2] = lines[2].replace("P0002", "P0001")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["join", "--project", str(project)]) == ExitCode.PROBLEMS
    err = capsys.readouterr().err
    assert "registraties.csv:2: geslacht=" in err
    assert "registraties.csv:3: client_id='P0001'" in err
    assert "Traceback" not in err
    assert outputs(project) == []


def test_cli_bad_rows_json(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = project / "variables" / "registraties.csv"
    text = path.read_text(encoding="utf-8").replace(",in_begeleiding,", ",in begeleiding,", 2)
    path.write_text(text, encoding="utf-8")
    assert main(["join", "--project", str(project), "--json"]) == ExitCode.PROBLEMS
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] is False and len(data["problems"]) == 2
    assert "did you mean 'in_begeleiding'" in data["problems"][0]["rule"]
    assert outputs(project) == []


def test_cli_unknown_steunpunt(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = project / "variables" / "registraties.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",Zwolle,", ",Zwole,"),
                    encoding="utf-8")  # fmt: skip
    assert main(["join", "--project", str(project)]) == ExitCode.PROBLEMS
    assert "Zwole" in capsys.readouterr().err
    assert outputs(project) == []


@pytest.mark.parametrize("kind", ["semicolon", "latin1", "empty", "missing_column"])
def test_cli_unreadable_input(project: Path, capsys: pytest.CaptureFixture[str], kind: str) -> None:
    path = project / "variables" / "registraties.csv"
    text = path.read_text(encoding="utf-8")
    if kind == "semicolon":
        path.write_text(text.replace(",", ";"), encoding="utf-8")
    elif kind == "latin1":
        path.write_bytes(text.encode("cp1252"))
    elif kind == "empty":
        path.write_text("", encoding="utf-8")
    else:
        path.write_text(text.replace("uitkomst,", "resultaat,", 1), encoding="utf-8")
    rc = main(["join", "--project", str(project)])
    assert rc != ExitCode.OK
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("codeer: ")
    assert outputs(project) == []


def test_cli_existing_outputs_survive_bad_input(project: Path) -> None:
    assert main(["join", "--project", str(project)]) == ExitCode.OK
    before = (project / "variables" / "individueel.csv").read_bytes()
    (project / "variables" / "registraties.csv").write_text("", encoding="utf-8")
    assert main(["join", "--project", str(project)]) != ExitCode.OK
    assert (project / "variables" / "individueel.csv").read_bytes() == before


def test_cli_registrations_from_xlsx(project: Path, d: RegistrationDictionary) -> None:
    raw = pd.read_csv(project / "variables" / "registraties.csv", dtype=str, keep_default_na=False)
    raw.to_excel(project / "reg.xlsx", index=False)
    rc = main(["join", "--project", str(project), "--registrations", str(project / "reg.xlsx")])
    assert rc == ExitCode.OK


def test_cli_unknown_coder(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["join", "--project", str(project), "--coder", "zz"]) == ExitCode.UNREADABLE
    assert "no codings by coder 'zz'" in capsys.readouterr().err
    assert outputs(project) == []
