"""Join the validated registrations with the steunpunt variables; derive the analysis columns.

The individual table (n = clients) gets the steunpunt's variables on every row and the columns
the analyses need (duration of guidance, its classes, one 0/1 indicator per outcome, stalled
files). The steunpunt table (n = steunpunten) gets the aggregates of its clients. A registration
whose steunpunt is unknown is an error, never a silently dropped row.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from codeer.aggregates import (
    AGGREGATE_VALUE_LABELS,
    aggregate_labels,
    group_codes,
    steunpunt_aggregates,
)
from codeer.errors import DataError
from codeer.registrations import RegistrationDictionary, load_dictionary, read_registrations

if TYPE_CHECKING:
    import pandas as pd

    from codeer.project import Project

DAYS_PER_MONTH = 30.4375
DURATION_CLASSES = ("<6", "6-18", ">18")
STEUNPUNT_SUFFIX = "_steunpunt"


@dataclass
class JoinResult:
    """Both tables and the labels to export them with."""

    individual: pd.DataFrame
    steunpunten: pd.DataFrame
    variable_labels: dict[str, str] = field(default_factory=dict)
    value_labels: dict[str, dict[object, str]] = field(default_factory=dict)


def derive_columns(reg: pd.DataFrame, d: RegistrationDictionary) -> pd.DataFrame:
    """The registrations plus duration, its class, outcome indicators and the stalled flag."""
    import numpy as np
    import pandas as pd

    out = reg.copy()
    end = out["datum_uitstroom"].fillna(pd.Timestamp(d.measurement_date))
    months = (end - out["datum_instroom"]).dt.days.to_numpy(dtype=float) / DAYS_PER_MONTH
    out["begeleidingsduur_maanden"] = np.round(months, 2)
    klasse = np.where(months < 6, 0, np.where(months > 18, 2, 1))
    out["duur_klasse"] = pd.Categorical.from_codes(klasse, categories=pd.Index(DURATION_CLASSES))
    uitkomst = out["uitkomst"]
    out["uitgestroomd"] = (uitkomst != "in_begeleiding").astype("int8")
    for code in d.columns["uitkomst"].values or {}:
        out[f"uitkomst_{code}"] = (uitkomst == code).astype("int8")
    if "jaar_eerste_registratie" in out:
        year = pd.array(out["datum_instroom"].dt.year.to_numpy(), dtype="Int64")
        out["jaren_in_nl_bij_instroom"] = year - out["jaar_eerste_registratie"]
    per_month = out["contacten"].astype(float).to_numpy() / np.maximum(months, 1.0)
    out["contacten_per_maand"] = np.round(per_month, 3)
    waiting = out["wacht_op_beslissing"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    stalled = (
        (uitkomst == "in_begeleiding").to_numpy(dtype=bool)
        & (months > d.stalled_min_months)
        & ~waiting
        & (per_month < d.stalled_max_contacts_per_month)
    )
    out["vastlopend"] = stalled.astype("int8")
    return out


def attach_steunpunt_variables(
    individual: pd.DataFrame, variables: pd.DataFrame, *, source: Path | None = None
) -> pd.DataFrame:
    """Every row gets its steunpunt's variables; unknown steunpunten are an error.

    A lookup by position (not a merge), so the rows keep their order and number by construction.
    """
    import numpy as np
    import pandas as pd

    if "steunpunt" not in variables.columns:
        raise DataError("the steunpunt table has no 'steunpunt' column", path=source)
    table_names = variables["steunpunt"].astype(str)
    dup = table_names.duplicated()
    if dup.any():
        raise DataError(
            f"steunpunt '{table_names[dup].iloc[0]}' appears twice in the steunpunt table"
        )
    codes, names = group_codes(individual, "steunpunt")
    position = pd.Index(table_names).get_indexer(pd.Index(names))  # per name: its row in the table
    row_of = np.append(position, -1)[np.where(codes < 0, len(names), codes)]
    unknown_mask = row_of < 0
    if unknown_mask.any():
        rows = np.flatnonzero(unknown_mask)
        bad = sorted(
            {names[c] for c in codes[rows] if c >= 0}
            | ({"(empty)"} if (codes[rows] < 0).any() else set())
        )
        first = ", ".join(str(r + 2) for r in rows[:10]) + (" ..." if len(rows) > 10 else "")
        raise DataError(
            f"{len(rows)} registration(s) at steunpunt(en) not in the steunpunt table: "
            f"{', '.join(bad)} (lines {first})",
            path=source,
            hint=f"known steunpunten: {', '.join(sorted(table_names))}; fix the spelling",
        )
    right = variables.drop(columns="steunpunt").rename(
        columns={c: f"{c}{STEUNPUNT_SUFFIX}" for c in variables.columns if c in individual.columns}
    )
    attached = right.take(row_of).reset_index(drop=True)
    attached.index = individual.index
    joined = pd.concat([individual, attached], axis=1)
    if len(joined) != len(individual):  # pragma: no cover - a lookup cannot change the count
        raise AssertionError(f"join changed the number of rows: {len(individual)} -> {len(joined)}")
    return joined


def steunpunt_table(individual: pd.DataFrame, variables: pd.DataFrame) -> pd.DataFrame:
    """The steunpunt variables plus the aggregates of their registrations."""
    aggs = steunpunt_aggregates(individual)
    clash = {c: f"{c}_registraties" for c in aggs.columns if c != "steunpunt" and c in variables}
    aggs = aggs.rename(columns=clash)
    left = variables.copy()
    left["steunpunt"] = left["steunpunt"].astype(str)
    out = left.merge(aggs, on="steunpunt", how="left", validate="one_to_one")
    for col in ("n_clienten", "n_uitgestroomd"):
        out[col] = out[col].fillna(0).astype("int64")
    return out


def join(
    registrations: pd.DataFrame,
    variables: pd.DataFrame,
    d: RegistrationDictionary,
    *,
    variable_labels: dict[str, str] | None = None,
    value_labels: dict[str, dict[object, str]] | None = None,
    source: Path | None = None,
) -> JoinResult:
    """Both output tables from validated registrations and a steunpunt variable table."""
    derived = derive_columns(registrations, d)
    individual = attach_steunpunt_variables(derived, variables, source=source)
    assert len(individual) == len(registrations)
    steunpunten = steunpunt_table(derived, variables)
    labels = {**(variable_labels or {}), **d.variable_labels()}
    labels.update(aggregate_labels(list(steunpunten.columns)))
    values = {**(value_labels or {}), **d.value_labels(), **AGGREGATE_VALUE_LABELS}
    values.update(indicator_value_labels(individual.columns))
    return JoinResult(individual, steunpunten, labels, values)


def indicator_value_labels(columns: Iterable[str]) -> dict[str, dict[object, str]]:
    """nee/ja for the 0/1 indicators the join derives (also when a table is read back)."""
    return {
        col: {0: "nee", 1: "ja"}
        for col in columns
        if col.startswith("uitkomst_") or col in ("uitgestroomd", "vastlopend")
    }


def join_project(
    project: Project, coder: str = "a", registrations: Path | None = None
) -> JoinResult:
    """Validate the project's registrations and join them with its derived steunpunt variables."""
    from codeer.variables import derive_variables

    d = load_dictionary(project.paths.registrations_dictionary)
    path = registrations or project.paths.registrations
    reg = read_registrations(path, d)
    derivation = derive_variables(project, coder)
    return join(
        reg,
        derivation.table,
        d,
        variable_labels=dict(derivation.variable_labels),
        value_labels=dict(derivation.value_labels),
        source=path,
    )


