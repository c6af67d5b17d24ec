"""``python -m formcheck.cli`` runs the command line."""

from formcheck.cli import run

run()
