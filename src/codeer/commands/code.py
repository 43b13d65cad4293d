"""``codeer code``: open the coding workbench (a Textual TUI)."""

from __future__ import annotations

import click

from codeer.cli import project_option
from codeer.errors import ExitCode


@click.command(
    "code",
    epilog="Every change is saved at once in interviews/codings/<coder>/. Keys: press ? in the "
    "workbench, or ctrl+p to search them; remap them in <config>/keymap.yaml (binding id: keys). "
    "The config folder is $CODEER_CONFIG_DIR, else $XDG_CONFIG_HOME/codeer or ~/.config/codeer.",
)
@project_option
@click.option("--coder", default="a", show_default=True, help="Whose codings to edit.")
@click.option("--transcript", "transcript_id", default=None, help="Open this interview first.")
def command(project: str, coder: str, transcript_id: str | None) -> int:
    """Code interviews: keys move by sentence and turn, c applies a code, ? lists all keys."""
    from codeer.errors import ProjectError
    from codeer.project import Project
    from codeer.session import check_coder

    check_coder(coder)  # before anything else: the name becomes a folder
    proj = Project(project)
    _ = proj.codebook  # a codebook that fails validation stops here with file:line
    if not proj.transcripts:
        raise ProjectError(
            "no transcripts to code", path=proj.paths.interviews, hint="add interviews/<id>.txt"
        )
    if transcript_id is not None:
        proj.transcript(transcript_id)

    from codeer.tui.app import CodeerApp

    result = CodeerApp(proj, coder, transcript_id).run()
    return int(result if isinstance(result, int) else ExitCode.OK)
