"""A command line with only the view commands, for the tests: ``python tests/views/cli_app.py``.

The real ``corpuskit`` command registers the same functions; the tests drive this app through a
subprocess so they do not depend on how ``corpuskit/cli.py`` is wired.
"""

from __future__ import annotations

import typer

from corpuskit.views.commands import register

app = typer.Typer(
    name="corpuskit",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
register(app)

if __name__ == "__main__":
    app()
