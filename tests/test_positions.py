"""Source positions: JSON pointers to lines and columns, in both formats."""

from __future__ import annotations

from corpuskit.formats.json_format import JsonLocator
from corpuskit.formats.json_positions import JsonPositions
from corpuskit.formats.xml_format import XmlLocator

SOURCE = '{\n  "a/b": [1, {"x~y": "é", "n": null}],\n  "k\\"q": {"deep": [true, false]}\n}\n'


def column_of(line: str, needle: str) -> int:
    """1-based column of needle in line, found independently of the locators."""
    return line.index(needle) + 1


def test_pointers_with_escaped_tokens_map_to_values_and_keys() -> None:
    line2, line3 = SOURCE.splitlines()[1:3]
    loc = JsonLocator(SOURCE.encode())
    value = loc.locate("/a~1b/1/x~0y")
    assert value is not None and (value.line, value.column) == (2, column_of(line2, '"é"'))
    key = loc.locate("/a~1b/1/x~0y", key=True)
    assert key is not None and (key.line, key.column) == (2, column_of(line2, '"x~y"'))
    deep = loc.locate('/k"q/deep/1')
    assert deep is not None and (deep.line, deep.column) == (3, column_of(line3, "false"))


def test_missing_pointer_falls_back_to_the_nearest_ancestor() -> None:
    loc = JsonLocator(SOURCE.encode())
    found = loc.locate("/a~1b/1/missing")
    assert found is not None and (found.line, found.column) == (
        2,
        column_of(SOURCE.splitlines()[1], "{"),
    )


def test_duplicate_keys_are_recorded_with_their_position() -> None:
    positions = JsonPositions('{"a": {"b": 1, "b": 2}}')
    assert positions.duplicates == [("/a/b", 15)]


def test_xml_locator_finds_attributes_and_the_nth_element_on_a_line() -> None:
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<document xmlns="https://corpuskit.dev/ns/document/1.0" corpuskit="1.0" id="d">\n'
        "  <mentions>\n"
        '    <mention id="m1" type="X"><span><frag start="0" end="1">a</frag><frag start="2" end="3">b</frag></span></mention>\n'
        "  </mentions>\n"
        "</document>\n"
    )
    line4 = xml.splitlines()[3]
    loc = XmlLocator(xml.encode())
    second = loc.locate("/mentions/0/span/1/start")
    assert second is not None and (second.line, second.column) == (4, column_of(line4, 'start="2"'))
    ident = loc.locate("/mentions/0/type")
    assert ident is not None and (ident.line, ident.column) == (4, column_of(line4, 'type="X"'))
