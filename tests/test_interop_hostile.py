"""Hostile and broken inputs to import and export: diagnostics with codes, never a traceback.

Each test runs the real CLI in a subprocess (exit code, ``--format json`` report, stderr) on a
small fixture in tests/interop/hostile, or on a huge or deep one made in tmp_path. The other
inputs of the run must still convert, and nothing may be dropped or overwritten in silence.
"""

from __future__ import annotations

import json
import os
import re
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import CORPUS, ROOT
from corpuskit.formats import json_format
from corpuskit.interop.bioc import read_bioc
from corpuskit.interop.bioc_layout import Layout, layout_of
from corpuskit.interop.brat import brat_to_document, write_brat
from corpuskit.interop.common import validate_imported
from corpuskit.interop.w3c import read_w3c
from corpuskit.model import Document, Fragment

HOSTILE = ROOT / "tests" / "interop" / "hostile"
GOOD = HOSTILE / "good.json"
CORPUS_DOC = CORPUS / "iran-russia-missiles.json"


@dataclass
class Result:
    """One CLI run: exit code, the diagnostics of the JSON report, stderr."""

    returncode: int
    diagnostics: list[dict[str, Any]]
    stderr: str

    def codes(self) -> list[str]:
        return [d["code"] for d in self.diagnostics]

    def messages(self, code: str) -> list[str]:
        return [d["message"] for d in self.diagnostics if d["code"] == code]


def _memory_guard() -> None:
    # 2 GiB of address space: a run that tries to build a multi-gigabyte text fails here.
    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))


def run(*args: str | Path, cwd: Path, preexec: Callable[[], None] | None = _memory_guard) -> Result:
    """``corpuskit ARGS --format json`` in ``cwd``; the report parsed, stderr kept."""
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    done = subprocess.run(
        [sys.executable, "-m", "corpuskit", *map(str, args), "--format", "json"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        preexec_fn=preexec,
    )
    assert "Traceback" not in done.stderr, done.stderr
    if done.returncode == 2:
        return Result(2, [], done.stderr)
    report = json.loads(done.stdout)
    return Result(done.returncode, report["diagnostics"], done.stderr)


def imported(out: Path) -> list[str]:
    """The documents an import wrote, by file name."""
    return sorted(p.name for p in out.rglob("*") if p.is_file())


# --------------------------------------------------------------------------- inputs that crashed


def test_deep_bioc_json_is_refused_and_the_good_input_still_converts(tmp_path: Path) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    result = run("import", "bioc-json", deep, GOOD, "-o", tmp_path / "out", cwd=tmp_path)
    assert result.returncode == 1
    assert result.codes() == ["I001"]
    assert "nested more than 64 levels deep" in result.messages("I001")[0]
    assert imported(tmp_path / "out") == ["good.json"]


def test_deep_web_annotations_are_refused(tmp_path: Path) -> None:
    (tmp_path / "deep.jsonld").write_text('{"type": "Annotation", "target": ' + "[" * 100_000)
    (tmp_path / "deep.txt").write_text("Iran\n")
    result = run("import", "w3c", tmp_path / "deep.jsonld", "-o", tmp_path / "out", cwd=tmp_path)
    assert result.returncode == 1 and result.codes() == ["I001"]
    # Not a JSON error at the end of the file: the place where the nesting goes too deep.
    assert result.diagnostics[0]["column"] == 1 + len('{"type": "Annotation", "target": ') + 63


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("passages-object.json", "passages must be an array, not {'offset': 0, 'text': 'Iran'}"),
        ("annotations-number.json", "annotations must be an array, not 5"),
        ("locations-number.json", "locations must be an array, not 7"),
        ("nodes-string.json", "nodes must be an array, not 'm1'"),
        ("text-object.json", "the text must be a string, not {'value': 'Iran'}"),
        ("id-object.json", "the id must be a string, not {'value': 'd1'}"),
    ],
)
def test_a_value_of_the_wrong_kind_is_an_i002_naming_it(
    name: str, message: str, tmp_path: Path
) -> None:
    result = run("import", "bioc-json", HOSTILE / name, GOOD, "-o", tmp_path / "out", cwd=tmp_path)
    assert result.returncode == 1
    assert "I002" in result.codes() and "P999" not in result.codes()
    assert any(message in m for m in result.messages("I002")), result.diagnostics
    assert "good.json" in imported(tmp_path / "out")


