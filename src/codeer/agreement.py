"""Intercoder agreement: units, percent agreement, Cohen's and Fleiss' kappa, Krippendorff's alpha.

Rules (``codeer agreement`` prints the unit and the bootstrap settings, the resampling scheme
included, with every table):

Units
    A unit is a sentence (``codeer.segmentation.segment``), a speaker turn (every turn of
    ``transcript.turns``, interviewer turns included) or a whole document, of a transcript that
    every compared coder has a codings file for (an empty file counts: the coder found nothing).
    Transcripts coded by only some of the coders are reported and skipped.
Values
    Per code, a coder's value for a unit is 1 when the coder applied the code, or a code below
    it, to a span sharing at least one code point with the unit, else 0. So a leaf code counts
    exactly itself and a group code (``typologie.cyclisch``) the union of its descendants, the
    way the steunpunt variables read the codings. Orphaned codings (lost by re-anchoring) do not
    count. Codes nobody used are listed and skipped.
Pooling ("overall")
    The pooled matrix has one item per unit and code, over the codes applied directly by at
    least one coder, each with its exact-code value (group rows would count a child's coding
    twice). Percent agreement, the kappas and alpha are computed on all those items together;
    the mean of the per-code coefficients over the same codes (undefined ones left out, the
    count shown) is given beside it.
Coefficients
    Percent agreement: share of units on which all coders give the same value. Cohen's kappa:
    exactly two coders, (p_o - p_e) / (1 - p_e) with each coder's own marginals. Fleiss' kappa
    (Fleiss 1971): two or more coders, complete data only (a unit missing any coder's value is
    left out; ``incomplete_units`` counts them), (P - P_e) / (1 - P_e) with P the mean share of
    agreeing coder pairs per unit and P_e from the pooled category shares; for two coders it is
    Scott's pi, not Cohen's kappa. Krippendorff's alpha, nominal, any number of coders, missing
    values allowed (units with fewer than two values are not pairable). A coefficient whose
    denominator is zero (no variation: every value the same) is undefined (None), never 0 or 1.
    The project's unit matrices are always complete (a coder who did not apply a code gives 0).
Bootstrap
    ``N_RESAMPLES`` resamples with replacement, seed ``SEED``, the same resamples for every code
    and for the pooled items (a pooled resample takes all codes of a drawn unit together). By
    default whole transcripts are resampled (cluster bootstrap): a resample draws as many
    transcripts as were compared, and every unit of a drawn transcript enters as often as its
    transcript was drawn. Units of one interview share the coders' habits in that interview, so
    resampling units independently (``resample="unit"``, kept as an option) gives intervals
    that are too narrow for sentences and turns. For document units the two schemes are the
    same draws. The 95% interval is the 2.5th and 97.5th percentile of the resampled
    coefficients (percentile method). Resamples in which the coefficient is undefined are left
    out and counted. With few transcripts the cluster intervals are themselves rough (a
    percentile bootstrap over G clusters is too narrow by about sqrt((G - 1) / G)).
"""

from __future__ import annotations

import bisect
import contextlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

import numpy as np
import numpy.typing as npt

from codeer.errors import AnalysisError, UsageError

if TYPE_CHECKING:
    from codeer.codings import Coding, CodingsFile
    from codeer.project import Project
    from codeer.transcript import Transcript

UnitKind = Literal["sentence", "turn", "document"]
UNIT_KINDS: tuple[UnitKind, ...] = ("sentence", "turn", "document")
Resample = Literal["transcript", "unit"]
RESAMPLE_KINDS: tuple[Resample, ...] = ("transcript", "unit")
N_RESAMPLES = 1000
SEED = 20100401
CONFIDENCE = 0.95
MIN_CLUSTERS = 5  # transcripts carrying a code below which its transcript interval is flagged
_EPS = 1e-12

FloatArray = npt.NDArray[np.float64]


# --- coefficients on a unit-by-coder matrix ---------------------------------------------------


