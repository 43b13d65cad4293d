"""Dutch lemmas without a trained model: spacy-lookups-data's lookup table plus a supplement.

The lookup table (``nl_lemma_lookup``) lists about 213,000 inflected forms but misses many
frequent ones (jongeren, gemeenten, afspraken, kinderen, is, heeft, gemaakt, werden). spaCy's
exception tables fix some of those but map others wrongly (en -> emmen, het -> hebben), so they
are not used. Instead ``data/lemma_supplement.tsv`` (form, lemma; curated, CGN conventions)
overrides the table. Pure Python: loading the tables does not import spaCy.
"""

from __future__ import annotations

import gzip
import json
import threading
from functools import lru_cache
from importlib import resources
from pathlib import Path

from codeer.errors import CodeerError

_LOCK = threading.Lock()
APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'"})


def supplement_path() -> Path:
    return Path(str(resources.files("codeer").joinpath("data", "lemma_supplement.tsv")))


def _lookups_file() -> Path:
    try:
        import spacy_lookups_data
    except ImportError:  # pragma: no cover - a dependency of codeer
        raise CodeerError(
            "spacy-lookups-data is not installed",
            hint="install codeer with its dependencies: pip install -e .",
        ) from None
    return Path(
        str(resources.files(spacy_lookups_data).joinpath("data", "nl_lemma_lookup.json.gz"))
    )


@lru_cache(maxsize=1)
def lookup_table() -> dict[str, str]:
    """spacy-lookups-data's Dutch lookup table, read from the installed package (no network)."""
    with _LOCK:
        data = json.loads(gzip.decompress(_lookups_file().read_bytes()))
    if not isinstance(data, dict):  # pragma: no cover - the package's format
        raise CodeerError("unexpected format of nl_lemma_lookup.json.gz", path=_lookups_file())
    return data


def read_supplement(path: Path | None = None) -> dict[str, str]:
    """The curated supplement: one ``form<TAB>lemma`` per line, ``#`` starts a comment."""
    path = path or supplement_path()
    out: dict[str, str] = {}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 2 or not parts[0] or not parts[1]:
            raise CodeerError(
                "expected 'form<TAB>lemma'",
                path=path,
                line=n,
                hint="one pair per line, tab between",
            )
        out[parts[0].lower()] = parts[1].lower()
    return out


@lru_cache(maxsize=1)
def supplement() -> dict[str, str]:
    return read_supplement()


@lru_cache(maxsize=2)
def lemma_table(with_supplement: bool = True) -> dict[str, str]:
    """The table the pipeline uses: lookup table, overridden by the supplement."""
    if not with_supplement:
        return lookup_table()
    table = dict(lookup_table())
    table.update(supplement())
    return table


def lemmatize(word: str, table: dict[str, str] | None = None) -> str:
    """The lemma of one word, lower-cased (as spaCy's Dutch lookup lemmatizer returns it)."""
    table = lemma_table() if table is None else table
    low = word.lower().translate(APOSTROPHES)
    return table.get(low, low)