@pytest.mark.parametrize(
    ("fmt", "name", "line", "escape"),
    [
        ("bioc-json", "lone-surrogate.json", 2, "\\ud800"),
        ("w3c", "lone-surrogate.jsonld", 2, "\\udc00"),
    ],
)
def test_a_lone_surrogate_escape_is_named_where_it_is(
    fmt: str, name: str, line: int, escape: str, tmp_path: Path
) -> None:
    result = run("import", fmt, HOSTILE / name, "-o", tmp_path / "out", cwd=tmp_path)
    assert result.returncode == 1 and result.codes() == ["I001"]
    (diagnostic,) = result.diagnostics
    assert diagnostic["line"] == line and escape in diagnostic["message"]
    assert imported(tmp_path / "out") == []


def test_integers_of_thousands_of_digits_are_refused_with_their_length(tmp_path: Path) -> None:
    source = tmp_path / "digits.json"
    offset = "7" * 4_400
    source.write_text(
        f'{{"documents": [{{"id": "d1", "passages": [{{"offset": {offset}, "text": "Iran"}}]}}]}}'
    )
    result = run("import", "bioc-json", source, GOOD, "-o", tmp_path / "out", cwd=tmp_path)
    assert result.returncode == 1 and "P999" not in result.codes()
    (message,) = result.messages("I002")
    assert "has 4,400 digits" in message and len(message) < 300  # the number is not echoed
    assert imported(tmp_path / "out") == ["good.json"]


def test_bioc_xml_offsets_with_thousands_of_leading_zeros_are_read_as_numbers(
    tmp_path: Path,
) -> None:
    zeros = "0" * 4_400
    source = tmp_path / "zeros.xml"
    source.write_text(
        f"<collection><document><id>d1</id><passage><offset>{zeros}5</offset><text>Iran</text>"
        f'<annotation id="m1"><infon key="type">GPE</infon><location offset="{zeros}5" '
        f'length="{zeros}4"/><text>Iran</text></annotation></passage></document></collection>'
    )
    huge = tmp_path / "huge.xml"
    huge.write_text(source.read_text().replace(f'offset="{zeros}5"', f'offset="{"9" * 5000}"'))
    result = run("import", "bioc-xml", source, huge, "-o", tmp_path / "out", cwd=tmp_path)
    assert result.returncode == 1 and "P999" not in result.codes()
    assert [d["path"] for d in result.diagnostics if d["severity"] == "error"] == ["huge.xml"]
    assert any("has 5,000 digits" in m for m in result.messages("I002"))
    # Offsets are not padded into the text: the passage's 5 is kept in the layout record, and
    # the location (also 5, however many zeros) anchors at the start of the passage's text.
    written = json_format.load(tmp_path / "out" / "d1.json")
    assert written.text == "Iran"
    assert written.mentions[0].span == (Fragment(0, 4, "Iran"),)
    assert [p.gap for p in _layout(written).passages] == [5]


def _layout(doc: Document) -> Layout:
    """The BioC layout record an imported document carries."""
    layout, problem = layout_of(doc.meta)
    assert layout is not None, problem
    return layout


@pytest.mark.parametrize(
    ("fmt", "name", "texts", "offsets"),
    [
        ("bioc-json", "offset-2e9.json", ["Iran"], [2_000_000_000]),
        ("bioc-xml", "offset-2e9.xml", ["Iran"], [2_000_000_000]),
        # A gap of 2e9 between two passages: the unit check, which does pad gaps, must give up.
        ("bioc-json", "gap-2e9.json", ["Iran", "Russia"], [0, 2_000_000_000]),
    ],
)
def test_a_tiny_file_with_a_huge_passage_offset_imports_small_and_goes_back(
    fmt: str, name: str, texts: list[str], offsets: list[int], tmp_path: Path
) -> None:
    # Offsets once padded the text with line breaks (2 GB for offset 2e9). Now the text is the
    # passages' texts alone and the offsets live in the layout record: the import needs no
    # memory for them (the 2 GiB address-space guard holds) and export restores them exactly.
    assert (HOSTILE / name).stat().st_size < 400
    result = run("import", fmt, HOSTILE / name, "-o", tmp_path / "out", cwd=tmp_path)
    assert result.returncode == 0 and result.diagnostics == []
    (written,) = (tmp_path / "out").iterdir()
    assert written.stat().st_size < 2_000
    doc = json_format.load(written)
    assert doc.text == "\n".join(texts)

    suffix = ".bioc.json" if fmt == "bioc-json" else ".bioc.xml"
    back = run("export", fmt, written, "-o", tmp_path / "back", cwd=tmp_path)
    assert back.returncode == 0 and back.diagnostics == []
    exported = (tmp_path / "back" / (doc.id + suffix)).read_bytes()
    collection = read_bioc(exported, "back", "json" if fmt == "bioc-json" else "xml")
    assert [d.document for d in collection] == [doc]
    written_offsets = (
        [p["offset"] for p in json.loads(exported)["documents"][0]["passages"]]
        if fmt == "bioc-json"
        else [int(o) for o in re.findall(rb"<offset>(\d+)</offset>", exported)]
    )
    assert written_offsets == offsets