@dataclass(frozen=True)
class UnitTables:
    """Per-unit sufficient statistics; sums over (weighted) units give every coefficient.

    ``pairs[u]`` is the one-hot coder-1-by-coder-2 table of unit u (two coders only),
    ``coincidence[u]`` unit u's contribution to Krippendorff's coincidence matrix, ``agree[u]``
    whether all values of u agree and ``pairable[u]`` whether u has at least two values. For
    Fleiss' kappa, ``complete[u]`` is 1 when every coder (at least two) rated u, ``counts[u]``
    its ratings per category and ``pair_share[u]`` its share of agreeing coder pairs (both zero
    for an incomplete unit). Tables of the same units add up (pooling codes).
    """

    pairs: FloatArray | None
    coincidence: FloatArray
    agree: FloatArray
    pairable: FloatArray
    complete: FloatArray
    counts: FloatArray
    pair_share: FloatArray

    @property
    def n_units(self) -> int:
        return int(self.agree.shape[0])

    def __add__(self, other: UnitTables) -> UnitTables:
        pairs = None
        if self.pairs is not None and other.pairs is not None:
            pairs = self.pairs + other.pairs
        return UnitTables(
            pairs,
            self.coincidence + other.coincidence,
            self.agree + other.agree,
            self.pairable + other.pairable,
            self.complete + other.complete,
            self.counts + other.counts,
            self.pair_share + other.pair_share,
        )


def encode(ratings: Any) -> tuple[npt.NDArray[np.int64], list[Any]]:
    """Units-by-coders values as category indices (-1 = missing: None or NaN) and the categories."""
    rows = [list(r) for r in ratings]
    values: list[Any] = []
    for row in rows:
        for v in row:
            if not _missing(v) and v not in values:
                values.append(v)
    with contextlib.suppress(TypeError):
        values.sort()
    index = {v: i for i, v in enumerate(values)}
    width = len(rows[0]) if rows else 0
    out = np.full((len(rows), width), -1, dtype=np.int64)
    for u, row in enumerate(rows):
        if len(row) != width:
            raise ValueError("every unit needs a value (or None) for every coder")
        for c, v in enumerate(row):
            if not _missing(v):
                out[u, c] = index[v]
    return out, values


def _missing(v: object) -> bool:
    return v is None or (isinstance(v, float) and v != v)


def unit_tables(codes: npt.NDArray[np.int64], n_categories: int) -> UnitTables:
    """The per-unit tables of an encoded units-by-coders matrix (see ``encode``)."""
    n, k = codes.shape
    c = max(n_categories, 1)
    counts = np.zeros((n, c), dtype=np.float64)
    for j in range(k):
        col = codes[:, j]
        present = col >= 0
        counts[np.nonzero(present)[0], col[present]] += 1
    m = counts.sum(axis=1)
    pairable = m >= 2
    coinc = np.zeros((n, c, c), dtype=np.float64)
    if pairable.any():
        cu = counts[pairable]
        outer = cu[:, :, None] * cu[:, None, :]
        outer[:, np.arange(c), np.arange(c)] -= cu
        coinc[pairable] = outer / (m[pairable] - 1)[:, None, None]
    agree = (pairable & (counts.max(axis=1) == m)).astype(np.float64)
    pairs = None
    if k == 2:
        pairs = np.zeros((n, c, c), dtype=np.float64)
        both = (codes[:, 0] >= 0) & (codes[:, 1] >= 0)
        idx = np.nonzero(both)[0]
        pairs[idx, codes[idx, 0], codes[idx, 1]] = 1.0
    complete = (m == k) & (k >= 2)
    full = np.where(complete[:, None], counts, 0.0)
    share = np.zeros(n, dtype=np.float64)
    if complete.any():
        share[complete] = ((full[complete] ** 2).sum(axis=1) - k) / (k * (k - 1))
    return UnitTables(
        pairs, coinc, agree, pairable.astype(np.float64), complete.astype(np.float64), full, share
    )


def binary_tables(ratings: npt.NDArray[np.bool_]) -> UnitTables:
    """Unit tables of a complete 0/1 units-by-coders matrix (categories 0 and 1 always)."""
    return unit_tables(ratings.astype(np.int64), 2)


class Resampled(NamedTuple):
    """One value per row of weights (NaN = undefined)."""

    percent: FloatArray
    kappa: FloatArray  # Cohen's
    alpha: FloatArray
    fleiss: FloatArray


