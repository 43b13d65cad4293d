"""Registrations: the data dictionary, reading CSV/XLSX/SAV, and validating every row at once.

The dictionary (variables/registraties.yaml) says what each column may hold; validation checks a
whole file against it with vectorised pandas (each column is factorised, so only its distinct
values are parsed) and reports every bad cell with its row number as the user sees it in the
file, so one run lists everything to fix. Nothing here writes files.
"""

from __future__ import annotations

import csv
import functools
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from codeer.errors import DataError
from codeer.yamlio import load_model

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

Scalar = str | int | float | bool

TRUE_WORDS = frozenset({"true", "1", "1.0", "ja", "j", "yes", "y", "waar", "t"})
FALSE_WORDS = frozenset({"false", "0", "0.0", "nee", "n", "no", "onwaar", "f"})
OTHER_DATE_FORMATS = ("%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y", "%m/%d/%Y", "%Y/%m/%d", "%d-%m-%y")


# --- the dictionary ----------------------------------------------------------------------------
class Condition(BaseModel):
    """A test on one column: value in a list, not in a list, or within bounds."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    column: str
    in_: list[Scalar] | None = Field(default=None, alias="in")
    not_in: list[Scalar] | None = None
    min: float | None = None
    max: float | None = None

    @model_validator(mode="after")
    def _one_test(self) -> Condition:
        if self.in_ is None and self.not_in is None and self.min is None and self.max is None:
            raise ValueError("a condition needs 'in', 'not_in', 'min' or 'max'")
        return self

    def describe(self) -> str:
        parts = []
        if self.in_ is not None:
            parts.append(f"{self.column} in {_fmt_list(self.in_)}")
        if self.not_in is not None:
            parts.append(f"{self.column} not in {_fmt_list(self.not_in)}")
        if self.min is not None:
            parts.append(f"{self.column} >= {self.min:g}")
        if self.max is not None:
            parts.append(f"{self.column} <= {self.max:g}")
        return " and ".join(parts)


def _fmt_list(values: list[Scalar]) -> str:
    shown = ["true" if v is True else "false" if v is False else str(v) for v in values]
    return "{" + ", ".join(shown) + "}"


ColumnType = Literal["string", "integer", "number", "boolean", "date", "category"]


class ColumnSpec(BaseModel):
    """One column of the registration table."""

    model_config = ConfigDict(extra="forbid")

    type: ColumnType
    label: str
    description: str | None = None
    values: dict[str, str] | None = None
    """Allowed codes of a category column, each with its Dutch value label."""
    min: float | date | None = None
    max: float | date | None = None
    required: bool = True
    """Must be filled on every row (ignored when present_when is given)."""
    present_when: Condition | None = None
    """Filled exactly on the rows where this condition holds, empty elsewhere."""
    unique: bool = False

    @model_validator(mode="after")
    def _values_for_categories(self) -> ColumnSpec:
        if self.type == "category" and not self.values:
            raise ValueError("a category column needs 'values' (code: label)")
        if self.type != "category" and self.values:
            raise ValueError("only category columns have 'values'")
        return self


class Rule(BaseModel):
    """A cross-column rule: on every row where 'if' holds, 'then' must hold."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    name: str
    description: str
    if_: Condition = Field(alias="if")
    then: Condition


class DerivedSpec(BaseModel):
    """A column the join derives; documented here so the dictionary covers the output too."""

    model_config = ConfigDict(extra="forbid")

    label: str
    description: str | None = None
    values: dict[str, str] | None = None


