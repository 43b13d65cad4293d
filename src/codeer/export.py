"""Write a table as csv, xlsx or sav, chosen by the file's suffix, always atomically.

Researchers open these files in Excel and SPSS, so the encoding follows what those tools expect:
binary variables are ``true``/``false`` in csv and 0/1 with value labels in SPSS; nominal
(text) variables with value labels become integer codes with value labels in SPSS; variable
labels travel along in xlsx (a second sheet) and sav (column labels).
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from codeer.errors import DataError, StoreError, UsageError
from codeer.store import _fsync_dir, atomic_write_bytes

if TYPE_CHECKING:
    import pandas as pd

FORMATS = ("csv", "xlsx", "sav")
DEFAULT_BOOL_LABELS = {0: "nee", 1: "ja"}


def write_table(
    df: pd.DataFrame,
    path: str | Path,
    *,
    variable_labels: Mapping[str, str] | None = None,
    value_labels: Mapping[str, Mapping[Any, str]] | None = None,
) -> Path:
    """Write ``df`` to ``path`` (format from the suffix); returns the path written."""
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise UsageError(
            f"cannot write '{path.suffix or path.name}' files",
            path=path,
            hint="use a .csv, .xlsx or .sav file name",
        )
    variable_labels = dict(variable_labels or {})
    value_labels = {k: dict(v) for k, v in (value_labels or {}).items()}
    if fmt == "csv":
        atomic_write_bytes(path, to_csv_bytes(df))
    elif fmt == "xlsx":
        atomic_write_bytes(path, to_xlsx_bytes(df, variable_labels, value_labels))
    else:
        _write_sav(df, path, variable_labels, value_labels)
    return path


def is_binary(series: pd.Series) -> bool:
    """A bool column, or an object column holding only True/False/missing."""
    import pandas as pd

    if pd.api.types.is_bool_dtype(series.dtype):
        return True
    if series.dtype == object:
        values = series.dropna()
        if len(values) == 0:
            return False
        # one pass over the distinct values, not over every row
        return all(isinstance(v, bool) for v in pd.unique(values.to_numpy()))
    return False


def bool_text(series: pd.Series) -> pd.Series:
    """True/False/missing as 'true'/'false'/None, vectorised (a million rows in milliseconds)."""
    import numpy as np
    import pandas as pd

    missing = series.isna().to_numpy()
    truth = series.where(~missing, False).astype(bool).to_numpy()
    text = np.where(truth, "true", "false").astype(object)
    text[missing] = None
    return pd.Series(text, index=series.index, dtype=object)


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    """UTF-8 csv; binaries as lower-case true/false, missing as an empty cell."""
    out = df.copy()
    for col in out.columns:
        if is_binary(out[col]):
            out[col] = bool_text(out[col])
    return out.to_csv(index=False, lineterminator="\n").encode("utf-8")


def _bool_text(v: Any) -> str | None:
    if v is None or _isna(v):
        return None
    return "true" if bool(v) else "false"


def _isna(v: Any) -> bool:
    import pandas as pd

    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def to_xlsx_bytes(
    df: pd.DataFrame,
    variable_labels: Mapping[str, str],
    value_labels: Mapping[str, Mapping[Any, str]],
) -> bytes:
    """Data on sheet 'data'; variable and value labels on sheet 'labels'."""
    import pandas as pd

    rows: list[dict[str, Any]] = []
    for col in df.columns:
        col = str(col)
        rows.append(
            {
                "variabele": col,
                "label": variable_labels.get(col, ""),
                "waarde": None,
                "waardelabel": None,
            }
        )
        for value, label in value_labels.get(col, {}).items():
            shown = _bool_text(value) if isinstance(value, bool) else value
            rows.append({"variabele": col, "label": None, "waarde": shown, "waardelabel": label})
    labels = pd.DataFrame(rows, columns=["variabele", "label", "waarde", "waardelabel"])
    data = df.copy()
    for col in data.columns:
        if is_binary(data[col]):
            missing = data[col].isna().to_numpy()
            truth = data[col].where(~missing, False).astype(bool).to_numpy().astype(object)
            truth[missing] = None
            data[col] = truth
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as writer:
        data.to_excel(writer, sheet_name="data", index=False)
        labels.to_excel(writer, sheet_name="labels", index=False)
    return buf.getvalue()


def spss_frame(
    df: pd.DataFrame, value_labels: Mapping[str, Mapping[Any, str]]
) -> tuple[pd.DataFrame, dict[str, dict[Any, str]]]:
    """Recode for SPSS: binaries to 0/1, labelled text to integer codes; returns data and labels."""
    import pandas as pd

    out = pd.DataFrame(index=df.index)
    labels: dict[str, dict[Any, str]] = {}
    for col in df.columns:
        name = str(col)
        series = df[col]
        given = value_labels.get(name, {})
        if is_binary(series):
            missing = series.isna().to_numpy()
            truth = series.where(~missing, False).astype(bool).to_numpy().astype("float64")
            truth[missing] = float("nan")
            out[name] = truth
            labels[name] = {
                0: given.get(False, given.get(0, DEFAULT_BOOL_LABELS[0])),
                1: given.get(True, given.get(1, DEFAULT_BOOL_LABELS[1])),
            }
        elif isinstance(series.dtype, pd.CategoricalDtype) or (
            given and _is_textual(series) and all(isinstance(k, str) for k in given)
        ):
            order: list[Any] = list(given)
            if isinstance(series.dtype, pd.CategoricalDtype):
                order += [c for c in series.cat.categories if c not in order]
            order += sorted(
                {v for v in series.dropna().tolist() if v not in order}, key=lambda v: str(v)
            )
            codes = {v: i + 1 for i, v in enumerate(order)}
            out[name] = series.map(lambda v, c=codes: float("nan") if _isna(v) else float(c[v]))
            out[name] = out[name].astype("float64")
            labels[name] = {codes[v]: str(given.get(v, v)) for v in order}
        elif _is_textual(series):
            out[name] = series.map(lambda v: "" if _isna(v) else str(v)).astype(object)
        elif pd.api.types.is_integer_dtype(series.dtype) or pd.api.types.is_float_dtype(
            series.dtype
        ):
            out[name] = series.astype("float64")
            if given:
                labels[name] = dict(given)
        else:
            out[name] = series
            if given:
                labels[name] = dict(given)
    return out, labels


def _is_textual(series: pd.Series) -> bool:
    import pandas as pd

    return series.dtype == object or pd.api.types.is_string_dtype(series.dtype)


def _write_sav(
    df: pd.DataFrame,
    path: Path,
    variable_labels: Mapping[str, str],
    value_labels: Mapping[str, Mapping[Any, str]],
) -> None:
    import pyreadstat

    data, labels = spss_frame(df, value_labels)
    column_labels: list[str | None] = [variable_labels.get(str(c)) or None for c in data.columns]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.close(fd)
    except OSError as exc:
        raise StoreError(f"cannot write: {exc.strerror}", path=path) from None
    try:
        pyreadstat.write_sav(
            data,
            tmp,
            column_labels=column_labels,
            variable_value_labels=labels or None,
        )
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise StoreError(f"cannot write: {exc.strerror}", path=path) from None
        if isinstance(exc, Exception) and type(exc).__module__.startswith("pyreadstat"):
            raise DataError(
                f"cannot write SPSS file: {exc}",
                path=path,
                hint="SPSS variable names must start with a letter and hold no spaces",
            ) from None
        raise
    _fsync_dir(path.parent)