def weighted_coefficients(tables: UnitTables, weights: FloatArray) -> Resampled:
    """Percent agreement, Cohen's kappa, alpha and Fleiss' kappa for each row of unit weights.

    Weights of ones give the estimates; bootstrap counts (how often each unit was drawn) give
    the resampled ones, through the very same arithmetic.
    """
    w = np.atleast_2d(weights)
    n_units = tables.n_units
    pairable = w @ tables.pairable
    with np.errstate(invalid="ignore", divide="ignore"):
        percent = np.where(
            pairable > 0, (w @ tables.agree) / np.where(pairable > 0, pairable, 1), np.nan
        )
    c = tables.coincidence.shape[1]
    o = (w @ tables.coincidence.reshape(n_units, c * c)).reshape(-1, c, c)
    n = o.sum(axis=(1, 2))
    n_c = o.sum(axis=2)
    observed = n - np.trace(o, axis1=1, axis2=2)
    expected = n**2 - (n_c**2).sum(axis=1)
    ok = (expected > _EPS) & (n > 1)
    alpha = np.full(w.shape[0], np.nan)
    alpha[ok] = 1 - (n[ok] - 1) * observed[ok] / expected[ok]
    kappa = np.full(w.shape[0], np.nan)
    if tables.pairs is not None:
        t = (w @ tables.pairs.reshape(n_units, c * c)).reshape(-1, c, c)
        total = t.sum(axis=(1, 2))
        has = total > 0
        safe = np.where(has, total, 1.0)
        po = np.trace(t, axis1=1, axis2=2) / safe
        pe = (t.sum(axis=2) * t.sum(axis=1)).sum(axis=1) / safe**2
        ok_k = has & (1 - pe > _EPS)
        kappa[ok_k] = (po[ok_k] - pe[ok_k]) / (1 - pe[ok_k])
    return Resampled(percent, kappa, alpha, _fleiss(tables, w))


def _fleiss(tables: UnitTables, w: FloatArray) -> FloatArray:
    """Fleiss' kappa over the complete units, (P - P_e) / (1 - P_e), per row of weights."""
    units = w @ tables.complete
    ratings = w @ tables.counts  # (rows, categories)
    total = ratings.sum(axis=1)
    has = (units > 0) & (total > 0)
    p_bar = (w @ tables.pair_share) / np.where(has, units, 1.0)
    shares = ratings / np.where(has, total, 1.0)[:, None]
    p_e = (shares**2).sum(axis=1)
    ok = has & (1 - p_e > _EPS)
    out = np.full(w.shape[0], np.nan)
    out[ok] = (p_bar[ok] - p_e[ok]) / (1 - p_e[ok])
    return out


def _value(x: float) -> float | None:
    return None if np.isnan(x) else float(x)


def percent_agreement(ratings: Any) -> float | None:
    """Share of units (with at least two values) on which all values agree."""
    codes, cats = encode(ratings)
    return _value(weighted_coefficients(unit_tables(codes, len(cats)), _ones(codes))[0][0])


def cohens_kappa(ratings: Any) -> float | None:
    """Cohen's kappa of two coders (units missing a value are left out); None when undefined."""
    codes, cats = encode(ratings)
    if codes.shape[1] != 2:
        raise ValueError("Cohen's kappa needs exactly two coders")
    return _value(weighted_coefficients(unit_tables(codes, len(cats)), _ones(codes))[1][0])


def krippendorff_alpha(ratings: Any) -> float | None:
    """Krippendorff's alpha, nominal, any number of coders, missing values allowed."""
    codes, cats = encode(ratings)
    return _value(weighted_coefficients(unit_tables(codes, len(cats)), _ones(codes))[2][0])


def fleiss_kappa(ratings: Any) -> float | None:
    """Fleiss' kappa of two or more coders on the units every coder rated; None when undefined.

    Units missing a value are left out (``incomplete_units`` counts them); for two coders this
    is Scott's pi.
    """
    codes, cats = encode(ratings)
    if codes.shape[1] < 2:
        raise ValueError("Fleiss' kappa needs at least two coders")
    return _value(weighted_coefficients(unit_tables(codes, len(cats)), _ones(codes)).fleiss[0])


def incomplete_units(ratings: Any) -> int:
    """Units lacking some coder's value: the ones Fleiss' kappa leaves out."""
    codes, _ = encode(ratings)
    return int((codes < 0).any(axis=1).sum())


def _ones(codes: npt.NDArray[np.int64]) -> FloatArray:
    return np.ones((1, codes.shape[0]))


