"""Every path codeer reads or writes, in one place.

A project is a folder; tests and scripts point elsewhere by passing another root. The user's
config folder can be moved with ``CODEER_CONFIG_DIR`` (tests use it).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

CODER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def config_dir() -> Path:
    """The user's config folder (key map, TUI state)."""
    env = os.environ.get("CODEER_CONFIG_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "codeer"


@dataclass(frozen=True)
class ProjectPaths:
    """The layout of a codeer project folder."""

    root: Path

    @classmethod
    def of(cls, root: str | Path) -> ProjectPaths:
        return cls(Path(root).resolve())

    # --- codebook and rules -------------------------------------------------------------
    @property
    def codebooks(self) -> Path:
        return self.root / "codebooks"

    def codebook_files(self) -> list[Path]:
        return sorted(self.codebooks.glob("*.yaml"))

    @property
    def typology_rules(self) -> Path:
        return self.variables / "typologie.yaml"

    @property
    def variable_rules(self) -> Path:
        return self.variables / "regels.yaml"

    # --- interviews ----------------------------------------------------------------------
    @property
    def interviews(self) -> Path:
        return self.root / "interviews"

    def transcript_files(self) -> list[Path]:
        return sorted(self.interviews.glob("*.txt"))

    def transcript_file(self, transcript_id: str) -> Path:
        return self.interviews / f"{transcript_id}.txt"

    @property
    def interview_sources(self) -> Path:
        """Authoring sources of the bundled example (inline-coded transcripts)."""
        return self.interviews / "bron"

    @property
    def fact_sheet(self) -> Path:
        return self.interviews / "feiten.yaml"

    @property
    def codings(self) -> Path:
        return self.interviews / "codings"

    def coder_dir(self, coder: str) -> Path:
        return self.codings / coder

    def codings_file(self, coder: str, transcript_id: str) -> Path:
        return self.coder_dir(coder) / f"{transcript_id}.yaml"

    @property
    def suggestions(self) -> Path:
        return self.interviews / "suggestions"

    def suggestions_file(self, coder: str, transcript_id: str) -> Path:
        return self.suggestions / coder / f"{transcript_id}.yaml"

    def model_file(self, learn_from: str) -> Path:
        """The passage model learnt from a coder's codings (a cache: deleting it is harmless)."""
        return self.suggestions / ".models" / f"{learn_from}.npz"

    # --- variables and outputs -------------------------------------------------------------
    @property
    def variables(self) -> Path:
        return self.root / "variables"

    @property
    def registrations(self) -> Path:
        return self.variables / "registraties.csv"

    @property
    def registrations_dictionary(self) -> Path:
        return self.variables / "registraties.yaml"

    def steunpunt_table(self, ext: str = "csv") -> Path:
        return self.variables / f"steunpunten.{ext}"

    def individual_table(self, ext: str = "csv") -> Path:
        return self.variables / f"individueel.{ext}"

    @property
    def conflicts_report(self) -> Path:
        return self.variables / "conflicten.csv"

    @property
    def analyses_spec(self) -> Path:
        """The study's CHAID analyses: outcomes, predictor groups, levels, settings."""
        return self.variables / "analyses.yaml"

    def descriptives_table(self, level: str) -> Path:
        """The descriptive tables of a level as one long csv (written by ``codeer run``)."""
        return self.variables / f"beschrijving_{level}.csv"

    @property
    def chaid_dir(self) -> Path:
        return self.variables / "chaid"

    @property
    def agreement_dir(self) -> Path:
        return self.variables / "agreement"

    def review_log(self, into: str, transcript_id: str) -> Path:
        """The decisions of a disagreement review into consensus coder ``into``."""
        return self.agreement_dir / f"review-{into}" / f"{transcript_id}.yaml"

    def quote_lists(self, coder: str) -> Path:
        """Hand-written quote lists of a coder (imported by scripts/import_quotes.py)."""
        return self.interviews / f"codings-{coder}-bron"


def is_valid_coder_name(name: str) -> bool:
    """Coder names become folder names, so they are kept to a safe alphabet."""
    return bool(CODER_NAME.match(name)) and name not in {".", ".."}
