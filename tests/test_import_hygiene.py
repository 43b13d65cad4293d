"""The core runs without its UI, and start-up stays light.

Like Harlequin's test: import in a fresh interpreter and look at ``sys.modules``.
"""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys

import codeer

UI_PACKAGES = ("codeer.tui", "codeer.commands", "codeer.cli", "codeer.__main__")


def core_modules() -> list[str]:
    out = []
    for info in pkgutil.walk_packages(codeer.__path__, "codeer."):
        if not info.name.startswith(UI_PACKAGES):
            out.append(info.name)
    return sorted(out)


def loaded_after(code: str) -> set[str]:
    script = f"{code}\nimport sys, json\nprint(json.dumps(sorted(sys.modules)))"
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    return set(json.loads(proc.stdout.strip().splitlines()[-1]))


def test_core_never_imports_textual() -> None:
    modules = core_modules()
    assert "codeer.store" in modules and "codeer.validation" in modules
    loaded = loaded_after("\n".join(f"import {m}" for m in modules))
    assert not any(m == "textual" or m.startswith("textual.") for m in loaded)


def test_cli_help_does_not_load_heavy_libraries() -> None:
    loaded = loaded_after(
        "from codeer.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass"
    )
    for heavy in ("spacy", "scipy", "pandas", "textual"):
        assert heavy not in loaded, heavy