# --- bootstrap --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Estimate:
    """A coefficient with its bootstrap interval; None = undefined."""

    value: float | None
    low: float | None = None
    high: float | None = None
    resamples: int = 0  # resamples in which the coefficient was defined

    def as_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "ci_low": self.low,
            "ci_high": self.high,
            "defined_resamples": self.resamples,
        }


@dataclass(frozen=True)
class Coefficients:
    percent: float | None
    kappa: Estimate  # Cohen's
    alpha: Estimate
    fleiss: Estimate

    def as_dict(self) -> dict[str, Any]:
        return {
            "percent_agreement": self.percent,
            "kappa": self.kappa.as_dict(),
            "fleiss_kappa": self.fleiss.as_dict(),
            "alpha": self.alpha.as_dict(),
        }


def bootstrap_weights(
    n_units: int,
    n_resamples: int = N_RESAMPLES,
    seed: int = SEED,
    *,
    clusters: Sequence[object] | None = None,
) -> FloatArray:
    """How often each unit is drawn in each resample (rows: resamples).

    Without ``clusters`` the units are drawn independently. With ``clusters`` (one label per
    unit, e.g. its transcript) each resample draws as many clusters as there are, with
    replacement, and every unit gets its cluster's draw count: the cluster (case) bootstrap.
    One unit per cluster gives exactly the draws of the unit bootstrap.
    """
    if clusters is None:
        inverse = np.arange(n_units)
    else:
        if len(clusters) != n_units:
            raise ValueError("clusters needs one label per unit")
        first: dict[object, int] = {}
        inverse = np.array([first.setdefault(c, len(first)) for c in clusters], dtype=np.int64)
    n_clusters = int(inverse.max()) + 1 if n_units else 0
    rng = np.random.default_rng(seed)
    if n_clusters == 0:
        return np.zeros((n_resamples, 0))
    draws = rng.integers(0, n_clusters, size=(n_resamples, n_clusters))
    counts = np.zeros((n_resamples, n_clusters))
    rows = np.repeat(np.arange(n_resamples), n_clusters)
    np.add.at(counts, (rows, draws.ravel()), 1.0)
    return counts[:, inverse]


def coefficients(tables: UnitTables, boot: FloatArray | None) -> Coefficients:
    """Point estimates, and percentile intervals when bootstrap weights are given."""
    point = weighted_coefficients(tables, np.ones((1, tables.n_units)))
    kappa = Estimate(_value(point.kappa[0]))
    alpha = Estimate(_value(point.alpha[0]))
    fleiss = Estimate(_value(point.fleiss[0]))
    if boot is not None and boot.shape[0] > 0:
        resampled = weighted_coefficients(tables, boot)
        kappa = _interval(kappa.value, resampled.kappa)
        alpha = _interval(alpha.value, resampled.alpha)
        fleiss = _interval(fleiss.value, resampled.fleiss)
    return Coefficients(_value(point.percent[0]), kappa, alpha, fleiss)


def _interval(value: float | None, resampled: FloatArray) -> Estimate:
    defined = resampled[~np.isnan(resampled)]
    if value is None or defined.size == 0:
        return Estimate(value, None, None, int(defined.size))
    tail = (1 - CONFIDENCE) / 2 * 100
    low, high = np.percentile(defined, [tail, 100 - tail])
    return Estimate(value, float(low), float(high), int(defined.size))


# --- units ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Unit:
    transcript: str
    index: int
    start: int
    end: int


def units_of(transcript: Transcript, kind: UnitKind) -> list[Unit]:
    """The units of one transcript, in body order, never overlapping."""
    tid = transcript.id
    if kind == "document":
        return [Unit(tid, 0, 0, max(len(transcript.body), 1))]
    if kind == "turn":
        return [Unit(tid, t.index, t.start, t.end) for t in transcript.turns if t.end > t.start]
    if kind == "sentence":
        from codeer.segmentation import segment

        return [Unit(tid, s.index, s.start, s.end) for s in segment(transcript)]
    raise UsageError(f"unknown unit '{kind}'", hint="use sentence, turn or document")


def _overlapping(units: Sequence[Unit], ends: Sequence[int], start: int, end: int) -> range:
    """Indices of the units sharing a code point with [start, end) (units sorted, disjoint)."""
    first = bisect.bisect_right(ends, start)
    last = first
    while last < len(units) and units[last].start < end:
        last += 1
    return range(first, last)


