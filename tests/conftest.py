"""Shared fixtures: a tiny project on disk, and where ../shared lives."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture(autouse=True)
def _isolated_config(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Never touch the user's real config (key maps, TUI state)."""
    monkeypatch.setenv("CODEER_CONFIG_DIR", str(tmp_path_factory.mktemp("config")))


MINI_CODEBOOK = textwrap.dedent(
    """\
    name: mini
    version: 1
    codes:
      - id: voorzieningen
        label: Voorzieningen
        children:
          - id: voorzieningen.huiskamer
            label: Huiskamer
            definition: Het steunpunt heeft een inloopruimte.
            keywords: [huiskamer, inloop]
            colour: "#3cb44b"
          - id: voorzieningen.leefgeld
            label: Leefgeld
            keywords: [leefgeld]
            value:
              type: category
              categories: [zelf, extern, bankrekening]
      - id: organisatie
        label: Organisatie
        children:
          - id: organisatie.betaald
            label: Betaalde medewerkers
            value: {type: integer, min: 0, max: 50}
            see_also: [voorzieningen.huiskamer]
    """
)

MINI_TRANSCRIPT = textwrap.dedent(
    """\
    ---
    id: sp-test
    case: Teststad
    role: steunpunt
    date: 2010-11-03
    interviewer: M. de Vries
    respondent: coördinator
    ---
    I: Heeft u een huiskamer?

    R: Ja, we hebben een huiskamer. Die is open op dinsdag.
    Het leefgeld betalen we zelf uit.

    I: En personeel?

    R: Vier betaalde krachten.
    """
)


def write_project(
    root: Path, *, codebook: str = MINI_CODEBOOK, transcript: str = MINI_TRANSCRIPT
) -> Path:
    (root / "codebooks").mkdir(parents=True, exist_ok=True)
    (root / "interviews").mkdir(parents=True, exist_ok=True)
    (root / "variables").mkdir(parents=True, exist_ok=True)
    (root / "codebooks" / "mini.yaml").write_text(codebook, encoding="utf-8")
    (root / "interviews" / "sp-test.txt").write_text(transcript, encoding="utf-8")
    return root


@pytest.fixture
def mini_project(tmp_path: Path) -> Path:
    return write_project(tmp_path / "proj")