def test_to_xml_refuses_a_character_xml_cannot_carry_naming_it(tmp_path: Path) -> None:
    result = run(
        "import",
        "bioc-json",
        HOSTILE / "control-character.json",
        GOOD,
        "-o",
        tmp_path / "out",
        "--to",
        "xml",
        cwd=tmp_path,
    )
    assert result.returncode == 1 and "P999" not in result.codes()
    (bad,) = [d for d in result.diagnostics if d["severity"] == "error"]
    assert bad["code"] == "O007" and "U+0007" in bad["message"]
    assert bad["pointer"] == "/attributes/0/value" and bad["annotation_id"] == "m1.comment"
    assert bad["path"].endswith("/control-character.json") and bad["line"] == 10  # its "{"
    assert imported(tmp_path / "out") == ["good.xml"]


def test_export_to_bioc_xml_refuses_a_character_xml_cannot_carry(tmp_path: Path) -> None:
    record = json.loads(CORPUS_DOC.read_text("utf-8"))
    record["mentions"][0]["note"] = "bell\u0007"
    (tmp_path / "doc.json").write_text(json.dumps(record, ensure_ascii=False, indent=2))
    result = run(
        "export",
        "bioc-xml",
        tmp_path / "doc.json",
        CORPUS_DOC,
        "-o",
        tmp_path / "out",
        cwd=tmp_path,
    )
    assert result.returncode == 1
    (bad,) = [d for d in result.diagnostics if d["severity"] == "error"]
    assert bad["code"] == "I013" and "U+0007" in bad["message"]
    assert bad["pointer"] == "/mentions/0/note" and bad["path"] == "doc.json" and bad["line"] > 1
    assert imported(tmp_path / "out") == ["iran-russia-missiles.bioc.xml"]


def test_many_brat_annotations_that_change_on_write_back_cost_linear_time() -> None:
    # Each span crosses a line break, so each is written back as two fragments (I010). Matching
    # every changed annotation against every other took minutes for 8,000 lines.
    n = 8_000
    ann = "".join(f"T{i + 1}\tX {6 * i} {6 * i + 5}\n" for i in range(n))
    started = time.monotonic()
    result = brat_to_document("ab\ncd " * n, ann, "d")
    assert time.monotonic() - started < 30
    assert sum(f.rule.code == "I010" for f in result.findings) == n


# --------------------------------------------------------------------------- nothing lost in silence


def test_two_cues_of_one_quote_are_both_kept_and_named(tmp_path: Path) -> None:
    result = run(
        "import", "bioc-json", HOSTILE / "two-cues.json", "-o", tmp_path / "out", cwd=tmp_path
    )
    assert result.returncode == 0
    (message,) = result.messages("I009")
    assert "quote q1 has 2 cue annotations (c1, c2)" in message
    quote = json.loads((tmp_path / "out" / "d1.json").read_text("utf-8"))["quotes"][0]
    assert [f["text"] for f in quote["cue"]] == ["said", "added"]


def test_an_event_left_out_for_its_trigger_is_named(tmp_path: Path) -> None:
    result = run(
        "import",
        "brat",
        HOSTILE / "dropped-trigger.txt",
        "-o",
        tmp_path / "out",
        "--offset-unit",
        "utf8",
        cwd=tmp_path,
    )
    assert result.returncode == 1
    assert any("event E1 is left out: its trigger T2" in m for m in result.messages("I002"))
    bioc = run(
        "import",
        "bioc-json",
        HOSTILE / "event-empty-trigger.json",
        "-o",
        tmp_path / "b",
        cwd=tmp_path,
    )
    assert any("event ev1 is left out: its trigger t1" in m for m in bioc.messages("I008"))


def test_repeated_infons_and_members_are_reported(tmp_path: Path) -> None:
    xml = run(
        "import", "bioc-xml", HOSTILE / "repeated-infon.xml", "-o", tmp_path / "x", cwd=tmp_path
    )
    assert any(
        "second infon 'type'; its value 'Country' is not kept" in m for m in xml.messages("I008")
    )
    assert (
        json.loads((tmp_path / "x" / "d1.json").read_text("utf-8"))["mentions"][0]["type"] == "GPE"
    )
    js = run(
        "import", "bioc-json", HOSTILE / "repeated-member.json", "-o", tmp_path / "j", cwd=tmp_path
    )
    assert any("member 'text' appears twice" in m for m in js.messages("I008"))
    markup = run(
        "import", "bioc-xml", HOSTILE / "text-with-element.xml", "-o", tmp_path / "m", cwd=tmp_path
    )
    assert any("<text> holds a <b> element" in m for m in markup.messages("I002"))


