"""Steunpunt-level aggregates computed from the individual registrations.

The study characterises steunpunten partly by their clients (share psychiatric, share from
Angola) and by what happened to them (outcome shares, who ended trajectories, stalled files).
These columns join the coded steunpunt variables in variables/steunpunten.*, so CHAID and the
intervening-factor analysis can use them at steunpunt level.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

# the three parties the study uses to type a steunpunt's endings, in tie-break order
ENDING_TYPES = ("wederzijds", "steunpunt", "onbekend")
STALLED_MANY = 0.15  # share of files from which a steunpunt has 'veel' stalled files

AGGREGATE_LABELS: dict[str, str] = {
    "n_clienten": "Aantal cliënten in de registraties",
    "n_uitgestroomd": "Aantal uitgestroomde cliënten",
    "beeindiging": "Door wie trajecten merendeels zijn beëindigd (registraties)",
    "aandeel_vrouw": "Aandeel vrouwen",
    "gem_leeftijd_instroom": "Gemiddelde leeftijd bij instroom",
    "aandeel_angola": "Aandeel cliënten uit Angola",
    "aandeel_sierra_leone": "Aandeel cliënten uit Sierra Leone",
    "aandeel_somatisch": "Aandeel met somatische klachten onder behandeling",
    "aandeel_psychiatrisch": "Aandeel met een psychiatrische diagnose",
    "aandeel_traject_verblijf": "Aandeel met een traject gericht op verblijf (incl. buiten schuld)",
    "aandeel_traject_terugkeer": "Aandeel met een traject gericht op terugkeer",
    "gem_begeleidingsduur": "Gemiddelde begeleidingsduur (maanden)",
    "gem_contacten": "Gemiddeld aantal cliëntcontacten",
    "aandeel_vastlopend": "Aandeel vastlopende dossiers",
    "vastlopend_klasse": "Vastlopende dossiers (registraties): veel, weinig of geen",
}
AGGREGATE_VALUE_LABELS: dict[str, dict[object, str]] = {
    "beeindiging": {
        "wederzijds": "merendeels in wederzijds overleg",
        "steunpunt": "merendeels door het steunpunt",
        "onbekend": "merendeels onbekend door wie",
    },
    "vastlopend_klasse": {
        "veel": f"veel (minstens {STALLED_MANY:.0%} van de dossiers)",
        "weinig": "weinig",
        "geen": "geen",
    },
}


def ending_type(shares: pd.DataFrame) -> pd.Series:
    """The party with the largest share among wederzijds/steunpunt/onbekend (first on a tie).

    Missing when the steunpunt ended no trajectory at all.
    """
    cols = [f"aandeel_beeindigd_{p}" for p in ENDING_TYPES]
    sub = shares[cols].astype(float)
    best = sub.fillna(-1.0).to_numpy().argmax(axis=1)
    import numpy as np

    out = np.array(ENDING_TYPES, dtype=object)[best]
    out[sub.isna().all(axis=1).to_numpy()] = None
    import pandas as pd

    return pd.Series(out, index=shares.index, dtype=object)


def stalled_class(share: pd.Series) -> pd.Series:
    """'geen' without stalled files, 'veel' from STALLED_MANY of the files, else 'weinig'."""
    import numpy as np
    import pandas as pd

    s = share.astype(float).to_numpy()
    out = np.where(s >= STALLED_MANY, "veel", np.where(s > 0, "weinig", "geen")).astype(object)
    out[np.isnan(s)] = None
    return pd.Series(out, index=share.index, dtype=object)


def group_codes(df: pd.DataFrame, group: str) -> tuple[np.ndarray, list[str]]:
    """Each row's group as a code into a list of names (categorical codes when available)."""
    import numpy as np
    import pandas as pd

    col = df[group]
    if isinstance(col.dtype, pd.CategoricalDtype):
        return np.asarray(col.cat.codes), [str(c) for c in col.cat.categories]
    codes, names = pd.factorize(col.astype(str), sort=True)
    return np.asarray(codes), [str(c) for c in names]