def current_codings(cf: CodingsFile | None, transcript: Transcript) -> tuple[list[Coding], int]:
    """A coder's codings placed in the transcript as it is now, and how many had to move.

    A codings file saved against an older text (another ``transcript_hash``) is re-anchored in
    memory by its quotes, so coders who coded different versions are compared on the same text.
    """
    if cf is None:
        return [], 0
    codings = list(cf.codings)
    if cf.transcript_hash == transcript.content_hash:
        return codings, 0
    from codeer.anchoring import reanchor

    results = reanchor(codings, transcript.body)
    return [r.coding for r in results], sum(r.status != "kept" for r in results)


# --- the project layer ------------------------------------------------------------------------


@dataclass(frozen=True)
class CodeAgreement:
    """One row of the per-code table."""

    code: str
    label: str
    units_coded: dict[str, int]  # per coder: units with the code
    coefficients: Coefficients
    pooled: bool  # applied directly by someone, so part of the pooled figures
    transcripts_coded: int = 0  # transcripts where some coder applied it (its clusters)

    @property
    def few_clusters(self) -> bool:
        """Too few transcripts carry the code for a transcript bootstrap interval to mean much
        (one transcript gives a zero-width interval)."""
        return self.transcripts_coded < MIN_CLUSTERS

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "label": self.label,
            "units_coded": self.units_coded,
            "transcripts_coded": self.transcripts_coded,
            **self.coefficients.as_dict(),
            "in_pooled": self.pooled,
        }


@dataclass(frozen=True)
class Overall:
    n_codes: int
    n_items: int
    pooled: Coefficients
    mean_kappa: float | None
    mean_alpha: float | None
    n_kappa_defined: int
    n_alpha_defined: int
    mean_fleiss: float | None = None
    n_fleiss_defined: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "codes": self.n_codes,
            "items": self.n_items,
            "pooled": self.pooled.as_dict(),
            "mean_kappa": self.mean_kappa,
            "mean_fleiss_kappa": self.mean_fleiss,
            "mean_alpha": self.mean_alpha,
            "codes_with_kappa": self.n_kappa_defined,
            "codes_with_fleiss_kappa": self.n_fleiss_defined,
            "codes_with_alpha": self.n_alpha_defined,
        }


@dataclass(frozen=True)
class AgreementReport:
    coders: tuple[str, ...]
    unit: UnitKind
    transcripts: list[str]  # compared
    skipped: dict[str, list[str]]  # transcript -> the compared coders who coded it
    n_units: int
    codes: list[CodeAgreement]
    unused: list[str]
    overall: Overall
    notes: list[str] = field(default_factory=list)
    n_resamples: int = N_RESAMPLES
    seed: int = SEED
    resample: Resample = "transcript"

    @property
    def resampled(self) -> str:
        """What one bootstrap draw picks: a transcript (all its units) or a single unit."""
        return "transcript" if self.resample == "transcript" else self.unit

    def as_dict(self) -> dict[str, Any]:
        return {
            "coders": list(self.coders),
            "unit": self.unit,
            "transcripts": self.transcripts,
            "skipped_transcripts": self.skipped,
            "units": self.n_units,
            "bootstrap": {
                "resamples": self.n_resamples,
                "seed": self.seed,
                "method": "percentile",
                "confidence": CONFIDENCE,
                "resample": self.resample,
                "resampling_unit": self.resampled,
                "draws_per_resample": (
                    len(self.transcripts) if self.resample == "transcript" else self.n_units
                ),
            },
            "codes": [c.as_dict() for c in self.codes],
            "overall": self.overall.as_dict(),
            "unused_codes": self.unused,
            "notes": self.notes,
        }


def check_coders(project: Project, coders: Sequence[str]) -> None:
    """At least two distinct coders, each with codings; else a clear message."""
    if len(coders) < 2 or len(set(coders)) != len(coders):
        raise UsageError(
            "agreement needs at least two different coders",
            hint="pass --coders a,b",
        )
    known = project.store.coders()
    for coder in coders:
        if not project.store.coded_transcripts(coder):
            raise UsageError(
                f"coder '{coder}' has no codings",
                path=project.paths.coder_dir(coder),
                hint=f"coders with codings: {', '.join(c for c in known if project.store.coded_transcripts(c)) or 'none'}",
            )


