"""`python -m scrkg` runs the command line."""

from scrkg.cli import main

main()
