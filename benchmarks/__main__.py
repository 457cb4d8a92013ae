"""``python -m benchmarks --deals 100000 [--repeat N] [--only name,...] [--json out.json]``."""

from benchmarks.suite import main

main()
