"""The language server's buffer arithmetic: LSP lines (CRLF, CR, LF; never U+2028), units of
each position encoding, rounding and clamping as LSP asks, and corpuskit's LF-only lines."""

from __future__ import annotations

import pytest

from corpuskit.server.buffers import Buffer

TEXT = "a\r\nb\rc\nd\u2028e 🚀f"


def test_lines_break_at_crlf_cr_and_lf_only() -> None:
    buf = Buffer("file:///t.json", TEXT, 1)
    assert buf.starts == [0, 3, 5, 7]  # U+2028 is inside the last line
    assert buf.line_end(0) == 1 and buf.line_end(1) == 4 and buf.line_end(3) == len(TEXT)
    assert buf.position_of(TEXT.index("e")) == (3, 2)
    assert buf.position_of(2) == (0, 1)  # inside CRLF: the end of the line


@pytest.mark.parametrize(
    ("encoding", "after_rocket"), [("utf-16", 6), ("utf-8", 10), ("utf-32", 5)]
)
def test_units_of_each_encoding(encoding: str, after_rocket: int) -> None:
    buf = Buffer("file:///t.json", TEXT, 1, encoding=encoding)
    f = TEXT.index("f")
    assert buf.position_of(f) == (3, after_rocket)  # "d\u2028e 🚀" before it
    assert buf.offset_at(3, after_rocket) == f
    assert buf.offset_at(3, after_rocket - 1) == f - 1  # in or before the rocket: its start


def test_clamping_and_corpuskit_positions() -> None:
    buf = Buffer("file:///t.json", TEXT, 1)
    assert buf.offset_at(99, 0) == len(TEXT)
    assert buf.offset_at(0, 99) == 1  # the end of the line, before its CRLF
    assert buf.offset_at(-1, 5) == 0
    # corpuskit counts lines at LF only (a lone CR is inside a line), columns in code points.
    assert buf.engine_offset(3, 1) == TEXT.index("d")
    assert buf.engine_offset(2, 3) == TEXT.index("c")
    assert buf.engine_offset(1, 999) == TEXT.index("\n")  # clamped to its line


def test_replace_and_lone_surrogates() -> None:
    buf = Buffer("file:///t.json", "x🚀y", 1)
    buf.replace(1, 2, "\ud83d")  # what a JSON-RPC string may carry
    assert buf.text == "x\ud83dy" and buf.position_of(3) == (0, 3)
    buf.replace(99, 99, "!")
    assert buf.text.endswith("y!")
