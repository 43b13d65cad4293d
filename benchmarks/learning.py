"""Benchmark: the cost of learned suggestions, against bare ``nlp.pipe`` and the keywords alone.

Run from the repository root:  .venv/bin/python benchmarks/learning.py [--project .] [--coder a]

In one run, on the project's transcripts (best of ``--repeat`` alternating runs):

- bare: ``for doc in nlp.pipe(bodies)`` with codeer's blank Dutch pipeline (sentencizer + lookup
  lemmatizer), the baseline every figure is a ratio of;
- keywords: ``segment`` + ``Suggester.suggest`` (what ``codeer suggest --no-learn`` does);
- learned: ``segment`` + ``LearnedSuggester.suggest`` with a model trained beforehand (keyword
  matching, features, the model and decoding; what ``codeer suggest`` does per transcript);
- training: ``LearnedSuggester(..., cache=False)`` for the coder (featurising every coded
  transcript, the final fit and the inner cross-validation fits for the thresholds; the model
  cache is neither read nor written), timed once per repeat;
- evaluation: ``evaluate(..., learn=True)`` once (``--evaluate`` of the command), unless
  ``--no-evaluate``.
"""

from __future__ import annotations

import argparse
import os

from nlp import timed as best  # benchmarks/nlp.py: run from benchmarks/ as a script
from rich.console import Console
from rich.table import Table

from codeer.nlp.evaluation import evaluate
from codeer.nlp.learning import LearnedSuggester
from codeer.nlp.suggestions import Suggester
from codeer.project import Project
from codeer.segmentation import segment


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--project", default=".")
    ap.add_argument("--coder", default="a")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-evaluate", action="store_true")
    args = ap.parse_args()
    console = Console(width=140)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    console.print(
        f"{os.cpu_count()} CPUs, load average {load:.2f} at start (best of {args.repeat} runs)"
    )
    project = Project(args.project)
    transcripts = list(project.transcripts.values())
    keywords = Suggester(project.codebook)
    nlp = keywords.nlp
    bodies = [t.body for t in transcripts]
    tokens = sum(len(nlp.make_doc(b)) for b in bodies)
    learned = LearnedSuggester(project, keywords, args.coder, cache=False)
    if learned.model is None:
        raise SystemExit(f"nothing learnt: {learned.reason}")

    def bare() -> None:
        for _doc in nlp.pipe(bodies, batch_size=256):
            pass

    def with_keywords() -> None:  # one batch, as codeer suggest runs
        keywords.suggest_many(transcripts, [segment(t) for t in transcripts])

    def with_learning() -> None:
        learned.suggest_many(transcripts, [segment(t) for t in transcripts])

    def training() -> None:  # a real fit: the model cache is neither read nor written
        LearnedSuggester(project, keywords, args.coder, cache=False)

    with_learning()  # warm the lexeme caches of both once
    bare()
    t_bare = t_kw = t_learn = t_train = float("inf")
    for _ in range(args.repeat):
        t_bare = min(t_bare, best(bare, 1))
        t_kw = min(t_kw, best(with_keywords, 1))
        t_learn = min(t_learn, best(with_learning, 1))
        t_train = min(t_train, best(training, 1))
    t_eval = float("nan")
    if not args.no_evaluate:
        t_eval = best(lambda: evaluate(project, args.coder, learn=True), 1)

    table = Table(title=f"learned suggestions on {len(transcripts)} transcripts, {tokens:,} tokens")
    for col in ("step", "seconds", "tokens/s", "ratio to bare nlp.pipe (time)"):
        table.add_column(col, justify="left" if col == "step" else "right")
    table.add_row("bare nlp.pipe", f"{t_bare:.3f}", f"{tokens / t_bare:,.0f}", "1.00x")
    for name, t in (
        ("segment + keyword suggestions", t_kw),
        ("segment + keyword and learned suggestions", t_learn),
        (f"training on coder {args.coder}'s codings (4 fits)", t_train),
        ("evaluate --learn (5 folds x 4 fits, keywords too)", t_eval),
    ):
        table.add_row(name, f"{t:.3f}", f"{tokens / t:,.0f}", f"{t / t_bare:.2f}x")
    console.print(table)
    m = learned.model
    console.print(
        f"model: {len(m.codes)} codes, {len(m.vocabulary):,} features, thresholds "
        f"{m.high:.2f}/{m.low:.2f}"
    )


if __name__ == "__main__":
    main()
