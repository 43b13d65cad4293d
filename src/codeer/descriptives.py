"""Descriptive statistics the study reports: frequencies, means, per-steunpunt ranges, crosstabs.

Functions take tables and return tables or small frozen dataclasses; the describe command only
prints or saves them. Percentages are of the valid (non-missing) values unless a base is given,
as in the study's tables. Crosstabs use Pearson's chi-square without continuity correction (what
SPSS reports first) and warn when its expected counts are too small to trust the p-value.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

SMALL_EXPECTED = 5.0
SMALL_EXPECTED_SHARE = 0.20


@dataclass(frozen=True)
class Table:
    """One named result table, ready to print or save (name is the sheet name)."""

    name: str
    title: str
    frame: pd.DataFrame
    notes: tuple[str, ...] = ()


# --- frequencies and summaries -----------------------------------------------------------------
def _valid(series: pd.Series) -> pd.Series:
    return series[series.notna()]


def frequencies(
    series: pd.Series, labels: Mapping[Any, str] | None = None, *, base: int | None = None
) -> pd.DataFrame:
    """n and % per value (index = value); % of the valid values, or of ``base`` when given.

    Categories without cases are kept (n = 0) so tables have the same rows for every group.
    """
    import pandas as pd

    valid = _valid(series)
    counts = valid.value_counts(sort=False)
    if isinstance(series.dtype, pd.CategoricalDtype):
        counts = counts.reindex(series.cat.categories, fill_value=0)
    elif labels:
        order = list(labels) + [v for v in counts.index if v not in labels]
        counts = counts.reindex(order, fill_value=0)
    else:
        counts = counts.sort_index()
    denominator = base if base is not None else int(counts.sum())
    out = pd.DataFrame({"n": counts.astype("int64")})
    out["pct"] = 100.0 * out["n"] / denominator if denominator else float("nan")
    if labels:
        out.insert(0, "label", [labels.get(v, str(v)) for v in out.index])
    out.index.name = series.name
    out.attrs["missing"] = int(series.isna().sum())
    return out


def in_defined_order(
    df: pd.DataFrame, labels: Mapping[str, Mapping[Any, str]], columns: Iterable[str]
) -> pd.DataFrame:
    """Nominal text columns as categoricals in the order of their value labels.

    Frequencies and crosstabs then list the categories as the variable rules define them, not
    alphabetically; values without a label follow in order of appearance, so none is lost.
    """
    import pandas as pd

    out = df.copy(deep=False)
    for col in columns:
        if col not in out.columns or col not in labels:
            continue
        dtype = out[col].dtype
        if isinstance(dtype, pd.CategoricalDtype) or not (
            pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype)
        ):
            continue
        codes = list(labels[col])
        if not all(isinstance(c, str) for c in codes):
            continue
        known = set(codes)
        present = out[col].dropna()
        extra = [v for v in pd.unique(present) if v not in known]
        out[col] = pd.Categorical(out[col], categories=codes + extra)
    return out


def share(series: pd.Series, value: Any | Callable[[pd.Series], pd.Series]) -> float:
    """Share of the valid values equal to ``value`` (or for which ``value(series)`` holds)."""
    valid = _valid(series)
    if len(valid) == 0:
        return float("nan")
    mask = value(valid) if callable(value) else valid == value
    return float(mask.astype(bool).mean())


@dataclass(frozen=True)
class Summary:
    n: int
    mean: float
    sd: float
    median: float
    min: float
    max: float

    def as_dict(self) -> dict[str, float]:
        return {k: getattr(self, k) for k in ("n", "mean", "sd", "median", "min", "max")}


def summarize(series: pd.Series) -> Summary:
    """n, mean, SD (n-1), median, min and max of the valid values."""
    x = _valid(series).astype(float)
    if len(x) == 0:
        nan = float("nan")
        return Summary(0, nan, nan, nan, nan, nan)
    sd = float(x.std(ddof=1)) if len(x) > 1 else float("nan")
    return Summary(len(x), float(x.mean()), sd, float(x.median()), float(x.min()), float(x.max()))


def summary_table(df: pd.DataFrame, columns: Iterable[str], by: str | None = None) -> pd.DataFrame:
    """One row per column (and per group of ``by``): n, mean, sd, median, min, max."""
    import pandas as pd

    rows = []
    for col in columns:
        if by is None:
            rows.append({"variabele": col, **summarize(df[col]).as_dict()})
            continue
        for key, part in df.groupby(by, observed=True, sort=True)[col]:
            rows.append({"variabele": col, by: key, **summarize(part).as_dict()})
        rows.append({"variabele": col, by: "totaal", **summarize(df[col]).as_dict()})
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class GroupRange:
    """Lowest and highest share over groups (the study's 'per steunpunt from x% to y%')."""

    min: float
    max: float
    min_group: str
    max_group: str
    shares: pd.Series


def group_range(df: pd.DataFrame, column: str, value: Any, by: str = "steunpunt") -> GroupRange:
    """Share of ``column == value`` in each group of ``by``, and its range."""
    import numpy as np
    import pandas as pd

    col = df[column]
    present = np.asarray(col.notna())
    hit = np.asarray((col == value).fillna(False), dtype=bool) & present
    codes, names = _codes(df[by].astype(str) if not isinstance(df[by].dtype, pd.CategoricalDtype)
                          else df[by])  # fmt: skip
    ok = codes >= 0
    k = len(names)
    base = np.bincount(codes[ok], weights=present[ok].astype(float), minlength=k)
    hits = np.bincount(codes[ok], weights=hit[ok].astype(float), minlength=k)
    keep = base > 0
    shares = pd.Series(hits[keep] / base[keep], index=[str(x) for x, k_ in zip(names, keep,
                       strict=True) if k_]).sort_index()  # fmt: skip
    return GroupRange(
        float(shares.min()),
        float(shares.max()),
        str(shares.idxmin()),
        str(shares.idxmax()),
        shares,
    )


# --- crosstabs -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Crosstab:
    """Counts, column percentages and the chi-square test of a two-way table."""

    row: str
    column: str
    counts: pd.DataFrame
    expected: pd.DataFrame
    column_pct: pd.DataFrame = field(repr=False)
    row_pct: pd.DataFrame = field(repr=False)
    chi2: float
    df: int
    p: float
    cramers_v: float
    n: int
    warning: str | None = None


def chi_square(counts: Any) -> tuple[float, int, float, Any]:
    """Pearson chi-square (no continuity correction), df, p and expected counts.

    The statistic is computed here; the p-value is scipy's chi-square survival function
    (scipy.special.chdtrc, which spares importing all of scipy.stats). Tests compare the whole
    result with scipy.stats.chi2_contingency and statsmodels.
    """
    import numpy as np
    from scipy.special import chdtrc

    table = np.asarray(counts, dtype=float)
    n = table.sum()
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / n
    with np.errstate(invalid="ignore", divide="ignore"):
        chi2 = float(np.where(expected > 0, (table - expected) ** 2 / expected, 0.0).sum())
    dof = int((table.shape[0] - 1) * (table.shape[1] - 1))
    p = float(chdtrc(dof, chi2)) if dof > 0 else float("nan")
    return chi2, dof, p, expected


def cramers_v(chi2: float, n: int, shape: tuple[int, int]) -> float:
    """Cramér's V = sqrt(chi2 / (n * (min(r, c) - 1)))."""
    k = min(shape) - 1
    if n == 0 or k == 0:
        return float("nan")
    return float((chi2 / (n * k)) ** 0.5)


def small_expected_warning(expected: Any) -> str | None:
    """The usual rule: no expected count below 1 and at most 20% of them below 5."""
    import numpy as np

    e = np.asarray(expected, dtype=float)
    below5 = float((e < SMALL_EXPECTED).mean()) if e.size else 0.0
    below1 = int((e < 1).sum())
    parts = []
    if below5 > SMALL_EXPECTED_SHARE:
        parts.append(f"{below5:.0%} of the cells have an expected count below 5")
    if below1:
        parts.append(f"{below1} cell(s) have an expected count below 1")
    if not parts:
        return None
    return "; ".join(parts) + ": the chi-square p-value is unreliable (merge categories)"


def crosstab(df: pd.DataFrame, row: str, column: str) -> Crosstab:
    """Two-way table of valid pairs; empty rows and columns are left out of the test."""
    import pandas as pd

    counts = _count_pairs(df[row], df[column])
    counts = counts.loc[counts.sum(axis=1) > 0, counts.sum(axis=0) > 0]
    n = int(counts.to_numpy().sum())
    if counts.shape[0] < 2 or counts.shape[1] < 2:
        nan = float("nan")
        expected = counts.astype(float)
        return Crosstab(
            row,
            column,
            counts,
            expected,
            _pct(counts, 0),
            _pct(counts, 1),
            nan,
            0,
            nan,
            nan,
            n,
            "fewer than two rows or columns with cases: no test",
        )
    chi2, dof, p, expected_arr = chi_square(counts.to_numpy())
    expected = pd.DataFrame(expected_arr, index=counts.index, columns=counts.columns)
    v = cramers_v(chi2, n, counts.shape)
    return Crosstab(
        row, column, counts, expected, _pct(counts, 0), _pct(counts, 1),
        chi2, dof, p, v, n, small_expected_warning(expected_arr),
    )  # fmt: skip


def _codes(series: pd.Series) -> tuple[Any, list[Any]]:
    """Integer codes (-1 for missing) and the values they stand for, in a stable order."""
    import numpy as np
    import pandas as pd

    if isinstance(series.dtype, pd.CategoricalDtype):
        return np.asarray(series.cat.codes), list(series.cat.categories)
    codes, uniques = pd.factorize(series, sort=True, use_na_sentinel=True)
    return np.asarray(codes), list(uniques)


def _count_pairs(a: pd.Series, b: pd.Series) -> pd.DataFrame:
    """Cross-counts of two columns over rows where both are present (one bincount)."""
    import numpy as np
    import pandas as pd

    ca, va = _codes(a)
    cb, vb = _codes(b)
    both = (ca >= 0) & (cb >= 0)
    flat = np.bincount(ca[both] * len(vb) + cb[both], minlength=len(va) * len(vb))
    out = pd.DataFrame(
        flat.reshape(len(va), len(vb)).astype(np.int64),
        index=pd.Index(va, name=a.name),
        columns=pd.Index(vb, name=b.name),
    )
    return out


def _pct(counts: pd.DataFrame, axis: int) -> pd.DataFrame:
    """Column percentages (axis 0: each column sums to 100) or row percentages (axis 1)."""
    if axis == 0:
        return 100.0 * counts / counts.sum(axis=0)
    return 100.0 * counts.div(counts.sum(axis=1), axis=0)


def crosstab_table(ct: Crosstab, labels: Mapping[str, Mapping[Any, str]] | None = None) -> Table:
    """Counts with row % below each count row (rows are the predictor), the test in the notes."""
    import pandas as pd

    labels = labels or {}
    rl, cl = labels.get(ct.row, {}), labels.get(ct.column, {})
    heads = [str(c) for c in ct.counts.columns]  # codes: short headers; labels in the notes
    rows: list[dict[str, object]] = []
    for key in ct.counts.index:
        counts = [int(v) for v in ct.counts.loc[key]]
        pcts = [round(float(v), 1) for v in ct.row_pct.loc[key]]
        rows.append({ct.row: str(rl.get(key, key)), "": "n", **dict(zip(heads, counts, strict=True)),
                     "totaal": sum(counts)})  # fmt: skip
        rows.append({ct.row: "", "": "% rij", **dict(zip(heads, pcts, strict=True)),
                     "totaal": 100.0})  # fmt: skip
    col_n = [int(v) for v in ct.counts.sum(axis=0)]
    rows.append({ct.row: "totaal", "": "n", **dict(zip(heads, col_n, strict=True)), "totaal": ct.n})
    rows.append({ct.row: "", "": "% rij", **dict(zip(heads, [
        round(100.0 * v / max(ct.n, 1), 1) for v in col_n], strict=True)), "totaal": 100.0})  # fmt: skip
    notes = [
        f"chi2 = {ct.chi2:.2f}, df = {ct.df}, p = {_fmt_p(ct.p)}, Cramér's V = {ct.cramers_v:.3f}"
        f", n = {ct.n}"
    ]
    if cl:
        notes.append("; ".join(f"{c} = {cl.get(c, c)}" for c in ct.counts.columns))
    if ct.warning:
        notes.append(f"warning: {ct.warning}")
    return Table(
        f"{ct.row}_x_{ct.column}"[:31],
        f"{ct.row} by {ct.column}",
        pd.DataFrame(rows, dtype=object),
        tuple(notes),
    )


def _fmt_p(p: float) -> str:
    if p != p:
        return "n/a"
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


# --- the study's tables ---------------------------------------------------------------------------
def frequency_table(
    df: pd.DataFrame,
    column: str,
    labels: Mapping[str, Mapping[Any, str]] | None = None,
    *,
    title: str | None = None,
    name: str | None = None,
) -> Table:
    freq = frequencies(df[column], (labels or {}).get(column))
    frame = freq.reset_index()
    frame.columns = [str(c) for c in frame.columns]
    frame[frame.columns[0]] = frame[frame.columns[0]].astype(object)
    frame["pct"] = frame["pct"].round(1)
    total = {"n": int(freq["n"].sum()), "pct": 100.0 if freq["n"].sum() else float("nan")}
    frame.loc[len(frame)] = {frame.columns[0]: "totaal", **total}
    notes = (f"missing: {freq.attrs['missing']}",) if freq.attrs["missing"] else ()
    return Table((name or column)[:31], title or f"{column}: frequencies", frame, notes)


def _classes(series: pd.Series, edges: list[tuple[str, float, float]]) -> pd.Series:
    """Count variables in the study's classes, e.g. ('2-5', 2, 5)."""
    import numpy as np
    import pandas as pd

    x = series.astype(float)
    out = np.full(len(x), None, dtype=object)
    for label, lo, hi in edges:
        out[((x >= lo) & (x <= hi)).to_numpy()] = label
    cats = pd.Categorical(out, categories=[e[0] for e in edges])
    return pd.Series(cats, index=series.index, name=series.name)


def individual_tables(
    df: pd.DataFrame,
    labels: Mapping[str, Mapping[Any, str]] | None = None,
    by: str | None = None,
) -> list[Table]:
    """The tables of the study's individual-level chapter (n clients)."""
    import numpy as np
    import pandas as pd

    labels = labels or {}
    tables: list[Table] = []

    def add_freq(col: str, title: str, data: pd.DataFrame | None = None, name: str = "") -> None:
        if col in (data if data is not None else df):
            tables.append(
                frequency_table(data if data is not None else df, col, labels, title=title,
                                name=name or col)
            )  # fmt: skip

    add_freq("uitkomst", "Outcome at the measurement date (n, % of all clients)")
    staying = np.asarray(df["uitkomst"] == "in_begeleiding", dtype=bool)
    if "wacht_op_beslissing" in df:
        stay = df.loc[staying, ["wacht_op_beslissing"]]
        add_freq("wacht_op_beslissing", "Still in guidance: awaiting a permit decision", stay)
    if "beeindigd_door" in df:
        left = df.loc[~staying, ["beeindigd_door"]]
        add_freq("beeindigd_door", "Who ended the trajectory (clients who left)", left)
    add_freq("geslacht", "Sex")
    tables.append(Table("leeftijd", "Age at intake (years)", _num(
        summary_table(df, ["leeftijd_instroom"], by="geslacht"))))  # fmt: skip
    add_freq("herkomstland", "Country of origin")
    add_freq("werelddeel", "Continent of origin")
    if "kinderen_nl" in df:
        tables.append(crosstab_table(crosstab(df, "geslacht", "kinderen_nl"), labels))
    add_freq("somatisch", "Under a doctor's treatment for somatic complaints")
    add_freq("psychiatrisch", "Psychiatric diagnosis")
    ranges = []
    for col, value, label in (
        ("herkomstland", "Angola", "uit Angola"),
        ("herkomstland", "Sierra Leone", "uit Sierra Leone"),
        ("somatisch", True, "somatische klachten"),
        ("psychiatrisch", True, "psychiatrische diagnose"),
    ):
        if col in df and "steunpunt" in df:
            r = group_range(df, col, value)
            ranges.append({"aandeel": label, "min_pct": round(100 * r.min, 1),
                           "steunpunt_min": r.min_group, "max_pct": round(100 * r.max, 1),
                           "steunpunt_max": r.max_group,
                           "totaal_pct": round(100 * share(df[col], value), 1)})  # fmt: skip
    if ranges:
        tables.append(Table("per_steunpunt", "Shares per steunpunt: range", pd.DataFrame(ranges)))
    tables += _asylum_tables(df, labels)
    add_freq("traject", "Trajectory")
    if "begeleidingsduur_maanden" in df:
        tables.append(Table("duur", "Duration of guidance (months), left vs. still in guidance",
                            _num(summary_table(df, ["begeleidingsduur_maanden"],
                                               by="uitgestroomd"))))  # fmt: skip
        add_freq("duur_klasse", "Duration of guidance in classes")
    contact_cols = [c for c in ("contacten", "contacten_per_maand") if c in df]
    if contact_cols:
        tables.append(Table("contacten", "Client contacts", _num(summary_table(df, contact_cols))))
    for row in ("traject", "duur_klasse", "psychiatrisch", "reguliere_aanvragen"):
        if row in df:
            tables.append(crosstab_table(crosstab(df, row, "uitkomst"), labels))
    if by is not None:
        tables += by_tables(df, by, labels)
    return tables


ASYLUM_COLUMNS = (
    "jaar_eerste_registratie", "leeftijd_eerste_registratie", "asielaanvragen", "beroepen",
    "beroep_ac", "vreemdelingenkamer", "reguliere_aanvragen", "buiten_schuld_aanvraag",
    "buiten_schuld_toegewezen", "vbm_aantal", "vbm_dagen", "jaren_in_nl_bij_instroom",
)  # fmt: skip


def _asylum_tables(df: pd.DataFrame, labels: Mapping[str, Mapping[Any, str]]) -> list[Table]:
    import numpy as np
    import pandas as pd

    if "asielachtergrond_bekend" not in df:
        return []
    wanted = [c for c in ASYLUM_COLUMNS if c in df]
    mask = np.asarray(df["asielachtergrond_bekend"].astype("boolean").fillna(False), dtype=bool)
    known = df.loc[mask, wanted]
    n = len(known)
    rows: list[dict[str, Any]] = []

    def add(label: str, mask: pd.Series) -> None:
        k = int(mask.astype("boolean").fillna(False).sum())
        rows.append({"kenmerk": label, "n": k, "pct": round(100.0 * k / n, 1) if n else None})

    x = {c: known[c].astype(float) for c in known.columns if c in (
        "jaar_eerste_registratie", "asielaanvragen", "beroepen", "beroep_ac",
        "reguliere_aanvragen", "vbm_aantal")}  # fmt: skip
    if "jaar_eerste_registratie" in x:
        add("eerste registratie in 2001 of 2002", x["jaar_eerste_registratie"].isin([2001, 2002]))
    if "asielaanvragen" in x:
        add("één asielaanvraag", x["asielaanvragen"] == 1)
        add("twee tot vijf asielaanvragen", x["asielaanvragen"].between(2, 5))
    if "beroepen" in x:
        add("ooit beroep (AR)", x["beroepen"] >= 1)
        add("twee keer of vaker beroep (AR)", x["beroepen"] >= 2)
    if "beroep_ac" in x:
        add("ooit beroep in de AC-procedure", x["beroep_ac"] >= 1)
        add("meer dan eens beroep in de AC-procedure", x["beroep_ac"] >= 2)
    if "vreemdelingenkamer" in known:
        add("beroep bij de Vreemdelingenkamer", known["vreemdelingenkamer"])
    if "reguliere_aanvragen" in x:
        add("ook een reguliere aanvraag", x["reguliere_aanvragen"] >= 1)
    if "buiten_schuld_aanvraag" in known:
        add("'buiten schuld'-aanvraag", known["buiten_schuld_aanvraag"])
        add("'buiten schuld' toegewezen", known["buiten_schuld_toegewezen"])
        asked = known["buiten_schuld_aanvraag"].astype("boolean").fillna(False).astype(bool)
        granted = int(known["buiten_schuld_toegewezen"][asked].astype(bool).sum())
        rows.append({"kenmerk": "toegewezen, % van de 'buiten schuld'-aanvragen", "n": granted,
                     "pct": round(100.0 * granted / max(int(asked.sum()), 1), 1)})  # fmt: skip
    if "vbm_aantal" in x:
        add("eenmaal VBM", x["vbm_aantal"] == 1)
        add("twee keer of vaker VBM", x["vbm_aantal"] >= 2)
    tables = [Table("asielachtergrond", f"Asylum background (n = {n})", pd.DataFrame(rows))]
    means = [c for c in ("jaren_in_nl_bij_instroom", "leeftijd_eerste_registratie", "beroepen",
                         "reguliere_aanvragen") if c in known]  # fmt: skip
    summ = summary_table(known, means)
    if "vbm_dagen" in known and "vbm_aantal" in known:
        had = known[known["vbm_aantal"].astype(float) > 0]
        row = {"variabele": "vbm_dagen (met VBM)", **summarize(had["vbm_dagen"]).as_dict()}
        summ = pd.concat([summ, pd.DataFrame([row])], ignore_index=True)
    tables.append(Table("asiel_gemiddelden", "Asylum background: means", _num(summ)))
    return tables


def _num(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for c in ("mean", "sd", "median", "min", "max"):
        if c in out:
            out[c] = out[c].astype(float).round(2)
    return out


def by_tables(
    df: pd.DataFrame, by: str, labels: Mapping[str, Mapping[Any, str]] | None = None
) -> list[Table]:
    """Every categorical column crossed with ``by``, and every numeric one summarised by it."""
    import pandas as pd

    if by not in df:
        from codeer.errors import AnalysisError

        raise AnalysisError(
            f"no column '{by}'", hint=f"columns: {', '.join(map(str, df.columns[:40]))}"
        )
    tables: list[Table] = []
    numeric = []
    for col in df.columns:
        if col == by or col in ("client_id", "steunpunt") or str(col).startswith("datum"):
            continue
        s = df[col]
        if _is_categorical(s):
            if 1 < s.nunique() <= 30:
                tables.append(crosstab_table(crosstab(df, col, by), labels))
        elif pd.api.types.is_numeric_dtype(s.dtype):
            numeric.append(col)
    if numeric and _is_categorical(df[by]):
        tables.insert(0, Table(f"gemiddelden_{by}"[:31], f"Means by {by}",
                               _num(summary_table(df, numeric, by=by))))  # fmt: skip
    return tables


def _is_categorical(s: pd.Series) -> bool:
    import pandas as pd

    if isinstance(s.dtype, pd.CategoricalDtype) or pd.api.types.is_bool_dtype(s.dtype):
        return True
    if s.dtype == object or pd.api.types.is_string_dtype(s.dtype):
        return True
    if pd.api.types.is_integer_dtype(s.dtype):
        values = set(s.dropna().unique().tolist())
        return values <= {0, 1}
    return False


def steunpunt_tables(
    df: pd.DataFrame,
    labels: Mapping[str, Mapping[Any, str]] | None = None,
    by: str | None = None,
) -> list[Table]:
    """Frequencies of every categorical steunpunt variable, means of the numeric ones."""
    import pandas as pd

    tables: list[Table] = []
    numeric = []
    for col in df.columns:
        if col == "steunpunt":
            continue
        s = df[col]
        if _is_categorical(s):
            tables.append(frequency_table(df, col, labels, title=f"{col} (n steunpunten)"))
        elif pd.api.types.is_numeric_dtype(s.dtype):
            numeric.append(col)
    if numeric:
        tables.insert(0, Table("gemiddelden", "Numeric steunpunt variables",
                               _num(summary_table(df, numeric))))  # fmt: skip
    if by is not None:
        tables += by_tables(df, by, labels)
    return tables


# --- saving ----------------------------------------------------------------------------------
def tables_to_csv_bytes(tables: list[Table]) -> bytes:
    """All tables in one long csv (tabel, rij, kolom, waarde): deterministic, diff-friendly."""
    import pandas as pd

    parts = []
    for t in tables:
        long = (
            t.frame.astype(object)
            .reset_index(names="rij")
            .melt(id_vars="rij", var_name="kolom", value_name="waarde")
        )
        long.insert(0, "tabel", t.name)
        parts.append(long)
    data: str = pd.concat(parts, ignore_index=True).to_csv(index=False, lineterminator="\n")
    return data.encode("utf-8")


def save_tables(tables: list[Table], out: Path) -> None:
    """One sheet per table (xlsx) or one long csv; written atomically."""
    import io

    import pandas as pd

    from codeer.store import atomic_write_bytes

    if out.suffix.lower() == ".csv":
        atomic_write_bytes(out, tables_to_csv_bytes(tables))
        return
    buf = io.BytesIO()
    used: set[str] = set()
    with pd.ExcelWriter(buf, engine="openpyxl") as writer:
        for t in tables:
            name = _sheet_name(t.name, used)
            frame = t.frame.copy()
            frame.columns = [str(c) for c in frame.columns]
            pd.DataFrame({t.title: []}).to_excel(writer, sheet_name=name, index=False)
            frame.to_excel(writer, sheet_name=name, index=False, startrow=2)
            if t.notes:
                notes = pd.DataFrame({"notes": list(t.notes)})
                notes.to_excel(writer, sheet_name=name, index=False, startrow=len(frame) + 4)
    atomic_write_bytes(out, buf.getvalue())


def _sheet_name(name: str, used: set[str]) -> str:
    base = "".join(ch if ch not in "[]:*?/\\" else "_" for ch in name)[:31] or "tabel"
    candidate, k = base, 2
    while candidate.lower() in used:
        suffix = f"_{k}"
        candidate, k = base[: 31 - len(suffix)] + suffix, k + 1
    used.add(candidate.lower())
    return candidate
