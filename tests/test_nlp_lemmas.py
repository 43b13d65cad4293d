"""Lemmas: the curated supplement must beat the bare lookup table on hand-checked tokens."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from codeer.errors import CodeerError
from codeer.nlp.lemmas import lemma_table, lemmatize, lookup_table, read_supplement, supplement

GOLD = Path(__file__).parent / "data" / "lemmas_gold.tsv"
# measured: bare lookup table 358/420 = 0.852, with the supplement 404/420 = 0.962
MIN_ACCURACY_AFTER = 0.95


def gold() -> list[tuple[str, str]]:
    rows = []
    for line in GOLD.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or line.startswith("form\t") or not line.strip():
            continue
        form, lemma, _tid, _off = line.split("\t")
        rows.append((form, lemma))
    return rows


def accuracy(table: dict[str, str]) -> float:
    rows = gold()
    return sum(lemmatize(f, table) == g.lower() for f, g in rows) / len(rows)


def test_gold_file_is_large_enough() -> None:
    assert len(gold()) >= 300


def test_supplement_beats_lookup_table() -> None:
    before = accuracy(lemma_table(with_supplement=False))
    after = accuracy(lemma_table())
    print(f"lemma accuracy before {before:.3f} after {after:.3f}")
    assert after >= MIN_ACCURACY_AFTER
    assert after > before


def test_known_gaps_of_the_lookup_table_are_filled() -> None:
    bare = lookup_table()
    for form, lemma in [
        ("jongeren", "jongere"),
        ("gemeenten", "gemeente"),
        ("afspraken", "afspraak"),
        ("kinderen", "kind"),
        ("gemaakt", "maken"),
        ("werden", "worden"),
        ("is", "zijn"),
        ("heeft", "hebben"),
    ]:
        assert lemmatize(form, bare) != lemma
        assert lemmatize(form) == lemma
    # what merging spaCy's exception tables would break stays right
    assert lemmatize("en") == "en"
    assert lemmatize("het") == "het"
    assert lemmatize("De") == "de"
    assert lemmatize("z’n") == "zijn"


def test_supplement_has_no_identity_or_duplicate_entries() -> None:
    sup = supplement()
    assert len(sup) > 1000
    assert all(form != lemma for form, lemma in sup.items())
    lines = [
        ln.split("\t")[0]
        for ln in (Path(__file__).parents[1] / "src/codeer/data/lemma_supplement.tsv")
        .read_text(encoding="utf-8")
        .splitlines()
        if ln and not ln.startswith("#")
    ]
    assert len(lines) == len(set(lines))


def test_bad_supplement_line_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "sup.tsv"
    bad.write_text("# ok\nloopt\tlopen\nkapot\n", encoding="utf-8")
    with pytest.raises(CodeerError) as err:
        read_supplement(bad)
    assert err.value.line == 3


def test_pipeline_lemmas_match_the_table() -> None:
    from codeer.nlp.pipeline import get_pipeline

    nlp = get_pipeline()
    assert nlp.pipe_names == ["sentencizer", "codeer_lookup_lemmatizer"]
    assert get_pipeline() is nlp  # built once per process
    doc = nlp("De jongeren hebben afspraken gemaakt met de gemeenten. Het is goed.")
    assert [t.lemma_ for t in doc if t.is_alpha] == [
        "de", "jongere", "hebben", "afspraak", "maken", "met", "de", "gemeente", "het", "zijn",
        "goed",
    ]  # fmt: skip
    assert len(list(doc.sents)) == 2
    for form, lemma in gold()[:200]:
        assert nlp(form)[0].lemma_ == lemmatize(form) or len(nlp(form)) > 1, form
        del lemma


def test_help_and_segmentation_do_not_import_spacy() -> None:
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "import codeer.segmentation, codeer.nlp, codeer.nlp.lemmas, codeer.nlp.suggestions\n"
        "import codeer.nlp.evaluation, codeer.nlp.matching, codeer.nlp.pipeline\n"
        "from codeer.cli import cli\n"
        "r = CliRunner().invoke(cli, ['--help'])\n"
        "assert r.exit_code == 0, r.output\n"
        "r = CliRunner().invoke(cli, ['suggest', '--help'])\n"
        "assert r.exit_code == 0, r.output\n"
        "assert 'spacy' not in sys.modules, 'spacy was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    out = subprocess.run(
        [sys.executable, "-c", "from codeer.cli import run; run()", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "suggest" in out.stdout