def read_table(path: Path, d: RegistrationDictionary | None = None) -> pd.DataFrame:
    """Read a table codeer wrote (csv) back with its types: dictionary columns as declared,
    true/false columns as booleans, numbers as numbers, duur_klasse in its order."""
    import numpy as np
    import pandas as pd

    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False)
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise DataError(f"cannot read: {exc}", path=path, hint="run 'codeer join' again") from None
    specs = d.columns if d is not None else {}
    out: dict[str, object] = {}
    for col in raw.columns:
        s = raw[col]
        empty = (s == "").to_numpy()
        spec = specs.get(col)
        kind = spec.type if spec is not None else None
        low = s.str.lower()
        if kind == "category" or col == "duur_klasse":
            cats = list(spec.values or {}) if spec is not None else list(DURATION_CLASSES)
            out[col] = pd.Categorical(s.where(~empty), categories=cats)
        elif kind == "date":
            out[col] = pd.to_datetime(s.where(~empty), format="%Y-%m-%d", errors="coerce")
        elif kind == "boolean" or (kind is None and low[~empty].isin(["true", "false"]).all()
                                   and (~empty).any()):  # fmt: skip
            out[col] = pd.arrays.BooleanArray((low == "true").to_numpy(), empty)
        elif kind == "string":
            out[col] = s.where(~empty, None).astype(object)
        else:
            num = pd.to_numeric(s.where(~empty), errors="coerce")
            if num[~empty].notna().all() and (~empty).any():
                whole = bool(np.all(np.equal(np.mod(num[~empty], 1), 0)))
                out[col] = num.astype("Int64") if whole else num.astype(float)
            else:
                out[col] = s.where(~empty, None).astype(object)
    return pd.DataFrame(out)