def test_a_second_normalisation_name_is_not_lost() -> None:
    # corpuskit's entity has one name; the second N line's text once was reported lost (I008).
    # brat lines are now kept whole (brat:line) and written back while the entity is unchanged.
    ann = "T1\tGene 0 4\tIL-2\nN1\tReference T1 UniProt:P60568\tIL-2\nN2\tReference T1 HGNC:6001\tinterleukin 2\n"
    result = brat_to_document("IL-2 binds.\n", ann, "d")
    assert result.document is not None and result.findings == []
    back = write_brat(result.document)
    assert back.findings == [] and back.files[".ann"] == ann


def test_parts_of_the_wrong_kind_in_corpuskit_members_are_named_not_skipped() -> None:
    text = "Iran said so.\n"
    target = {"selector": {"type": "TextQuoteSelector", "exact": "Iran"}}
    tag = {"type": "TextualBody", "purpose": "tagging", "value": "GPE"}
    items = [
        {"id": "m1", "type": "Annotation", "body": tag, "target": target},
        {
            "id": "e1",
            "type": "Annotation",
            "body": tag,
            "target": ["m1"],
            "corpuskit": {"kind": "entity", "links": [{"kb": "wikidata"}, "Q794"]},
        },
        {
            "id": "ev1",
            "type": "Annotation",
            "body": tag,
            "target": target,
            "corpuskit": {"kind": "event", "args": ["m1", {"role": "Agent", "ref": "m1"}]},
        },
    ]
    result = read_w3c(json.dumps(items).encode(), text, "a.jsonld")
    messages = [f.message for f in result.findings if f.rule.code == "I002"]
    assert any("the link {'kb': 'wikidata'} is not a kb and an id" in m for m in messages)
    assert any("the link 'Q794' is not a kb and an id" in m for m in messages)
    assert any("the argument 'm1' is not an object" in m for m in messages)
    provenance = '{"annotators": "ab"}'
    record = {"documents": [{"id": "d1", "infons": {"corpuskit:provenance": provenance}}]}
    record["documents"][0]["passages"] = [{"offset": 0, "text": "Iran"}]
    (bioc,) = read_bioc(json.dumps(record).encode(), "c.json", "json")
    assert bioc.document is not None and bioc.document.meta.provenance is None  # not ("a", "b")
    assert any("annotators" in f.message for f in bioc.findings if f.rule.code == "I002")


# --------------------------------------------------------------------------- where files are written


def _two_inputs(tmp_path: Path) -> Path:
    inputs = tmp_path / "in"
    inputs.mkdir()
    for name in ("a", "b"):
        text = "Iran " * (400 if name == "a" else 1)
        record = {"documents": [{"id": name, "passages": [{"offset": 0, "text": text}]}]}
        (inputs / f"{name}.json").write_text(json.dumps(record))
    return inputs


def test_no_write_through_a_link_out_of_the_project(tmp_path: Path) -> None:
    project, outside = tmp_path / "project", tmp_path / "outside"
    project.mkdir()
    outside.mkdir()
    inputs = _two_inputs(project)
    out = project / "out"
    out.mkdir()
    (out / "a.json").symlink_to(outside / "a.json")
    result = run("import", "bioc-json", inputs, "-o", "out", cwd=project)
    assert result.returncode == 1 and result.codes() == ["I013"]
    assert "outside the project" in result.messages("I013")[0]
    assert not (outside / "a.json").exists() and (out / "b.json").is_file()
    # A folder link out is refused too, for the files under it; -o itself is a usage error.
    (inputs / "sub").mkdir()
    (inputs / "a.json").rename(inputs / "sub" / "a.json")
    (out / "sub").symlink_to(outside)
    linked = run("import", "bioc-json", inputs, "-o", "out", cwd=project)
    assert linked.codes() == ["I013"] and list(outside.iterdir()) == []
    (project / "away").symlink_to(outside)
    assert run("import", "bioc-json", inputs, "-o", "away", cwd=project).returncode == 2
    assert list(outside.iterdir()) == []


