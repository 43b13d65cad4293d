"""The ``codeer`` command line: a lazy group, so each command imports only what it needs.

Commands live one per module in ``codeer.commands``; the table below maps names to them.
Starting ``codeer --help`` or the TUI never imports spaCy, scipy or pandas.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

import click

from codeer import __version__
from codeer.errors import CodeerError, ExitCode

COMMANDS: dict[str, tuple[str, str]] = {
    # name: (module in codeer.commands, one-line help)
    "validate": ("validate", "Check codebook, transcripts and codings."),
    "suggest": ("suggest", "Propose codings from the codebook's keywords; evaluate them."),
    "code": ("code", "Open the coding workbench (TUI)."),
    "variables": ("variables", "Derive the steunpunt variables from the codings."),
    "typology": ("typology", "Rerun the werkwijze classification."),
    "join": ("join", "Validate registrations and join them with the steunpunt variables."),
    "describe": ("describe", "Descriptive tables at individual or steunpunt level."),
    "chaid": ("chaid", "Grow CHAID trees relating characteristics to outcomes."),
    "agreement": ("agreement", "Intercoder agreement between coders."),
    "review": ("review", "Review coder disagreements into a consensus coder."),
    "merge": ("merge", "Import another copy of a coder's codings."),
    "run": ("run", "The whole pipeline on a project."),
}


class LazyGroup(click.Group):
    """Imports a command's module only when that command runs (or its help is shown)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [n for n, (mod, _) in COMMANDS.items() if _module_exists(mod)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module_name, _ = COMMANDS[cmd_name]
        try:
            module = importlib.import_module(f"codeer.commands.{module_name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"codeer.commands.{module_name}":
                return None
            raise
        command = module.command
        assert isinstance(command, click.Command)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(n, COMMANDS[n][1]) for n in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def _module_exists(module: str) -> bool:
    from importlib.util import find_spec

    return find_spec(f"codeer.commands.{module}") is not None


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="codeer")
def cli() -> None:
    """codeer: from interview transcripts to statistics."""


def main(argv: list[str] | None = None) -> int:
    """Entry point: CodeerErrors become one stderr line and an exit code, never a traceback."""
    try:
        rv: Any = cli.main(args=argv, prog_name="codeer", standalone_mode=False)
    except CodeerError as exc:
        click.echo(f"codeer: {exc}", err=True)
        return int(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("codeer: interrupted", err=True)
        return int(ExitCode.INTERRUPTED)
    except click.ClickException as exc:
        exc.show()
        return int(ExitCode.UNREADABLE)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("codeer: interrupted", err=True)
        return int(ExitCode.INTERRUPTED)
    return int(rv) if isinstance(rv, int) else int(ExitCode.OK)


def run() -> None:
    sys.exit(main())


project_option = click.option(
    "--project",
    "project",
    type=click.Path(file_okay=False, path_type=str),
    default=".",
    show_default=True,
    help="The project folder.",
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
