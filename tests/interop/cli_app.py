"""The interop commands on a small Typer app, for subprocess tests until cli.py registers them.

Run as ``python tests/interop/cli_app.py import brat SRC -o DIR``.
"""

from __future__ import annotations

import typer

from corpuskit.interop.commands import register

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False)
register(app)

if __name__ == "__main__":
    app()