def common_transcripts(
    project: Project, coders: Sequence[str], only: Iterable[str] | None = None
) -> tuple[list[str], dict[str, list[str]]]:
    """Transcripts every coder coded, and the others someone coded (with who coded them)."""
    wanted = list(only) if only else list(project.transcripts)
    for tid in wanted:
        project.transcript(tid)  # unknown id: a clear error
    coded = {c: set(project.store.coded_transcripts(c)) for c in coders}
    both: list[str] = []
    skipped: dict[str, list[str]] = {}
    for tid in sorted(wanted):
        by = [c for c in coders if tid in coded[c]]
        if len(by) == len(coders):
            both.append(tid)
        elif by:
            skipped[tid] = by
    return both, skipped


def agreement(
    project: Project,
    coders: Sequence[str],
    *,
    unit: UnitKind = "sentence",
    transcripts: Iterable[str] | None = None,
    n_resamples: int = N_RESAMPLES,
    seed: int = SEED,
    resample: Resample = "transcript",
) -> AgreementReport:
    """Per-code and pooled agreement of the coders on the transcripts they all coded."""
    coders = tuple(coders)
    check_coders(project, coders)
    if unit not in UNIT_KINDS:
        raise UsageError(f"unknown unit '{unit}'", hint="use sentence, turn or document")
    if resample not in RESAMPLE_KINDS:
        raise UsageError(f"unknown resampling '{resample}'", hint="use transcript or unit")
    tids, skipped = common_transcripts(project, coders, transcripts)
    if not tids:
        raise AnalysisError(
            f"no transcript is coded by all of {', '.join(coders)}",
            path=project.paths.codings,
            hint="agreement compares the transcripts every coder has a codings file for",
        )
    notes: list[str] = []
    if skipped:
        by_set: dict[str, list[str]] = {}
        for t, by in skipped.items():
            by_set.setdefault(" and ".join(by), []).append(t)
        for who, ts in by_set.items():
            shown = ", ".join(ts[:6]) + (f" and {len(ts) - 6} more" if len(ts) > 6 else "")
            notes.append(f"{len(ts)} transcript(s) coded by {who} only, skipped: {shown}")
    files = {c: {t: project.codings(c, t) for t in tids} for c in coders}
    for c in coders:
        if not any(cf is not None and cf.codings for cf in files[c].values()):
            notes.append(
                f"coder '{c}' has codings files but no codings on the compared transcripts"
            )
    if len(coders) != 2:
        notes.append(
            "Cohen's kappa is defined for two coders: undefined here; see Fleiss' kappa and alpha"
        )
    codebook = project.codebook
    code_ids = list(codebook.codes)
    unknown = sorted(
        {
            cd.code
            for per in files.values()
            for cf in per.values()
            if cf is not None
            for cd in cf.codings
            if cd.code not in codebook
        }
    )
    if unknown:
        notes.append(f"codes not in the codebook, compared as they are: {', '.join(unknown)}")
    code_ids += unknown
    col = {cid: j for j, cid in enumerate(code_ids)}

    units: list[Unit] = []
    direct = {c: [] for c in coders}  # type: dict[str, list[npt.NDArray[np.bool_]]]
    orphaned = outside = moved = 0
    for tid in tids:
        transcript = project.transcript(tid)
        tunits = units_of(transcript, unit)
        ends = [u.end for u in tunits]
        for c in coders:
            m = np.zeros((len(tunits), len(code_ids)), dtype=bool)
            placed, n_moved = current_codings(files[c][tid], transcript)
            moved += n_moved
            for cd in placed:
                if cd.anchor == "orphaned":
                    orphaned += 1
                    continue
                hit = _overlapping(tunits, ends, cd.start, cd.end)
                if not hit:
                    outside += 1
                for i in hit:
                    m[i, col[cd.code]] = True
            direct[c].append(m)
        units.extend(tunits)
    if moved:
        notes.append(
            f"{moved} coding(s) saved against an older transcript text were re-anchored by their "
            "quotes for this comparison (files unchanged)"
        )
    if orphaned:
        notes.append(f"{orphaned} orphaned coding(s) not counted (re-anchoring lost their text)")
    if outside:
        notes.append(f"{outside} coding(s) outside every {unit} (e.g. only a speaker marker)")
    exact = {c: np.vstack(direct[c]) for c in coders}
    desc_idx = {cid: [col[d] for d in codebook.descendants(cid)] or [col[cid]] for cid in code_ids}
    expanded = {c: _expand(exact[c], code_ids, desc_idx) for c in coders}

    n = len(units)
    boot = None
    if n_resamples > 0:
        clusters = [u.transcript for u in units] if resample == "transcript" else None
        boot = bootstrap_weights(n, n_resamples, seed, clusters=clusters)
    rows: list[CodeAgreement] = []
    unused: list[str] = []
    used_directly = [j for j in range(len(code_ids)) if any(exact[c][:, j].any() for c in coders)]
    pooled_set = set(used_directly)
    for j, cid in enumerate(code_ids):
        ratings = np.column_stack([expanded[c][:, j] for c in coders])
        if not ratings.any():
            unused.append(cid)
            continue
        label = codebook.codes[cid].label if cid in codebook else ""
        carrying = {units[i].transcript for i in np.flatnonzero(ratings.any(axis=1))}
        rows.append(
            CodeAgreement(
                cid,
                label,
                {c: int(expanded[c][:, j].sum()) for c in coders},
                coefficients(binary_tables(ratings), boot),
                j in pooled_set,
                len(carrying),
            )
        )
    if unused:
        notes.append(f"{len(unused)} code(s) never used by any of the coders, skipped")
    overall = _overall(exact, coders, used_directly, boot, n)
    return AgreementReport(
        coders, unit, tids, skipped, n, rows, unused, overall, notes, n_resamples, seed, resample
    )


