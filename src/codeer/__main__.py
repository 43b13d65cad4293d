"""``python -m codeer``."""

from codeer.cli import run

run()