class RegistrationDictionary(BaseModel):
    """The data dictionary of the registrations (variables/registraties.yaml)."""

    model_config = ConfigDict(extra="forbid")

    title: str
    measurement_date: date
    experiment_start: date
    date_format: str = "%Y-%m-%d"
    id_column: str
    group_column: str
    columns: dict[str, ColumnSpec]
    order: list[list[str]] = []
    rules: list[Rule] = []
    derived: dict[str, DerivedSpec] = {}
    stalled_min_months: float = 12.0
    stalled_max_contacts_per_month: float = 1.0

    @model_validator(mode="after")
    def _references_exist(self) -> RegistrationDictionary:
        known = set(self.columns)
        refs: list[str] = [self.id_column, self.group_column]
        refs += [c for pair in self.order for c in pair]
        for spec in self.columns.values():
            if spec.present_when:
                refs.append(spec.present_when.column)
        for rule in self.rules:
            refs += [rule.if_.column, rule.then.column]
        missing = sorted({r for r in refs if r not in known})
        if missing:
            raise ValueError(f"refers to columns not in 'columns': {', '.join(missing)}")
        return self

    def value_labels(self) -> dict[str, dict[object, str]]:
        """Dutch value labels per category column (for SPSS export and tables)."""
        out: dict[str, dict[object, str]] = {}
        for name, spec in self.columns.items():
            if spec.values:
                out[name] = {k: v for k, v in spec.values.items()}
            elif spec.type == "boolean":
                out[name] = {True: "ja", False: "nee"}
        for name, dspec in self.derived.items():
            if dspec.values:
                out[name] = {k: v for k, v in dspec.values.items()}
        return out

    def variable_labels(self) -> dict[str, str]:
        labels = {name: spec.label for name, spec in self.columns.items()}
        labels.update({n: s.label for n, s in self.derived.items() if "*" not in n})
        return labels


def load_dictionary(path: Path) -> RegistrationDictionary:
    """Read and check the data dictionary; a bad one is a DataError naming its line."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataError(
            "data dictionary not found",
            path=path,
            hint="a project with registrations needs variables/registraties.yaml",
        ) from None
    d, _, _ = load_model(
        text,
        path,
        RegistrationDictionary,
        error=DataError,
        shape="a data dictionary must be a mapping with 'columns'",
        shape_hint="see the bundled variables/registraties.yaml",
        hint="see the other columns for examples",
    )
    return d


# --- problems ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Problem:
    row: int
    column: str
    value: str
    rule: str

    def format(self, path: str) -> str:
        return f"{path}:{self.row}: {self.column}={self.value!r}: {self.rule}"


class RegistrationProblems(DataError):
    """Bad rows in a registration file: all of them, so one run lists everything to fix."""

    def __init__(self, problems: pd.DataFrame, path: Path, row_label: str) -> None:
        n_rows = problems["row"].nunique()
        super().__init__(
            f"{len(problems)} problem(s) in {n_rows} {row_label}(s); nothing was written",
            path=path,
            hint="fix the listed cells and run again",
        )
        self.problems = problems
        self.row_label = row_label

    def items(self) -> list[Problem]:
        p = self.problems
        return [
            Problem(int(r), str(c), str(v), str(m))
            for r, c, v, m in zip(p["row"], p["column"], p["value"], p["rule"], strict=True)
        ]

    def lines(self) -> list[str]:
        where = self.path or ""
        return [p.format(where) for p in self.items()]


# --- reading -------------------------------------------------------------------------------------
@dataclass
class RawTable:
    """A file's cells before validation, and how its rows are numbered for the user."""

    frame: pd.DataFrame
    path: Path
    first_row: int  # the number the user sees for the first data row
    row_label: str  # "line" (CSV), "row" (XLSX) or "case" (SAV)
    labels_as_codes: bool = False  # SPSS value labels may stand for category codes
    record_lines: Callable[[], np.ndarray | None] | None = None
    """CSV: the physical line each record starts on (blank lines and quoted line breaks make
    it differ from first_row + index); computed only when a problem must be reported."""

    def numbers(self, rows: np.ndarray) -> np.ndarray:
        """The numbers the user sees for 0-based frame rows (an editor's 'go to line')."""
        lines = self.record_lines() if self.record_lines is not None else None
        if lines is not None and len(lines) == len(self.frame):
            return lines[rows]
        return rows + self.first_row


def read_raw(path: Path, id_columns: Iterable[str] = ()) -> RawTable:
    """Read CSV, XLSX or SAV by suffix; unreadable files become one DataError.

    CSV columns are read as categoricals (the parser hashes while it reads, so validation only
    parses each distinct value once); ``id_columns`` (one value per row) are read as text.
    """
    path = Path(path)
    if not path.exists():
        raise DataError("file not found", path=path, hint="check the path")
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt"):
        return _read_csv(path, set(id_columns))
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path)
    if suffix == ".sav":
        return _read_sav(path)
    raise DataError(f"cannot read '{path.suffix}' files", path=path, hint="use .csv, .xlsx or .sav")


