"""Where the coder was: transcript and sentence per project and coder, in ``state.json``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from codeer.paths import config_dir
from codeer.store import atomic_write_text


def state_path() -> Path:
    return config_dir() / "state.json"


def _read() -> dict[str, Any]:
    try:
        data = json.loads(state_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # a lost resume position is harmless; never block start-up on it
    return data if isinstance(data, dict) else {}


def _key(root: Path, coder: str) -> str:
    return f"{Path(root).resolve()}::{coder}"


def load_position(root: Path, coder: str) -> tuple[str | None, int]:
    entry = _read().get(_key(root, coder))
    if not isinstance(entry, dict):
        return None, 0
    tid = entry.get("transcript")
    sentence = entry.get("sentence")
    return (
        tid if isinstance(tid, str) else None,
        sentence if isinstance(sentence, int) and sentence >= 0 else 0,
    )


def save_position(root: Path, coder: str, transcript: str, sentence: int) -> None:
    data = _read()
    data[_key(root, coder)] = {"transcript": transcript, "sentence": sentence}
    atomic_write_text(state_path(), json.dumps(data, indent=2, sort_keys=True) + "\n")
