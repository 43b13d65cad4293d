"""Benchmark: the workbench's transcript view against a read-only TextArea, 200 vs 20,000 lines.

Run from the repository root (the bundled example project):

    .venv/bin/python benchmarks/tui.py [--moves 60] [--applies 20]

In one run, side by side, it measures CPU time (``time.process_time``):

- per cursor move (one sentence for the transcript view, one line for the TextArea), including the
  repaint Textual does afterwards;
- per applied code: ``CodingSession.apply`` (with the atomic save through the Store) plus the
  repaint of the touched lines; for the TextArea, which cannot show a coding, the same save plus
  the full refresh it would need to show one;
- for the whole workbench, the atomic write alone (temp file, fsync, replace, fsync of the folder)
  of the codings file: the floor under every saved change, in CPU and wall time;
- cold start to first paint of ``codeer code`` in a fresh subprocess, and whether spaCy, scipy or
  pandas were imported by then.

Every measurement includes Textual's own per-event overhead (the same for both widgets); the
"idle" row shows that floor. The long transcript repeats bundled turns.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from codeer.codings import Coding, CodingsFile  # noqa: E402
from codeer.project import Project  # noqa: E402
from codeer.segmentation import segment  # noqa: E402
from codeer.session import CodingSession  # noqa: E402
from codeer.transcript import content_hash, load_transcript  # noqa: E402

SIZE = (120, 40)


def bundled_turns() -> list[str]:
    turns: list[str] = []
    for path in sorted((REPO / "interviews").glob("*.txt")):
        t = load_transcript(path)
        turns += [t.body[x.start : x.end] for x in t.turns if x.speaker]
    return turns


def make_project(root: Path, lines: int, turns: list[str]) -> tuple[Path, str]:
    """A project with one transcript of ``lines`` file lines and codings on every 4th sentence."""
    (root / "interviews").mkdir(parents=True)
    shutil.copytree(REPO / "codebooks", root / "codebooks")
    header = "---\nid: lang\ncase: Bench\nrole: steunpunt\n---\n"
    body_lines: list[str] = []
    k = 0
    while len(body_lines) + 6 < lines:
        body_lines += [turns[k % len(turns)], ""]
        k += 1
    (root / "interviews" / "lang.txt").write_text(header + "\n".join(body_lines), encoding="utf-8")
    project = Project(root)
    t = project.transcript("lang")
    leaves = [c.id for c in project.codebook if not c.children and c.value is None]
    codings = [
        Coding(code=leaves[i % len(leaves)], start=s.start, end=s.end, quote=s.text, coder="bench")
        for i, s in enumerate(segment(t))
        if i % 4 == 1
    ]
    cf = CodingsFile(
        transcript="lang", coder="bench", transcript_hash=content_hash(t.body), codings=codings
    )
    project.store.save(cf)
    return root, "lang"


def free_leaf(project: Project, session: CodingSession, start: int, end: int) -> str:
    used = {c.code for c in session.overlapping(start, end)}
    return next(
        x.id for x in project.codebook if not x.children and x.value is None and x.id not in used
    )


async def idle_and_moves(pilot: Any, view: Any, moves: int) -> tuple[float, float]:
    """CPU seconds per frame of an idle view, and per cursor move (20 down, 20 up, ...)."""
    c = time.process_time()
    for _ in range(moves):
        await pilot.pause()
    idle = (time.process_time() - c) / moves
    c = time.process_time()
    for i in range(moves):
        view.action_cursor(1 if (i // 20) % 2 == 0 else -1)
        await pilot.pause()
    return idle, (time.process_time() - c) / moves


async def measure_view(root: Path, moves: int, applies: int) -> dict[str, float]:
    from textual.app import App, ComposeResult

    from codeer.tui.widgets.transcript_view import TranscriptView

    project = Project(root)
    session = CodingSession(project, "bench", "lang")

    class Bench(App[None]):
        def compose(self) -> ComposeResult:
            yield TranscriptView(id="transcript")

    app = Bench()
    out: dict[str, float] = {}
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(TranscriptView)
        view.set_session(session, project.codebook, len(session.sentences) // 2)
        view.focus()
        await pilot.pause()
        for _ in range(10):
            view.action_cursor(1)
            await pilot.pause()
        out["idle"], out["move"] = await idle_and_moves(pilot, view, moves)
        total = 0.0
        for _ in range(applies):
            view.action_cursor(1)
            await pilot.pause()
            start, end = view.selection_span()
            leaf = free_leaf(project, session, start, end)
            c = time.process_time()
            op = session.apply(leaf, start, end)
            view.changed(op.span)
            await pilot.pause()
            total += time.process_time() - c
        out["apply"] = total / applies
        out["lines"] = len(view.lines)
    return out


async def measure_textarea(root: Path, moves: int, applies: int) -> dict[str, float]:
    from textual.app import App, ComposeResult
    from textual.widgets import TextArea

    project = Project(root)
    session = CodingSession(project, "bench", "lang")
    text = session.body

    class Bench(App[None]):
        def compose(self) -> ComposeResult:
            yield TextArea(text, read_only=True, id="ta")

    app = Bench()
    out: dict[str, float] = {}
    async with app.run_test(size=SIZE) as pilot:
        ta = app.query_one(TextArea)
        ta.focus()
        middle = ta.document.line_count // 2
        ta.move_cursor((middle, 0))
        await pilot.pause()
        for _ in range(10):
            ta.action_cursor_down()
            await pilot.pause()
        c = time.process_time()
        for _ in range(moves):
            await pilot.pause()
        out["idle"] = (time.process_time() - c) / moves
        c = time.process_time()
        for i in range(moves):
            if (i // 20) % 2 == 0:
                ta.action_cursor_down()
            else:
                ta.action_cursor_up()
            await pilot.pause()
        out["move"] = (time.process_time() - c) / moves
        total = 0.0
        for k in range(applies):
            s = session.sentences[len(session.sentences) // 2 + k]
            leaf = free_leaf(project, session, s.start, s.end)
            c = time.process_time()
            session.apply(leaf, s.start, s.end)
            ta.refresh()
            await pilot.pause()
            total += time.process_time() - c
        out["apply"] = total / applies
        out["lines"] = ta.wrapped_document.height
    return out


async def measure_app(root: Path, moves: int, applies: int) -> dict[str, float]:
    """The whole workbench: panes, status bar and the codes-here line update too."""
    from codeer.tui.app import CodeerApp

    app = CodeerApp(Project(root), "bench", "lang")
    out: dict[str, float] = {}
    async with app.run_test(size=SIZE) as pilot:
        while app.session is None:  # a long transcript opens in a thread
            await pilot.pause(0.05)
        await app.workers.wait_for_complete()
        await pilot.pause()
        view = app.view
        session = app.session
        view.move_to(len(session.sentences) // 3)
        await pilot.pause()
        out["idle"], out["move"] = await idle_and_moves(pilot, view, moves)
        total = 0.0
        for _ in range(applies):
            view.action_cursor(1)
            await pilot.pause()
            start, end = view.selection_span()
            leaf = free_leaf(app.project, session, start, end)
            c = time.process_time()
            app.apply_code(leaf)
            await pilot.pause()
            total += time.process_time() - c
        out["apply"] = total / applies
        out["lines"] = len(view.lines)
        out["save_cpu"], out["save_wall"] = save_floor(session.path, applies)
    return out


def save_floor(path: Path, n: int) -> tuple[float, float]:
    """CPU and wall seconds of the atomic write alone (temp file, fsync, replace, fsync of the
    folder) of the codings file as it is now: the floor under every saved change."""
    from codeer.store import atomic_write_bytes

    data = path.read_bytes()
    target = path.with_name(".bench-floor.yaml")
    c, w = time.process_time(), time.perf_counter()
    for _ in range(n):
        atomic_write_bytes(target, data)
    cpu, wall = (time.process_time() - c) / n, (time.perf_counter() - w) / n
    target.unlink()
    return cpu, wall


COLD = textwrap.dedent(
    """\
    import sys, time, json
    from codeer.tui.app import CodeerApp
    from codeer.project import Project

    class Probe(CodeerApp):
        painted = None

        def on_mount(self) -> None:
            super().on_mount()
            self.call_after_refresh(self.first_paint)

        def first_paint(self) -> None:
            self.painted = time.time()
            self.cpu = time.process_time()
            self.check()

        def install(self, session, sentence=0) -> None:
            super().install(session, sentence)
            self.call_after_refresh(self.check)

        def check(self) -> None:
            if self.painted is None or self.session is None:
                return
            heavy = [m for m in ("spacy", "scipy", "pandas") if m in sys.modules]
            out = {"painted": self.painted, "cpu": self.cpu, "shown": time.time(), "heavy": heavy}
            print(json.dumps(out), file=sys.__stdout__)
            self.exit(0)

    Probe(Project(sys.argv[1]), "bench", sys.argv[2]).run(headless=True, size=(120, 40))
    """
)


def cold_start(root: Path, tid: str, runs: int = 3) -> tuple[float, float, float, list[str]]:
    """Best of ``runs``: wall seconds to the first paint, CPU seconds by then, wall seconds to
    the transcript with its codings."""
    best, shown, cpu = float("inf"), float("inf"), float("inf")
    heavy: list[str] = []
    env = {**os.environ, "CODEER_CONFIG_DIR": str(root / ".config")}
    for _ in range(runs):
        t0 = time.time()
        proc = subprocess.run(
            [sys.executable, "-c", COLD, str(root), tid],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        if proc.returncode != 0:
            raise SystemExit(f"cold start failed: {proc.stderr[-2000:]}")
        line = [x for x in proc.stdout.splitlines() if x.startswith("{")][-1]
        data = json.loads(line)
        best = min(best, data["painted"] - t0)
        cpu = min(cpu, data["cpu"])
        shown = min(shown, data["shown"] - t0)
        heavy = data["heavy"]
    return best, cpu, shown, heavy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--moves", type=int, default=60)
    parser.add_argument("--applies", type=int, default=20)
    args = parser.parse_args()
    console = Console(stderr=True)
    turns = bundled_turns()
    results: dict[int, dict[str, dict[str, float]]] = {}
    cold: dict[int, tuple[float, float, float, list[str]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["CODEER_CONFIG_DIR"] = str(Path(tmp) / "config")
        for lines in (200, 20_000):
            console.print(f"[dim]measuring {lines} lines ...[/dim]")
            root, tid = make_project(Path(tmp) / f"p{lines}", lines, turns)
            results[lines] = {
                "view": asyncio.run(measure_view(root, args.moves, args.applies)),
                "textarea": asyncio.run(measure_textarea(root, args.moves, args.applies)),
                "app": asyncio.run(measure_app(root, args.moves, args.applies)),
            }
            cold[lines] = cold_start(root, tid)
    ms = 1000.0
    table = Table(title="codeer code: transcript view vs read-only TextArea (CPU ms per action)")
    for col in ("transcript lines", "measure", "TranscriptView", "TextArea", "TextArea / view"):
        table.add_column(col, justify="right")
    for lines, r in results.items():
        v, t = r["view"], r["textarea"]
        for key, label in (
            ("idle", "idle pause (floor)"),
            ("move", "cursor move"),
            ("apply", "apply code + save"),
        ):
            table.add_row(
                f"{lines:,}",
                label,
                f"{v[key] * ms:.2f}",
                f"{t[key] * ms:.2f}",
                f"{t[key] / v[key]:.1f}x" if v[key] else "-",
            )
    out = Console()
    out.print(table)
    scale = Table(title="Does it scale? (20,000 lines / 200 lines)")
    for col in ("measure", "TranscriptView", "TextArea"):
        scale.add_column(col, justify="right")
    for key in ("move", "apply"):
        a, b = results[200], results[20_000]
        scale.add_row(
            key,
            f"{b['view'][key] / a['view'][key]:.2f}x",
            f"{b['textarea'][key] / a['textarea'][key]:.2f}x",
        )
    out.print(scale)
    whole = Table(title="The whole workbench (all panes) per action, CPU ms")
    cols = (
        "transcript lines",
        "idle pause",
        "cursor move",
        "apply code + save",
        "atomic write alone: CPU / wall",
        "goal",
    )
    for col in cols:
        whole.add_column(col, justify="right")
    for lines, r in results.items():
        w = r["app"]
        whole.add_row(
            f"{lines:,}",
            f"{w['idle'] * ms:.2f}",
            f"{w['move'] * ms:.2f}",
            f"{w['apply'] * ms:.2f}",
            f"{w['save_cpu'] * ms:.2f} / {w['save_wall'] * ms:.2f}",
            "apply <= 30",
        )
    out.print(whole)
    start = Table(title="Cold start of codeer code (subprocess, best of 3, seconds)")
    cols = ("transcript lines", "first paint", "its CPU", "transcript shown", "heavy", "goal")
    for col in cols:
        start.add_column(col, justify="right")
    for lines, (sec, cpu, shown, heavy) in cold.items():
        start.add_row(
            f"{lines:,}",
            f"{sec:.2f}",
            f"{cpu:.2f}",
            f"{shown:.2f}",
            ", ".join(heavy) or "none",
            "paint <= 1.0",
        )
    out.print(start)
    wrapped = {n: int(r["view"]["lines"]) for n, r in results.items()}
    out.print(f"screen lines after wrapping at 120 columns: {wrapped}")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    out.print(f"load average during the run: {load} on {os.cpu_count()} CPUs (wall times suffer)")


if __name__ == "__main__":
    main()
