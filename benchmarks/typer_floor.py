"""The floor of any Typer command: one command with the two options figure 8 passes.

``python -m benchmarks.typer_floor --limit 50 --json`` parses its options and prints
nothing. Typer 0.29 coerces every option through a pydantic ``TypeAdapter``, so a
command costs about 0.1 s more than ``import typer``; figure 8' compares with this.
"""

from __future__ import annotations

from typing import Annotated

import typer

app = typer.Typer(add_completion=False)


@app.command()
def listing(
    limit: Annotated[int, typer.Option(min=1)] = 50,
    json_: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Parse the options, print nothing."""


if __name__ == "__main__":
    app()