def _read_csv(path: Path, id_columns: set[str]) -> RawTable:
    from collections import defaultdict

    import pandas as pd

    with path.open("rb") as fh:
        head = fh.read(1 << 16)
    if not head.strip():
        raise DataError("the file is empty", path=path, hint="export the registrations again")
    try:
        dtypes: defaultdict[str, Any] = defaultdict(lambda: "category")
        dtypes.update({c: object for c in id_columns})
        frame = pd.read_csv(
            path,
            dtype=dtypes,
            keep_default_na=False,
            na_filter=False,
            encoding="utf-8-sig",
            skip_blank_lines=True,
        )
    except UnicodeDecodeError:
        raise _encoding_error(path) from None
    except pd.errors.EmptyDataError:
        raise DataError("the file is empty", path=path, hint="export again") from None
    except pd.errors.ParserError as exc:
        raise DataError(
            f"cannot parse as CSV: {str(exc).strip().splitlines()[-1]}",
            path=path,
            line=_parser_error_line(path, str(exc)),
            hint="every row needs as many comma-separated fields as the header",
        ) from None
    lines = head.splitlines()
    at = next((k for k, ln in enumerate(lines) if ln.strip(b" \t")), 0)  # blank lines first?
    frame.attrs["header_line"] = lines[at].decode("utf-8-sig", "replace") if lines else ""
    frame.attrs["header_lineno"] = at + 1
    return RawTable(
        frame,
        path,
        first_row=2,
        row_label="line",
        record_lines=functools.cache(lambda: _record_lines(path)),
    )


def _csv_records(path: Path) -> Iterator[tuple[int, int]]:
    """(physical start line, number of fields) of every record pandas reads, header included.

    Like pandas (skip_blank_lines), lines of only spaces and tabs are no records; a quoted field
    may span lines, so a record's start is counted here instead of derived from its index.
    """
    last = [""]

    def remember(fh: Iterable[str]) -> Iterator[str]:
        for text in fh:
            last[0] = text
            yield text

    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(remember(fh))
        end = 0
        for fields in reader:
            start, end = end + 1, reader.line_num
            if start == end and not last[0].strip(" \t\r\n"):
                continue
            yield start, len(fields)


def _record_lines(path: Path) -> np.ndarray | None:
    """The start line of every data record, or None when the file cannot be scanned."""
    import numpy as np

    try:
        data = path.read_bytes().removeprefix(b"\xef\xbb\xbf")
        if b'"' not in data:  # no quoted line breaks: every line that is not blank is a record
            lines = data.splitlines()  # the same \n, \r\n and \r as the csv module
            starts = [k for k, text in enumerate(lines, 1) if text.strip(b" \t")]
        else:
            starts = [start for start, _ in _csv_records(path)]
    except (OSError, UnicodeDecodeError, csv.Error):
        return None
    return np.asarray(starts[1:], dtype=np.int64)


def _parser_error_line(path: Path, message: str) -> int | None:
    """The line of the first record with more fields than the header (what pandas rejects).

    pandas counts records, not lines, once a quoted field spans lines; fall back to its number.
    """
    try:
        records = _csv_records(path)
        _, width = next(records)
        for start, n in records:
            if n > width:
                return start
    except (OSError, UnicodeDecodeError, csv.Error, StopIteration):
        pass
    m = re.search(r"line (\d+)", message)
    return int(m.group(1)) if m else None


def _encoding_error(path: Path) -> DataError:
    """Find the first byte that is not UTF-8 and name its line."""
    data = path.read_bytes()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return DataError(
            f"not UTF-8 text (byte 0x{data[exc.start]:02x})",
            path=path,
            line=line,
            hint="save the file as 'CSV UTF-8' (Excel) or convert it with iconv",
        )
    return DataError("not UTF-8 text", path=path, hint="save the file as 'CSV UTF-8'")


def _read_xlsx(path: Path) -> RawTable:
    import pandas as pd

    try:
        frame = pd.read_excel(path, dtype=object, engine="openpyxl")
    except Exception as exc:  # openpyxl raises many kinds on corrupt files
        raise DataError(
            f"cannot read as an Excel workbook: {exc}", path=path, hint="save it again as .xlsx"
        ) from None
    if frame.empty and len(frame.columns) == 0:
        raise DataError("the workbook's first sheet is empty", path=path, hint="put data on it")
    frame.columns = [str(c) for c in frame.columns]
    return RawTable(frame, path, first_row=2, row_label="row")


