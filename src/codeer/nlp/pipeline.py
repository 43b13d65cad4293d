"""The offline Dutch pipeline: blank spaCy ``nl`` + sentencizer + a lookup lemmatizer.

No trained Dutch pipeline can be installed and nothing may be downloaded at run time, so the
pipeline is ``spacy.lang.nl.Dutch()`` (the same as ``spacy.blank("nl")``) with the rule-based
sentencizer and a lookup lemmatizer whose table is spacy-lookups-data's plus codeer's supplement
(see ``codeer.nlp.lemmas``). It is built once per process, lazily: importing this module does not
import spaCy; ``get_pipeline()`` does.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from codeer.nlp.lemmas import APOSTROPHES, lemma_table

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

LEMMATIZER = "codeer_lookup_lemmatizer"
_LOCK = threading.Lock()
_PIPELINE: Language | None = None


class LookupLemmatizer:
    """Sets ``token.lemma`` from a dict keyed by the lower-cased form (spaCy's Dutch lookup mode).

    Lemmas are cached per lexeme, so each distinct form is looked up and interned once.
    """

    def __init__(self, table: dict[str, str]) -> None:
        self.table = table
        self._cache: dict[int, int] = {}

    def __call__(self, doc: Doc) -> Doc:
        cache = self._cache
        strings = doc.vocab.strings
        table = self.table
        for token in doc:
            low = token.lower
            lemma = cache.get(low)
            if lemma is None:
                text = token.lower_
                key = text.translate(APOSTROPHES)
                lemma = strings.add(table.get(key, key))
                cache[low] = lemma
            token.lemma = lemma
        return doc


def _register() -> None:
    from spacy.language import Language

    if Language.has_factory(LEMMATIZER):
        return

    @Language.factory(LEMMATIZER, default_config={"supplement": True}, assigns=["token.lemma"])
    def make_lemmatizer(nlp: Language, name: str, supplement: bool) -> LookupLemmatizer:
        return LookupLemmatizer(lemma_table(supplement))

    del make_lemmatizer


def build_pipeline(*, supplement: bool = True) -> Language:
    """A fresh pipeline; ``supplement=False`` gives the bare lookup table (for comparisons)."""
    from spacy.lang.nl import Dutch

    _register()
    nlp = Dutch()
    nlp.add_pipe("sentencizer")
    nlp.add_pipe(LEMMATIZER, config={"supplement": supplement})
    return nlp


def get_pipeline() -> Language:
    """The process-wide pipeline, built on first use."""
    global _PIPELINE
    if _PIPELINE is None:
        with _LOCK:
            if _PIPELINE is None:
                _PIPELINE = build_pipeline()
    return _PIPELINE


def pipeline_info() -> dict[str, Any]:
    nlp = get_pipeline()
    return {"lang": nlp.lang, "pipes": list(nlp.pipe_names), "table_size": len(lemma_table())}
