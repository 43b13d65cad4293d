"""``codeer code`` as a person uses it: a real terminal (tmux), real keys, the saved file checked.

Skipped when tmux is not installed (CI: ``apt-get install -y tmux``). The tmux server runs on its
own socket and is stopped at the end, so it never touches a user's sessions.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml

from codeer.project import Project
from tests.test_tui_app import build_project

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


class Tmux:
    """One detached tmux session on a private socket."""

    def __init__(self, socket: str) -> None:
        self.socket = socket

    def run(self, *args: str) -> str:
        proc = subprocess.run(
            ["tmux", "-L", self.socket, *args], capture_output=True, text=True, check=False
        )
        return proc.stdout

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", "work")

    def keys(self, *keys: str, literal: bool = False) -> None:
        self.run("send-keys", "-t", "work", *(["-l"] if literal else []), *keys)

    def wait(self, what: Callable[[], bool] | str, timeout: float = 20.0) -> None:
        check = (lambda: what in self.screen()) if isinstance(what, str) else what
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if check():
                return
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {what!r}; screen:\n{self.screen()}")


@pytest.fixture
def tmux(tmp_path: Path) -> Iterator[Tmux]:
    t = Tmux(f"codeer-test-{os.getpid()}-{tmp_path.name}")
    yield t
    t.run("kill-server")


def test_code_a_sentence_in_a_real_terminal(tmp_path: Path, tmux: Tmux) -> None:
    root = build_project(tmp_path / "proj")
    config = tmp_path / "config"
    status = tmp_path / "exit-status"
    command = (
        f"env CODEER_CONFIG_DIR={config} TERM=xterm-256color "
        f"{sys.executable} -m codeer code --project {root} --coder tester --transcript sp-test; "
        f"echo $? > {status}"
    )
    tmux.run("new-session", "-d", "-s", "work", "-x", "120", "-y", "36", command)
    tmux.wait("sentence 1/7")
    tmux.keys("j")
    tmux.wait("sentence 2/7")
    tmux.keys("c")
    tmux.wait("Apply code")
    tmux.keys("huis", literal=True)
    tmux.wait("voorzieningen.huiskamer")
    tmux.keys("Enter")
    saved = root / "interviews" / "codings" / "tester" / "sp-test.yaml"
    tmux.wait(saved.exists)
    tmux.wait("saved ")
    tmux.keys("q")
    tmux.wait(status.exists)
    assert status.read_text().strip() == "0"
    (coding,) = yaml.safe_load(saved.read_text(encoding="utf-8"))["codings"]
    assert coding["code"] == "voorzieningen.huiskamer"
    assert coding["quote"] == "Ja, we hebben een huiskamer."
    assert coding["coder"] == "tester"
    # the position was saved for next time
    state = (config / "state.json").read_text(encoding="utf-8")
    assert '"sentence": 1' in state and '"transcript": "sp-test"' in state


def test_code_words_with_shift_arrows_in_a_real_terminal(tmp_path: Path, tmux: Tmux) -> None:
    """shift+arrows and ctrl+shift+arrows arrive through tmux as word-selection keys."""
    root = build_project(tmp_path / "proj")
    status = tmp_path / "exit-status"
    command = (
        f"env CODEER_CONFIG_DIR={tmp_path / 'config'} TERM=xterm-256color "
        f"{sys.executable} -m codeer code --project {root} --coder tester --transcript sp-test; "
        f"echo $? > {status}"
    )
    tmux.run("new-session", "-d", "-s", "work", "-x", "120", "-y", "36", command)
    tmux.wait("sentence 1/7")
    tmux.keys("j")
    tmux.wait("sentence 2/7")
    tmux.keys("Right", "Right", "S-Right", "S-Right", "S-Right")  # "we hebben een"
    tmux.wait("3 words in")
    tmux.keys("C-S-Right")  # to the sentence end: "we hebben een huiskamer"
    tmux.wait("4 words in")
    tmux.keys("c")
    tmux.wait("Apply code")
    tmux.keys("huis", literal=True)
    tmux.wait("voorzieningen.huiskamer")
    tmux.keys("Enter")
    saved = root / "interviews" / "codings" / "tester" / "sp-test.yaml"
    tmux.wait(saved.exists)
    tmux.keys("q")
    tmux.wait(status.exists)
    assert status.read_text().strip() == "0"
    (coding,) = yaml.safe_load(saved.read_text(encoding="utf-8"))["codings"]
    assert coding["quote"] == "we hebben een huiskamer"
    body = Project(root).transcript("sp-test").body
    assert body[coding["start"] : coding["end"]] == coding["quote"]