def _flag(values: Any) -> np.ndarray:
    """A 0/1, bool or nullable-bool column as a plain bool array (missing is False)."""
    import numpy as np
    import pandas as pd

    s = pd.Series(values)
    if s.dtype == object or isinstance(s.dtype, pd.BooleanDtype):
        return np.asarray(s.astype("boolean").fillna(False), dtype=bool)
    return np.asarray(s.fillna(0), dtype=bool) if s.hasnans else np.asarray(s, dtype=bool)


def steunpunt_aggregates(individual: pd.DataFrame, group: str = "steunpunt") -> pd.DataFrame:
    """One row per steunpunt; needs the derived columns of codeer.join.derive_columns.

    Shares are counted with numpy's bincount on the group codes: one pass per column, so a
    million registrations aggregate in well under a second.
    """
    import numpy as np
    import pandas as pd

    df = individual
    codes, names = group_codes(df, group)
    k = len(names)
    ok = codes >= 0
    c = codes[ok]

    def count(mask: np.ndarray) -> np.ndarray:
        return np.bincount(c, weights=mask[ok].astype(float), minlength=k)

    n = np.bincount(c, minlength=k).astype(float)

    def share(mask: np.ndarray, within: np.ndarray | None = None) -> np.ndarray:
        base = n if within is None else count(within)
        hits = count(mask if within is None else mask & within)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(base > 0, hits / base, np.nan)

    def mean(values: Any) -> np.ndarray:
        x = np.asarray(pd.Series(values).astype(float), dtype=float)
        present = ~np.isnan(x)
        tot = count(np.where(present, x, 0.0))  # weights carry the values
        cnt = count(present)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(cnt > 0, tot / cnt, np.nan)

    g = pd.DataFrame({group: names})
    g["n_clienten"] = n.astype("int64")
    left = _flag(df["uitgestroomd"])
    g["n_uitgestroomd"] = count(left).astype("int64")
    for col in [col for col in df.columns if str(col).startswith("uitkomst_")]:
        g[f"aandeel_{col}"] = share(_flag(df[col]))
    door = df["beeindigd_door"]
    parties = list(door.cat.categories) if hasattr(door, "cat") else sorted(door.dropna().unique())
    door_text = np.asarray(door.astype(object))
    for p in parties:
        g[f"aandeel_beeindigd_{p}"] = share(door_text == p, within=left)
    if all(f"aandeel_beeindigd_{p}" in g for p in ENDING_TYPES):
        g["beeindiging"] = ending_type(g)
    g["aandeel_vrouw"] = share(np.asarray(df["geslacht"].astype(object) == "v"))
    g["gem_leeftijd_instroom"] = mean(df["leeftijd_instroom"])
    land = np.asarray(df["herkomstland"].astype(object))
    g["aandeel_angola"] = share(land == "Angola")
    g["aandeel_sierra_leone"] = share(land == "Sierra Leone")
    g["aandeel_somatisch"] = share(_flag(df["somatisch"]))
    g["aandeel_psychiatrisch"] = share(_flag(df["psychiatrisch"]))
    traject = np.asarray(df["traject"].astype(object))
    g["aandeel_traject_verblijf"] = share(np.isin(traject, ["verblijf", "buiten_schuld"]))
    g["aandeel_traject_terugkeer"] = share(traject == "terugkeer")
    g["gem_begeleidingsduur"] = mean(df["begeleidingsduur_maanden"])
    g["gem_contacten"] = mean(df["contacten"])
    g["aandeel_vastlopend"] = share(_flag(df["vastlopend"]))
    g["vastlopend_klasse"] = stalled_class(g["aandeel_vastlopend"])
    present = n > 0  # a categorical may list steunpunten without rows
    return g[present].reset_index(drop=True)


def aggregate_labels(columns: list[str]) -> dict[str, str]:
    """Variable labels for the aggregate columns present (outcome and party shares included)."""
    out: dict[str, str] = {}
    for c in columns:
        if c in AGGREGATE_LABELS:
            out[c] = AGGREGATE_LABELS[c]
        elif c.startswith("aandeel_uitkomst_"):
            out[c] = f"Aandeel met uitkomst {c.removeprefix('aandeel_uitkomst_')}"
        elif c.startswith("aandeel_beeindigd_"):
            party = c.removeprefix("aandeel_beeindigd_")
            out[c] = f"Aandeel van de beëindigde trajecten beëindigd door: {party}"
    return out
