"""`python -m scrkg` runs the command line."""

from scrkg.cli import main

if __name__ == "__main__":  # worker processes started by "spawn" import this module too
    main()