def _expand(
    exact: npt.NDArray[np.bool_], code_ids: Sequence[str], desc_idx: Mapping[str, list[int]]
) -> npt.NDArray[np.bool_]:
    out = np.zeros_like(exact)
    for j, cid in enumerate(code_ids):
        out[:, j] = exact[:, desc_idx[cid]].any(axis=1)
    return out


def _overall(
    exact: Mapping[str, npt.NDArray[np.bool_]],
    coders: Sequence[str],
    codes: Sequence[int],
    boot: FloatArray | None,
    n_units: int,
) -> Overall:
    pooled: UnitTables | None = None
    kappas: list[float] = []
    alphas: list[float] = []
    fleisses: list[float] = []
    for j in codes:
        t = binary_tables(np.column_stack([exact[c][:, j] for c in coders]))
        pooled = t if pooled is None else pooled + t
        point = weighted_coefficients(t, np.ones((1, n_units)))
        for values, out in ((point.kappa, kappas), (point.alpha, alphas), (point.fleiss, fleisses)):
            if not np.isnan(values[0]):
                out.append(float(values[0]))
    if pooled is None:
        empty = Coefficients(None, Estimate(None), Estimate(None), Estimate(None))
        return Overall(0, 0, empty, None, None, 0, 0)
    return Overall(
        len(codes),
        len(codes) * n_units,
        coefficients(pooled, boot),
        float(np.mean(kappas)) if kappas else None,
        float(np.mean(alphas)) if alphas else None,
        len(kappas),
        len(alphas),
        float(np.mean(fleisses)) if fleisses else None,
        len(fleisses),
    )


# --- derived steunpunt variables and typology -------------------------------------------------


def same_value(a: object, b: object) -> bool:
    """Equal values of the same kind (True is not 1); two missing values are the same."""
    return a == b and isinstance(a, bool) == isinstance(b, bool)


@dataclass(frozen=True)
class VariableCell:
    steunpunt: str
    variable: str
    values: tuple[object, ...]  # one per coder, None = missing

    @property
    def same(self) -> bool:
        return all(same_value(self.values[0], v) for v in self.values[1:])

    @property
    def all_missing(self) -> bool:
        return all(v is None for v in self.values)


@dataclass(frozen=True)
class TypologyCell:
    steunpunt: str
    values: tuple[str | None, ...]
    counts: tuple[dict[str, int], ...]

    @property
    def same(self) -> bool:
        return all(v == self.values[0] for v in self.values[1:])


