"""Allow ``python -m dealterm``."""

from dealterm.cli import main

main()
