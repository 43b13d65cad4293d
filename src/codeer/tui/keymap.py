"""User key map: ``keymap.yaml`` in the config folder maps binding ids to keys.

Read before the app starts; a bad file is reported as one clear message and the defaults stay,
so a typo in a config file never stops anyone from coding.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from codeer.errors import CodeerError
from codeer.paths import config_dir

KEY = re.compile(r"^[A-Za-z0-9_+\-]+$|^[^\s,]$")


class KeymapError(CodeerError):
    """The key map file cannot be used."""


def keymap_path() -> Path:
    return config_dir() / "keymap.yaml"


def load_keymap(known_ids: Iterable[str], path: Path | None = None) -> dict[str, str]:
    """The user's remapped keys by binding id ({} when there is no file)."""
    from codeer.yamlio import load_yaml

    path = path or keymap_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise KeymapError(f"cannot read key map: {exc}", path=path) from None
    raw, lines = load_yaml(text, path, error=KeymapError)
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise KeymapError(
            "the key map must be a mapping of binding id to keys",
            path=path,
            line=1,
            hint="write lines like 'apply-code: c' or 'undo: u,ctrl+z'",
        )
    known = set(known_ids)
    out: dict[str, str] = {}
    for binding_id, keys in raw.items():
        line = lines.line((binding_id,))
        if binding_id not in known:
            raise KeymapError(
                f"unknown binding id {binding_id!r}",
                path=path,
                line=line,
                hint="see the ids with '?' in codeer code (e.g. apply-code, undo, quit)",
            )
        if not isinstance(keys, str) or not keys.strip():
            raise KeymapError(
                f"keys for {binding_id!r} must be a text like 'c' or 'ctrl+r,U'",
                path=path,
                line=line,
                hint="quote special keys, e.g. '?'",
            )
        parts = [k.strip() for k in keys.split(",")]
        bad = [k for k in parts if not k or not KEY.match(k)]
        if bad:
            raise KeymapError(
                f"invalid key {bad[0]!r} for {binding_id!r}",
                path=path,
                line=line,
                hint="use key names like 'c', 'ctrl+r', 'f2', 'question_mark'",
            )
        out[binding_id] = ",".join(parts)
    return out