def test_a_read_only_file_is_left_alone_and_the_others_are_written(tmp_path: Path) -> None:
    inputs = _two_inputs(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.json").write_text("keep me")
    (out / "a.json").chmod(0o444)
    result = run("import", "bioc-json", inputs, "-o", out, cwd=tmp_path)
    assert result.returncode == 1 and result.codes() == ["I013"]
    assert "read-only" in result.messages("I013")[0]
    assert (out / "a.json").read_text() == "keep me" and (out / "b.json").is_file()


def _small_files() -> None:
    # Files may not grow past 1,000 bytes: a larger write fails (EFBIG) as on a full disk.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (1000, 1000))


def test_a_failed_write_is_an_i013_for_that_file_and_the_run_goes_on(tmp_path: Path) -> None:
    inputs = _two_inputs(tmp_path)  # a.json converts to 2 KB, b.json to a few hundred bytes
    result = run(
        "import", "bioc-json", inputs, "-o", tmp_path / "out", cwd=tmp_path, preexec=_small_files
    )
    assert result.returncode == 1 and result.codes() == ["I013"]
    assert (
        result.diagnostics[0]["path"] == "in/a.json"
        and "File too large" in result.messages("I013")[0]
    )
    assert imported(tmp_path / "out") == ["b.json"]  # no temporary file is left behind
    exported = run(
        "export", "brat", CORPUS_DOC, "-o", tmp_path / "back", cwd=tmp_path, preexec=_small_files
    )
    assert "I013" in exported.codes() and "I001" not in exported.codes()


def test_an_input_link_out_of_the_project_is_not_read(tmp_path: Path) -> None:
    project, outside = tmp_path / "project", tmp_path / "outside"
    project.mkdir()
    outside.mkdir()
    (outside / "secret.json").write_text(GOOD.read_text())
    (project / "secret.json").symlink_to(outside / "secret.json")
    result = run("import", "bioc-json", "secret.json", GOOD, "-o", "out", cwd=project)
    assert result.returncode == 1 and result.codes() == ["I001"]
    assert "outside the project" in result.messages("I001")[0]
    assert imported(project / "out") == ["good.json"]


# --------------------------------------------------------------------------- any value anywhere


_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**40), max_value=10**40)
    | st.floats(allow_nan=False)
    | st.text(max_size=6),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=6,
)
_BIOC_SEED = json.loads((HOSTILE / "two-cues.json").read_text("utf-8"))
_WEBANNO_SEED = {
    "type": "Annotation",
    "id": "a1",
    "body": [{"type": "TextualBody", "purpose": "tagging", "value": "GPE"}],
    "target": {
        "source": "urn:x",
        "selector": [
            {"type": "TextQuoteSelector", "exact": "Iran", "prefix": "", "suffix": " said"},
            {"type": "TextPositionSelector", "start": 0, "end": 4},
        ],
    },
    "corpuskit": {"kind": "mention"},
}


def _places(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _places(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found += _places(item, (*path, i))
    return found


def _replaced(seed: Any, place: tuple[Any, ...], new: Any) -> Any:
    copy = json.loads(json.dumps(seed))
    if not place:
        return new
    parent = copy
    for key in place[:-1]:
        parent = parent[key]
    parent[place[-1]] = new
    return copy


#: Values of the wrong kind that real files hold (a number for a list, an object for a string).
_WRONG = st.sampled_from([None, 5, -1, 2.5, True, "x", "", {}, [], {"a": 1}, [1, "x"], [[]]])


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), _WRONG | _JSON)
def test_any_json_value_in_any_place_gives_findings_not_exceptions(data: Any, new: Any) -> None:
    bioc_place = data.draw(st.sampled_from(_places(_BIOC_SEED)))
    bioc = json.dumps(_replaced(_BIOC_SEED, bioc_place, new)).encode()
    for one in read_bioc(bioc, "c.json", "json"):
        if one.document is not None:
            validate_imported(one)
    anno_place = data.draw(st.sampled_from(_places(_WEBANNO_SEED)))
    anno = json.dumps(_replaced(_WEBANNO_SEED, anno_place, new)).encode()
    result = read_w3c(anno, "Iran said so.\n", "a.jsonld")
    if result.document is not None:
        validate_imported(result)


def test_a_bioc_attribute_id_that_is_not_a_string_gets_a_fresh_id() -> None:
    # Found by the fuzzer (seed 29, bioc-xml case 92957): {"id": true} in the attributes infon.
    data = (HOSTILE / "attribute-id-true.bioc.xml").read_bytes()
    (imported,) = read_bioc(data, "attribute-id-true.bioc.xml", "xml")
    assert imported.document is not None
    (realis,) = [a for a in imported.document.attributes if a.name == "realis"]
    assert realis.target == "m2" and isinstance(realis.id, str) and realis.id