@dataclass(frozen=True)
class VariablesAgreement:
    """The steunpunt variables derived from each coder's codings, side by side.

    Both derivations read only the transcripts every coder coded, so a steunpunt's gemeente
    interview counts for neither coder unless both coded it; steunpunten are compared when both
    coded their steunpunt interview.
    """

    coders: tuple[str, ...]
    steunpunten: list[str]
    variables: list[str]
    cells: list[VariableCell]
    typology: list[TypologyCell]
    notes: list[str] = field(default_factory=list)

    @property
    def share_identical(self) -> float | None:
        return sum(c.same for c in self.cells) / len(self.cells) if self.cells else None

    @property
    def share_identical_with_value(self) -> float | None:
        """Among the cells where at least one coder has a value."""
        cells = [c for c in self.cells if not c.all_missing]
        return sum(c.same for c in cells) / len(cells) if cells else None

    def per_variable(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for name in self.variables:
            cells = [c for c in self.cells if c.variable == name]
            out.append(
                {
                    "variable": name,
                    "steunpunten": len(cells),
                    "identical": sum(c.same for c in cells),
                    "both_missing": sum(c.all_missing for c in cells),
                    "differences": [
                        {
                            "steunpunt": c.steunpunt,
                            "values": dict(zip(self.coders, c.values, strict=True)),
                        }
                        for c in cells
                        if not c.same
                    ],
                }
            )
        return out

    def as_dict(self) -> dict[str, Any]:
        typ = [t for t in self.typology]
        return {
            "steunpunten": self.steunpunten,
            "share_identical": self.share_identical,
            "share_identical_where_valued": self.share_identical_with_value,
            "variables": self.per_variable(),
            "cells": [
                {
                    "steunpunt": c.steunpunt,
                    "variable": c.variable,
                    "values": dict(zip(self.coders, c.values, strict=True)),
                    "same": c.same,
                }
                for c in self.cells
            ],
            "typology": {
                "identical": sum(t.same for t in typ),
                "steunpunten": len(typ),
                "rows": [
                    {
                        "steunpunt": t.steunpunt,
                        "values": dict(zip(self.coders, t.values, strict=True)),
                        "counts": dict(zip(self.coders, t.counts, strict=True)),
                        "same": t.same,
                    }
                    for t in typ
                ],
            },
            "notes": self.notes,
        }


def compare_variables(
    project: Project, coders: Sequence[str], transcripts: Sequence[str]
) -> VariablesAgreement:
    """Derive the steunpunt variables and the typology per coder from the shared transcripts."""
    from codeer.variables import derive, load_interviews, load_project_rules

    coders = tuple(coders)
    if not project.paths.variable_rules.exists():
        return VariablesAgreement(
            coders,
            [],
            [],
            [],
            [],
            [f"no {project.paths.variable_rules.name}: variables not compared"],
        )
    rules, typology = load_project_rules(project)
    shared = set(transcripts)
    derived = []
    for c in coders:
        interviews = [iv for iv in load_interviews(project, c) if iv.transcript in shared]
        derived.append(derive(rules, interviews, codebook=project.codebook, typology=typology))
    steunpunten = sorted(
        {
            t.case
            for tid, t in project.transcripts.items()
            if tid in shared and t.role == "steunpunt"
        }
        & set(derived[0].values)
    )
    names = list(derived[0].kinds)
    cells = [
        VariableCell(sp, name, tuple(d.value(sp, name) for d in derived))
        for sp in steunpunten
        for name in names
    ]
    typ: list[TypologyCell] = []
    if typology is not None:
        for sp in steunpunten:
            results = [d.typology.get(sp) for d in derived]
            typ.append(
                TypologyCell(
                    sp,
                    tuple(r.value if r is not None else None for r in results),
                    tuple(dict(r.counts) if r is not None else {} for r in results),
                )
            )
    notes = []
    if not steunpunten:
        notes.append("no steunpunt interview is coded by all coders: variables not compared")
    left_out = sorted(
        {
            t.case
            for tid, t in project.transcripts.items()
            if tid in shared and t.role != "steunpunt" and t.case not in steunpunten
        }
    )
    if left_out:
        notes.append(
            "steunpunten whose steunpunt interview is not coded by all coders are left out of "
            f"the variable comparison: {', '.join(left_out)} (their other interviews still count "
            "in the per-code agreement)"
        )
    return VariablesAgreement(coders, steunpunten, names, cells, typ, notes)
