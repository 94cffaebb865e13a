"""Regenerate the bad-input corpus: ``python tests/bad/generate.py``.

One small file per hazard, each a copy of the minimal example document (or plain bytes) broken in
one way. ``expected.json`` maps each file to the exit code and the rule code that
``corpuskit validate --strict`` must report (warnings fail under --strict).
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

HERE = Path(__file__).parent
POSITIVE = HERE.parent / "examples" / "positive"
JSON = (POSITIVE / "minimal.json").read_text("utf-8")
XML = (POSITIVE / "minimal.xml").read_text("utf-8")
RECORD = json.loads(JSON)
CASES: dict[str, tuple[bytes, int, str]] = {}


def add(name: str, data: bytes | str, code: str, exit_code: int = 1) -> None:
    """Record one hazard."""
    assert name not in CASES, name
    CASES[name] = (data.encode("utf-8") if isinstance(data, str) else data, exit_code, code)


def j(old: str, new: str) -> str:
    """The minimal JSON with one textual change."""
    assert old in JSON, old
    return JSON.replace(old, new, 1)


def x(old: str, new: str) -> str:
    """The minimal XML with one textual change."""
    assert old in XML, old
    return XML.replace(old, new, 1)


def record(change: object) -> str:
    """The minimal record changed by a function, written compactly."""
    data = json.loads(JSON)
    assert callable(change)
    change(data)
    return json.dumps(data, ensure_ascii=False)


def with_text(text: str, **extra: object) -> str:
    """The minimal record with another text (and its hash), mentions kept if they still fit."""
    import hashlib

    def change(d: dict) -> None:  # type: ignore[type-arg]
        d["text"] = text
        d["text_sha256"] = hashlib.sha256(text.encode()).hexdigest()
        d.update(extra)

    return record(change)


M1 = '{"id": "m1", "type": "GPE", "span": [{"start": 0, "end": 4, "text": "Iran"}]}'

# --- JSON syntax (JSONTestSuite-style n_ cases that apply) -------------------------------
for name, data in {
    "n_object_trailing_comma": '{"a": 1,}',
    "n_array_trailing_comma": "[1,]",
    "n_object_missing_colon": '{"a" 1}',
    "n_single_quotes": "{'a': 1}",
    "n_number_leading_zero": '{"a": 01}',
    "n_number_starting_dot": '{"a": .5}',
    "n_number_ending_dot": '{"a": 1.}',
    "n_number_plus": '{"a": +1}',
    "n_number_hex": '{"a": 0x10}',
    "n_string_bad_escape": '{"a": "\\x41"}',
    "n_string_raw_tab": '{"a": "tab\tinside"}',
    "n_string_short_unicode_escape": '{"a": "\\u12"}',
    "n_incomplete_true": '{"a": tru}',
    "n_array_missing_comma": '{"a": [1 2]}',
    "n_extra_close": '{"a": 1}}',
    "n_two_values": '{"a": 1} {"b": 2}',
    "n_block_comment": '/* c */ {"a": 1}',
    "n_line_comment": '{"a": 1} // c',
    "n_lone_surrogate_escape": j('"text": "Iran sent', '"text": "\\ud800Iran sent'),
    "n_reversed_surrogates": '{"a": "\\udc00\\ud800"}',
    "n_unclosed_string": '{"a": "abc}',
}.items():
    add(f"{name}.json", data, "P001")
add("empty.json", b"", "P001")
add("whitespace_only.json", "  \n\t\n", "P001")
add("nested_100000_arrays.json", "[" * 100_000 + "]" * 100_000, "P001")
add("nested_100000_objects.json", '{"a":' * 100_000 + "1" + "}" * 100_000, "P001")
for fraction in (1, 10, 50, 90, 99):
    add(
        f"truncated_{fraction}pct.json",
        JSON.encode()[: len(JSON.encode()) * fraction // 100],
        "P001",
    )

# --- encoding, BOM, numbers, duplicates ---------------------------------------------------
add(
    "invalid_utf8_byte.json",
    JSON.encode().replace(b"minimal corpuskit", b"minimal \xff corpuskit"),
    "P002",
)
add(
    "overlong_utf8.json",
    JSON.encode().replace(b"minimal corpuskit", b"minimal \xc0\xaf corpuskit"),
    "P002",
)
add(
    "cesu8_surrogate.json",
    JSON.encode().replace(b"minimal corpuskit", b"minimal \xed\xa0\x80 corpuskit"),
    "P002",
)
add("utf16le_with_bom.json", b"\xff\xfe" + JSON.encode("utf-16-le"), "P002")
add("utf8_bom.json", b"\xef\xbb\xbf" + JSON.encode(), "P003")
add("nan.json", j('"value": "actual"', '"value": NaN'), "P005")
add("infinity.json", j('"value": "actual"', '"value": Infinity'), "P005")
add("minus_infinity.json", j('"value": "actual"', '"value": -Infinity'), "P005")
add("overflow_1e400.json", j('"value": "actual"', '"value": 1e400'), "P005")
add("duplicate_top_key.json", j('  "quotes": [', '  "mentions": [],\n  "quotes": ['), "P004")
add(
    "duplicate_annotation_key.json",
    j('{"id": "m1", "type": "GPE"', '{"id": "m1", "type": "GPE", "type": "ORG"'),
    "P004",
)
add(
    "duplicate_escaped_key.json",
    j('{"id": "m1", "type": "GPE"', '{"id": "m1", "\\u0069d": "m9", "type": "GPE"'),
    "P004",
)
add(
    "big_int_offset.json",
    j('"start": 0, "end": 4', '"start": 0, "end": 99999999999999999999'),
    "P008",
)
add("big_int_value.json", j('"value": "actual"', '"value": -99999999999999999999'), "P008")

# --- documents that are not objects, wrong types everywhere -----------------------------------
for name, data in {
    "string": '"a document"',
    "number": "123",
    "true": "true",
    "null": "null",
    "array": "[]",
}.items():
    add(f"top_level_{name}.json", data, "S003")
for name, change in {
    "mentions_object": lambda d: d.__setitem__("mentions", {}),
    "text_number": lambda d: d.__setitem__("text", 123),
    "meta_list": lambda d: d.__setitem__("meta", []),
    "span_string": lambda d: d["mentions"][0].__setitem__("span", "0-4"),
    "start_string": lambda d: d["mentions"][0]["span"][0].__setitem__("start", "0"),
    "start_float": lambda d: d["mentions"][0]["span"][0].__setitem__("start", 1.5),
    "start_boolean": lambda d: d["mentions"][0]["span"][0].__setitem__("start", True),
    "id_number": lambda d: d["mentions"][0].__setitem__("id", 5),
    "links_string": lambda d: d["entities"][0].__setitem__("links", "Q794"),
    "mention_null": lambda d: d["mentions"].__setitem__(0, None),
    "speaker_list": lambda d: d["quotes"][0].__setitem__("speaker", ["e3"]),
    "title_null": lambda d: d["meta"].__setitem__("title", None),
    "value_object": lambda d: d["attributes"][0].__setitem__("value", {"v": 1}),
}.items():
    add(f"wrong_type_{name}.json", record(change), "S003")
for name, change, code in [
    ("missing_text", lambda d: d.pop("text"), "S001"),
    ("missing_meta", lambda d: d.pop("meta"), "S001"),
    ("missing_ref", lambda d: d["events"][0]["args"][0].pop("ref"), "S001"),
    ("unknown_top_key", lambda d: d.__setitem__("comments", []), "S002"),
    ("negative_offset", lambda d: d["mentions"][0]["span"][0].__setitem__("start", -1), "S004"),
    ("offset_over_2_31", lambda d: d["mentions"][0]["span"][0].__setitem__("end", 2**31), "S004"),
    ("offset_unit_utf16", lambda d: d.__setitem__("offset_unit", "utf16"), "S004"),
    ("version_2", lambda d: d.__setitem__("corpuskit", "2.0"), "S004"),
    ("impossible_date", lambda d: d["meta"].__setitem__("published", "2024-13-01"), "S004"),
    ("empty_span", lambda d: d["mentions"][0].__setitem__("span", []), "S004"),
    ("id_with_newline", lambda d: d["mentions"][0].__setitem__("id", "m1\n"), "S004"),
    ("id_with_space", lambda d: d["mentions"][0].__setitem__("id", "m 1"), "S004"),
]:
    add(f"schema_{name}.json", record(change), code)
deep: object = "x"
for _ in range(300):
    deep = [deep]
add("schema_deep_note.json", record(lambda d: d["mentions"][0].__setitem__("note", deep)), "S004")

# --- offsets and Unicode traps ------------------------------------------------------------
base_text = RECORD["text"]
add("nfd_text.json", with_text(base_text + " Caf" + unicodedata.normalize("NFD", "é")), "O005")
add("nfd_in_span.json", with_text("Cafe\u0301 " + base_text[5:]), "O005")
add("control_bel.json", with_text(base_text + "\x07"), "O007")
add("noncharacter_fffe.json", with_text(base_text + "\ufffe"), "O007")
add(
    "control_in_note.json", record(lambda d: d["mentions"][0].__setitem__("note", "a\x01b")), "O007"
)
add("control_in_title.json", record(lambda d: d["meta"].__setitem__("title", "t\x1b[31m")), "O007")
add("end_beyond_text.json", j('"start": 81, "end": 85', '"start": 81, "end": 850'), "O002")
add("end_at_max_offset.json", j('"start": 81, "end": 85', '"start": 81, "end": 2147483647'), "O002")
add("empty_fragment.json", j('"start": 0, "end": 4', '"start": 4, "end": 4'), "O001")
add("inverted_fragment.json", j('"start": 0, "end": 4', '"start": 4, "end": 0'), "O001")
add(
    "overlapping_fragments.json",
    j(
        M1,
        '{"id": "m1", "type": "GPE", "span": [{"start": 0, "end": 4, "text": "Iran"}, {"start": 2, "end": 9, "text": "an sent"}]}',
    ),
    "O004",
)
add(
    "unsorted_fragments.json",
    j(
        M1,
        '{"id": "m1", "type": "GPE", "span": [{"start": 5, "end": 9, "text": "sent"}, {"start": 0, "end": 4, "text": "Iran"}]}',
    ),
    "O004",
)
add(
    "covered_text_mismatch.json",
    j('"start": 0, "end": 4, "text": "Iran"', '"start": 0, "end": 4, "text": "Iraq"'),
    "O003",
)
add("hash_mismatch.json", record(lambda d: d.__setitem__("text_sha256", "f" * 64)), "O006")
add(
    "leading_whitespace.json",
    j('"start": 0, "end": 4, "text": "Iran"', '"start": 4, "end": 9, "text": " sent"'),
    "O101",
)
add(
    "splits_word.json",
    j('"start": 0, "end": 4, "text": "Iran"', '"start": 1, "end": 4, "text": "ran"'),
    "O102",
)


def grapheme(name: str, text: str, needle: str) -> None:
    at = text.index(needle)

    def change(d: dict) -> None:  # type: ignore[type-arg]
        import hashlib

        d["text"] = text
        d["text_sha256"] = hashlib.sha256(text.encode()).hexdigest()
        d["mentions"].append(
            {
                "id": "m9",
                "type": "X",
                "span": [{"start": at, "end": at + len(needle), "text": needle}],
            }
        )

    add(f"grapheme_{name}.json", record(change), "O103")


grapheme("zwj_sequence", base_text + " 👩\u200d💻.", "👩")
grapheme("flag_half", base_text + " 🇺🇦.", "🇺")
grapheme("skin_tone", base_text + " 👍🏽.", "👍")
grapheme("combining_mark", base_text + " Zoë Ñu\u0301n.", "Ñu")
grapheme("cr_lf", base_text + " end\r\nnext", "end\r")

# --- ids and references ------------------------------------------------------------------
add("duplicate_id.json", j('{"id": "m2"', '{"id": "m1"'), "R001")
add("id_collides_across_kinds.json", j('{"id": "r1"', '{"id": "ev1"'), "R001")
add("dangling_speaker.json", j('"speaker": "e3"', '"speaker": "nobody"'), "R002")
add("dangling_member.json", j('"mentions": ["m1"]', '"mentions": ["m99"]'), "R002")
add("dangling_target.json", j('"target": "ev1"', '"target": "ev9"'), "R002")
add("speaker_is_event.json", j('"speaker": "e3"', '"speaker": "ev1"'), "R003")
add("member_is_entity.json", j('"mentions": ["m1"]', '"mentions": ["e2"]'), "R003")
add(
    "event_self_reference.json",
    j('{"role": "agent", "ref": "e1"}', '{"role": "agent", "ref": "ev1"}'),
    "R004",
)


def cycle(d: dict) -> None:  # type: ignore[type-arg]
    trigger = d["events"][0]["trigger"]
    d["events"] = [
        {
            "id": f"ev{i}",
            "type": "transfer",
            "trigger": trigger,
            "args": [{"role": "agent", "ref": f"ev{(i + 1) % 3}"}],
        }
        for i in range(3)
    ]
    d["attributes"] = []


add("three_event_cycle.json", record(cycle), "R004")
add("mention_in_two_entities.json", j('"mentions": ["m4"]', '"mentions": ["m4", "m1"]'), "R101")

# --- XML ------------------------------------------------------------------------------------
DECL = '<?xml version="1.0" encoding="UTF-8"?>\n'
BODY = XML[len(DECL) :]
add(
    "xxe_file.xml",
    DECL
    + '<!DOCTYPE document [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
    + BODY.replace("<title>A minimal", "<title>&x; A minimal"),
    "P007",
)
laughs = "".join(f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
add(
    "billion_laughs.xml",
    DECL
    + f'<!DOCTYPE document [<!ENTITY l0 "lol">{laughs}]>\n'
    + BODY.replace("<title>A minimal", "<title>&l9; A minimal"),
    "P007",
)
add(
    "dtd_url.xml",
    DECL + '<!DOCTYPE document SYSTEM "http://127.0.0.1:9/document.dtd">\n' + BODY,
    "P007",
)
add(
    "parameter_entity.xml",
    DECL + '<!DOCTYPE document [<!ENTITY % p SYSTEM "http://127.0.0.1:9/p.dtd"> %p;]>\n' + BODY,
    "P007",
)
add("nested_300.xml", DECL + "<a>" * 300 + "</a>" * 300, "P006")
add("undeclared_entity.xml", x("<title>A minimal", "<title>&nbsp;A minimal"), "P006")
add("comment.xml", x("  <meta>", "  <!-- a remark -->\n  <meta>"), "P007")
add("processing_instruction.xml", x("  <meta>", "  <?style x?>\n  <meta>"), "P007")
add("trailing_comment.xml", XML + "<!-- after -->\n", "P007")
add("wrong_namespace.xml", XML.replace("document/1.0", "document/9.9"), "S002")
add("no_namespace.xml", XML.replace(' xmlns="https://corpuskit.dev/ns/document/1.0"', ""), "S002")
add("declared_latin1.xml", XML.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"'), "P002")
add(
    "invalid_utf8.xml",
    XML.encode().replace(b"minimal corpuskit", b"minimal \xff corpuskit"),
    "P002",
)
add("utf8_bom.xml", b"\xef\xbb\xbf" + XML.encode(), "P003")
add("truncated.xml", XML.encode()[: len(XML) // 2], "P006")
add("empty.xml", b"", "P006")
add(
    "duplicate_attribute.xml",
    x('<mention id="m1" type="GPE">', '<mention id="m1" id="m2" type="GPE">'),
    "P006",
)
add("mismatched_tags.xml", x("</title>", "</titel>"), "P006")
add(
    "datatype_mismatch.xml",
    x('datatype="string" value="actual"', 'datatype="integer" value="actual"'),
    "S003",
)
add("negative_offset.xml", x('start="0" end="4"', 'start="-1" end="4"'), "S004")
add(
    "missing_text_element.xml",
    XML[: XML.index("  <text ")] + XML[XML.index("</text>") + len("</text>\n") :],
    "S001",
)
add(
    "nfd_text.xml",
    XML.replace("official said.", "official said. Cafe\u0301").replace(
        RECORD["text_sha256"],
        __import__("hashlib")
        .sha256((RECORD["text"].replace("official said.", "official said. Cafe\u0301")).encode())
        .hexdigest(),
    ),
    "O005",
)
add("cr_added_to_text.xml", x("official said.\n", "official said.&#13;\n"), "O006")
# Numbers: the XSD accepts any number of leading zeros, Python's int() no more than 4,300 digits.
add("offset_4400_leading_zeros.xml", x('end="4"', 'end="' + "0" * 4400 + '5"'), "O003")
add("offset_5000_digits.xml", x('end="4"', 'end="' + "9" * 5000 + '"'), "S004")
add(
    "integer_value_4400_digits.xml",
    x('datatype="string" value="actual"', 'datatype="integer" value="' + "9" * 4400 + '"'),
    "P008",
)
add(
    "number_value_overflow.xml",
    x('datatype="string" value="actual"', 'datatype="number" value="1e400"'),
    "P005",
)


def main() -> None:
    """Write the files and expected.json."""
    for old in HERE.iterdir():
        if old.suffix in (".json", ".xml") and old.name != "expected.json":
            old.unlink()
    expected = {}
    for name, (data, exit_code, code) in sorted(CASES.items()):
        (HERE / name).write_bytes(data)
        expected[name] = [exit_code, code]
    (HERE / "expected.json").write_text(json.dumps(expected, indent=1) + "\n", "utf-8")
    print(f"{len(CASES)} bad inputs written")


if __name__ == "__main__":
    main()