def _read_sav(path: Path) -> RawTable:
    import pyreadstat

    try:
        frame, meta = pyreadstat.read_sav(str(path), apply_value_formats=False)
    except Exception as exc:  # pyreadstat raises its own errors on corrupt files
        raise DataError(
            f"cannot read as an SPSS file: {exc}", path=path, hint="save it again from SPSS"
        ) from None
    # numeric codes with value labels become their labels; validation maps labels back to codes
    for col, labels in (meta.variable_value_labels or {}).items():
        if col in frame.columns and frame[col].dtype.kind in "fi":
            mapped = frame[col].map(labels)
            frame[col] = mapped.where(mapped.notna(), frame[col]).astype(object)
    return RawTable(frame, path, first_row=1, row_label="case", labels_as_codes=True)


# --- validation ----------------------------------------------------------------------------------
def _unique_text(value: object) -> str:
    """How a cell is shown in a report and parsed: natives (xlsx/sav) become plain text."""
    if value is None:
        return ""
    if isinstance(value, float):
        if value != value:  # NaN
            return ""
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


class _Cells:
    """A column's cell texts without materialising them: unique texts plus codes, or an array."""

    def __init__(self, uniques: np.ndarray, codes: np.ndarray | None = None) -> None:
        self.uniques = uniques
        self.codes = codes

    def take(self, rows: np.ndarray) -> np.ndarray:
        if self.codes is None:
            return self.uniques[rows]
        return self.uniques[self.codes[rows]]


class _Checker:
    """Collects problems as (rows, column, values, rule) chunks; materialised once at the end."""

    def __init__(self, raw: RawTable) -> None:
        self.raw = raw
        self.chunks: list[tuple[np.ndarray, str, np.ndarray, str | np.ndarray]] = []

    def add(self, mask: Any, column: str, texts: _Cells, rule: str | _Cells) -> None:
        import numpy as np

        rows = np.flatnonzero(np.asarray(mask, dtype=bool))
        if len(rows) == 0:
            return
        rule_part = rule if isinstance(rule, str) else rule.take(rows)
        self.chunks.append((rows, column, texts.take(rows), rule_part))

    def frame(self, order: list[str]) -> pd.DataFrame:
        import numpy as np
        import pandas as pd

        parts = []
        for rows, column, values, rule in self.chunks:
            parts.append(
                pd.DataFrame(
                    {
                        "row": self.raw.numbers(rows),
                        "column": column,
                        "value": values,
                        "rule": rule,
                        "_c": order.index(column) if column in order else len(order),
                    }
                )
            )
        out = pd.concat(parts, ignore_index=True)
        out = out.sort_values(["row", "_c"], kind="stable").drop(columns="_c")
        out["row"] = out["row"].astype(np.int64)
        return out.reset_index(drop=True)


