"""Where the coder was: transcript and sentence (and word cursor) per project and coder, in
``state.json``."""

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
    """The transcript and sentence the coder was at last."""
    entry = _read().get(_key(root, coder))
    if not isinstance(entry, dict):
        return None, 0
    tid = entry.get("transcript")
    sentence = entry.get("sentence")
    return (
        tid if isinstance(tid, str) else None,
        sentence if isinstance(sentence, int) and sentence >= 0 else 0,
    )


def sentence_in(root: Path, coder: str, transcript: str) -> int:
    """Where the coder was in this transcript (0 when never opened)."""
    entry = _read().get(_key(root, coder))
    seen = entry.get("positions") if isinstance(entry, dict) else None
    value = seen.get(transcript) if isinstance(seen, dict) else None
    return value if isinstance(value, int) and value >= 0 else 0


def word_in(root: Path, coder: str, transcript: str) -> int | None:
    """The body offset of the word the word cursor was on in this transcript (None: none)."""
    entry = _read().get(_key(root, coder))
    seen = entry.get("words") if isinstance(entry, dict) else None
    value = seen.get(transcript) if isinstance(seen, dict) else None
    return value if isinstance(value, int) and value >= 0 else None


def save_position(
    root: Path, coder: str, transcript: str, sentence: int, word: int | None = None
) -> None:
    """Remember the sentence (and the start of the word cursor's word, if there is one)."""
    data = _read()
    entry = data.get(_key(root, coder))
    seen = entry.get("positions") if isinstance(entry, dict) else None
    positions = dict(seen) if isinstance(seen, dict) else {}
    positions[transcript] = sentence
    seen_words = entry.get("words") if isinstance(entry, dict) else None
    words = dict(seen_words) if isinstance(seen_words, dict) else {}
    if word is None:
        words.pop(transcript, None)
    else:
        words[transcript] = word
    data[_key(root, coder)] = {
        "transcript": transcript,
        "sentence": sentence,
        "positions": positions,
        "words": words,
    }
    atomic_write_text(state_path(), json.dumps(data, indent=2, sort_keys=True) + "\n")
