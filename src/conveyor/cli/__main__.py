"""``python -m conveyor.cli`` runs the command line."""

from conveyor.cli.main import run

run()