def _column_cells(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(codes, unique texts) of a column; the last unique is the empty text (missing cells)."""
    import numpy as np
    import pandas as pd

    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = np.asarray(values.cat.codes)
        uniq = np.asarray(values.cat.categories, dtype=object)
    else:
        codes, uniques = pd.factorize(values.to_numpy(dtype=object), use_na_sentinel=True)
        uniq = np.asarray(uniques, dtype=object)
    if len(uniq) > 1000 and pd.api.types.infer_dtype(uniq, skipna=True) == "string":
        texts = pd.Series(uniq, dtype=object).str.strip().to_numpy(dtype=object)
    else:
        texts = np.array([_unique_text(u) for u in uniq], dtype=object)
    texts = np.append(texts, "")
    codes = np.where(codes < 0, len(uniq), codes)
    return codes, texts


def validate(raw: RawTable, dictionary: RegistrationDictionary) -> pd.DataFrame:
    """Check every row against the dictionary; return the typed table or raise with all problems.

    Structure problems (missing columns, no rows) are raised at once; cell problems are collected
    over the whole file and raised together as RegistrationProblems.
    """
    import numpy as np
    import pandas as pd

    frame = raw.frame
    _check_structure(raw, dictionary)
    n = len(frame)
    checker = _Checker(raw)
    typed: dict[str, Any] = {}
    texts: dict[str, _Cells] = {}
    filled: dict[str, np.ndarray] = {}
    valid: dict[str, np.ndarray] = {}
    for name, spec in dictionary.columns.items():
        if spec.type == "string" and spec.unique:
            arr = frame[name].to_numpy(dtype=object)
            # identifiers: one distinct value per row, so factorising would only cost time
            is_filled = pd.notna(arr) & (arr != "")
            text = np.where(is_filled, arr, "").astype(object)
            texts[name] = _Cells(text)
            filled[name] = valid[name] = is_filled
            ids = text.copy()
            ids[~is_filled] = None
            typed[name] = ids
            continue
        codes, uniq_text = _column_cells(frame[name])
        texts[name] = _Cells(uniq_text, codes)
        values, uniq_bad, uniq_rule = _parse_uniques(
            uniq_text, spec, dictionary, labels_as_codes=raw.labels_as_codes
        )
        is_filled = (uniq_text != "")[codes]
        bad = uniq_bad[codes] & is_filled
        if bad.any():
            checker.add(bad, name, texts[name], _Cells(uniq_rule, codes))
        filled[name] = is_filled
        valid[name] = is_filled & ~bad
        typed[name] = _typed_column(values, codes, valid[name], spec)
    out = pd.DataFrame(typed, index=pd.RangeIndex(n), copy=False)
    cache: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    # presence: required, or filled exactly when a condition holds
    for name, spec in dictionary.columns.items():
        if spec.present_when is not None:
            cond = spec.present_when
            holds, known = _evaluate(cond, out, valid, cache)
            checker.add(
                known & holds & ~filled[name], name, texts[name], f"required when {cond.describe()}"
            )
            checker.add(
                known & ~holds & filled[name],
                name,
                texts[name],
                f"must be empty unless {cond.describe()}",
            )
        elif spec.required:
            checker.add(~filled[name], name, texts[name], "required")
        if spec.unique:
            _check_unique(checker, name, texts[name], filled[name])

    for earlier, later in dictionary.order:
        both = valid[earlier] & valid[later]
        wrong = np.zeros(n, dtype=bool)
        a, b = _comparable(out[earlier]), _comparable(out[later])
        wrong[both] = np.asarray(a[both] > b[both], dtype=bool)
        if wrong.any():
            rules = np.full(n, "", dtype=object)
            earlier_text = texts[earlier].take(np.flatnonzero(wrong))
            rules[wrong] = [f"earlier than {earlier} ({t})" for t in earlier_text]
            checker.add(wrong, later, texts[later], _Cells(rules))
    md = pd.Timestamp(dictionary.measurement_date)
    for name, spec in dictionary.columns.items():
        if spec.type == "date":
            late = valid[name] & np.asarray(out[name] > md, dtype=bool)
            checker.add(
                late,
                name,
                texts[name],
                f"after the measurement date {dictionary.measurement_date.isoformat()}",
            )

    for rule in dictionary.rules:
        holds, known = _evaluate(rule.if_, out, valid, cache)
        then, then_known = _evaluate(rule.then, out, valid, cache)
        broken = known & holds & then_known & ~then
        checker.add(
            broken,
            rule.then.column,
            texts[rule.then.column],
            f"{rule.name}: {rule.description} ({rule.if_.describe()} requires "
            f"{rule.then.describe()})",
        )

    if checker.chunks:
        raise RegistrationProblems(checker.frame(list(dictionary.columns)), raw.path, raw.row_label)
    extra = [c for c in frame.columns if c not in dictionary.columns]
    for c in extra:  # kept as text: the dictionary says nothing about them
        out[c] = frame[c].to_numpy()
    out.attrs["source"] = str(raw.path)
    return out


def _comparable(col: pd.Series) -> np.ndarray:
    import numpy as np
    import pandas as pd

    if pd.api.types.is_datetime64_any_dtype(col.dtype):
        return col.to_numpy()
    return col.to_numpy(dtype=float, na_value=np.nan)


def _check_structure(raw: RawTable, d: RegistrationDictionary) -> None:
    frame = raw.frame
    missing = [c for c in d.columns if c not in frame.columns]
    if missing:
        header = str(frame.attrs.get("header_line", ""))
        header_lineno = int(frame.attrs.get("header_lineno", 1))
        for sep, name in ((";", "semicolons"), ("\t", "tabs"), ("|", "pipes")):
            if sep in header and len(frame.columns) <= 2:
                raise DataError(
                    f"the columns are separated by {name}, not commas",
                    path=raw.path,
                    line=header_lineno,
                    hint="save the file as comma-separated CSV (or use .xlsx)",
                )
        close = _suggestions(missing, [str(c) for c in frame.columns])
        raise DataError(
            f"missing column(s): {', '.join(missing)}" + close,
            path=raw.path,
            line=header_lineno,
            hint="the header must have every column of variables/registraties.yaml",
        )
    if len(frame) == 0:
        raise DataError("the file has a header but no rows", path=raw.path, hint="add the data")


def _suggestions(missing: list[str], present: list[str]) -> str:
    from rapidfuzz import process

    pairs = []
    for m in missing:
        hit = process.extractOne(m, present, score_cutoff=80)
        if hit is not None:
            pairs.append(f"'{hit[0]}' -> '{m}'?")
    return f" (rename {', '.join(pairs)})" if pairs else ""


def _parse_uniques(
    uniq: np.ndarray, spec: ColumnSpec, d: RegistrationDictionary, *, labels_as_codes: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Parse each distinct text once: (values, bad, rule) per unique (last slot = empty)."""
    import numpy as np
    import pandas as pd

    k = len(uniq)
    bad = np.zeros(k, dtype=bool)
    rule = np.full(k, "", dtype=object)
    filled = uniq != ""
    values: np.ndarray
    if spec.type == "string":
        values = uniq.copy()
    elif spec.type in ("integer", "number"):
        nums = pd.to_numeric(pd.Series(uniq, dtype=object), errors="coerce").to_numpy(float)
        notnum = np.isnan(nums) & filled
        bad |= notnum
        rule[notnum] = "not a number"
        if spec.type == "integer":
            frac = ~np.isnan(nums) & (nums != np.round(nums))
            bad |= frac
            rule[frac] = "not a whole number"
        values = nums
        _check_bounds(values, spec, bad, rule)
    elif spec.type == "boolean":
        low = np.array([u.lower() for u in uniq], dtype=object)
        values = np.array([w in TRUE_WORDS for w in low], dtype=object)
        unknown = filled & ~np.isin(low, list(TRUE_WORDS | FALSE_WORDS))
        bad |= unknown
        rule[unknown] = "not true/false (use true, false, 1, 0, ja or nee)"
    elif spec.type == "date":
        ts = pd.to_datetime(pd.Series(uniq, dtype=object), format=d.date_format, errors="coerce")
        values = ts.to_numpy(dtype="datetime64[ns]")
        nat = np.isnat(values) & filled
        bad |= nat
        for j in np.flatnonzero(nat):
            rule[j] = _date_hint(str(uniq[j]), d.date_format)
        _check_bounds(values, spec, bad, rule)
    else:  # category
        allowed = spec.values or {}
        by_label = {label.lower(): code for code, label in allowed.items()}
        values = uniq.copy()
        for j in np.flatnonzero(filled):
            u = str(uniq[j])
            if u in allowed:
                continue
            if labels_as_codes and u.lower() in by_label:
                values[j] = by_label[u.lower()]  # a value label (SPSS) stands for its code
                continue
            bad[j] = True
            rule[j] = _category_hint(u, allowed)
    return values, bad, rule


def _check_bounds(values: np.ndarray, spec: ColumnSpec, bad: np.ndarray, rule: np.ndarray) -> None:
    import numpy as np

    for bound, op, word in ((spec.min, np.less, "below"), (spec.max, np.greater, "above")):
        if bound is None:
            continue
        ref = np.datetime64(bound, "ns") if isinstance(bound, date) else bound
        with np.errstate(invalid="ignore"):
            out = np.asarray(op(values, ref), dtype=bool) & ~bad
        shown = bound.isoformat() if isinstance(bound, date) else f"{bound:g}"
        bad |= out
        rule[out] = f"{word} the {'minimum' if word == 'below' else 'maximum'} {shown}"


def _date_hint(text: str, fmt: str) -> str:
    for other in OTHER_DATE_FORMATS:
        try:
            parsed = datetime.strptime(text, other).date()
        except ValueError:
            continue
        return f"date in another format; write it as {parsed.strftime(fmt)} ({fmt})"
    return f"not a date ({fmt}, e.g. 2010-01-31)"


def _category_hint(value: str, allowed: dict[str, str]) -> str:
    from rapidfuzz import fuzz, process

    codes = list(allowed)
    low = {c.lower(): c for c in codes}
    best = low.get(value.lower())
    if best is None:
        choices = {c: c for c in codes} | {label: c for c, label in allowed.items()}
        hit = process.extractOne(value, list(choices), scorer=fuzz.WRatio, score_cutoff=60)
        best = choices[hit[0]] if hit else None
    listed = ", ".join(codes)
    if best is not None:
        return f"unknown category; did you mean '{best}'? (allowed: {listed})"
    return f"unknown category (allowed: {listed})"


def _typed_column(values: np.ndarray, codes: np.ndarray, ok: np.ndarray, spec: ColumnSpec) -> Any:
    """The typed column: converted once per distinct value, then spread over the rows by code."""
    import numpy as np
    import pandas as pd

    if spec.type in ("category", "string"):
        if spec.type == "category":
            cats = list(spec.values or {})
            pos = {c: i for i, c in enumerate(cats)}
            uniq_codes = np.array([pos.get(v, -1) for v in values], dtype=np.int64)
        else:  # text: categories are the distinct (stripped) texts, sorted
            texts = np.asarray(values, dtype=object)
            present = texts != ""
            uniq_codes = np.full(len(texts), -1, dtype=np.int64)
            found_codes, found = pd.factorize(texts[present], sort=True)
            uniq_codes[present] = found_codes
            cats = [str(c) for c in found]
        cat_codes = np.where(ok, uniq_codes[codes], -1)
        return pd.Categorical.from_codes(cat_codes, categories=pd.Index(cats, dtype=object))
    if spec.type == "integer":
        as_float = np.asarray(values, dtype=float)
        uniq_int = np.where(np.isnan(as_float), 0, as_float).astype(np.int64)
        return pd.arrays.IntegerArray(uniq_int[codes], ~ok)
    if spec.type == "number":
        out = np.asarray(values, dtype=float)[codes]
        out[~ok] = np.nan
        return out
    if spec.type == "boolean":
        return pd.arrays.BooleanArray(np.asarray(values, dtype=bool)[codes], ~ok)
    # date
    out = np.asarray(values).astype("datetime64[ns]")[codes]
    out[~ok] = np.datetime64("NaT")
    return out


def _evaluate(
    cond: Condition,
    out: pd.DataFrame,
    valid: dict[str, np.ndarray],
    cache: dict[str, tuple[np.ndarray, np.ndarray]],
) -> tuple[np.ndarray, np.ndarray]:
    """(holds, known) per row; rows where the tested cell is invalid are 'unknown'.

    Many columns share one condition (asielachtergrond_bekend), so results are cached.
    """
    import numpy as np

    key = cond.model_dump_json()
    if key in cache:
        return cache[key]
    col = out[cond.column]
    known = valid[cond.column]
    holds = np.ones(len(out), dtype=bool)
    if cond.in_ is not None:
        holds &= np.asarray(col.isin(cond.in_), dtype=bool)
    if cond.not_in is not None:
        holds &= ~np.asarray(col.isin(cond.not_in), dtype=bool)
    if cond.min is not None or cond.max is not None:
        x = _comparable(col)
        with np.errstate(invalid="ignore"):
            if cond.min is not None:
                holds &= x >= cond.min
            if cond.max is not None:
                holds &= x <= cond.max
    cache[key] = (holds, known)
    return holds, known


def _check_unique(checker: _Checker, name: str, texts: _Cells, filled: np.ndarray) -> None:
    import numpy as np
    import pandas as pd

    n = len(filled)
    # factorised columns repeat codes; identifier columns are compared as text
    keys = pd.Series(texts.codes if texts.codes is not None else texts.uniques)
    dup = keys.duplicated(keep=False).to_numpy() & filled
    if not dup.any():
        return
    idx = np.flatnonzero(dup)
    first = pd.Series(idx).groupby(keys.iloc[idx].to_numpy()).transform("min").to_numpy()
    rules = np.full(n, "", dtype=object)
    first_number = checker.raw.numbers(first)
    rules[idx] = [
        f"duplicate {name} (also on {checker.raw.row_label} {shown})"
        if p != i
        else f"duplicate {name} (repeated further down)"
        for i, p, shown in zip(idx, first, first_number, strict=True)
    ]
    checker.add(dup, name, texts, _Cells(rules))


def read_registrations(path: Path, dictionary: RegistrationDictionary) -> pd.DataFrame:
    """Read a CSV/XLSX/SAV registration file and validate it; the typed table or an error."""
    ids = [name for name, spec in dictionary.columns.items() if spec.unique]
    return validate(read_raw(path, ids), dictionary)
