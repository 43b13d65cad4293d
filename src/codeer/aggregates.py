"""Steunpunt-level aggregates computed from the individual registrations.

The study characterises steunpunten partly by their clients (share psychiatric, share from
Angola) and by what happened to them (outcome shares, who ended trajectories, stalled files).
These columns join the coded steunpunt variables in variables/steunpunten.*, so CHAID and the
intervening-factor analysis can use them at steunpunt level.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
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


def steunpunt_aggregates(individual: pd.DataFrame, group: str = "steunpunt") -> pd.DataFrame:
    """One row per steunpunt; needs the derived columns of codeer.join.derive_columns."""
    import pandas as pd

    df = individual
    key = df[group].astype(str)
    g = pd.DataFrame(index=pd.Index(sorted(key.unique()), name=group))
    counts = key.value_counts()
    g["n_clienten"] = counts.reindex(g.index).astype("int64")
    left = df["uitgestroomd"].astype(bool)
    g["n_uitgestroomd"] = left.groupby(key).sum().reindex(g.index).astype("int64")

    def share(mask: pd.Series, within: pd.Series | None = None) -> pd.Series:
        m = mask.astype("boolean").fillna(False).astype(bool)
        if within is None:
            return m.groupby(key).mean().reindex(g.index)
        return m[within].groupby(key[within]).mean().reindex(g.index)

    for col in [c for c in df.columns if str(c).startswith("uitkomst_")]:
        g[f"aandeel_{col}"] = share(df[col].astype(bool))
    door = df["beeindigd_door"]
    parties = list(door.cat.categories) if hasattr(door, "cat") else sorted(door.dropna().unique())
    for p in parties:
        g[f"aandeel_beeindigd_{p}"] = share(door == p, within=left)
    if all(f"aandeel_beeindigd_{p}" in g for p in ENDING_TYPES):
        g["beeindiging"] = ending_type(g)
    g["aandeel_vrouw"] = share(df["geslacht"] == "v")
    g["gem_leeftijd_instroom"] = df["leeftijd_instroom"].astype(float).groupby(key).mean()
    g["aandeel_angola"] = share(df["herkomstland"] == "Angola")
    g["aandeel_sierra_leone"] = share(df["herkomstland"] == "Sierra Leone")
    g["aandeel_somatisch"] = share(df["somatisch"])
    g["aandeel_psychiatrisch"] = share(df["psychiatrisch"])
    g["aandeel_traject_verblijf"] = share(df["traject"].isin(["verblijf", "buiten_schuld"]))
    g["aandeel_traject_terugkeer"] = share(df["traject"] == "terugkeer")
    g["gem_begeleidingsduur"] = df["begeleidingsduur_maanden"].groupby(key).mean()
    g["gem_contacten"] = df["contacten"].astype(float).groupby(key).mean()
    g["aandeel_vastlopend"] = share(df["vastlopend"].astype(bool))
    g["vastlopend_klasse"] = stalled_class(g["aandeel_vastlopend"])
    return g.reset_index()


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
